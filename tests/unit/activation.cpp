// SPDX-License-Identifier: MIT
// Tests for <ctnn/activation.hpp>: every activation's value and derivative against hand values,
// <cmath> and central finite differences; stability for large |z|; the ratio parameters of
// leaky_relu and elu; the softmax Jacobian; the concepts; user-defined activations in a network;
// compile-time results equal to run-time results bit for bit.
#include <ctnn/activation.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <catch2/catch.hpp>

#include <ctnn/backward.hpp>
#include <ctnn/network.hpp>

namespace {

// ------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------

/// |a - b| <= rtol * max(1, |a|, |b|)
bool near(double a, double b, double rtol) {
  const double scale = std::fmax(1.0, std::fmax(std::fabs(a), std::fabs(b)));
  return std::fabs(a - b) <= rtol * scale;
}

/// Tolerance of one activation evaluation against an exact reference.
template <class T>
constexpr double value_tol() {
  return std::is_same_v<T, float> ? 4e-7 * 8 : 1e-14 * 8;
}

template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(v);
  else return std::bit_cast<std::uint64_t>(v);
}

/// Defeats constant folding: the value is only known at run time.
template <class T>
T at_run_time(T v) {
  volatile T x = v;
  return x;
}

using leaky_default = ctnn::leaky_relu<>;
using leaky_fifth = ctnn::leaky_relu<1, 5>;  // slope 0.2
using elu_default = ctnn::elu<>;
using elu_three_halves = ctnn::elu<3, 2>;  // alpha 1.5

/// Exact references written with <cmath> in double.
double ref_value_sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }
double ref_value_gelu(double z) {
  const double c = std::sqrt(2.0 / 3.14159265358979323846), k = 0.044715;
  return 0.5 * z * (1.0 + std::tanh(c * (z + k * z * z * z)));
}

/// f'(z) by central differences of the double version of A::value.
template <class A>
double fd_derivative(double z) {
  const double h = 1e-6 * std::fmax(1.0, std::fabs(z));
  return (A::value(z + h) - A::value(z - h)) / (2 * h);
}

/// Checks A's derivative (evaluated in T, with a = f(z) in T) against finite differences at
/// points away from 0 (the kink of relu/leaky_relu/elu).
template <class A, class T>
void check_derivative_fd() {
  const double pts[] = {-4.0, -2.2, -1.3, -0.4, -0.05, 0.05, 0.3, 0.9, 1.7, 3.5};
  const double tol = std::is_same_v<T, float> ? 2e-6 : 1e-8;
  for (double zd : pts) {
    const T z = static_cast<T>(zd);
    const T a = A::value(z);
    const double analytic = static_cast<double>(A::derivative(z, a));
    const double fd = fd_derivative<A>(static_cast<double>(z));
    INFO("z = " << zd << " analytic " << analytic << " fd " << fd);
    CHECK(near(analytic, fd, tol));
  }
}

/// A::value and A::derivative at some points, as arrays (for compile-time vs run-time).
template <class A, class T, std::size_t N>
constexpr std::array<T, 2 * N> values_and_derivatives(const std::array<T, N>& z) {
  std::array<T, 2 * N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = A::value(z[i]);
    out[N + i] = A::derivative(z[i], out[i]);
  }
  return out;
}

template <class T>
constexpr std::array<T, 9> sample_points{T(-20), T(-3.5), T(-1), T(-0.25), T(0),
                                         T(0.125), T(0.75), T(2.5), T(17)};

template <class A, class T>
void check_constexpr_equals_runtime() {
  constexpr auto ct = values_and_derivatives<A>(sample_points<T>);
  std::array<T, 9> z{};
  for (std::size_t i = 0; i < 9; ++i) z[i] = at_run_time(sample_points<T>[i]);
  const auto rt = values_and_derivatives<A>(z);
  for (std::size_t i = 0; i < ct.size(); ++i) {
    INFO("index " << i << " ct " << ct[i] << " rt " << rt[i]);
    CHECK(bits(ct[i]) == bits(rt[i]));
  }
}

// ------------------------------------------------------------------------------------------
// user-defined activations
// ------------------------------------------------------------------------------------------

/// f(z) = z + z^3 / 3, f'(z) = 1 + z^2: a user-defined element-wise activation.
struct cubic {
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T>
  static constexpr T value(T z) noexcept {
    return z + z * z * z / T(3);
  }
  template <ctnn::Scalar T>
  static constexpr T derivative(T z, T) noexcept {
    return T(1) + z * z;
  }
};

