// SPDX-License-Identifier: MIT
// Deterministic, non-trivial parameter and input values for the layer tests (no RNG, so a
// failure reproduces with the same numbers everywhere).
#pragma once

#include <cmath>
#include <cstddef>

#include <ctnn/shape.hpp>

namespace test_values {

/// A network whose parameter k is 0.1 + 0.37 sin(1.7 k + 0.3): every parameter different, none zero.
template <class Net>
Net sine_network() {
  Net net{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    net[k] = static_cast<typename Net::value_type>(0.1 + 0.37 * std::sin(1.7 * static_cast<double>(k) + 0.3));
  return net;
}

/// An input whose row-major value k is cos(0.9 k + phase) - 0.2.
template <class Net>
typename Net::input_type cosine_input(double phase = 0.0) {
  typename Net::input_type x{};
  std::size_t k = 0;
  auto put = [&](typename Net::value_type& v) {
    v = static_cast<typename Net::value_type>(std::cos(0.9 * static_cast<double>(k++) + phase) - 0.2);
  };
  ctnn::detail::for_each_element(put, x);
  return x;
}

}  // namespace test_values
