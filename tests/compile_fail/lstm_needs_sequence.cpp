// EXPECT: ctnn::lstm<Hidden>: an LSTM reads a sequence, shape<Time, Features>
// EXPECT-NOT: Hidden > 0|stated Features|no matching function
// SPDX-License-Identifier: MIT
// Shape rule: an LSTM reads a sequence (rank 2); a vector input is not taken as one time step.
// One message, not a cascade. The ok twin gives it a window of 4 steps of 3.
#include <ctnn/layers/lstm.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<12>, ctnn::lstm<4>>;
#else
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::lstm<4>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