/// A user-defined vector activation (allowed in hidden layers) with a non-symmetric Jacobian:
/// a_j = z_j + z_{j+1}^2 / 4 (indices mod N), J[j][k] = delta_jk + z_{j+1}/2 delta_{k,j+1}.
struct mix_next {
  static constexpr bool elementwise = false;
  static constexpr bool output_only = false;
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void apply(std::span<T, N> za) noexcept {
    std::array<T, N> z{};
    for (std::size_t j = 0; j < N; ++j) z[j] = za[j];
    for (std::size_t j = 0; j < N; ++j) za[j] = z[j] + T(0.25) * z[(j + 1) % N] * z[(j + 1) % N];
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void vjp(std::span<const T, N> z, std::span<const T, N>,
                            std::span<const T, N> g, std::span<T, N> out) noexcept {
    for (std::size_t k = 0; k < N; ++k) out[k] = g[k] + T(0.5) * z[k] * g[(k + N - 1) % N];
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void jvp(std::span<const T, N> z, std::span<const T, N>,
                            std::span<const T, N> v, std::span<T, N> out) noexcept {
    for (std::size_t j = 0; j < N; ++j) out[j] = v[j] + T(0.5) * z[(j + 1) % N] * v[(j + 1) % N];
  }
};

// Types that must NOT be activations.
struct no_derivative {  // elementwise but no derivative
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T>
  static constexpr T value(T z) noexcept {
    return z;
  }
};
struct wrong_return_type {  // value(float) returns double
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T>
  static constexpr double value(T z) noexcept {
    return static_cast<double>(z);
  }
  template <ctnn::Scalar T>
  static constexpr T derivative(T, T) noexcept {
    return T(1);
  }
};
struct not_flagged {  // has value and derivative but no `elementwise`
  template <ctnn::Scalar T>
  static constexpr T value(T z) noexcept {
    return z;
  }
  template <ctnn::Scalar T>
  static constexpr T derivative(T, T) noexcept {
    return T(1);
  }
};
struct flagged_false_but_elementwise {  // elementwise = false but no apply/vjp/jvp
  static constexpr bool elementwise = false;
  static constexpr bool output_only = false;
  template <ctnn::Scalar T>
  static constexpr T value(T z) noexcept {
    return z;
  }
  template <ctnn::Scalar T>
  static constexpr T derivative(T, T) noexcept {
    return T(1);
  }
};
struct vector_without_jvp {
  static constexpr bool elementwise = false;
  static constexpr bool output_only = true;
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void apply(std::span<T, N>) noexcept {}
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void vjp(std::span<const T, N>, std::span<const T, N>, std::span<const T, N>,
                            std::span<T, N>) noexcept {}
};

}  // namespace

// ------------------------------------------------------------------------------------------
// concepts
// ------------------------------------------------------------------------------------------

TEST_CASE("activation: concepts accept the built-in activations", "[activation][concept]") {
  STATIC_REQUIRE(ctnn::ElementwiseActivation<ctnn::identity>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<ctnn::sigmoid>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<ctnn::tanh>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<ctnn::relu>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<leaky_default>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<leaky_fifth>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<elu_default>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<elu_three_halves>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<ctnn::softplus>);
  STATIC_REQUIRE(ctnn::ElementwiseActivation<ctnn::gelu>);
  STATIC_REQUIRE(!ctnn::ElementwiseActivation<ctnn::softmax>);
  STATIC_REQUIRE(ctnn::VectorActivation<ctnn::softmax>);
  STATIC_REQUIRE(!ctnn::VectorActivation<ctnn::sigmoid>);
  STATIC_REQUIRE(ctnn::Activation<ctnn::softmax>);
  STATIC_REQUIRE(ctnn::Activation<ctnn::gelu>);
  STATIC_REQUIRE(ctnn::detail::is_output_only<ctnn::softmax>);
  STATIC_REQUIRE(!ctnn::detail::is_output_only<ctnn::tanh>);
}

TEST_CASE("activation: concepts reject non-activations", "[activation][concept]") {
  STATIC_REQUIRE(!ctnn::Activation<int>);
  STATIC_REQUIRE(!ctnn::Activation<float>);
  STATIC_REQUIRE(!ctnn::Activation<void>);
  STATIC_REQUIRE(!ctnn::Activation<no_derivative>);
  STATIC_REQUIRE(!ctnn::Activation<wrong_return_type>);
  STATIC_REQUIRE(!ctnn::Activation<not_flagged>);
  STATIC_REQUIRE(!ctnn::Activation<flagged_false_but_elementwise>);
  STATIC_REQUIRE(!ctnn::Activation<vector_without_jvp>);
}

TEST_CASE("activation: user-defined activations satisfy the documented concepts",
          "[activation][concept]") {
  STATIC_REQUIRE(ctnn::ElementwiseActivation<cubic>);
  STATIC_REQUIRE(ctnn::Activation<cubic>);
  STATIC_REQUIRE(ctnn::VectorActivation<mix_next>);
  STATIC_REQUIRE(ctnn::Activation<mix_next>);
  STATIC_REQUIRE(!ctnn::detail::is_output_only<mix_next>);
}

// ------------------------------------------------------------------------------------------
// hand values
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("activation: identity, sigmoid, tanh at hand-computed points", "[activation]",
                   float, double) {
  using T = TestType;
  const double tol = value_tol<T>();
  CHECK(ctnn::identity::value(T(2.5)) == T(2.5));
  CHECK(ctnn::identity::value(T(-7)) == T(-7));
  CHECK(ctnn::identity::derivative(T(-7), T(-7)) == T(1));

  CHECK(ctnn::sigmoid::value(T(0)) == T(0.5));
  CHECK(ctnn::sigmoid::derivative(T(0), T(0.5)) == T(0.25));
  CHECK(near(ctnn::sigmoid::value(T(2)), 0.8807970779778823, tol));
  CHECK(near(ctnn::sigmoid::value(T(-3)), 0.04742587317756678, tol));
  // f' = a (1 - a), from the a passed in (z is not used)
  CHECK(near(ctnn::sigmoid::derivative(T(2), ctnn::sigmoid::value(T(2))), 0.10499358540350662,
             tol));
  CHECK(ctnn::sigmoid::derivative(T(123), T(0.25)) == T(0.1875));

  CHECK(ctnn::tanh::value(T(0)) == T(0));
  CHECK(near(ctnn::tanh::value(T(0.5)), 0.46211715726000974, tol));
  CHECK(near(ctnn::tanh::value(T(-0.5)), -0.46211715726000974, tol));
  CHECK(near(ctnn::tanh::derivative(T(0.5), ctnn::tanh::value(T(0.5))), 0.7864477329659274, tol));
  CHECK(ctnn::tanh::derivative(T(9), T(0.5)) == T(0.75));
}

TEMPLATE_TEST_CASE("activation: relu and leaky_relu with their slope parameter", "[activation]",
                   float, double) {
  using T = TestType;
  CHECK(ctnn::relu::value(T(2)) == T(2));
  CHECK(ctnn::relu::value(T(-1)) == T(0));
  CHECK(ctnn::relu::value(T(0)) == T(0));
  CHECK(ctnn::relu::derivative(T(2), T(2)) == T(1));
  CHECK(ctnn::relu::derivative(T(-1), T(0)) == T(0));
  CHECK(ctnn::relu::derivative(T(0), T(0)) == T(0));  // PyTorch's convention at the kink

  // default slope 1/100
  STATIC_REQUIRE(leaky_default::slope<double>() == 0.01);
  CHECK(leaky_default::value(T(3)) == T(3));
  CHECK(leaky_default::value(T(-2)) == T(-2) * (T(1) / T(100)));
  CHECK(near(leaky_default::value(T(-2)), -0.02, value_tol<T>()));
  CHECK(leaky_default::derivative(T(-2), T(-0.02)) == T(1) / T(100));
  CHECK(leaky_default::derivative(T(5), T(5)) == T(1));
  CHECK(leaky_default::derivative(T(0), T(0)) == T(1) / T(100));

  // slope 1/5
  STATIC_REQUIRE(leaky_fifth::slope<double>() == 0.2);
  CHECK(near(leaky_fifth::value(T(-2)), -0.4, value_tol<T>()));
  CHECK(leaky_fifth::value(T(3)) == T(3));
  CHECK(leaky_fifth::derivative(T(-2), T(-0.4)) == T(1) / T(5));
  CHECK(leaky_fifth::derivative(T(3), T(3)) == T(1));

  // a slope above 1 and a negative slope are also just ratios
  CHECK(ctnn::leaky_relu<3, 2>::value(T(-2)) == T(-3));
  CHECK(ctnn::leaky_relu<-1, 2>::value(T(-4)) == T(2));
  CHECK(ctnn::leaky_relu<-1, 2>::derivative(T(-4), T(2)) == T(-0.5));
}

TEMPLATE_TEST_CASE("activation: elu with its alpha parameter", "[activation]", float, double) {
  using T = TestType;
  const double tol = value_tol<T>();
  // alpha = 1
  STATIC_REQUIRE(elu_default::alpha<double>() == 1.0);
  CHECK(elu_default::value(T(2)) == T(2));
  CHECK(elu_default::value(T(0)) == T(0));
  CHECK(near(elu_default::value(T(-1)), -0.6321205588285577, tol));
  CHECK(near(elu_default::derivative(T(-1), elu_default::value(T(-1))), 0.36787944117144233, tol));
  CHECK(elu_default::derivative(T(2), T(2)) == T(1));
  // alpha = 3/2
  STATIC_REQUIRE(elu_three_halves::alpha<double>() == 1.5);
  CHECK(near(elu_three_halves::value(T(-1)), -0.9481808382428365, tol));
  CHECK(near(elu_three_halves::derivative(T(-1), elu_three_halves::value(T(-1))),
             0.5518191617571635, tol));
  CHECK(elu_three_halves::value(T(0.5)) == T(0.5));
  CHECK(elu_three_halves::derivative(T(0.5), T(0.5)) == T(1));
  // tiny negative z: expm1 keeps the relative accuracy (e^z - 1 would lose it)
  CHECK(near(elu_default::value(T(-1e-5)) / T(-1e-5), std::expm1(-1e-5) / -1e-5, tol));
}

TEMPLATE_TEST_CASE("activation: softplus and gelu at hand-computed points", "[activation]", float,
                   double) {
  using T = TestType;
  const double tol = value_tol<T>();
  CHECK(near(ctnn::softplus::value(T(0)), 0.6931471805599453, tol));
  CHECK(near(ctnn::softplus::value(T(2)), 2.1269280110429727, tol));
  CHECK(near(ctnn::softplus::value(T(-2)), 2.1269280110429727 - 2.0, tol));
  CHECK(ctnn::softplus::derivative(T(0), ctnn::softplus::value(T(0))) == T(0.5));
  CHECK(near(ctnn::softplus::derivative(T(2), ctnn::softplus::value(T(2))), 0.8807970779778823,
             tol));
  // softplus(-30) = log1p(e^-30) ~ e^-30: relative accuracy kept for very negative z
  CHECK(std::fabs(static_cast<double>(ctnn::softplus::value(T(-30))) / std::exp(-30.0) - 1.0) <
        1e-4);

  CHECK(ctnn::gelu::value(T(0)) == T(0));
  CHECK(ctnn::gelu::derivative(T(0), T(0)) == T(0.5));
  CHECK(near(ctnn::gelu::value(T(1)), 0.8411919906082768, tol));
  CHECK(near(ctnn::gelu::derivative(T(1), ctnn::gelu::value(T(1))), 1.0829640838457826, tol));
  CHECK(near(ctnn::gelu::value(T(-0.5)), -0.15428599017485606, tol));
  CHECK(near(ctnn::gelu::derivative(T(-0.5), ctnn::gelu::value(T(-0.5))), 0.13263009646535764,
             tol));
}

TEMPLATE_TEST_CASE("activation: values agree with <cmath> over a range", "[activation]", float,
                   double) {
  using T = TestType;
  const double tol = value_tol<T>();
  for (int i = -60; i <= 60; ++i) {
    const T z = static_cast<T>(i) / T(8);  // -7.5 .. 7.5, exact in float
    const double zd = static_cast<double>(z);
    INFO("z = " << zd);
    CHECK(near(ctnn::sigmoid::value(z), ref_value_sigmoid(zd), tol));
    CHECK(near(ctnn::tanh::value(z), std::tanh(zd), tol));
    CHECK(near(ctnn::softplus::value(z), std::log1p(std::exp(zd)), tol));
    CHECK(near(ctnn::gelu::value(z), ref_value_gelu(zd), tol));
    CHECK(near(elu_three_halves::value(z), zd > 0 ? zd : 1.5 * std::expm1(zd), tol));
    CHECK(near(ctnn::relu::value(z), std::fmax(zd, 0.0), 0.0));
  }
}

// ------------------------------------------------------------------------------------------
// derivatives vs finite differences
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("activation: every derivative matches central finite differences",
                   "[activation][derivative]", float, double) {
  using T = TestType;
  SECTION("identity") { check_derivative_fd<ctnn::identity, T>(); }
  SECTION("sigmoid") { check_derivative_fd<ctnn::sigmoid, T>(); }
  SECTION("tanh") { check_derivative_fd<ctnn::tanh, T>(); }
  SECTION("relu") { check_derivative_fd<ctnn::relu, T>(); }
  SECTION("leaky_relu<>") { check_derivative_fd<leaky_default, T>(); }
  SECTION("leaky_relu<1,5>") { check_derivative_fd<leaky_fifth, T>(); }
  SECTION("elu<>") { check_derivative_fd<elu_default, T>(); }
  SECTION("elu<3,2>") { check_derivative_fd<elu_three_halves, T>(); }
  SECTION("softplus") { check_derivative_fd<ctnn::softplus, T>(); }
  SECTION("gelu") { check_derivative_fd<ctnn::gelu, T>(); }
  SECTION("user-defined cubic") { check_derivative_fd<cubic, T>(); }
}

// ------------------------------------------------------------------------------------------
// stability
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("activation: stable and exact for large |z|", "[activation][stability]", float,
                   double) {
  using T = TestType;
  const T big = at_run_time(T(1000));
  const T s_pos = ctnn::sigmoid::value(big), s_neg = ctnn::sigmoid::value(-big);
  CHECK(std::isfinite(s_pos));
  CHECK(std::isfinite(s_neg));
  CHECK(s_pos == T(1));
  CHECK(s_neg == T(0));
  CHECK(ctnn::sigmoid::derivative(big, s_pos) == T(0));
  CHECK(ctnn::sigmoid::derivative(-big, s_neg) == T(0));
  // sigmoid is monotone near saturation, never above 1 or below 0
  CHECK(ctnn::sigmoid::value(T(40)) <= T(1));
  CHECK(ctnn::sigmoid::value(T(-40)) >= T(0));
  CHECK(ctnn::sigmoid::value(T(-40)) > T(0));  // e^-40 ~ 4e-18 is representable in both types

  CHECK(ctnn::tanh::value(big) == T(1));
  CHECK(ctnn::tanh::value(-big) == T(-1));
  CHECK(ctnn::tanh::derivative(big, T(1)) == T(0));

  const T sp_pos = ctnn::softplus::value(big), sp_neg = ctnn::softplus::value(-big);
  CHECK(std::isfinite(sp_pos));
  CHECK(std::isfinite(sp_neg));
  CHECK(sp_pos == T(1000));
  CHECK(sp_neg >= T(0));
  CHECK(sp_neg < T(1e-30));
  CHECK(ctnn::softplus::derivative(big, sp_pos) == T(1));
  CHECK(ctnn::softplus::derivative(-big, sp_neg) == T(0));

  CHECK(elu_three_halves::value(-big) == T(-1.5));
  CHECK(elu_three_halves::derivative(-big, T(-1.5)) == T(0));
  CHECK(elu_default::value(big) == T(1000));

  const T g_pos = ctnn::gelu::value(big), g_neg = ctnn::gelu::value(-big);
  CHECK(g_pos == T(1000));
  CHECK(g_neg == T(0));
  CHECK(std::isfinite(ctnn::gelu::derivative(big, g_pos)));
  CHECK(std::isfinite(ctnn::gelu::derivative(-big, g_neg)));
  CHECK(ctnn::gelu::derivative(big, g_pos) == T(1));
  CHECK(ctnn::gelu::derivative(-big, g_neg) == T(0));
}

TEMPLATE_TEST_CASE("activation: softmax of {1000, 0, -1000} is finite and sums to 1",
                   "[activation][softmax][stability]", float, double) {
  using T = TestType;
  std::array<T, 3> a{at_run_time(T(1000)), T(0), at_run_time(T(-1000))};
  ctnn::softmax::apply(std::span<T, 3>(a));
  for (T v : a) CHECK(std::isfinite(v));
  CHECK(a[0] + a[1] + a[2] == Approx(1.0).epsilon(1e-12));
  CHECK(a[0] == T(1));
  CHECK(a[1] >= T(0));
  CHECK(a[1] < T(1e-30));
  CHECK(a[2] == T(0));

  // all equal and huge: uniform
  std::array<T, 4> u{T(5000), T(5000), T(5000), T(5000)};
  ctnn::softmax::apply(std::span<T, 4>(u));
  for (T v : u) CHECK(v == T(0.25));
  // all very negative
  std::array<T, 2> n{T(-3000), T(-3001)};
  ctnn::softmax::apply(std::span<T, 2>(n));
  CHECK(near(n[0], 1.0 / (1.0 + std::exp(-1.0)), value_tol<T>()));
  CHECK(near(n[1], 1.0 / (1.0 + std::exp(1.0)), value_tol<T>()));
}

// ------------------------------------------------------------------------------------------
// softmax values and Jacobian
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("activation: softmax hand values and shift invariance", "[activation][softmax]",
                   float, double) {
  using T = TestType;
  const double tol = value_tol<T>();
  std::array<T, 3> a{T(1), T(2), T(3)};
  ctnn::softmax::apply(std::span<T, 3>(a));
  CHECK(near(a[0], 0.09003057317038046, tol));
  CHECK(near(a[1], 0.24472847105479767, tol));
  CHECK(near(a[2], 0.6652409557748219, tol));
  std::array<T, 3> s{T(101), T(102), T(103)};
  ctnn::softmax::apply(std::span<T, 3>(s));
  for (std::size_t j = 0; j < 3; ++j) CHECK(near(s[j], a[j], tol));
  // order matters: the maximum need not come first
  std::array<T, 3> r{T(3), T(1), T(2)};
  ctnn::softmax::apply(std::span<T, 3>(r));
  CHECK(near(r[0], 0.6652409557748219, tol));
  CHECK(near(r[1], 0.09003057317038046, tol));
}

TEMPLATE_TEST_CASE("activation: softmax Jacobian matches the formula and finite differences",
                   "[activation][softmax][jacobian]", float, double) {
  using T = TestType;
  constexpr std::size_t N = 4;
  const std::array<T, N> z{T(0.3), T(-1.2), T(2.0), T(0.7)};
  std::array<T, N> a = z;
  ctnn::softmax::apply(std::span<T, N>(a));
  const auto J = ctnn::activation_jacobian<ctnn::softmax>(z, a);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(J)>,
                                std::array<std::array<T, N>, N>>);
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-15;
  for (std::size_t j = 0; j < N; ++j)
    for (std::size_t k = 0; k < N; ++k) {
      const double formula = static_cast<double>(a[j]) *
                             ((j == k ? 1.0 : 0.0) - static_cast<double>(a[k]));
      CHECK(near(J[j][k], formula, tol));
    }
  // finite differences in double: J[j][k] = da_j / dz_k
  const double h = 1e-6;
  for (std::size_t k = 0; k < N; ++k) {
    std::array<double, N> zp{}, zm{};
    for (std::size_t i = 0; i < N; ++i) zp[i] = zm[i] = static_cast<double>(z[i]);
    zp[k] += h;
    zm[k] -= h;
    ctnn::softmax::apply(std::span<double, N>(zp));
    ctnn::softmax::apply(std::span<double, N>(zm));
    for (std::size_t j = 0; j < N; ++j) {
      INFO("j " << j << " k " << k);
      CHECK(near(J[j][k], (zp[j] - zm[j]) / (2 * h), std::is_same_v<T, float> ? 2e-6 : 1e-8));
    }
  }
  // rows and columns of the softmax Jacobian sum to zero (sum_j a_j = 1)
  for (std::size_t k = 0; k < N; ++k) {
    double col = 0, row = 0;
    for (std::size_t j = 0; j < N; ++j) {
      col += static_cast<double>(J[j][k]);
      row += static_cast<double>(J[k][j]);
    }
    CHECK(std::fabs(col) < 1e-6);
    CHECK(std::fabs(row) < 1e-6);
  }
}

