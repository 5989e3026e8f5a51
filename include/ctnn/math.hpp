// SPDX-License-Identifier: MIT
/// @file math.hpp Defines ctnn::math, constexpr and branch-free elementary functions (exp, expm1,
/// log, log1p, sqrt, tanh, sigmoid, softplus, classification and sign helpers) that give the same
/// bits at compile time and at run time.
#pragma once

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

/// @namespace ctnn::math
/// ctnn's own elementary functions.
///
/// Why not <cmath>
/// ---------------
/// * <cmath> is not `constexpr` in C++20, and ctnn evaluates whole networks (forward pass,
///   training steps) in constant expressions.
/// * The same source runs at compile time and at run time (no `std::is_constant_evaluated()`
///   switch to `std::exp`), so a value computed by `constexpr` evaluation and the same call at run
///   time are bit-identical, and a network trained at compile time behaves exactly like the same
///   network run on the target.  libm differs between platforms (glibc, newlib, MSVC); this code
///   gives the same bits everywhere IEEE-754 binary32/binary64 arithmetic is rounded to nearest.
/// * Branch-free: each function is range reduction + a fixed polynomial + exponent assembly with
///   integer bit operations (`std::bit_cast`).  Special inputs (NaN, infinities, zeros, overflow,
///   underflow) are handled by selects: both candidates are computed and one is picked with a bit
///   mask (`detail::select`), never by a branch.  Not even by `?:`: g++ turns that into control
///   flow, sinks the unused side's arithmetic into it, and then cannot if-convert the loop.  So
///   loops over arrays vectorise: every function here, float and double, in a loop
///   `y[i] = ctnn::math::tanh(x[i])` is vectorised by g++ 12 and clang 14 at `-O3`, for SSE2,
///   AVX2 (`-march=x86-64-v3`) and AVX-512 (`-march=native`) alike (checked with
///   `-fopt-info-vec` / `-Rpass=loop-vectorize`).  When optimising for speed the functions are
///   forced inline so the loop sees their bodies; `-Os` keeps them out of line.
/// * Special inputs are replaced by a harmless argument *before* the arithmetic and the special
///   result is selected afterwards.  So no operation ever sees a NaN, overflows or divides by
///   zero: the functions raise no floating-point exceptions in practice, and they are constant
///   expressions for every argument on both g++ (which rejects overflow in constant evaluation)
///   and clang (which rejects any arithmetic producing a NaN).
/// * Accuracy comes from compensated steps rather than wider types (float code uses float
///   arithmetic only, for FPUs without double): the Cody-Waite reduction keeps its rounding
///   error, 1 + r and similar sums are split exactly (Fast2Sum), sqrt's residual is computed from
///   exact half-width products.  Polynomial coefficients are our own minimax fits (Remez
///   exchange in 60-digit arithmetic, relative error weight), rounded to the target type.
///
/// Accuracy: maximum error in ulp against a correctly rounded reference.  "bound" is what
/// tests/unit/math.cpp enforces; "measured" comes from tests/tools/math_ulp_report.cpp (float:
/// every float of the range, 2.1e9 to 3.2e9 points; double: 4 to 6 million points per range,
/// uniform in value and in bit pattern, against long double <cmath>).
///
/// | function | float range     | double range     | bound | measured float | measured double |
/// |----------|-----------------|------------------|-------|----------------|-----------------|
/// | exp      | [-104, 89]      | [-746, 710]      | 1     | 0.764          | 0.750           |
/// | expm1    | [-18, 89]       | [-40, 710]       | 1.5   | 1.003          | 0.923           |
/// | log      | (0, max]        | (0, max]         | 1     | 0.835          | 0.837           |
/// | log1p    | (-1, max]       | (-1, max]        | 1     | 0.839          | 0.802           |
/// | sqrt     | [0, max]        | [0, max]         | 0.5   | 0.500          | 0.500           |
/// | tanh     | [-10, 10]       | [-20, 20]        | 1.5   | 1.012          | 0.995           |
/// | sigmoid  | [-110, 110]     | [-750, 750]      | 1.5   | 1.098          | 1.035           |
/// | softplus | [-110, 110]     | [-750, 750]      | 1.5   | 1.192          | 1.122           |
///
/// Outside these ranges the results are exact saturations (0, -1, +-1, +inf, x).  sqrt is
/// correctly rounded (identical to IEEE `std::sqrt`; float: checked for every float).  Results
/// in the subnormal range are produced with a single final rounding (gradual underflow, not
/// flushed); on hardware running in flush-to-zero / denormals-are-zero mode they become zero at
/// run time while constant evaluation keeps them: only subnormal results can differ there.
///
/// Conditions for bit-identical compile-time/run-time results
/// ----------------------------------------------------------
/// * No floating-point contraction.  The code never relies on FMA, and clang's default
///   (`-ffp-contract=on`) is switched off inside every function here with
///   `#pragma clang fp contract(off)`.  g++ however contracts `a * b + c` into an FMA by default
///   in C++ (`-ffp-contract=fast`, also with `-std=c++20`) whenever the target has FMA (x86 with
///   `-march=haswell` or `native`, AArch64, Cortex-M4F/M7 ...), and nothing in the source can
///   prevent it inside vectorised loops (`__builtin_assoc_barrier` is dropped by g++ 12's
///   vectoriser; clang's `-ffp-contract=fast` ignores the pragma).  Measured with g++ 12
///   `-O3 -march=native`: 0.02% to 0.6% of results (depending on the function) differ by one
///   ulp from the contraction-free ones; sqrt never does (its products are exact, so
///   contraction cannot change them).  Compile with `-ffp-contract=off` for bit-identical
///   results; the accuracy bounds above hold either way.
/// * No `-ffast-math` / `-funsafe-math-optimizations` / `-ffinite-math-only` (they reassociate
///   the compensated sums, and assume NaN and infinity away).
/// * Rounding to nearest and no x87 excess precision (`FLT_EVAL_METHOD == 0`: SSE2 on x86).
///
/// Types: `float` and `double` (IEEE binary32/binary64) are implemented natively.  `long double`
/// (accepted by ctnn::Scalar) is supported by the classification, sign, min and max functions
/// exactly; its transcendental functions and sqrt are computed in `double` and converted (so they
/// have double's accuracy and range; identical to `double` where `long double` is binary64).
///
/// NaN results: a NaN argument is returned unchanged (payload kept); an invalid operation
/// (log of a negative number, sqrt(-1), ...) returns the default quiet NaN.
namespace ctnn {
template <class T>
struct number_traits;  // number_traits.hpp: the element-type customisation point
}  // namespace ctnn

