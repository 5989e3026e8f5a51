// EXPECT: this loss does not accept the output activation of the network
// SPDX-License-Identifier: MIT
// A user-defined loss states its own pairing rule (accepts_output); breaking it is a compile error.
#include <array>
#include <cstddef>
#include <type_traits>

#include <ctnn/loss.hpp>

/// Squared error that only makes sense on outputs in (-1, 1).
struct bounded_squared_error {
  template <class Act>
  static constexpr bool accepts_output = std::is_same_v<Act, ctnn::tanh>;
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const std::array<T, N>& p, const std::array<T, N>& y) const noexcept {
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
    return s;
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& p, const std::array<T, N>& y,
                          std::array<T, N>& g) const noexcept {
    for (std::size_t i = 0; i < N; ++i) g[i] = T(2) * (p[i] - y[i]);
  }
};

#ifdef CTNN_SHOULD_FAIL
using output_activation = ctnn::relu;  // the mistake: not the activation the loss asks for
#else
using output_activation = ctnn::tanh;
#endif

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, output_activation>>;

int main() {
  const net_t net;
  const auto t = net.traced({1.0f, 2.0f});
  net_t::output_type dz{};
  const float l = ctnn::loss_and_output_delta(bounded_squared_error{}, t, {0.5f, -0.5f}, dz);
  return l > 0.0f ? 0 : 1;
}
