// SPDX-License-Identifier: MIT
// math_ulp_report: measures the error of ctnn::math against <cmath> in long double (float and
// double) and prints a markdown table of the maximum error in ulp per function.
//
//   math_ulp_report                  dense sampling (default 2'000'000 points per range)
//   math_ulp_report --samples N      N points per range
//   math_ulp_report --exhaustive     float: every float in each range (slow: minutes)
//   math_ulp_report --only tanh      just the rows of one function
//
// The reference is the long double <cmath> function (x86: 64-bit mantissa, so its own error is
// ~1/2048 of a double ulp).  Where long double is only binary64 the double column is accurate
// to about +-1 ulp only; the program says so.
#include <ctnn/math.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace {

namespace m = ctnn::math;
using ld = long double;

/// Error of got in ulp of T, relative to the exact value ref.
template <class T>
double ulp_error(T got, ld ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0.0 : std::numeric_limits<double>::infinity();
  const T ref_t = static_cast<T>(ref);  // correctly rounded
  if (std::isinf(ref_t) || std::isinf(got) || std::isnan(got)) {
    return got == ref_t ? 0.0 : std::numeric_limits<double>::infinity();
  }
  const int emin = std::numeric_limits<T>::min_exponent - 1;  // exponent of min normal
  const int e = ref == 0 ? emin : std::max(std::ilogb(ref), emin);
  const ld ulp = std::ldexp(ld(1), e - (std::numeric_limits<T>::digits - 1));
  return static_cast<double>(std::fabs(static_cast<ld>(got) - ref) / ulp);
}

struct stats {
  double max_ulp = 0;
  double worst_x = 0;
  double sum_ulp = 0;
  long long n = 0;
  long long exact = 0;  // results that equal the correctly rounded value
};

template <class Ref, class T, class F, class R>
inline void probe(stats& s, T x, F f, R ref) {
  const T got = f(x);
  const ld r = static_cast<ld>(ref(static_cast<Ref>(x)));
  const double u = ulp_error<T>(got, r);
  if (!(u <= s.max_ulp)) {  // also catches NaN errors
    s.max_ulp = u;
    s.worst_x = static_cast<double>(x);
  }
  if (std::isfinite(u)) s.sum_ulp += u;
  s.exact += (std::bit_cast<std::uint64_t>(double(got)) == std::bit_cast<std::uint64_t>(double(static_cast<T>(r))) ||
              (std::isnan(got) && std::isnan(r)))
                 ? 1
                 : 0;
  ++s.n;
}

/// Error in float ulp of y against the double reference r (both finite): fast path for the
/// exhaustive mode, in double arithmetic only.
inline double float_ulp_error(float y, double r) {
  const auto rb = std::bit_cast<std::uint64_t>(r);
  int e = static_cast<int>((rb >> 52) & 0x7ff) - 1023;  // exponent of r (subnormal doubles: below)
  if (e < -126) e = -126;                                // float subnormal range: fixed ulp
  const double ulp = std::bit_cast<double>(static_cast<std::uint64_t>(e - 23 + 1023) << 52);
  return std::fabs(static_cast<double>(y) - r) / ulp;
}

