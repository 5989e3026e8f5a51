// EXPECT: ctnn::lstm<Hidden>: an LSTM needs Hidden > 0
// EXPECT-NOT: reads a sequence|stated Features|no matching function
// SPDX-License-Identifier: MIT
// Shape rule: an LSTM needs at least one unit. One message, not a cascade. The ok twin has 4.
#include <ctnn/layers/lstm.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
inline constexpr std::size_t hidden = 0;
#else
inline constexpr std::size_t hidden = 4;
#endif
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::lstm<hidden>>;

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
