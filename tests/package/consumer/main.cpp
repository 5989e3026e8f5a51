// SPDX-License-Identifier: MIT
// A downstream program using the installed ctnn. It only needs find_package(ctnn) and ctnn::ctnn.
// TODO(lead): switch to <ctnn/ctnn.hpp> and build, train or run a real (tiny) network here.
#include <cstdio>

#include <ctnn/config.hpp>

static_assert(CTNN_VERSION_MAJOR == CTNN_PACKAGE_VERSION_MAJOR, "header and package versions differ");
static_assert(CTNN_VERSION_MINOR == CTNN_PACKAGE_VERSION_MINOR, "header and package versions differ");

int main() {
  std::printf("ctnn consumer: ctnn %d.%d.%d\n", CTNN_VERSION_MAJOR, CTNN_VERSION_MINOR,
              CTNN_VERSION_PATCH);
  return 0;
}
