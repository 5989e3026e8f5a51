// EXPECT: the first layer must be ctnn::input<N>
// SPDX-License-Identifier: MIT
// Shape rule: the first entry after the element type is ctnn::input<N>.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1>>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.layer_count) - 2;
}
