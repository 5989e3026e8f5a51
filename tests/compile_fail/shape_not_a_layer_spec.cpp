// EXPECT: every layer after input<N> must be a layer specification
// SPDX-License-Identifier: MIT
// Shape rule: every entry after input<N> is a layer specification (ctnn::LayerSpec). The ok twin
// uses dense.
#include <ctnn/network.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::tanh>;
#else
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward({1.f, 2.f})[0]);
}
