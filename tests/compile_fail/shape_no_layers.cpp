// EXPECT: a network needs at least one dense layer
// SPDX-License-Identifier: MIT
// Shape rule: a network has at least one dense layer after its input.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<2>>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<1>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.input_size) - 2;
}
