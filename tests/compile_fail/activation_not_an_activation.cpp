// EXPECT: Act is not an activation
// SPDX-License-Identifier: MIT
// Rule: a dense layer's activation must satisfy ctnn::Activation; int does not.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using act = int;
#else
using act = ctnn::tanh;
#endif
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, act>, ctnn::dense<1>>;

int main() {
  const net_t net{};
  return static_cast<int>(net.forward({1.f, 2.f})[0]);
}
