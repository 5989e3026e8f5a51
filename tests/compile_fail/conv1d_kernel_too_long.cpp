// EXPECT: kernel longer than the window
// SPDX-License-Identifier: MIT
// Shape rule of ctnn::conv1d: with valid padding the dilated kernel Dilation*(Kernel-1)+1 (here
// 4*2+1 = 9) must fit the window (8 steps). The ok twin uses dilation 3 (7 steps).
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh, 4>>;
#else
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3, ctnn::tanh, 3>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