TEMPLATE_TEST_CASE("activation: activation_jacobian layout J[j][k] = da_j/dz_k", "[activation]",
                   float, double) {
  using T = TestType;
  constexpr std::size_t N = 3;
  const std::array<T, N> z{T(0.5), T(-2), T(1.5)};
  SECTION("element-wise: diagonal of f'") {
    std::array<T, N> a{};
    for (std::size_t j = 0; j < N; ++j) a[j] = ctnn::tanh::value(z[j]);
    const auto J = ctnn::activation_jacobian<ctnn::tanh>(z, a);
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t k = 0; k < N; ++k)
        CHECK(J[j][k] == (j == k ? ctnn::tanh::derivative(z[j], a[j]) : T(0)));
  }
  SECTION("user vector activation with a non-symmetric Jacobian") {
    std::array<T, N> a = z;
    mix_next::apply(std::span<T, N>(a));
    CHECK(a[0] == T(0.5) + T(0.25) * T(4));     // z0 + z1^2/4
    CHECK(a[2] == T(1.5) + T(0.25) * T(0.25));  // z2 + z0^2/4
    const auto J = ctnn::activation_jacobian<mix_next>(z, a);
    // J[j][k] = delta_jk + z_{j+1}/2 delta_{k, j+1}
    CHECK(J[0][0] == T(1));
    CHECK(J[0][1] == T(-1));    // z1 / 2
    CHECK(J[1][2] == T(0.75));  // z2 / 2
    CHECK(J[2][0] == T(0.25));  // z0 / 2
    CHECK(J[1][0] == T(0));
    CHECK(J[0][2] == T(0));
  }
}