namespace ctnn::math {

namespace detail {

// Disables clang's contraction of a * b + c into an FMA in the enclosing function body.
#if defined(__clang__)
#  define CTNN_DETAIL_MATH_NO_CONTRACT _Pragma("clang fp contract(off)")
#else
#  define CTNN_DETAIL_MATH_NO_CONTRACT
#endif

// The elementary functions are forced inline when optimising for speed, so that a loop calling
// them sees their whole body and can vectorise (clang otherwise keeps the double versions as
// calls); -Os builds keep one out-of-line copy.
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#  define CTNN_DETAIL_MATH_INLINE [[gnu::always_inline]] inline
#else
#  define CTNN_DETAIL_MATH_INLINE inline
#endif

/// IEEE-754 layout, constants and polynomial coefficients for one native type.
/// Coefficients are minimax (Remez exchange in 60-digit arithmetic, relative-error weight),
/// rounded to the nearest representable value.
template <class T>
struct fp;

template <>
struct fp<float> {
  static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<float>::digits == 24,
                "ctnn::math requires float to be IEEE-754 binary32");
  using uint = std::uint32_t;
  static constexpr int mant_bits = 23;
  static constexpr std::int32_t bias = 127;
  static constexpr uint sign_mask = 0x80000000u;
  static constexpr uint exp_mask = 0x7f800000u;
  static constexpr uint mant_mask = 0x007fffffu;
  static constexpr uint sqrt_half_bits = 0x3f3504f3u;  // float nearest sqrt(1/2)
  static constexpr uint rsqrt_magic = 0x5f3759dfu;     // 1/sqrt seed constant
  static constexpr float min_normal = 0x1p-126f;
  static constexpr float sub_scale = 0x1p+24f;  // brings subnormal arguments to the normal range
  static constexpr std::int32_t sub_exp = 24;
  // ln 2 = ln2_hi + ln2_lo; ln2_hi has 16 significant bits so k * ln2_hi is exact for |k| < 2^8.
  static constexpr float ln2_hi = 0x1.62e4p-1f;
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;
  static constexpr float log2e = 0x1.715476p+0f;
  static constexpr float exp_hi = 0x1.62e42ep+6f;  // largest x with finite exp(x) (88.7228317)
  static constexpr float exp_lo = -104.0f;         // exp(x) rounds to +0 below (e^-104 < 2^-150)
  static constexpr float expm1_lo = -18.0f;        // expm1(x) rounds to -1 below
  static constexpr float expm1_tiny = 0x1p-25f;    // expm1(x) rounds to x below this |x|
  static constexpr float tanh_hi = 10.0f;          // tanh(x) rounds to 1 above
  // (e^r - 1 - r) / r^2 on |r| <= ln2/2 (+0.2%), degree 5, relative error 2^-28.5.
  static constexpr float exp_poly[] = {0x1p-1f,         0x1.555556p-3f,  0x1.5554e8p-5f,
                                       0x1.11114cp-7f,  0x1.6d43fep-10f, 0x1.a0731ap-13f};
  // (2 atanh(s) - 2 s) / s^3 as a polynomial in z = s^2, 0 <= z <= 0.0295, degree 3,
  // relative error 2^-29.1.
  static constexpr float log_poly[] = {0x1.555556p-1f, 0x1.9999ecp-2f, 0x1.245bf8p-2f,
                                       0x1.ddde7p-3f};
  // (tanh(a)/a - 1) / a^2 as a polynomial in z = a^2, 0 <= z <= 0.55^2, degree 5,
  // relative error 2^-29.7.
  static constexpr float tanh_poly[] = {-0x1.555556p-2f, 0x1.111104p-3f,  -0x1.ba1428p-5f,
                                        0x1.6578aep-6f,  -0x1.175f8ep-7f, 0x1.4b08f8p-9f};
  static constexpr float tanh_poly_max = 0.55f;
};

template <>
struct fp<double> {
  static_assert(std::numeric_limits<double>::is_iec559 && std::numeric_limits<double>::digits == 53,
                "ctnn::math requires double to be IEEE-754 binary64");
  using uint = std::uint64_t;
  static constexpr int mant_bits = 52;
  static constexpr std::int32_t bias = 1023;
  static constexpr uint sign_mask = 0x8000000000000000u;
  static constexpr uint exp_mask = 0x7ff0000000000000u;
  static constexpr uint mant_mask = 0x000fffffffffffffu;
  static constexpr uint sqrt_half_bits = 0x3fe6a09e667f3bcdu;
  static constexpr uint rsqrt_magic = 0x5fe6eb50c7b537a9u;
  static constexpr double min_normal = 0x1p-1022;
  static constexpr double sub_scale = 0x1p+54;
  static constexpr std::int32_t sub_exp = 54;
  // ln2_hi has 42 significant bits so k * ln2_hi is exact for |k| < 2^11.
  static constexpr double ln2_hi = 0x1.62e42fefa38p-1;
  static constexpr double ln2_lo = 0x1.ef35793c7673p-45;
  static constexpr double log2e = 0x1.71547652b82fep+0;
  static constexpr double exp_hi = 0x1.62e42fefa39efp+9;  // largest x with finite exp(x)
  static constexpr double exp_lo = -746.0;                // exp(x) rounds to +0 below
  static constexpr double expm1_lo = -40.0;               // expm1(x) rounds to -1 below
  static constexpr double expm1_tiny = 0x1p-54;           // expm1(x) rounds to x below
  static constexpr double tanh_hi = 20.0;                 // tanh(x) rounds to 1 above
  // (e^r - 1 - r) / r^2 on |r| <= ln2/2 (+0.2%), degree 10, relative error 2^-58.3.
  static constexpr double exp_poly[] = {
      0x1p-1,  0x1.5555555555557p-3,  0x1.555555555554ep-5,  0x1.11111111100acp-7,
      0x1.6c16c16c1a14cp-10, 0x1.a01a01ac03543p-13, 0x1.a01a019031993p-16,
      0x1.71de01d8260e9p-19, 0x1.27e51106afbacp-22, 0x1.af4ea7f7823ccp-26,
      0x1.1f1a2161abfe2p-29};
  // (2 atanh(s) - 2 s) / s^3 in z = s^2, 0 <= z <= 0.0295, degree 7, relative error 2^-58.2.
  static constexpr double log_poly[] = {
      0x1.5555555555555p-1, 0x1.9999999999a3bp-2, 0x1.24924924765d6p-2, 0x1.c71c72021ab1p-3,
      0x1.745cf8b500582p-3, 0x1.3b1c4607e9e7fp-3, 0x1.0fbcdc612d9bap-3, 0x1.0c15761721691p-3};
  // (tanh(a)/a - 1) / a^2 in z = a^2, 0 <= z <= 0.55^2, degree 10, relative error 2^-55.3.
  static constexpr double tanh_poly[] = {
      -0x1.5555555555555p-2, 0x1.111111111103p-3,   -0x1.ba1ba1b9fe8dfp-5, 0x1.664f4876fe516p-6,
      -0x1.226e32ec4526ep-7, 0x1.d6d3386b31c12p-9,  -0x1.7d97c349a4b12p-10, 0x1.34c52cd39fd2bp-11,
      -0x1.ec0acf47ec01bp-13, 0x1.64ea9fac471f4p-14, -0x1.59738e9f7735ap-16};
  static constexpr double tanh_poly_max = 0.55;
};

/// float and double: the types implemented natively (others go through double).
template <class T>
concept native = std::same_as<T, float> || std::same_as<T, double>;

template <native T>
constexpr typename fp<T>::uint to_bits(T x) noexcept {
  return std::bit_cast<typename fp<T>::uint>(x);
}

template <native T>
constexpr T from_bits(typename fp<T>::uint b) noexcept {
  return std::bit_cast<T>(b);
}

template <native T>
inline constexpr T inf_v = std::numeric_limits<T>::infinity();

template <native T>
inline constexpr T nan_v = std::numeric_limits<T>::quiet_NaN();

/// 2^k for k in the normal exponent range (exact, built from the exponent bits).
template <native T>
constexpr T pow2_normal(std::int32_t k) noexcept {
  using U = typename fp<T>::uint;
  return from_bits<T>(static_cast<U>(static_cast<U>(k + fp<T>::bias) << fp<T>::mant_bits));
}

template <native T>
constexpr T copysign_bits(T mag, T sgn) noexcept {
  using F = fp<T>;
  return from_bits<T>((to_bits(mag) & ~F::sign_mask) | (to_bits(sgn) & F::sign_mask));
}

template <native T>
constexpr bool isnan_bits(T x) noexcept {
  using F = fp<T>;
  return (to_bits(x) & ~F::sign_mask) > F::exp_mask;
}

/// Branch-free c ? a : b, blending the bit patterns with a mask.  A plain ?: is control flow in
/// g++'s middle end; the computation of the unused side is then sunk into the branch, the loop
/// cannot be if-converted any more (its floating-point operations "may trap") and does not
/// vectorise.  The mask keeps everything data flow (it compiles to a blend or and/andnot/or).
template <native T>
constexpr T select(bool c, T a, T b) noexcept {
  using U = typename fp<T>::uint;
  const U mask = U{0} - static_cast<U>(c);
  return from_bits<T>((to_bits(a) & mask) | (to_bits(b) & ~mask));
}

constexpr std::int32_t select(bool c, std::int32_t a, std::int32_t b) noexcept {
  const std::uint32_t mask = 0u - static_cast<std::uint32_t>(c);
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(a) & mask) |
                                   (static_cast<std::uint32_t>(b) & ~mask));
}

