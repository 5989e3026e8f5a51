// EXPECT: a dense layer reads a vector, shape<N>
// SPDX-License-Identifier: MIT
// Shape rule: a dense layer reads a vector; a time x channels input (input<Time, Channels>) is
// not silently flattened. The ok twin gives it a vector.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::dense<2, ctnn::tanh>>;
#else
using net_t = ctnn::network<float, ctnn::input<12>, ctnn::dense<2, ctnn::tanh>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0]);
}
