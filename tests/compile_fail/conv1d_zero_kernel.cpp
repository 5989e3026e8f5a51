// EXPECT: a conv1d needs Kernel > 0
// SPDX-License-Identifier: MIT
// Shape rule of ctnn::conv1d: at least one tap. The ok twin has three.
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 0>>;
#else
using net_t = ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<2, 3>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
