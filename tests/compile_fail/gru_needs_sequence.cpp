// EXPECT: a GRU reads a sequence, shape<Time, Features>
// EXPECT-NOT: gru_hidden_size_at_layer<|gru_features_at_layer<
// SPDX-License-Identifier: MIT
// Shape rule: a GRU reads a sequence (input<Time, Features> or a time x channels layer output); a
// vector is not silently taken as one step. The ok twin gives it a window of 4 steps of 3.
#include <ctnn/layers/gru.hpp>
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<12>, ctnn::gru<4>>;
#else
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::gru<4>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
