// EXPECT: a layer needs Out > 0
// EXPECT-NOT: dense<0, ctnn::sigmoid, 0
// SPDX-License-Identifier: MIT
// Diagnostics show the layer as the user wrote it: dense<0, sigmoid> is not printed with a
// sentinel third argument (a deduced input size used to read as `dense<0, sigmoid, 0>`).
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<0, ctnn::sigmoid>>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<1, ctnn::sigmoid>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward({1.f, 2.f})[0]);
}
