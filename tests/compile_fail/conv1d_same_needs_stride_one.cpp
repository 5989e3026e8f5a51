// EXPECT: same padding needs Stride 1
// SPDX-License-Identifier: MIT
// Shape rule of ctnn::conv1d: padding::same with a stride is refused, as PyTorch refuses it. The
// ok twin uses stride 1.
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t =
    ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh, 1, 2, ctnn::padding::same>>;
#else
using net_t =
    ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh, 1, 1, ctnn::padding::same>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
