// SPDX-License-Identifier: MIT
/// @file number_traits.hpp Defines ctnn::number_traits, the one customisation point for element
/// types, ctnn::literal (a decimal constant converted at compile time) and the extended-precision
/// coefficient arithmetic (detail::extended) that replaces `double` intermediates.
///
/// To add a number type, specialise number_traits
/// ===============================================
/// Everything ctnn needs to know about an element type T beyond `+ - * /`, comparisons and
/// `T(int)` (ctnn::Scalar) comes from `ctnn::number_traits<T>`. ctnn never probes
/// `std::is_floating_point`, `std::numeric_limits<T>` or goes through `double` for T. A new
/// number type (fixed point, a wrapper, ...) specialises it and `ctnn::enable_scalar`:
/// ```
/// template <> struct ctnn::enable_scalar<q16> : std::true_type {};
/// template <> struct ctnn::number_traits<q16> {
///   using accumulator = q16;                       // sums of T (loss, norms) are kept in this
///   static constexpr bool is_iec559 = false;       // IEEE binary float? (enables extended below)
///   static constexpr int digits = 16;              // bits of precision after the point / mantissa
///   static constexpr q16 from_real(long double v); // decimal constants; ctnn calls it only in
///                                                  // constant evaluation (ctnn::literal)
///   static constexpr q16 from_double(double v);    // a `double` hyper-parameter, at run time
///   static constexpr double to_double(q16 v);      // for reports (fit_report, epoch_info)
///   static constexpr q16 epsilon();                // the smallest step above 1
///   static constexpr bool isfinite(q16);
///   static constexpr q16 abs(q16), sqrt(q16), exp(q16), expm1(q16), log(q16), log1p(q16),
///                        tanh(q16), sigmoid(q16), softplus(q16);
/// };
/// ```
/// The maths functions are reached through `ctnn::math::exp(x)` and friends: for float, double and
/// long double those are ctnn's own constexpr implementations (number_traits<float>::exp *is*
/// math::exp, same bits as before), for any other type they forward to number_traits<T>.
/// tests/support/q16.hpp is a complete example (Q16.16 fixed point).
///
/// Hyper-parameters and `double`
/// =============================
/// Hyper-parameters written as `double` (ctnn::xavier_uniform::gain, fit_options::clip_norm,
/// ctnn::huber::delta, the schedules' factors, `adam<double>`'s fields) are only *stored* as
/// double. They reach a network of element type T through `number_traits<T>::from_double`, which
/// for float is an exact integer-only conversion (the bits of `static_cast<float>`, no soft-double
/// routine), and reports go back through `to_double`, also integer-only for float. The per-step
/// and per-layer coefficients that used to be computed in `double` (Adam's bias corrections, the
/// initialisers' limits, the schedules' factors) are computed in `detail::extended<T>`: for a
/// float, a double-word (value + error, about 48 bits) so that rounding it to float gives the bits
/// the double computation gave (they can differ only when the exact value lies within 2^-48 of
/// the midpoint between two floats); for double and anything else, plain T.
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>
#include <type_traits>

#include <ctnn/math.hpp>