// ------------------------------------------------------------------------------------------
// compile time == run time
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("activation: compile-time values equal run-time values bit for bit",
                   "[activation][constexpr]", float, double) {
  using T = TestType;
  STATIC_REQUIRE(ctnn::sigmoid::value(T(0)) == T(0.5));
  STATIC_REQUIRE(ctnn::tanh::value(T(0)) == T(0));
  STATIC_REQUIRE(ctnn::relu::value(T(-3)) == T(0));
  STATIC_REQUIRE(ctnn::gelu::value(T(0)) == T(0));
  STATIC_REQUIRE(ctnn::sigmoid::value(T(1000)) == T(1));
  STATIC_REQUIRE(ctnn::sigmoid::value(T(-1000)) == T(0));
  check_constexpr_equals_runtime<ctnn::identity, T>();
  check_constexpr_equals_runtime<ctnn::sigmoid, T>();
  check_constexpr_equals_runtime<ctnn::tanh, T>();
  check_constexpr_equals_runtime<ctnn::relu, T>();
  check_constexpr_equals_runtime<leaky_fifth, T>();
  check_constexpr_equals_runtime<elu_three_halves, T>();
  check_constexpr_equals_runtime<ctnn::softplus, T>();
  check_constexpr_equals_runtime<ctnn::gelu, T>();

  constexpr std::array<T, 3> sm = [] {
    std::array<T, 3> v{T(1000), T(0), T(-1000)};
    ctnn::softmax::apply(std::span<T, 3>(v));
    return v;
  }();
  STATIC_REQUIRE(sm[0] == T(1));
  STATIC_REQUIRE(sm[2] == T(0));
  constexpr std::array<T, 3> sm2 = [] {
    std::array<T, 3> v{T(0.5), T(-1.25), T(2)};
    ctnn::softmax::apply(std::span<T, 3>(v));
    return v;
  }();
  std::array<T, 3> rt{at_run_time(T(0.5)), at_run_time(T(-1.25)), at_run_time(T(2))};
  ctnn::softmax::apply(std::span<T, 3>(rt));
  for (std::size_t j = 0; j < 3; ++j) CHECK(bits(sm2[j]) == bits(rt[j]));
}

