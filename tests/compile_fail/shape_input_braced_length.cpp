// EXPECT: forward\(x\): x must be
// SPDX-License-Identifier: MIT
// Shape rule: an input of the wrong length is a compile error also when it is written as a braced
// list, the way the README writes inputs (`net.forward({0.f, 1.f})`). A list that is too short
// must not be zero-padded silently by aggregate initialisation of std::array.
#include <ctnn/network.hpp>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>, ctnn::dense<1>>;

int main() {
  const net_t net{};
#ifdef CTNN_SHOULD_FAIL
  const auto y = net.forward({1.f});
#else
  const auto y = net.forward({1.f, 2.f});
#endif
  return y[0] >= 0.f ? 0 : 1;
}
