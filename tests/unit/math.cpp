// SPDX-License-Identifier: MIT
// Tests for include/ctnn/math.hpp: accuracy against <cmath> (long double reference) over dense
// samplings of each function's useful range, every special case, and bit-identity between
// constant evaluation and run time.
#include <ctnn/math.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace {

namespace m = ctnn::math;
using ld = long double;

template <class T>
using bits_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
constexpr bits_t<T> bits(T x) {
  return std::bit_cast<bits_t<T>>(x);
}

template <class T>
constexpr T inf = std::numeric_limits<T>::infinity();
template <class T>
constexpr T qnan = std::numeric_limits<T>::quiet_NaN();
template <class T>
constexpr T tiny = std::numeric_limits<T>::denorm_min();
template <class T>
constexpr T big = std::numeric_limits<T>::max();

/// true if a and b are the same value, bit for bit; any two NaNs count as the same.
template <class T>
bool same(T a, T b) {
  return (std::isnan(a) && std::isnan(b)) || bits(a) == bits(b);
}

// The reference: <cmath> in long double.  Where long double is binary64 the double reference is
// itself only within ~1 ulp, so the double bounds get that much slack.
constexpr bool wide_reference = std::numeric_limits<ld>::digits > 53;

/// Error of got in ulp of T, against the (higher precision) value ref.
template <class T>
double ulp_error(T got, ld ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0.0 : std::numeric_limits<double>::infinity();
  const T ref_t = static_cast<T>(ref);
  if (std::isinf(ref_t) || std::isinf(got) || std::isnan(got)) {
    return got == ref_t ? 0.0 : std::numeric_limits<double>::infinity();
  }
  const int emin = std::numeric_limits<T>::min_exponent - 1;
  const int e = ref == 0 ? emin : std::max(std::ilogb(ref), emin);
  const ld ulp = std::ldexp(ld(1), e - (std::numeric_limits<T>::digits - 1));
  return static_cast<double>(std::fabs(static_cast<ld>(got) - ref) / ulp);
}

struct sweep_result {
  double max_ulp = 0;
  ld worst_x = 0;
  long count = 0;
};

/// Evaluates f against ref on n points uniform in [lo, hi] and on n points uniform in bit pattern
/// (that is, log-spaced) over the magnitudes of each sign present in [lo, hi].
template <class T, class F, class R>
sweep_result sweep(T lo, T hi, long n, F f, R ref) {
  sweep_result s;
  auto probe = [&](T x) {
    const double u = ulp_error<T>(f(x), ref(static_cast<ld>(x)));
    if (!(u <= s.max_ulp)) {
      s.max_ulp = u;
      s.worst_x = x;
    }
    ++s.count;
  };
  for (long i = 0; i <= n; ++i) {
    probe(static_cast<T>(ld(lo) + (ld(hi) - ld(lo)) * ld(i) / ld(n)));
  }
  using U = bits_t<T>;
  auto walk = [&](T a, T b, T sign) {
    const U ba = bits(a), bb = bits(b);
    const U step = (bb - ba) / static_cast<U>(n) + 1;
    for (U u = ba; u <= bb && u >= ba; u += step) probe(static_cast<T>(sign * std::bit_cast<T>(u)));
  };
  if (hi > 0) walk(lo > 0 ? lo : T(0), hi, T(1));
  if (lo < 0) walk(hi < 0 ? -hi : T(0), -lo, T(-1));
  return s;
}

// Documented maximum errors (include/ctnn/math.hpp), in ulp.
constexpr double bound_exp = 1.0;
constexpr double bound_expm1 = 1.5;  // measured 1.003 (float, exhaustive)
constexpr double bound_log = 1.0;
constexpr double bound_log1p = 1.0;
constexpr double bound_sqrt = 0.5 + 1e-3;  // correctly rounded (1e-3: the reference's own error)
constexpr double bound_tanh = 1.5;
constexpr double bound_sigmoid = 1.5;
constexpr double bound_softplus = 1.5;

template <class T>
double slack() {
  return std::is_same_v<T, double> && !wide_reference ? 1.0 : 0.0;
}

