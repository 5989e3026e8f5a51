// EXPECT: the explicit input size In must equal the previous layer.s output size
// SPDX-License-Identifier: MIT
// Shape rule: an explicit input size (dense_from<In, Out, Act> or dense<Out, Act, In>) must equal
// the previous layer's output size. The ok twin states the right size.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense_from<3, 4, ctnn::tanh>>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense_from<2, 4, ctnn::tanh>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward({1.f, 2.f})[0]);
}
