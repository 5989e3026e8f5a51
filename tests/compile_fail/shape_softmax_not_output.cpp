// EXPECT: softmax .*may only be used on the last layer
// SPDX-License-Identifier: MIT
// Shape rule: softmax (vector-valued, output-only) is allowed on the output layer only.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::softmax>, ctnn::dense<2>>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3>, ctnn::dense<2, ctnn::softmax>>;
#endif

int main() {
  const net_t net{};
  return net.forward({1.f, 2.f})[0] > 0.f ? 0 : 1;
}