ld ref_sigmoid(ld x) { return 1.0L / (1.0L + std::exp(-x)); }
ld ref_softplus(ld x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

constexpr long samples = 200'000;

template <class T, class F, class R>
void check_accuracy(const char* name, T lo, T hi, double bound, F f, R ref) {
  const sweep_result s = sweep<T>(lo, hi, samples, f, ref);
  INFO(name << " on [" << lo << ", " << hi << "]: max " << s.max_ulp << " ulp at x = " << s.worst_x
            << " (" << s.count << " points)");
  CHECK(s.count > samples);
  CHECK(s.max_ulp <= bound + slack<T>());
}

}  // namespace

TEMPLATE_TEST_CASE("math: accuracy against <cmath> over the useful ranges", "[math]", float, double) {
  using T = TestType;
  const bool f32 = std::is_same_v<T, float>;
  const T exp_lo = f32 ? T(-104) : T(-746);   // below: +0
  const T exp_hi = f32 ? T(89) : T(710);      // above 88.72 / 709.78: +inf
  const T expm1_lo = f32 ? T(-18) : T(-40);   // below: -1
  const T tanh_hi = f32 ? T(10) : T(20);      // above: +-1
  const T wide = f32 ? T(110) : T(750);

  check_accuracy<T>("exp", exp_lo, exp_hi, bound_exp, [](T x) { return m::exp(x); },
                    [](ld x) { return std::exp(x); });
  check_accuracy<T>("exp near 0", T(-1e-3), T(1e-3), bound_exp, [](T x) { return m::exp(x); },
                    [](ld x) { return std::exp(x); });
  check_accuracy<T>("expm1", expm1_lo, exp_hi, bound_expm1, [](T x) { return m::expm1(x); },
                    [](ld x) { return std::expm1(x); });
  check_accuracy<T>("expm1 near 0", T(-1), T(1), bound_expm1, [](T x) { return m::expm1(x); },
                    [](ld x) { return std::expm1(x); });
  check_accuracy<T>("log", tiny<T>, big<T>, bound_log, [](T x) { return m::log(x); },
                    [](ld x) { return std::log(x); });
  check_accuracy<T>("log near 1", T(0.5), T(2), bound_log, [](T x) { return m::log(x); },
                    [](ld x) { return std::log(x); });
  check_accuracy<T>("log1p", std::nextafter(T(-1), T(0)), big<T>, bound_log1p,
                    [](T x) { return m::log1p(x); }, [](ld x) { return std::log1p(x); });
  check_accuracy<T>("log1p near 0", T(-0.5), T(1), bound_log1p, [](T x) { return m::log1p(x); },
                    [](ld x) { return std::log1p(x); });
  check_accuracy<T>("sqrt", T(0), big<T>, bound_sqrt, [](T x) { return m::sqrt(x); },
                    [](ld x) { return std::sqrt(x); });
  check_accuracy<T>("sqrt on [1, 4]", T(1), T(4), bound_sqrt, [](T x) { return m::sqrt(x); },
                    [](ld x) { return std::sqrt(x); });
  check_accuracy<T>("tanh", -tanh_hi, tanh_hi, bound_tanh, [](T x) { return m::tanh(x); },
                    [](ld x) { return std::tanh(x); });
  check_accuracy<T>("tanh near 0", T(-1), T(1), bound_tanh, [](T x) { return m::tanh(x); },
                    [](ld x) { return std::tanh(x); });
  check_accuracy<T>("sigmoid", -wide, wide, bound_sigmoid, [](T x) { return m::sigmoid(x); },
                    ref_sigmoid);
  check_accuracy<T>("sigmoid near 0", T(-8), T(8), bound_sigmoid, [](T x) { return m::sigmoid(x); },
                    ref_sigmoid);
  check_accuracy<T>("softplus", -wide, wide, bound_softplus, [](T x) { return m::softplus(x); },
                    ref_softplus);
  check_accuracy<T>("softplus near 0", T(-8), T(8), bound_softplus,
                    [](T x) { return m::softplus(x); }, ref_softplus);
}