/// Every float in [lo, hi], in blocks (so the ctnn loop vectorises), against the double <cmath>
/// function (its error, < 1 double ulp, is 2^-29 float ulp).
template <class F, class R>
stats exhaustive_float(float lo, float hi, F f, R ref) {
  stats s;
  constexpr std::size_t block = 4096;
  static float xs[block], ys[block];
  auto run = [&](std::uint32_t first, std::uint32_t last, float sign) {  // magnitudes' bits
    for (std::uint64_t b0 = first; b0 <= last; b0 += block) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block, last - b0 + 1));
      for (std::size_t i = 0; i < n; ++i) xs[i] = sign * std::bit_cast<float>(static_cast<std::uint32_t>(b0 + i));
      for (std::size_t i = 0; i < n; ++i) ys[i] = f(xs[i]);
      for (std::size_t i = 0; i < n; ++i) {
        const double r = ref(static_cast<double>(xs[i]));
        const float y = ys[i];
        const float rf = static_cast<float>(r);
        double u;
        if (std::isfinite(r) && std::isfinite(rf) && std::isfinite(y)) {
          u = float_ulp_error(y, r);
        } else {
          u = ulp_error<float>(y, static_cast<ld>(r));
        }
        if (!(u <= s.max_ulp)) {
          s.max_ulp = u;
          s.worst_x = static_cast<double>(xs[i]);
        }
        if (std::isfinite(u)) s.sum_ulp += u;
        s.exact += (std::bit_cast<std::uint32_t>(y) == std::bit_cast<std::uint32_t>(rf) ||
                    (std::isnan(y) && std::isnan(rf)))
                       ? 1
                       : 0;
        ++s.n;
      }
    }
  };
  if (hi >= 0) run(std::bit_cast<std::uint32_t>(lo > 0 ? lo : 0.0f), std::bit_cast<std::uint32_t>(hi), 1.0f);
  if (lo < 0) run(std::bit_cast<std::uint32_t>(hi < 0 ? -hi : 0.0f), std::bit_cast<std::uint32_t>(-lo), -1.0f);
  return s;
}

/// Sample a range two ways: uniformly in value and uniformly in bit pattern (log-spaced), or
/// (float, --exhaustive) take every float in it.
template <class T, class F, class R>
stats sweep(T lo, T hi, long long n, bool exhaustive, F f, R ref) {
  stats s;
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  if constexpr (sizeof(T) == 4) {
    if (exhaustive) return exhaustive_float(lo, hi, f, ref);
  }
  // uniform in value (irrational stride so the grid does not alias with ln2 or binades)
  const ld golden = 0.6180339887498948482045868343656L;
  for (long long i = 0; i < n; ++i) {
    const ld t = std::fmod(ld(i) * golden, ld(1));
    probe<ld>(s, static_cast<T>(ld(lo) + (ld(hi) - ld(lo)) * t), f, ref);
  }
  // uniform in bit pattern over the magnitudes of both signs present in the range
  auto walk = [&](T a, T b, T sign) {  // a < b, both >= 0
    const U ba = std::bit_cast<U>(a), bb = std::bit_cast<U>(b);
    const U step = (bb - ba) / static_cast<U>(n) + 1;
    for (U u = ba; u <= bb && u >= ba; u += step) probe<ld>(s, static_cast<T>(sign * std::bit_cast<T>(u)), f, ref);
  };
  if (hi > 0) walk(lo > 0 ? lo : T(0), hi, T(1));
  if (lo < 0) walk(hi < 0 ? -hi : T(0), -lo, T(-1));
  return s;
}

const auto ref_exp = [](auto x) { return std::exp(x); };
const auto ref_expm1 = [](auto x) { return std::expm1(x); };
const auto ref_log = [](auto x) { return std::log(x); };
const auto ref_log1p = [](auto x) { return std::log1p(x); };
const auto ref_sqrt = [](auto x) { return std::sqrt(x); };
const auto ref_tanh = [](auto x) { return std::tanh(x); };
const auto ref_sigmoid = [](auto x) { return decltype(x)(1) / (decltype(x)(1) + std::exp(-x)); };
const auto ref_softplus = [](auto x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
};

struct row {
  const char* name;
  const char* type;
  std::string range;
  stats s;
};

std::string fmt_range(double lo, double hi) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%.6g, %.6g]", lo, hi);
  return buf;
}

const char* only = nullptr;  // --only NAME: just the rows whose function name starts with NAME

