// EXPECT: a conv1d reads a sequence, shape<Time, Channels>
// SPDX-License-Identifier: MIT
// Shape rule of ctnn::conv1d: it reads a time x channels window; a vector input is not silently
// taken as one channel. The ok twin gives it input<12, 1>.
#include <ctnn/layers/conv1d.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<12>, ctnn::conv1d<2, 3>>;
#else
using net_t = ctnn::network<float, ctnn::input<12, 1>, ctnn::conv1d<2, 3>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
