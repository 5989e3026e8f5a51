// SPDX-License-Identifier: MIT
// Comparing ctnn's results with reference values computed by PyTorch (tests/torch_reference/):
// the relative error e, the tolerance on e per element type, and an element-by-element check.
// Each test file chooses e's floor (and states it at its top).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string_view>
#include <type_traits>

#include <catch2/catch.hpp>

namespace test_compare {

/// The largest e allowed: 1e-4 for float (against torch.float32), 1e-9 for double (against
/// torch.float64).
template <class T>
inline constexpr double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-9;

/// "float" or "double", for messages.
template <class T>
const char* type_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

/// e = |a - b| / max(|a|, |b|, floor): relative, and absolute (over floor) where both are below
/// floor.
inline double relative_error(double a, double b, double floor) {
  return std::abs(a - b) / std::max({std::abs(a), std::abs(b), floor});
}

/// What one check_close found.
struct comparison {
  double worst = 0;      ///< the largest e (NaN if any e is NaN)
  double worst_abs = 0;  ///< the largest |got - want|
};

/// Checks every element of `got` against `want`: CHECK(largest e <= tolerance<T>) with
/// e = relative_error(got[k], want[k], floor), a NaN counting as the largest; the INFO names the
/// worst element. With `verbose`, prints the largest e and the largest |got - want|.
template <class T, std::size_t N>
comparison check_close(std::string_view what, std::span<const T, N> got,
                       std::span<const T, N> want, double floor, bool verbose) {
  comparison c{};
  std::size_t at = 0;
  for (std::size_t k = 0; k < N; ++k) {
    const double a = static_cast<double>(got[k]), b = static_cast<double>(want[k]);
    const double e = relative_error(a, b, floor);
    c.worst_abs = std::max(c.worst_abs, std::abs(a - b));
    if (!(e <= c.worst)) {  // NaN counts as the worst
      c.worst = e;
      at = k;
    }
  }
  INFO(type_name<T>() << ' ' << what << ": worst element " << at << " of " << N << ": ctnn "
                      << static_cast<double>(got[at]) << ", torch "
                      << static_cast<double>(want[at]) << ", relative error " << c.worst);
  CHECK(c.worst <= tolerance<T>);
  if (verbose)
    std::printf("%-6s %-34.*s max relative error %.3g, max |ctnn - torch| %.3g\n", type_name<T>(),
                static_cast<int>(what.size()), what.data(), c.worst, c.worst_abs);
  return c;
}

template <class T, std::size_t N>
comparison check_close(std::string_view what, const std::array<T, N>& got,
                       const std::array<T, N>& want, double floor, bool verbose) {
  return check_close(what, std::span<const T, N>(got), std::span<const T, N>(want), floor, verbose);
}

}  // namespace test_compare