/// Horner's rule, fully unrolled: c[0] + x (c[1] + x (c[2] + ...)).
template <class T, std::size_t N, std::size_t... I>
constexpr T horner_unrolled(T x, const T (&c)[N], std::index_sequence<I...>) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  T p = c[N - 1];
  ((p = p * x + c[N - 2 - I]), ...);
  return p;
}

template <class T, std::size_t N>
constexpr T horner(T x, const T (&c)[N]) noexcept {
  return horner_unrolled(x, c, std::make_index_sequence<N - 1>{});
}

/// Cody-Waite reduction x = k ln2 + r + c: k = nearest integer to x log2(e), r = x - k ln2
/// rounded (|r| <~ ln2/2) and c the rounding error of r (|c| <= ulp(r)/2), kept so that the
/// reduction error does not cost half an ulp.
template <native T>
struct exp_reduction {
  std::int32_t k;
  T r;
  T c;
};

template <native T>
constexpr exp_reduction<T> reduce_exp(T x) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  using F = fp<T>;
  const T t = x * F::log2e;
  // round half away from zero by truncation (the argument is clamped, so this is in range)
  const std::int32_t k = static_cast<std::int32_t>(t + copysign_bits(T(0.5), t));
  const T kf = static_cast<T>(k);
  const T hi = x - kf * F::ln2_hi;  // exact: k ln2_hi is exact and cancels with x (Sterbenz)
  const T lo = kf * F::ln2_lo;
  const T r = hi - lo;
  const T c = (hi - r) - lo;  // Fast2Sum: |hi| >= |lo|
  return {k, r, c};
}