// ------------------------------------------------------------------------------------------
// user-defined activations inside a network
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("activation: a user-defined element-wise activation works in a network",
                   "[activation][network]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<2, cubic>, ctnn::dense<1>>;
  STATIC_REQUIRE(std::is_same_v<typename net_t::template layer_type<0>::activation, cubic>);
  // W1 = [[1, 2], [-1, 0.5]], b1 = [0, 1]; W2 = [[2, -3]], b2 = [0.5]
  constexpr net_t net{typename net_t::flat_type{T(1), T(2), T(-1), T(0.5), T(0), T(1), T(2), T(-3),
                                                T(0.5)}};
  // x = (1, -1): u = (1 - 2, -1 - 0.5 + 1) = (-1, -0.5)
  // h = u + u^3/3 = (-4/3, -0.5 - 1/24); y = 2 h0 - 3 h1 + 0.5
  const double h0 = -1.0 - 1.0 / 3.0, h1 = -0.5 - 0.125 / 3.0;
  const double y = 2 * h0 - 3 * h1 + 0.5;
  constexpr auto y_ct = net.forward({T(1), T(-1)});
  const auto y_rt = net.forward({at_run_time(T(1)), T(-1)});
  CHECK(near(y_rt[0], y, value_tol<T>()));
  CHECK(bits(y_ct[0]) == bits(y_rt[0]));
  // the backward pass uses cubic::derivative: dy/dx = W1^T (f'(u) * W2^T)
  const auto t = net.traced({T(1), T(-1)});
  ctnn::gradients<net_t> g{};
  const auto dx = ctnn::backward(net, t, {T(1)}, g);
  const double d0 = 2 * (1 + 1.0), d1 = -3 * (1 + 0.25);  // W2_j * f'(u_j)
  CHECK(near(dx[0], 1 * d0 + -1 * d1, value_tol<T>()));
  CHECK(near(dx[1], 2 * d0 + 0.5 * d1, value_tol<T>()));
  CHECK(near(g.template layer<0>().W[1][0], d1 * 1, value_tol<T>()));  // input 0 -> unit 1
}