TEMPLATE_TEST_CASE("math: sqrt is correctly rounded", "[math]", float, double) {
  using T = TestType;
  // IEEE-754 sqrt (std::sqrt) is correctly rounded, so the bits must match everywhere.
  long mismatches = 0;
  T first_mismatch = 0;
  const auto check = [&](T x) {
    if (!same(m::sqrt(x), std::sqrt(x)) && mismatches++ == 0) first_mismatch = x;
  };
  using U = bits_t<T>;
  const U last = bits(big<T>);
  for (U u = 0; u <= last && u + last / 400'000 > u; u += last / 400'000 + 1) check(std::bit_cast<T>(u));
  for (long k = 0; k <= 400'000; ++k) check(T(1) + T(3) * static_cast<T>(k) / T(400'000));
  INFO("first mismatch at x = " << first_mismatch);
  CHECK(mismatches == 0);
  for (int k = 0; k <= 4096; ++k) {
    const T r = static_cast<T>(k);
    INFO("k = " << k);
    REQUIRE(same(m::sqrt(r * r), r));
  }
  // every even power of two, subnormals included: sqrt(2^(2j)) = 2^j exactly
  for (int j = (std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits) / 2;
       2 * j < std::numeric_limits<T>::max_exponent; ++j) {
    INFO("2^" << 2 * j);
    REQUIRE(same(m::sqrt(std::ldexp(T(1), 2 * j)), std::ldexp(T(1), j)));
  }
}