/// e^(r + c) - 1 - r without the rounding of the final sum:  c (1 + r) + r^2 P(r).
template <native T>
constexpr T expm1_tail(T r, T c) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  return c * (T(1) + r) + (r * r) * horner(r, fp<T>::exp_poly);
}

/// e^x = (hi + lo) 2^k for x in [exp_lo, exp_hi] (no NaN), hi = e^(r+c) rounded, lo its error:
/// e^(r+c) = (1 + r) + tail with 1 + r split exactly (Fast2Sum), so that only hi's addition
/// rounds.
template <native T>
struct exp_parts {
  T hi;
  T lo;
  std::int32_t k;
};

template <native T>
constexpr exp_parts<T> exp_split(T x) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  const auto [k, r, c] = reduce_exp(x);
  const T s = T(1) + r;
  const T e = r - (s - T(1));  // exact error of 1 + r
  const T t = e + expm1_tail(r, c);
  const T hi = s + t;
  return {hi, t - (hi - s), k};
}

/// v 2^k, applied as 2^(k/2) 2^(k - k/2) so that both factors are normal: exact for normal
/// results, a single rounding for subnormal ones, and no intermediate overflow (|k| <= 2 emax).
template <native T>
constexpr T scale2(T v, std::int32_t k) noexcept {
  const std::int32_t k1 = k >> 1;
  return (v * pow2_normal<T>(k1)) * pow2_normal<T>(k - k1);
}

/// e^x for x in [exp_lo, exp_hi] (no NaN).
template <native T>
constexpr T exp_finite(T x) noexcept {
  const exp_parts<T> p = exp_split(x);
  return scale2(p.hi, p.k);
}

/// e^x - 1 for x in [expm1_lo, exp_hi] (no NaN):
/// e^x - 1 = 2^k (1 + q) - 1 = 2 ((u - 1/2) + u q), u = 2^(k-1), q = r + tail;
/// u - 1/2 (rounded for large k, its error kept in a_lo) + u r (exact) is summed exactly
/// (Fast2Sum); u stays normal for k = 128 / 1024 where 2^k would overflow.
template <native T>
constexpr T expm1_finite(T x) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  using F = fp<T>;
  const auto [k, r, c] = reduce_exp(x);
  const T u = pow2_normal<T>(k - 1);
  const T a = u - T(0.5);
  const T a_lo = (u - a) - T(0.5);
  const T b = u * r;
  const T s = a + b;
  const T e = b - (s - a);  // exact: |a| >= |b| whenever k != 0, and a = 0 when k = 0
  const T res = (s + ((e + a_lo) + u * expm1_tail(r, c))) * T(2);
  const T ax = from_bits<T>(to_bits(x) & ~F::sign_mask);
  return select(ax < F::expm1_tiny, x, res);  // keeps -0 and subnormal arguments exact
}

/// u = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), for u positive and normal.
template <native T>
struct log_reduction {
  std::int32_t k;
  T f;
};

template <native T>
constexpr log_reduction<T> reduce_log(T u) noexcept {
  using F = fp<T>;
  using U = typename F::uint;
  U ix = to_bits(u) + (to_bits(T(1)) - F::sqrt_half_bits);
  const std::int32_t k = static_cast<std::int32_t>(ix >> F::mant_bits) - F::bias;
  ix = (ix & F::mant_mask) + F::sqrt_half_bits;
  return {k, from_bits<T>(ix) - T(1)};
}

/// k ln2 + log(1 + f) + c for |f| <= sqrt(2) - 1, where c is a small correction term.
/// log(1+f) = 2 atanh(s), s = f / (2 + f), written as f - f^2/2 + s (f^2/2 + R(s^2)) with
/// R(z) = z Q(z) (the form of FreeBSD's e_log.c, with our own minimax Q).
template <native T>
constexpr T log_kernel(T f, std::int32_t k, T c) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  using F = fp<T>;
  const T s = f / (T(2) + f);
  const T z = s * s;
  const T R = z * horner(z, F::log_poly);
  const T hfsq = T(0.5) * f * f;
  const T dk = static_cast<T>(k);
  return (((s * (hfsq + R) + (dk * F::ln2_lo + c)) - hfsq) + f) + dk * F::ln2_hi;
}

