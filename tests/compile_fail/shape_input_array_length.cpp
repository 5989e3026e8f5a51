// EXPECT: x must be a std::array<T, input_size>
// SPDX-License-Identifier: MIT
// Shape rule: forward(x) with an input array of the wrong length does not compile.
#include <array>

#include <ctnn/network.hpp>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>, ctnn::dense<1>>;

int main() {
  const net_t net{};
#ifdef CTNN_SHOULD_FAIL
  const std::array<float, 3> x{1.f, 2.f, 3.f};
#else
  const std::array<float, 2> x{1.f, 2.f};
#endif
  return net.forward(x)[0] >= 0.f ? 0 : 1;
}