TEMPLATE_TEST_CASE("activation: a user-defined vector activation works in a hidden layer",
                   "[activation][network]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<3, mix_next>, ctnn::dense<1>>;
  net_t net{};
  auto& l0 = net.template layer<0>();
  l0.W = {{{T(1), T(0)}, {T(0), T(1)}, {T(1), T(1)}}};
  l0.b = {T(0), T(0), T(-1)};
  net.template layer<1>().W = {{{T(1), T(2), T(4)}}};
  // x = (2, -1): z = (2, -1, 0); a = (2 + 1/4, -1 + 0, 0 + 1) = (2.25, -1, 1)
  const auto t = net.traced({T(2), T(-1)});
  CHECK(t.template layer<0>().a == std::array<T, 3>{T(2.25), T(-1), T(1)});
  CHECK(net.forward({T(2), T(-1)})[0] == T(2.25 - 2 + 4));
  // dL/da = W2^T = (1, 2, 4); dL/dz_k = g_k + z_k/2 g_{k-1}: (1 + 1*4, 2 - 0.5*1, 4 + 0)
  ctnn::gradients<net_t> g{};
  const auto dx = ctnn::backward(net, t, {T(1)}, g);
  CHECK(g.template layer<0>().b == std::array<T, 3>{T(5), T(1.5), T(4)});
  CHECK(dx == std::array<T, 2>{T(5 + 4), T(1.5 + 4)});
}