/// log(1 + x + x_lo) for x in (-1, +inf) (finite, no NaN) and a tiny correction x_lo.
/// u = 1 + x rounded; log1p(x) = log(u) + c with c = (1 + x - u + x_lo) / u recovering the
/// rounding error of u; when u is already in [sqrt(1/2), sqrt(2)) the kernel takes f = x
/// directly.
template <native T>
constexpr T log1p_finite(T x, T x_lo) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  const T u = T(1) + x;
  const auto [k, fu] = reduce_log(u);
  const T c_big = T(1) - (u - x);    // exact for k >= 2
  const T c_small = x - (u - T(1));  // exact for k <= 1
  const T c = (select(k == 0, T(0), select(k >= 2, c_big, c_small)) + x_lo) / u;
  const T f = select(k == 0, x, fu);
  return log_kernel(f, k, c);
}

template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T exp_impl(T x) noexcept {
  using F = fp<T>;
  const bool nan = isnan_bits(x);
  T xs = select(nan, T(0), x);
  xs = select(xs < F::exp_lo, F::exp_lo, xs);  // e^exp_lo already rounds to +0
  xs = select(xs > F::exp_hi, F::exp_hi, xs);
  const T r = exp_finite(xs);
  const T res = select(x > F::exp_hi, inf_v<T>, r);
  return select(nan, x, res);
}

template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T expm1_impl(T x) noexcept {
  using F = fp<T>;
  const bool nan = isnan_bits(x);
  T xs = select(nan, T(0), x);
  xs = select(xs < F::expm1_lo, F::expm1_lo, xs);  // expm1(expm1_lo) already rounds to -1
  xs = select(xs > F::exp_hi, F::exp_hi, xs);
  const T r = expm1_finite(xs);
  const T res = select(x > F::exp_hi, inf_v<T>, r);
  return select(nan, x, res);
}

template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T log_impl(T x) noexcept {
  using F = fp<T>;
  const bool valid = (x > T(0)) & (x < inf_v<T>);  // & not &&: no control flow
  const T xs = select(valid, x, T(1));
  const bool sub = xs < F::min_normal;
  const T xn = xs * select(sub, F::sub_scale, T(1));  // exact
  const auto [k, f] = reduce_log(xn);
  T r = log_kernel(f, k - select(sub, F::sub_exp, 0), T(0));
  r = select(x < T(0), nan_v<T>, r);
  r = select(x == T(0), -inf_v<T>, r);
  r = select(x == inf_v<T>, inf_v<T>, r);
  return select(isnan_bits(x), x, r);
}

template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T log1p_impl(T x) noexcept {
  const bool valid = (x > T(-1)) & (x < inf_v<T>);
  const T xs = select(valid, x, T(0));
  T r = log1p_finite(xs, T(0));
  r = select(x == T(0), x, r);  // log1p(-0) = -0
  r = select(x < T(-1), nan_v<T>, r);
  r = select(x == T(-1), -inf_v<T>, r);
  r = select(x == inf_v<T>, inf_v<T>, r);
  return select(isnan_bits(x), x, r);
}

/// sqrt(x) = 2^h sqrt(m), m in [1, 4): y ~ 1/sqrt(m) from the bit-hack seed refined by Newton
/// y <- y (3/2 - m y^2 / 2), s = m y, then one correction s <- s + (m - s^2) y / 2 where
/// m - s^2 is computed from exact half-width products (no FMA needed; contraction-proof).
template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T sqrt_impl(T x) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  using F = fp<T>;
  using U = typename F::uint;
  const bool valid = (x > T(0)) & (x < inf_v<T>);
  const T xs = select(valid, x, T(1));
  const bool sub = xs < F::min_normal;
  const T xn = xs * select(sub, F::sub_scale, T(1));  // sub_exp is even
  const U ix = to_bits(xn);
  const std::int32_t e = static_cast<std::int32_t>(ix >> F::mant_bits) - F::bias;
  const std::int32_t h = e >> 1;  // floor(e / 2)
  const T m = from_bits<T>((ix & F::mant_mask) |
                           (static_cast<U>(static_cast<U>(e - 2 * h + F::bias) << F::mant_bits)));
  T y = from_bits<T>(static_cast<U>(F::rsqrt_magic - (to_bits(m) >> 1)));
  const T hm = T(0.5) * m;
  y = y * (T(1.5) - hm * y * y);  // relative error 3.4e-2 -> 1.7e-3
  y = y * (T(1.5) - hm * y * y);  //                    -> 4.6e-6
  y = y * (T(1.5) - hm * y * y);  //                    -> 3e-11 (float: rounding, 2^-24)
  if constexpr (std::is_same_v<T, double>) y = y * (T(1.5) - hm * y * y);  // -> rounding
  const T s = m * y;
  // Residual m - s^2 from exact products only: s = sh + sl with sh rounded to half the
  // significand by integer operations (so sh^2, sh sl and sl^2 are exact), which also makes the
  // result independent of FMA contraction (contracting an exact product changes nothing).
  constexpr int cut = (F::mant_bits + 2) / 2;  // 12 float, 27 double low bits cleared
  const T sh = from_bits<T>((to_bits(s) + (U{1} << (cut - 1))) & ~((U{1} << cut) - 1));
  const T sl = s - sh;  // exact, |sl| < 2^(cut-1) ulp(s)
  const T d = ((m - sh * sh) - T(2) * sh * sl) - sl * sl;  // exact but for the last rounding
  const T root = s + d * (T(0.5) * y);
  T r = root * pow2_normal<T>(h - select(sub, F::sub_exp / 2, 0));
  r = select(x == T(0), x, r);  // sqrt(-0) = -0
  r = select(x < T(0), nan_v<T>, r);
  r = select(x == inf_v<T>, inf_v<T>, r);
  return select(isnan_bits(x), x, r);
}