template <class T>
void run_type(const char* tname, long long n, bool exhaustive, row* rows, int& nrows) {
  constexpr T mx = std::numeric_limits<T>::max();
  constexpr T tiny = std::numeric_limits<T>::denorm_min();
  const bool f32 = sizeof(T) == 4;
  const bool ex = exhaustive && f32;
  const T exp_lo = f32 ? T(-104) : T(-746), exp_hi = f32 ? T(89) : T(710);
  const T m1_lo = f32 ? T(-18) : T(-40);
  const T th = f32 ? T(10) : T(20);
  const T sg = f32 ? T(110) : T(750);
  const T m1p = std::nextafter(T(-1), T(0));
  auto add = [&](const char* name, T lo, T hi, auto&& measure) {
    if (only != nullptr && std::strncmp(name, only, std::strlen(only)) != 0) return;
    if (ex) std::fprintf(stderr, "%s %s ...\n", name, tname);
    rows[nrows++] = row{name, tname, fmt_range(double(lo), double(hi)), measure()};
  };
  // clang-format off
  add("exp", exp_lo, exp_hi, [&] { return sweep<T>(exp_lo, exp_hi, n, ex, [](T x) { return m::exp(x); }, ref_exp); });
  add("expm1", m1_lo, exp_hi, [&] { return sweep<T>(m1_lo, exp_hi, n, ex, [](T x) { return m::expm1(x); }, ref_expm1); });
  add("log", tiny, mx, [&] { return sweep<T>(tiny, mx, n, ex, [](T x) { return m::log(x); }, ref_log); });
  add("log (near 1)", T(0.5), T(2), [&] { return sweep<T>(T(0.5), T(2), n, false, [](T x) { return m::log(x); }, ref_log); });
  add("log1p", m1p, mx, [&] { return sweep<T>(m1p, mx, n, ex, [](T x) { return m::log1p(x); }, ref_log1p); });
  add("log1p (near 0)", T(-0.5), T(1), [&] { return sweep<T>(T(-0.5), T(1), n, false, [](T x) { return m::log1p(x); }, ref_log1p); });
  add("sqrt", T(0), mx, [&] { return sweep<T>(T(0), mx, n, ex, [](T x) { return m::sqrt(x); }, ref_sqrt); });
  add("tanh", -th, th, [&] { return sweep<T>(-th, th, n, ex, [](T x) { return m::tanh(x); }, ref_tanh); });
  add("sigmoid", -sg, sg, [&] { return sweep<T>(-sg, sg, n, ex, [](T x) { return m::sigmoid(x); }, ref_sigmoid); });
  add("softplus", -sg, sg, [&] { return sweep<T>(-sg, sg, n, ex, [](T x) { return m::softplus(x); }, ref_softplus); });
  // clang-format on
}

}  // namespace

int main(int argc, char** argv) {
  long long n = 2'000'000;
  bool exhaustive = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--samples") == 0 && i + 1 < argc) n = std::atoll(argv[++i]);
    else if (std::strcmp(argv[i], "--exhaustive") == 0) exhaustive = true;
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--samples N] [--exhaustive] [--only FUNCTION]\n", argv[0]);
      return 2;
    }
  }
  row rows[64];
  int nrows = 0;
  run_type<float>("float", n, exhaustive, rows, nrows);
  run_type<double>("double", n, exhaustive, rows, nrows);

  std::printf("| function | type | range | points | max ulp | at x | mean ulp | correctly rounded |\n");
  std::printf("|---|---|---|---:|---:|---:|---:|---:|\n");
  for (int i = 0; i < nrows; ++i) {
    const stats& s = rows[i].s;
    std::printf("| %s | %s | %s | %lld | %.3f | %.9g | %.3f | %.2f%% |\n", rows[i].name, rows[i].type,
                rows[i].range.c_str(), s.n, s.max_ulp, s.worst_x, s.n ? s.sum_ulp / double(s.n) : 0.0,
                s.n ? 100.0 * double(s.exact) / double(s.n) : 0.0);
  }
  std::printf("\nSampling: %s; reference: <cmath> in long double (%d-bit mantissa)%s.\n",
              exhaustive ? "float ranges exhaustive (every float), double ranges uniform in value + uniform in bit pattern"
                         : "each range uniform in value + uniform in bit pattern (log-spaced), both signs",
              std::numeric_limits<long double>::digits,
              std::numeric_limits<long double>::digits <= 53 ? " -- NOTE: no wider type, double errors are +-1 ulp" : "");
  return 0;
}