TEMPLATE_TEST_CASE("math: special values", "[math]", float, double) {
  using T = TestType;
  const T nan = qnan<T>;
  const T i = inf<T>;
  const T max_t = big<T>;
  const T den = tiny<T>;

  SECTION("exp") {
    CHECK(same(m::exp(T(0)), T(1)));
    CHECK(same(m::exp(T(-0.0)), T(1)));
    CHECK(same(m::exp(i), i));
    CHECK(same(m::exp(-i), T(0)));
    CHECK(std::isnan(m::exp(nan)));
    CHECK(same(m::exp(T(1000)), i));
    CHECK(same(m::exp(T(-1000)), T(0)));
    CHECK(same(m::exp(max_t), i));
    CHECK(same(m::exp(-max_t), T(0)));
    CHECK(same(m::exp(den), T(1)));
    CHECK(same(m::exp(-den), T(1)));
    // the overflow threshold: the largest finite result and the first infinite one
    const T hi = std::is_same_v<T, float> ? T(0x1.62e42ep+6f) : T(0x1.62e42fefa39efp+9);
    CHECK(std::isfinite(m::exp(hi)));
    CHECK(ulp_error(m::exp(hi), std::exp(static_cast<ld>(hi))) <= bound_exp + slack<T>());
    CHECK(same(m::exp(std::nextafter(hi, i)), i));
    // gradual underflow: the smallest subnormal results are produced, not flushed
    const T sub_x = std::is_same_v<T, float> ? T(-100) : T(-740);
    CHECK(m::exp(sub_x) > T(0));
    CHECK(m::exp(sub_x) < std::numeric_limits<T>::min());
    CHECK(ulp_error(m::exp(sub_x), std::exp(static_cast<ld>(sub_x))) <= bound_exp + slack<T>());
  }
  SECTION("expm1") {
    CHECK(same(m::expm1(T(0)), T(0)));
    CHECK(same(m::expm1(T(-0.0)), T(-0.0)));
    CHECK(same(m::expm1(i), i));
    CHECK(same(m::expm1(-i), T(-1)));
    CHECK(std::isnan(m::expm1(nan)));
    CHECK(same(m::expm1(T(1000)), i));
    CHECK(same(m::expm1(T(-1000)), T(-1)));
    CHECK(same(m::expm1(den), den));
    CHECK(same(m::expm1(-den), -den));
    CHECK(same(m::expm1(T(1e-30)), T(1e-30)));
    CHECK(same(m::expm1(std::numeric_limits<T>::min()), std::numeric_limits<T>::min()));
  }
  SECTION("log") {
    CHECK(same(m::log(T(0)), -i));
    CHECK(same(m::log(T(-0.0)), -i));
    CHECK(same(m::log(T(1)), T(0)));
    CHECK(same(m::log(i), i));
    CHECK(std::isnan(m::log(T(-1))));
    CHECK(std::isnan(m::log(-den)));
    CHECK(std::isnan(m::log(-i)));
    CHECK(std::isnan(m::log(nan)));
    CHECK(ulp_error(m::log(den), std::log(static_cast<ld>(den))) <= bound_log + slack<T>());
    CHECK(ulp_error(m::log(max_t), std::log(static_cast<ld>(max_t))) <= bound_log + slack<T>());
    CHECK(ulp_error(m::log(T(2)), std::log(2.0L)) <= bound_log + slack<T>());
  }
  SECTION("log1p") {
    CHECK(same(m::log1p(T(0)), T(0)));
    CHECK(same(m::log1p(T(-0.0)), T(-0.0)));
    CHECK(same(m::log1p(T(-1)), -i));
    CHECK(same(m::log1p(i), i));
    CHECK(std::isnan(m::log1p(T(-2))));
    CHECK(std::isnan(m::log1p(std::nextafter(T(-1), -i))));
    CHECK(std::isnan(m::log1p(-i)));
    CHECK(std::isnan(m::log1p(nan)));
    CHECK(same(m::log1p(den), den));
    CHECK(same(m::log1p(-den), -den));
    CHECK(ulp_error(m::log1p(max_t), std::log1p(static_cast<ld>(max_t))) <= bound_log1p + slack<T>());
    const T just_above_m1 = std::nextafter(T(-1), T(0));
    CHECK(ulp_error(m::log1p(just_above_m1), std::log1p(static_cast<ld>(just_above_m1))) <=
          bound_log1p + slack<T>());
  }
  SECTION("sqrt") {
    CHECK(same(m::sqrt(T(0)), T(0)));
    CHECK(same(m::sqrt(T(-0.0)), T(-0.0)));
    CHECK(same(m::sqrt(i), i));
    CHECK(same(m::sqrt(T(4)), T(2)));
    CHECK(same(m::sqrt(T(0.25)), T(0.5)));
    CHECK(std::isnan(m::sqrt(T(-1))));
    CHECK(std::isnan(m::sqrt(-den)));
    CHECK(std::isnan(m::sqrt(-i)));
    CHECK(std::isnan(m::sqrt(nan)));
    CHECK(same(m::sqrt(den), std::sqrt(den)));
    CHECK(same(m::sqrt(max_t), std::sqrt(max_t)));
    CHECK(same(m::sqrt(std::numeric_limits<T>::min()), std::sqrt(std::numeric_limits<T>::min())));
    CHECK(same(m::sqrt(T(2)), std::sqrt(T(2))));
  }
  SECTION("tanh") {
    CHECK(same(m::tanh(T(0)), T(0)));
    CHECK(same(m::tanh(T(-0.0)), T(-0.0)));
    CHECK(same(m::tanh(i), T(1)));
    CHECK(same(m::tanh(-i), T(-1)));
    CHECK(std::isnan(m::tanh(nan)));
    CHECK(same(m::tanh(T(1000)), T(1)));
    CHECK(same(m::tanh(T(-1000)), T(-1)));
    CHECK(same(m::tanh(max_t), T(1)));
    CHECK(same(m::tanh(den), den));
    CHECK(same(m::tanh(-den), -den));
    CHECK(same(m::tanh(T(1e-20)), T(1e-20)));
    // odd symmetry, bit for bit
    for (T x : {T(0.001), T(0.3), T(0.54999), T(0.55), T(0.7), T(3), T(9.5), T(19.9)}) {
      CHECK(same(m::tanh(-x), -m::tanh(x)));
    }
  }
  SECTION("sigmoid") {
    CHECK(same(m::sigmoid(T(0)), T(0.5)));
    CHECK(same(m::sigmoid(T(-0.0)), T(0.5)));
    CHECK(same(m::sigmoid(i), T(1)));
    CHECK(same(m::sigmoid(-i), T(0)));
    CHECK(std::isnan(m::sigmoid(nan)));
    CHECK(same(m::sigmoid(T(1000)), T(1)));
    CHECK(same(m::sigmoid(T(-1000)), T(0)));
    CHECK(same(m::sigmoid(max_t), T(1)));
    CHECK(same(m::sigmoid(-max_t), T(0)));
    // deep in the negative tail the result is e^x, down to subnormals
    const T tail = std::is_same_v<T, float> ? T(-100) : T(-740);
    CHECK(m::sigmoid(tail) > T(0));
    CHECK(ulp_error(m::sigmoid(tail), ref_sigmoid(tail)) <= bound_sigmoid + slack<T>());
    // sigmoid(x) + sigmoid(-x) = 1 to within rounding
    for (T x : {T(0.1), T(1), T(5), T(15)}) {
      CHECK(std::fabs(m::sigmoid(x) + m::sigmoid(-x) - T(1)) <= 2 * std::numeric_limits<T>::epsilon());
    }
  }
  SECTION("softplus") {
    CHECK(ulp_error(m::softplus(T(0)), std::log(2.0L)) <= bound_softplus + slack<T>());
    CHECK(same(m::softplus(-i), T(0)));
    CHECK(same(m::softplus(i), i));
    CHECK(std::isnan(m::softplus(nan)));
    CHECK(same(m::softplus(T(1000)), T(1000)));
    CHECK(same(m::softplus(T(-1000)), T(0)));
    CHECK(same(m::softplus(max_t), max_t));
    CHECK(same(m::softplus(-max_t), T(0)));
    CHECK(same(m::softplus(T(100)), T(100)));
    const T tail = std::is_same_v<T, float> ? T(-95) : T(-740);
    CHECK(m::softplus(tail) > T(0));
    CHECK(ulp_error(m::softplus(tail), ref_softplus(tail)) <= bound_softplus + slack<T>());
  }
}