/// a = |x|: tanh a = a + a z P(z), z = a^2 (minimax) for a < 0.55 (tanh a < 1/2), else
/// 1 - 2 / (e^(2a) + 1) with e^(2a) + 1 carried as a double-word (value + error) and the
/// quotient corrected to first order; the sign is copied back.
template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T tanh_impl(T x) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  using F = fp<T>;
  const bool nan = isnan_bits(x);
  T a = select(nan, T(0), from_bits<T>(to_bits(x) & ~F::sign_mask));
  a = select(a > F::tanh_hi, F::tanh_hi, a);  // tanh(tanh_hi) already rounds to 1
  const T z = a * a;
  const T small = a + a * (z * horner(z, F::tanh_poly));
  const exp_parts<T> p = exp_split(T(2) * a);
  const T eh = scale2(p.hi, p.k);  // e^(2a) >= 1 on this branch: no underflow
  const T el = scale2(p.lo, p.k);
  const T d = eh + T(1);
  const T dl = (T(1) - (d - eh)) + el;  // Fast2Sum (eh >= 1) plus the error of eh
  const T inv = T(1) / d;
  const T large = T(1) - T(2) * (inv - (inv * inv) * dl);  // 2 / (d + dl)
  const T t = select(a < F::tanh_poly_max, small, large);
  const T r = copysign_bits(t, x);
  return select(nan, x, r);
}

/// e = e^-|x| in (0, 1] (value + error), d = 1 + e (value + error);
/// sigmoid(|x|) = 1 / d, sigmoid(-|x|) = e / d, both corrected to first order in the errors.
template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T sigmoid_impl(T x) noexcept {
  CTNN_DETAIL_MATH_NO_CONTRACT
  using F = fp<T>;
  const bool nan = isnan_bits(x);
  T a = select(nan, T(0), from_bits<T>(to_bits(x) & ~F::sign_mask));
  a = select(a > -F::exp_lo, -F::exp_lo, a);
  const exp_parts<T> p = exp_split(-a);
  const T eh = scale2(p.hi, p.k);
  const T el = scale2(p.lo, p.k);
  const T d = T(1) + eh;
  const T dl = (eh - (d - T(1))) + el;  // Fast2Sum (1 >= eh) plus the error of eh
  const T inv = T(1) / d;
  const T pos = inv - (inv * inv) * dl;
  const T q = eh / d;
  const T neg = q + (el - q * dl) * inv;
  const T r = select((to_bits(x) & F::sign_mask) != 0, neg, pos);
  return select(nan, x, r);
}

/// softplus(x) = max(x, 0) + log1p(e^-|x|), with the error of e^-|x| passed to log1p.
template <native T>
CTNN_DETAIL_MATH_INLINE constexpr T softplus_impl(T x) noexcept {
  using F = fp<T>;
  const bool nan = isnan_bits(x);
  T a = select(nan, T(0), from_bits<T>(to_bits(x) & ~F::sign_mask));
  a = select(a > -F::exp_lo, -F::exp_lo, a);
  const exp_parts<T> p = exp_split(-a);
  const T l = log1p_finite(scale2(p.hi, p.k), scale2(p.lo, p.k));
  const T r = select(x > T(0), x, T(0)) + l;  // +inf + l = +inf
  return select(nan, x, r);
}

/// 2^k, exact (subnormal, 0 or +inf outside the normal range).
template <native T>
constexpr T pow2i_impl(int k) noexcept {
  using F = fp<T>;
  using U = typename F::uint;
  constexpr std::int32_t emax = F::bias;                    // 127 / 1023
  constexpr std::int32_t emin = 1 - F::bias;                // -126 / -1022
  constexpr std::int32_t denorm_min = emin - F::mant_bits;  // -149 / -1074
  const std::int32_t kc = k < denorm_min - 1 ? denorm_min - 1 : (k > emax + 1 ? emax + 1 : k);
  const std::int32_t kn = kc < emin ? emin : (kc > emax ? emax : kc);
  const std::int32_t ks = kc < denorm_min ? 0 : (kc >= emin ? 0 : kc - denorm_min);
  const T normal = pow2_normal<T>(kn);
  const T subnormal = from_bits<T>(static_cast<U>(U{1} << ks));
  T r = kc >= emin ? normal : subnormal;
  r = kc < denorm_min ? T(0) : r;
  return kc > emax ? inf_v<T> : r;
}

// long double: exact helpers built on comparisons only (no bit layout assumptions).
template <class T>
constexpr bool signbit_generic(T x) noexcept {
  // x < 0 decides everything but zeros and NaNs, whose sign survives conversion to double.
  return x < T(0) || ((x == T(0) || x != x) && (to_bits(static_cast<double>(x)) >> 63) != 0);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Classification and sign.  Exact for every type; bit tests for float/double (robust even
// under -ffinite-math-only), comparisons for long double.

/// true if x is a NaN.
template <std::floating_point T>
[[nodiscard]] constexpr bool isnan(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::isnan_bits(x);
  } else {
    return x != x;
  }
}

/// true if x is +inf or -inf.
template <std::floating_point T>
[[nodiscard]] constexpr bool isinf(T x) noexcept {
  if constexpr (detail::native<T>) {
    using F = detail::fp<T>;
    return (detail::to_bits(x) & ~F::sign_mask) == F::exp_mask;
  } else {
    return x == std::numeric_limits<T>::infinity() || x == -std::numeric_limits<T>::infinity();
  }
}

/// true if x is neither infinite nor NaN.
template <std::floating_point T>
[[nodiscard]] constexpr bool isfinite(T x) noexcept {
  if constexpr (detail::native<T>) {
    using F = detail::fp<T>;
    return (detail::to_bits(x) & ~F::sign_mask) < F::exp_mask;
  } else {
    return x == x && !math::isinf(x);
  }
}

/// true if the sign bit of x is set (also for -0 and negative NaNs).
template <std::floating_point T>
[[nodiscard]] constexpr bool signbit(T x) noexcept {
  if constexpr (detail::native<T>) {
    return (detail::to_bits(x) & detail::fp<T>::sign_mask) != 0;
  } else {
    return detail::signbit_generic(x);
  }
}

/// |x|: clears the sign bit (abs(-0) = +0, abs(-inf) = +inf, NaN stays NaN).
template <std::floating_point T>
[[nodiscard]] constexpr T abs(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::from_bits<T>(detail::to_bits(x) & ~detail::fp<T>::sign_mask);
  } else {
    return x < T(0) ? -x : (x == T(0) ? T(0) : x);  // (a NaN keeps its sign here)
  }
}

