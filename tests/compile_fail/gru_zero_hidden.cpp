// EXPECT: a GRU needs Hidden > 0
// SPDX-License-Identifier: MIT
// Shape rule: a GRU needs a hidden state of at least one value.
#include <ctnn/layers/gru.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::gru<0>>;
#else
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::gru<2>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0].size());
}
