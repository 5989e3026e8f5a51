// EXPECT: a GRU fed the wrong feature width: the stated Features must equal the previous layer.s channels
// SPDX-License-Identifier: MIT
// Shape rule: the input width stated in gru<Hidden, Features> must equal the channels of what
// feeds it (here a first GRU of 5 hidden units). The ok twin states 5.
#include <ctnn/layers/gru.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::gru<5, 3>, ctnn::gru<2, 3>>;
#else
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::gru<5, 3>, ctnn::gru<2, 5>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