TEMPLATE_TEST_CASE("math: classification, sign, min and max", "[math]", float, double, long double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T i = std::numeric_limits<T>::infinity();
  const T den = std::numeric_limits<T>::denorm_min();

  CHECK(m::isnan(nan));
  CHECK(m::isnan(-nan));
  CHECK_FALSE(m::isnan(i));
  CHECK_FALSE(m::isnan(T(0)));
  CHECK_FALSE(m::isnan(den));
  CHECK(m::isinf(i));
  CHECK(m::isinf(-i));
  CHECK_FALSE(m::isinf(nan));
  CHECK_FALSE(m::isinf(std::numeric_limits<T>::max()));
  CHECK(m::isfinite(T(0)));
  CHECK(m::isfinite(den));
  CHECK(m::isfinite(-std::numeric_limits<T>::max()));
  CHECK_FALSE(m::isfinite(i));
  CHECK_FALSE(m::isfinite(-i));
  CHECK_FALSE(m::isfinite(nan));

  CHECK_FALSE(m::signbit(T(0)));
  CHECK(m::signbit(T(-0.0)));
  CHECK(m::signbit(T(-2)));
  CHECK(m::signbit(-i));
  CHECK(m::signbit(-den));
  CHECK_FALSE(m::signbit(i));

  CHECK(m::abs(T(-3)) == T(3));
  CHECK(m::abs(-i) == i);
  CHECK_FALSE(std::signbit(m::abs(T(-0.0))));
  CHECK(std::isnan(m::abs(nan)));
  CHECK(m::copysign(T(2), T(-0.0)) == T(-2));
  CHECK(m::copysign(T(-2), T(+0.0)) == T(2));
  CHECK(std::signbit(m::copysign(T(0), T(-1))));
  CHECK(std::signbit(m::copysign(nan, T(-1))));
  CHECK(std::isnan(m::copysign(nan, T(-1))));

  CHECK(m::min(T(1), T(2)) == T(1));
  CHECK(m::min(T(2), T(1)) == T(1));
  CHECK(m::max(T(1), T(2)) == T(2));
  CHECK(m::max(T(2), T(1)) == T(2));
  CHECK(m::min(-i, T(3)) == -i);
  CHECK(m::max(-i, T(3)) == T(3));
  // NaN-propagating, whichever side the NaN is on
  CHECK(std::isnan(m::min(nan, T(1))));
  CHECK(std::isnan(m::min(T(1), nan)));
  CHECK(std::isnan(m::max(nan, T(1))));
  CHECK(std::isnan(m::max(T(1), nan)));
  // -0 < +0 for min and max, in both orders
  CHECK(std::signbit(m::min(T(-0.0), T(0))));
  CHECK(std::signbit(m::min(T(0), T(-0.0))));
  CHECK_FALSE(std::signbit(m::max(T(-0.0), T(0))));
  CHECK_FALSE(std::signbit(m::max(T(0), T(-0.0))));
}

