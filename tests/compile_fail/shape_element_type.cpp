// EXPECT: T must be a numeric element type
// SPDX-License-Identifier: MIT
// Shape rule: the element type must satisfy ctnn::Scalar (int does not: no opt-in, and integer
// division is not what a network needs).
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using element = int;
#else
using element = float;
#endif
using net_t = ctnn::network<element, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>, ctnn::dense<1>>;

int main() {
  const net_t net{};
  return static_cast<int>(net.parameter_count) - 13;
}