// ------------------------------------------------------------------------------------------
// Accuracy where the textbook formulas cancel
// ------------------------------------------------------------------------------------------

namespace {

/// |a - ref| / |ref|
double rel(double a, double ref) { return std::fabs(a - ref) / std::fabs(ref); }

}  // namespace

TEST_CASE("activation accuracy: elu' = alpha e^z for very negative z", "[activation][accuracy]") {
  // References: alpha * e^z with mpmath at 50 digits, rounded to double:
  //   /usr/bin/python3 -c "import mpmath as m; m.mp.dps = 50; print(float(m.exp(-25)),
  //       float(1.5 * m.exp(-30)), float(m.exp(-12)))"
  // (torch float64: torch.autograd of F.elu at -25 gives the same 1.3887943864964021e-11.)
  // The old a + alpha = expm1(z) + alpha cancels: 3.8e-6 relative error at z = -25 (double),
  // 1e-2 at z = -12 (float); alpha e^z is within a few ulps.
  const double z25 = at_run_time(-25.0), z30 = at_run_time(-30.0);
  CHECK(rel(elu_default::derivative(z25, elu_default::value(z25)), 1.3887943864964021e-11) <=
        1e-15);
  CHECK(rel(elu_three_halves::derivative(z30, elu_three_halves::value(z30)),
            1.4036434453260263e-13) <= 1e-15);
  const float z12 = at_run_time(-12.0f);
  CHECK(rel(elu_default::derivative(z12, elu_default::value(z12)), 6.14421235332821e-06) <=
        5e-7);
  // and the same bits in a constant expression
  constexpr double ct = elu_default::derivative(-25.0, elu_default::value(-25.0));
  CHECK(bits(ct) == bits(elu_default::derivative(z25, elu_default::value(z25))));
  // large positive z: f' = 1 and the unused branch does not overflow
  CHECK(elu_default::derivative(at_run_time(1e30), 1e30) == 1.0);
  CHECK(elu_default::derivative(at_run_time(-1e30), -1.0) == 0.0);
}

