// EXPECT: input needs N > 0
// SPDX-License-Identifier: MIT
// Shape rule: a network needs at least one input.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<0>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
#else
using net_t = ctnn::network<float, ctnn::input<1>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.output_size) - 1;
}