TEMPLATE_TEST_CASE("math: pow2i is exact over the whole exponent range", "[math]", float, double,
                   long double) {
  using T = TestType;
  using L = std::numeric_limits<T>;
  const int lo = L::min_exponent - L::digits;  // 2^lo is denorm_min
  for (int k = lo - 3; k <= L::max_exponent + 3; ++k) {
    INFO("k = " << k);
    const T expected = k < lo ? T(0) : (k >= L::max_exponent ? L::infinity() : std::ldexp(T(1), k));
    REQUIRE(m::pow2i<T>(k) == expected);
  }
  CHECK(m::pow2i<T>(-100000) == T(0));
  CHECK(m::pow2i<T>(100000) == L::infinity());
  CHECK(m::pow2i<T>(lo) == L::denorm_min());
}

TEST_CASE("math: long double goes through double", "[math]") {
  // Exactly the double result, converted (documented: double accuracy and range).
  for (double x : {-3.5, -0.25, 0.0, 0.7, 1.0, 2.0, 12.0}) {
    const auto lx = static_cast<ld>(x);
    CHECK(m::exp(lx) == static_cast<ld>(m::exp(x)));
    CHECK(m::expm1(lx) == static_cast<ld>(m::expm1(x)));
    CHECK(m::tanh(lx) == static_cast<ld>(m::tanh(x)));
    CHECK(m::sigmoid(lx) == static_cast<ld>(m::sigmoid(x)));
    CHECK(m::softplus(lx) == static_cast<ld>(m::softplus(x)));
    if (x > 0) {
      CHECK(m::log(lx) == static_cast<ld>(m::log(x)));
      CHECK(m::sqrt(lx) == static_cast<ld>(m::sqrt(x)));
    }
    if (x > -1) CHECK(m::log1p(lx) == static_cast<ld>(m::log1p(x)));
  }
  CHECK(std::isnan(m::log(-1.0L)));
  CHECK(m::exp(-std::numeric_limits<ld>::infinity()) == 0.0L);
}

// ------------------------------------------------------------------------------------------------
// Compile time == run time.

namespace {

// Inputs covering every branch of every function: zeros, subnormals, the polynomial ranges,
// the thresholds, overflow, infinities and NaN.
template <class T>
constexpr std::array<T, 36> ct_inputs = {
    T(0),      T(-0.0),    T(1),     T(-1),    T(0.5),   T(-0.5),   T(0.3),    T(-0.3),
    T(0.54),   T(0.56),    T(2.5),   T(-3.75), T(7),     T(-9.5),   T(10.5),   T(-19),
    T(25),     T(-45),     T(88.5),  T(-88.5), T(100),   T(-103),   T(700),    T(-745),
    T(1000),   T(-1000),   T(1e-7),  T(-3e-9), T(1e-30), T(-1e-30), tiny<T>,   -tiny<T>,
    big<T>,    -big<T>,    inf<T>,   qnan<T>};

template <class T, class F>
constexpr std::array<T, 36> ct_table(F f) {
  std::array<T, 36> out{};
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = f(ct_inputs<T>[k]);
  return out;
}

template <class T, class F>
void check_same_at_run_time(const char* name, const std::array<T, 36>& at_compile_time, F f) {
  for (std::size_t k = 0; k < at_compile_time.size(); ++k) {
    volatile T in = ct_inputs<T>[k];  // keeps the optimiser from folding the call
    const T at_run_time = f(static_cast<T>(in));
    INFO(name << "(" << ct_inputs<T>[k] << "): compile time " << at_compile_time[k] << ", run time "
              << at_run_time);
    CHECK(bits(at_run_time) == bits(at_compile_time[k]));
  }
}

#define CTNN_TEST_CT_TABLE(fn)                                                                   \
  template <class T>                                                                             \
  constexpr auto ct_##fn = ct_table<T>([](T x) { return m::fn(x); });

CTNN_TEST_CT_TABLE(exp)
CTNN_TEST_CT_TABLE(expm1)
CTNN_TEST_CT_TABLE(log)
CTNN_TEST_CT_TABLE(log1p)
CTNN_TEST_CT_TABLE(sqrt)
CTNN_TEST_CT_TABLE(tanh)
CTNN_TEST_CT_TABLE(sigmoid)
CTNN_TEST_CT_TABLE(softplus)
#undef CTNN_TEST_CT_TABLE

}  // namespace