TEST_CASE("activation accuracy: gelu through 2 sigmoid(2u) for negative z",
          "[activation][accuracy]") {
  // References: the defining formula z/2 (1 + tanh(u)) and its derivative, evaluated with
  // mpmath at 50 digits and rounded to double:
  //   import mpmath as m; m.mp.dps = 50; c = m.sqrt(2/m.pi); k = m.mpf('0.044715')
  //   u = c*(z + k*z**3); t = m.tanh(u)
  //   f = z/2*(1 + t); df = (1 + t)/2 + z/2*(1 - t*t)*c*(1 + 3*k*z*z)
  // (torch float64 F.gelu(approximate='tanh') is itself 1e-8 off here: its 1 + tanh cancels.)
  // 1 + tanh(u) cancels for negative z: 30 % off at z = -5 in float, 1e-9 in double, and in
  // double tanh(u) rounds to -1 at z = -10 (value 0). The tolerances allow for the condition
  // of f at these points (|z f'/f| = 35 at z = -5, 230 at z = -10), not for the cancellation.
  const float f5 = at_run_time(-5.0f);
  CHECK(rel(ctnn::gelu::value(f5), -2.291796196629506e-07) <= 4e-6);
  CHECK(rel(ctnn::gelu::derivative(f5, ctnn::gelu::value(f5)), -1.5463619875325946e-06) <= 4e-6);
  const double d5 = at_run_time(-5.0), d10 = at_run_time(-10.0), d3 = at_run_time(-3.0);
  CHECK(rel(ctnn::gelu::value(d5), -2.291796196629506e-07) <= 1e-14);
  CHECK(rel(ctnn::gelu::derivative(d5, 0.0), -1.5463619875325946e-06) <= 1e-14);
  CHECK(rel(ctnn::gelu::value(d10), -1.2040923482098107e-37) <= 1e-13);
  CHECK(rel(ctnn::gelu::derivative(d10, 0.0), -2.7576380638540425e-36) <= 1e-13);
  CHECK(rel(ctnn::gelu::value(d3), -0.003637392081773019) <= 1e-14);
  CHECK(rel(ctnn::gelu::derivative(d3, 0.0), -0.011584166630969726) <= 1e-14);
  // positive z keeps its accuracy
  CHECK(rel(ctnn::gelu::value(at_run_time(2.0)), 1.954597694087775) <= 1e-15);
  CHECK(rel(ctnn::gelu::derivative(at_run_time(2.0), 0.0), 1.0860992566236183) <= 1e-14);
  // compile time = run time
  constexpr float ct = ctnn::gelu::value(-5.0f);
  CHECK(bits(ct) == bits(ctnn::gelu::value(f5)));
}