/// The magnitude of mag with the sign of sgn (bitwise; works for zeros and NaNs).
template <std::floating_point T>
[[nodiscard]] constexpr T copysign(T mag, T sgn) noexcept {
  if constexpr (detail::native<T>) {
    return detail::copysign_bits(mag, sgn);
  } else {
    const T a = math::abs(mag);
    return math::signbit(sgn) ? -a : a;
  }
}

/// The smaller of a and b, NaN-propagating (IEEE 754-2019 `minimum`): if either argument is a
/// NaN the result is that NaN (a's if both are); min(-0, +0) = -0 in either order.
/// (Unlike std::min, which returns a when the comparison is false, and std::fmin, which drops
/// NaNs: a NaN in a network should surface, not be hidden.)
template <std::floating_point T>
[[nodiscard]] constexpr T min(T a, T b) noexcept {
  if constexpr (detail::native<T>) {
    using detail::select;
    const T lesser = select(b < a, b, a);
    const T equal = select(math::signbit(a), a, b);  // a == b: only +-0 can differ
    const T r = select(a == b, equal, lesser);
    return select(math::isnan(a), a, select(math::isnan(b), b, r));
  } else {
    const T lesser = b < a ? b : a;
    const T equal = math::signbit(a) ? a : b;
    const T r = a == b ? equal : lesser;
    return math::isnan(a) ? a : (math::isnan(b) ? b : r);
  }
}

/// The larger of a and b, NaN-propagating (IEEE 754-2019 `maximum`): if either argument is a
/// NaN the result is that NaN (a's if both are); max(-0, +0) = +0 in either order.
template <std::floating_point T>
[[nodiscard]] constexpr T max(T a, T b) noexcept {
  if constexpr (detail::native<T>) {
    using detail::select;
    const T greater = select(a < b, b, a);
    const T equal = select(math::signbit(a), b, a);
    const T r = select(a == b, equal, greater);
    return select(math::isnan(a), a, select(math::isnan(b), b, r));
  } else {
    const T greater = a < b ? b : a;
    const T equal = math::signbit(a) ? b : a;
    const T r = a == b ? equal : greater;
    return math::isnan(a) ? a : (math::isnan(b) ? b : r);
  }
}

/// 2^k exactly: subnormal powers are produced exactly, 0 below the subnormal range, +inf
/// above the largest finite power.
template <std::floating_point T>
[[nodiscard]] constexpr T pow2i(int k) noexcept {
  if constexpr (detail::native<T>) {
    return detail::pow2i_impl<T>(k);
  } else {
    // exact binary powering; the bounds keep every intermediate finite
    using L = std::numeric_limits<T>;
    constexpr int hi = L::max_exponent;               // 2^hi overflows
    constexpr int lo = L::min_exponent - L::digits;  // 2^lo is the smallest subnormal
    if (k >= hi) return L::infinity();
    if (k < lo) return T(0);
    T r = 1;
    T b = k < 0 ? T(0.5) : T(2);
    unsigned n = static_cast<unsigned>(k < 0 ? -k : k);
    while (n != 0) {
      if ((n & 1u) != 0) r = r * b;
      n >>= 1;
      if (n != 0) b = b * b;
    }
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// Exponentials and logarithms.  Measured maxima: see tests/tools/math_ulp_report.cpp.

/// e^x.  Reduction x = k ln2 + r + c (Cody-Waite with a two-part ln2, |r| <= ln2/2, c the
/// rounding error of r), e^(r+c) = (1 + r) + (c (1 + r) + r^2 P(r)) with P minimax (degree 5
/// float / 10 double) and 1 + r split exactly, scaled by 2^k through the exponent bits.
/// exp(+-0) = 1, exp(-inf) = +0, exp(+inf) = +inf, overflow gives +inf (x > 88.7228 float,
/// 709.7827 double), results below the smallest subnormal give +0.
/// Max error (bound 1 ulp): float 0.764 ulp, double 0.750 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T exp(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::exp_impl(x);
  } else {
    return static_cast<T>(detail::exp_impl(static_cast<double>(x)));
  }
}

/// e^x - 1, accurate near 0.  Same reduction and polynomial as exp: q = e^(r+c) - 1, result
/// 2^k q + (2^k - 1) evaluated as 2 ((u - 1/2) + u q), u = 2^(k-1), with exact (Fast2Sum)
/// partial sums.  expm1(+-0) = +-0, expm1(-inf) = -1, overflow gives +inf.
/// Max error (bound 1.5 ulp): float 1.003 ulp, double 0.923 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T expm1(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::expm1_impl(x);
  } else {
    return static_cast<T>(detail::expm1_impl(static_cast<double>(x)));
  }
}