TEMPLATE_TEST_CASE("math: constant evaluation gives the run-time bits", "[math]", float, double) {
  using T = TestType;
  // A few facts proved by the compiler.
  STATIC_REQUIRE(m::exp(T(0)) == T(1));
  STATIC_REQUIRE(m::log(T(1)) == T(0));
  STATIC_REQUIRE(m::sqrt(T(2.25)) == T(1.5));
  STATIC_REQUIRE(m::sigmoid(T(0)) == T(0.5));
  STATIC_REQUIRE(m::tanh(T(1000)) == T(1));
  STATIC_REQUIRE(m::exp(T(1)) > T(2.7182) && m::exp(T(1)) < T(2.7183));
  STATIC_REQUIRE(m::log(T(10)) > T(2.3025) && m::log(T(10)) < T(2.3026));
  STATIC_REQUIRE(m::exp(m::log(T(3))) > T(2.9999) && m::exp(m::log(T(3))) < T(3.0001));
  STATIC_REQUIRE(bits(m::expm1(T(-0.0))) == bits(T(-0.0)));
  STATIC_REQUIRE(m::isnan(m::log(T(-1))));
  STATIC_REQUIRE(m::isnan(m::sqrt(-inf<T>)));
  STATIC_REQUIRE(m::isnan(m::exp(qnan<T>)));
  STATIC_REQUIRE(m::exp(inf<T>) == inf<T>);
  STATIC_REQUIRE(m::log(T(0)) == -inf<T>);
  STATIC_REQUIRE(m::pow2i<T>(-3) == T(0.125));
  STATIC_REQUIRE(m::min(T(1), T(2)) == T(1));
  STATIC_REQUIRE(m::isnan(m::max(qnan<T>, T(2))));

  // Every table entry was computed by the compiler; the same calls now run on the hardware.
  check_same_at_run_time<T>("exp", ct_exp<T>, [](T x) { return m::exp(x); });
  check_same_at_run_time<T>("expm1", ct_expm1<T>, [](T x) { return m::expm1(x); });
  check_same_at_run_time<T>("log", ct_log<T>, [](T x) { return m::log(x); });
  check_same_at_run_time<T>("log1p", ct_log1p<T>, [](T x) { return m::log1p(x); });
  check_same_at_run_time<T>("sqrt", ct_sqrt<T>, [](T x) { return m::sqrt(x); });
  check_same_at_run_time<T>("tanh", ct_tanh<T>, [](T x) { return m::tanh(x); });
  check_same_at_run_time<T>("sigmoid", ct_sigmoid<T>, [](T x) { return m::sigmoid(x); });
  check_same_at_run_time<T>("softplus", ct_softplus<T>, [](T x) { return m::softplus(x); });
}

TEST_CASE("math: a loop over an array gives the same bits as single calls", "[math]") {
  // The vectorised form of the loop (at -O3) must agree with the scalar calls and with constant
  // evaluation: same inputs as the compile-time table, repeated so the loop has a vector body.
  constexpr std::size_t n = 36 * 8;
  std::array<float, n> x{};
  std::array<float, n> y{};
  for (std::size_t k = 0; k < n; ++k) x[k] = ct_inputs<float>[k % 36];
  for (std::size_t k = 0; k < n; ++k) y[k] = m::tanh(x[k]);
  for (std::size_t k = 0; k < n; ++k) {
    INFO("tanh(" << x[k] << ")");
    CHECK(bits(y[k]) == bits(ct_tanh<float>[k % 36]));
  }
  for (std::size_t k = 0; k < n; ++k) y[k] = m::sigmoid(x[k]);
  for (std::size_t k = 0; k < n; ++k) {
    INFO("sigmoid(" << x[k] << ")");
    CHECK(bits(y[k]) == bits(ct_sigmoid<float>[k % 36]));
  }
  for (std::size_t k = 0; k < n; ++k) y[k] = m::exp(x[k]);
  for (std::size_t k = 0; k < n; ++k) {
    INFO("exp(" << x[k] << ")");
    CHECK(bits(y[k]) == bits(ct_exp<float>[k % 36]));
  }
}