namespace ctnn {

/// The number-type customisation point: see the file comment. Not defined for types that are
/// not element types; float, double and long double are provided.
template <class T>
struct number_traits;

namespace detail {

/// `static_cast<float>(d)` (round to nearest even, subnormals, infinities, NaN) with integer
/// operations only: no soft-double routine on an FPU without double support.
constexpr float double_to_float(double d) noexcept {
  const std::uint64_t b = std::bit_cast<std::uint64_t>(d);
  const std::uint32_t sign = static_cast<std::uint32_t>(b >> 32) & 0x80000000u;
  const int e = static_cast<int>((b >> 52) & 0x7ffu);
  std::uint64_t m = b & ((std::uint64_t{1} << 52) - 1);
  if (e == 0x7ff)  // inf, or NaN (quiet, top payload bits kept)
    return std::bit_cast<float>(sign | 0x7f800000u |
                                (m != 0 ? 0x00400000u | static_cast<std::uint32_t>(m >> 29) : 0u));
  if (e == 0) return std::bit_cast<float>(sign);  // double subnormals are below float's range
  int fe = e - 1023 + 127;
  if (fe >= 0xff) return std::bit_cast<float>(sign | 0x7f800000u);
  m |= std::uint64_t{1} << 52;
  int shift = 29;
  std::uint32_t base = 0;
  if (fe <= 0) {
    shift += 1 - fe;
    if (shift > 54) return std::bit_cast<float>(sign);
  } else {
    base = static_cast<std::uint32_t>(fe - 1) << 23;
  }
  std::uint64_t q = m >> shift;
  const std::uint64_t rem = m & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  if (rem > half || (rem == half && (q & 1u) != 0)) ++q;
  return std::bit_cast<float>(sign | (base + static_cast<std::uint32_t>(q)));
}

/// `static_cast<double>(f)` with integer operations only (exact).
constexpr double float_to_double(float f) noexcept {
  const std::uint32_t b = std::bit_cast<std::uint32_t>(f);
  const std::uint64_t sign = static_cast<std::uint64_t>(b & 0x80000000u) << 32;
  int e = static_cast<int>((b >> 23) & 0xffu);
  std::uint32_t m = b & 0x7fffffu;
  if (e == 0xff)
    return std::bit_cast<double>(sign | (std::uint64_t{0x7ff} << 52) | (std::uint64_t{m} << 29));
  if (e == 0) {
    if (m == 0) return std::bit_cast<double>(sign);
    const int s = std::countl_zero(m) - 8;  // normalise the subnormal
    m = (m << s) & 0x7fffffu;
    e = 1 - s;
  }
  return std::bit_cast<double>(sign | (static_cast<std::uint64_t>(e - 127 + 1023) << 52) |
                               (std::uint64_t{m} << 29));
}

/// number_traits of the IEEE types, mapped onto ctnn::math.
template <std::floating_point T>
struct ieee_number_traits {
  using accumulator = T;
  static constexpr bool is_iec559 = true;
  static constexpr int digits = std::numeric_limits<T>::digits;
  static constexpr T from_real(long double v) noexcept { return static_cast<T>(v); }
  static constexpr T from_double(double v) noexcept {
    if constexpr (std::is_same_v<T, float>)
      return double_to_float(v);
    else
      return static_cast<T>(v);
  }
  static constexpr double to_double(T v) noexcept {
    if constexpr (std::is_same_v<T, float>)
      return float_to_double(v);
    else
      return static_cast<double>(v);
  }
  static constexpr T epsilon() noexcept { return std::numeric_limits<T>::epsilon(); }
  static constexpr bool isfinite(T x) noexcept { return math::isfinite(x); }
  static constexpr T abs(T x) noexcept { return math::abs(x); }
  static constexpr T sqrt(T x) noexcept { return math::sqrt(x); }
  static constexpr T exp(T x) noexcept { return math::exp(x); }
  static constexpr T expm1(T x) noexcept { return math::expm1(x); }
  static constexpr T log(T x) noexcept { return math::log(x); }
  static constexpr T log1p(T x) noexcept { return math::log1p(x); }
  static constexpr T tanh(T x) noexcept { return math::tanh(x); }
  static constexpr T sigmoid(T x) noexcept { return math::sigmoid(x); }
  static constexpr T softplus(T x) noexcept { return math::softplus(x); }
};

}  // namespace detail

template <>
struct number_traits<float> : detail::ieee_number_traits<float> {};
template <>
struct number_traits<double> : detail::ieee_number_traits<double> {};
template <>
struct number_traits<long double> : detail::ieee_number_traits<long double> {};

/// The decimal constant v as a T, converted at compile time (`ctnn::literal<T>(0.5)`): for
/// float, double and long double exactly `static_cast<T>(v)`.
template <class T>
[[nodiscard]] consteval T literal(long double v) noexcept {
  return number_traits<T>::from_real(v);
}

/// A `double` hyper-parameter as a T, at run time without double arithmetic (see the file
/// comment).
template <class T>
[[nodiscard]] constexpr T from_double(double v) noexcept {
  return number_traits<T>::from_double(v);
}

/// A hyper-parameter of type U as a T: from_double for a double, static_cast otherwise.
template <class T, class U>
[[nodiscard]] constexpr T number_cast(U v) noexcept {
  if constexpr (std::is_same_v<U, T>)
    return v;
  else if constexpr (std::is_same_v<U, double>)
    return number_traits<T>::from_double(v);
  else
    return static_cast<T>(v);
}

/// A T as a double, for reports (integer-only for float).
template <class T>
[[nodiscard]] constexpr double to_double(T v) noexcept {
  return number_traits<T>::to_double(v);
}

/// The type sums of T are accumulated in.
template <class T>
using accumulator_t = typename number_traits<T>::accumulator;

namespace detail {

/// Does extended<T> carry a second word? For IEEE types narrower than double (float): the
/// coefficients ctnn used to compute in double get double-word precision instead.
template <class T>
inline constexpr bool double_word = number_traits<T>::is_iec559 && number_traits<T>::digits < 53;

/// A coefficient in extended precision: hi + lo, |lo| <= ulp(hi)/2, with the error-free
/// transformations of Dekker and Knuth (no FMA needed; ctnn builds with -ffp-contract=off).
/// Without double_word<T> it is a plain T and every operation is the plain T operation, so the
/// arithmetic (and the bits) of a double network are unchanged.
template <class T>
struct extended {
  T hi{};
  T lo{};

  static constexpr bool wide = double_word<T>;

