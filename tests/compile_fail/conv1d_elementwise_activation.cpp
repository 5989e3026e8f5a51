// EXPECT: Act must be an element-wise activation
// SPDX-License-Identifier: MIT
// Shape rule of ctnn::conv1d: softmax (a vector activation) is refused. The ok twin uses tanh.
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::softmax>>;
#else
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
