// EXPECT: Act is not an activation
// SPDX-License-Identifier: MIT
// Rule: a user-defined element-wise activation needs value() AND derivative(); one that says
// `elementwise = true` but forgets derivative() is rejected with one readable message.
#include <ctnn/network.hpp>

struct my_activation {
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T>
  static constexpr T value(T z) noexcept {
    return z > T(0) ? z : T(0.5) * z;
  }
#ifndef CTNN_SHOULD_FAIL
  template <ctnn::Scalar T>
  static constexpr T derivative(T z, T) noexcept {
    return z > T(0) ? T(1) : T(0.5);
  }
#endif
};

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, my_activation>, ctnn::dense<1>>;

int main() {
  const net_t net{};
  return static_cast<int>(net.forward({1.f, 2.f})[0]);
}
