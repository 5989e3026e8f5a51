// EXPECT: ctnn::lstm<Hidden, Features>: the stated Features must equal the previous layer's channels
// EXPECT-NOT: reads a sequence|Hidden > 0|no matching function
// SPDX-License-Identifier: MIT
// Shape rule: the Features written in lstm<Hidden, Features> must equal what the previous layer
// gives per step (here a first lstm<5>, so 5). The ok twin states 5.
#include <ctnn/layers/lstm.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
inline constexpr std::size_t stated = 3;
#else
inline constexpr std::size_t stated = 5;
#endif
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::lstm<5>, ctnn::lstm<2, stated>>;

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
