// SPDX-License-Identifier: MIT
// q16.hpp: a test-only Q16.16 fixed-point number (int32_t, saturating), made a ctnn element type
// by specialising ctnn::enable_scalar and ctnn::number_traits only: the example of
// "to add a number type, specialise number_traits" (include/ctnn/number_traits.hpp).
//
// The maths functions go through double: this type exists to prove that the library reaches
// every number-type question through the traits, not to be a fast fixed-point implementation.
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <ctnn/number_traits.hpp>
#include <ctnn/scalar.hpp>

namespace test_q16 {

/// Q16.16: value = raw / 65536, saturating at the int32 range, round-to-nearest products.
struct q16 {
  std::int32_t raw = 0;

  static constexpr std::int64_t one = 65536;

  constexpr q16() noexcept = default;
  template <std::integral I>
  constexpr q16(I i) noexcept  // NOLINT: implicit from integers, like T(1) in generic code
      : raw(saturate(static_cast<std::int64_t>(i) * one)) {}

  static constexpr q16 from_raw(std::int64_t r) noexcept {
    q16 q;
    q.raw = saturate(r);
    return q;
  }
  static constexpr std::int32_t saturate(std::int64_t r) noexcept {
    constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
    constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(r > hi ? hi : (r < lo ? lo : r));
  }
  static constexpr q16 from_double(double v) noexcept {
    const double r = v * static_cast<double>(one);
    if (!(r == r)) return q16{};
    if (r >= 2147483647.0) return from_raw(std::numeric_limits<std::int32_t>::max());
    if (r <= -2147483648.0) return from_raw(std::numeric_limits<std::int32_t>::min());
    return from_raw(static_cast<std::int64_t>(r < 0 ? r - 0.5 : r + 0.5));
  }
  constexpr double to_double() const noexcept {
    return static_cast<double>(raw) / static_cast<double>(one);
  }

  friend constexpr q16 operator+(q16 a, q16 b) noexcept {
    return from_raw(std::int64_t{a.raw} + b.raw);
  }
  friend constexpr q16 operator-(q16 a, q16 b) noexcept {
    return from_raw(std::int64_t{a.raw} - b.raw);
  }
  friend constexpr q16 operator-(q16 a) noexcept { return from_raw(-std::int64_t{a.raw}); }
  friend constexpr q16 operator*(q16 a, q16 b) noexcept {
    const std::int64_t p = std::int64_t{a.raw} * b.raw;
    return from_raw((p + (p >= 0 ? one / 2 : -one / 2)) / one);
  }
  friend constexpr q16 operator/(q16 a, q16 b) noexcept {
    if (b.raw == 0)
      return from_raw(a.raw >= 0 ? std::numeric_limits<std::int32_t>::max()
                                 : std::numeric_limits<std::int32_t>::min());
    const std::int64_t n = std::int64_t{a.raw} * one;
    const std::int64_t half = (b.raw >= 0 ? b.raw : -std::int64_t{b.raw}) / 2;
    return from_raw(((n >= 0) == (b.raw >= 0) ? n + half : n - half) / b.raw);
  }
  constexpr q16& operator+=(q16 b) noexcept { return *this = *this + b; }
  constexpr q16& operator-=(q16 b) noexcept { return *this = *this - b; }
  constexpr q16& operator*=(q16 b) noexcept { return *this = *this * b; }
  constexpr q16& operator/=(q16 b) noexcept { return *this = *this / b; }
  friend constexpr bool operator==(q16, q16) noexcept = default;
  friend constexpr auto operator<=>(q16, q16) noexcept = default;
};

/// The maths functions, through double (test support, host only).
namespace q16_math {
constexpr double exp(double x) noexcept {  // constexpr: e^x by squaring of a Taylor series
  if (x < -30.0) return 0.0;
  if (x > 30.0) return 1e13;
  int k = 0;
  while (x > 0.5 || x < -0.5) x /= 2.0, ++k;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 20; ++n) sum += (term *= x / n);
  while (k-- > 0) sum *= sum;
  return sum;
}
constexpr double log(double x) noexcept {  // Newton on exp
  if (!(x > 0.0)) return -1e13;
  double y = 0.0;
  while (x > 2.0) x /= 2.0, y += 0.6931471805599453;
  while (x < 0.5) x *= 2.0, y -= 0.6931471805599453;
  double z = x - 1.0;
  for (int i = 0; i < 30; ++i) z = z - 1.0 + x / exp(z);
  return y + z;
}
constexpr double sqrt(double x) noexcept {
  if (!(x > 0.0)) return 0.0;
  double r = x > 1.0 ? x : 1.0;
  for (int i = 0; i < 60; ++i) r = 0.5 * (r + x / r);
  return r;
}
}  // namespace q16_math

}  // namespace test_q16

template <>
struct ctnn::enable_scalar<test_q16::q16> : std::true_type {};

template <>
struct ctnn::number_traits<test_q16::q16> {
  using q16 = test_q16::q16;
  using accumulator = q16;
  static constexpr bool is_iec559 = false;
  static constexpr int digits = 16;
  static constexpr q16 from_real(long double v) noexcept {
    return q16::from_double(static_cast<double>(v));
  }
  static constexpr q16 from_double(double v) noexcept { return q16::from_double(v); }
  static constexpr double to_double(q16 v) noexcept { return v.to_double(); }
  static constexpr q16 epsilon() noexcept { return q16::from_raw(1); }
  static constexpr bool isfinite(q16) noexcept { return true; }
  static constexpr q16 abs(q16 x) noexcept { return x.raw < 0 ? -x : x; }
  static constexpr q16 sqrt(q16 x) noexcept {
    return q16::from_double(test_q16::q16_math::sqrt(x.to_double()));
  }
  static constexpr q16 exp(q16 x) noexcept {
    return q16::from_double(test_q16::q16_math::exp(x.to_double()));
  }
  static constexpr q16 expm1(q16 x) noexcept {
    return q16::from_double(test_q16::q16_math::exp(x.to_double()) - 1.0);
  }
  static constexpr q16 log(q16 x) noexcept {
    return q16::from_double(test_q16::q16_math::log(x.to_double()));
  }
  static constexpr q16 log1p(q16 x) noexcept {
    return q16::from_double(test_q16::q16_math::log(1.0 + x.to_double()));
  }
  static constexpr q16 tanh(q16 x) noexcept {
    const double e = test_q16::q16_math::exp(-2.0 * (x.raw < 0 ? -x.to_double() : x.to_double()));
    const double t = (1.0 - e) / (1.0 + e);
    return q16::from_double(x.raw < 0 ? -t : t);
  }
  static constexpr q16 sigmoid(q16 x) noexcept {
    return q16::from_double(1.0 / (1.0 + test_q16::q16_math::exp(-x.to_double())));
  }
  static constexpr q16 softplus(q16 x) noexcept {
    return q16::from_double(test_q16::q16_math::log(1.0 + test_q16::q16_math::exp(x.to_double())));
  }
};
