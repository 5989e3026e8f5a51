// EXPECT: a layer needs Out > 0
// SPDX-License-Identifier: MIT
// Shape rule: a dense layer needs at least one unit.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<0, ctnn::relu>, ctnn::dense<1>>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward({1.f, 2.f})[0]);
}