  constexpr extended() noexcept = default;
  constexpr extended(T h) noexcept : hi(h), lo(T(0)) {}  // NOLINT: implicit from T by design
  constexpr extended(T h, T l) noexcept : hi(h), lo(l) {}

  /// A double hyper-parameter: for float, its top 24 bits (exact) plus the rest rounded, both
  /// taken with integer operations (about 48 bits); otherwise from_double.
  static constexpr extended from_double(double v) noexcept {
    if constexpr (wide && std::is_same_v<T, float>) {
      const std::uint64_t b = std::bit_cast<std::uint64_t>(v);
      const double head = std::bit_cast<double>(b & ~((std::uint64_t{1} << 29) - 1));
      const float h = double_to_float(head);  // exact for normal numbers
      // the tail v - head, exact in double, from its bits: (b's low 29 bits) * 2^(e - 1075)
      const int e = static_cast<int>((b >> 52) & 0x7ffu);
      const std::uint32_t low = static_cast<std::uint32_t>(b & ((std::uint64_t{1} << 29) - 1));
      if (e == 0 || e == 0x7ff || low == 0 || e - 1075 < -126) return extended(h);
      float t = static_cast<float>(low);  // native int -> float (rounded to 24 bits)
      int k = e - 1075;
      while (k > 0) t *= 2.0f, --k;  // |k| is small for hyper-parameters; exact scaling
      while (k < 0) t *= 0.5f, ++k;
      return extended(h, (b >> 63) != 0 ? -t : t);
    } else {
      return extended(number_traits<T>::from_double(v));
    }
  }

  [[nodiscard]] constexpr T value() const noexcept { return wide ? hi + lo : hi; }

  // error-free transformations
  static constexpr extended two_sum(T a, T b) noexcept {
    const T s = a + b;
    const T bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
  }
  static constexpr extended fast_two_sum(T a, T b) noexcept {  // |a| >= |b|
    const T s = a + b;
    return {s, b - (s - a)};
  }
  static constexpr extended split(T a) noexcept {  // Veltkamp: a = hi + lo, 12 + 12 bits
    constexpr T c = T((1 << ((number_traits<T>::digits + 1) / 2)) + 1);
    const T g = c * a;
    const T h = g - (g - a);
    return {h, a - h};
  }
  static constexpr extended two_prod(T a, T b) noexcept {
    const T p = a * b;
    if constexpr (!wide) return extended(p);
    const extended x = split(a), y = split(b);
    return {p, ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo};
  }

  friend constexpr extended operator+(extended a, extended b) noexcept {
    if constexpr (!wide) {
      return extended(a.hi + b.hi);
    } else {
      const extended s = two_sum(a.hi, b.hi);
      return fast_two_sum(s.hi, s.lo + a.lo + b.lo);
    }
  }
  friend constexpr extended operator-(extended a) noexcept { return {-a.hi, -a.lo}; }
  friend constexpr extended operator-(extended a, extended b) noexcept { return a + -b; }
  friend constexpr extended operator*(extended a, extended b) noexcept {
    if constexpr (!wide) {
      return extended(a.hi * b.hi);
    } else {
      const extended p = two_prod(a.hi, b.hi);
      return fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
    }
  }
  friend constexpr extended operator/(extended a, extended b) noexcept {
    if constexpr (!wide) {
      return extended(a.hi / b.hi);
    } else {
      const T q1 = a.hi / b.hi;
      const extended r = a - b * extended(q1);  // remainder, nearly exact
      const T q2 = r.hi / b.hi;
      const extended q = fast_two_sum(q1, q2);
      const extended r2 = r - b * extended(q2);
      return q + extended(r2.hi / b.hi);
    }
  }
  friend constexpr bool operator<(extended a, extended b) noexcept {
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
  }
  friend constexpr bool operator!=(extended a, extended b) noexcept {
    return a.hi != b.hi || a.lo != b.lo;
  }
};

/// sqrt(x) in extended precision: one Newton correction of math::sqrt(x.hi).
template <class T>
constexpr extended<T> sqrt(extended<T> x) noexcept {
  const T s = math::sqrt(x.hi);
  if constexpr (!extended<T>::wide) {
    return extended<T>(s);
  } else {
    if (!(T(0) < s) || !math::isfinite(s)) return extended<T>(s);
    const extended<T> r = x - extended<T>::two_prod(s, s);  // x - s^2, nearly exact
    return extended<T>::fast_two_sum(s, r.hi / (T(2) * s));
  }
}

/// x^n for an integer n >= 0 by binary exponentiation (at most 2 log2(n) roundings; exact for
/// n <= 2 in plain T).
template <class X>
constexpr X integer_power(X x, std::uint64_t n) noexcept {
  X result = X(1);
  while (n != 0) {
    if ((n & 1u) != 0) result = result * x;
    n >>= 1u;
    if (n != 0) x = x * x;
  }
  return result;
}

}  // namespace detail

}  // namespace ctnn
