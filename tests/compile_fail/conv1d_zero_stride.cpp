// EXPECT: a conv1d needs Stride > 0
// SPDX-License-Identifier: MIT
// Shape rule of ctnn::conv1d: the outputs are Stride >= 1 steps apart. The ok twin uses 1.
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh, 1, 0>>;
#else
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh, 1, 1>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