/// Natural logarithm.  Reduction x = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)) by integer
/// operations on the bits (subnormals are prescaled), log(1+f) = 2 atanh(f / (2 + f)) with a
/// minimax polynomial (degree 3 float / 7 double) in s^2.
/// log(+-0) = -inf, log(x < 0) = NaN, log(1) = +0, log(+inf) = +inf.
/// Max error (bound 1 ulp): float 0.835 ulp, double 0.837 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T log(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::log_impl(x);
  } else {
    return static_cast<T>(detail::log_impl(static_cast<double>(x)));
  }
}

/// log(1 + x), accurate near 0.  u = 1 + x is reduced like log, with the correction term
/// (1 + x - u) / u for the rounding of u; for u in [sqrt(1/2), sqrt(2)) f = x is used directly.
/// log1p(+-0) = +-0, log1p(-1) = -inf, log1p(x < -1) = NaN, log1p(+inf) = +inf.
/// Max error (bound 1 ulp): float 0.839 ulp, double 0.802 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T log1p(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::log1p_impl(x);
  } else {
    return static_cast<T>(detail::log1p_impl(static_cast<double>(x)));
  }
}

/// Square root.  x = 2^(2h) m, m in [1, 4) (subnormals prescaled); reciprocal square root from
/// the classic bit-hack seed and Newton steps (3 float, 4 double), then one Heron-style
/// correction with the residual m - s^2 computed from exact half-width products (no FMA needed).
/// sqrt(+-0) = +-0, sqrt(x < 0) = NaN, sqrt(+inf) = +inf.
/// Max error (bound 0.5 ulp): float 0.500 ulp, double 0.500 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T sqrt(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::sqrt_impl(x);
  } else {
    return static_cast<T>(detail::sqrt_impl(static_cast<double>(x)));
  }
}

/// Hyperbolic tangent.  With a = |x|: a + a^3 P(a^2) (minimax, degree 5 float / 10 double) for
/// a < 0.55, else 1 - 2 / (e^(2a) + 1) with e^(2a) + 1 carried with its rounding error (no
/// cancellation: the result is >= 1/2 there); the sign is copied back.  Relative accuracy near
/// 0 (tanh(x) = x for tiny x, tanh(-0) = -0), no overflow, exactly +-1 for |x| >= 10 (float) /
/// 20 (double), where tanh rounds to 1 anyway.  Odd: tanh(-x) = -tanh(x) bit for bit.
/// Max error (bound 1.5 ulp): float 1.012 ulp, double 0.995 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T tanh(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::tanh_impl(x);
  } else {
    return static_cast<T>(detail::tanh_impl(static_cast<double>(x)));
  }
}

/// Logistic function 1 / (1 + e^-x), without overflow: with e = e^-|x| in (0, 1],
/// sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, both corrected to first order
/// for the rounding errors of e and of 1 + e.  Down to subnormal results for x < -87 (float).
/// sigmoid(-inf) = +0, sigmoid(+inf) = 1, sigmoid(0) = 1/2.
/// Max error (bound 1.5 ulp): float 1.098 ulp, double 1.035 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T sigmoid(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::sigmoid_impl(x);
  } else {
    return static_cast<T>(detail::sigmoid_impl(static_cast<double>(x)));
  }
}

/// softplus(x) = log(1 + e^x), without overflow: max(x, 0) + log1p(e^-|x|), the rounding error
/// of e^-|x| being passed on to log1p's correction term.
/// softplus(-inf) = +0, softplus(+inf) = +inf, softplus(x) = x for large x.
/// Max error (bound 1.5 ulp): float 1.192 ulp, double 1.122 ulp.
template <std::floating_point T>
[[nodiscard]] CTNN_DETAIL_MATH_INLINE constexpr T softplus(T x) noexcept {
  if constexpr (detail::native<T>) {
    return detail::softplus_impl(x);
  } else {
    return static_cast<T>(detail::softplus_impl(static_cast<double>(x)));
  }
}

// ---------------------------------------------------------------------------------------------
// Any other element type (fixed point, ...): the function of its ctnn::number_traits
// (number_traits.hpp), so that generic code calls math::exp(x) whatever T is.

/// A type that is not an IEEE floating-point type but has number_traits.
template <class T>
concept custom_number = !std::floating_point<T> && requires { sizeof(::ctnn::number_traits<T>); };

#define CTNN_DETAIL_MATH_FORWARD(R, f)                                  \
  template <custom_number T>                                            \
  [[nodiscard]] constexpr R f(T x) noexcept {                           \
    return ::ctnn::number_traits<T>::f(x);                              \
  }
CTNN_DETAIL_MATH_FORWARD(bool, isfinite)
CTNN_DETAIL_MATH_FORWARD(T, abs)
CTNN_DETAIL_MATH_FORWARD(T, sqrt)
CTNN_DETAIL_MATH_FORWARD(T, exp)
CTNN_DETAIL_MATH_FORWARD(T, expm1)
CTNN_DETAIL_MATH_FORWARD(T, log)
CTNN_DETAIL_MATH_FORWARD(T, log1p)
CTNN_DETAIL_MATH_FORWARD(T, tanh)
CTNN_DETAIL_MATH_FORWARD(T, sigmoid)
CTNN_DETAIL_MATH_FORWARD(T, softplus)
#undef CTNN_DETAIL_MATH_FORWARD

#undef CTNN_DETAIL_MATH_NO_CONTRACT
#undef CTNN_DETAIL_MATH_INLINE

}  // namespace ctnn::math
