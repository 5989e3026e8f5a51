// SPDX-License-Identifier: MIT
// Tests for <ctnn/jacobian.hpp>: the notes' denominator layout (J(i, j) = dy_j / dx_i, a p x q
// matrix), transposed(), the Jacobian against finite differences, vjp == J v, jvp == J^T u, and
// the constexpr Jacobian equal to the run-time one.
#include <ctnn/jacobian.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <catch2/catch.hpp>

namespace {

bool near(double a, double b, double rtol) {
  const double scale = std::fmax(1.0, std::fmax(std::fabs(a), std::fabs(b)));
  return std::fabs(a - b) <= rtol * scale;
}

template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(v);
  else return std::bit_cast<std::uint64_t>(v);
}

template <class T>
T at_run_time(T v) {
  volatile T x = v;
  return x;
}

template <class Net>
constexpr Net make(std::uint64_t seed, double scale = 0.9) {
  using T = typename Net::value_type;
  Net n{};
  std::uint64_t s = seed;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    n[k] = static_cast<T>((static_cast<double>(s >> 11) * (1.0 / 9007199254740992.0) * 2 - 1) *
                          scale);
  }
  return n;
}

/// The same network in double (finite differences in double for both element types).
template <class Net, class NetD>
NetD to_double(const Net& n) {
  NetD d{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k) d[k] = static_cast<double>(n[k]);
  return d;
}

/// A vector activation with a non-symmetric Jacobian (a_j = z_j + z_{j+1}^2 / 4), so that
/// confusing J with J^T shows.
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

template <class T, class Out = ctnn::sigmoid>
using net_of = ctnn::network<T, ctnn::input<3>, ctnn::dense<5, ctnn::tanh>,
                             ctnn::dense<4, mix_next>, ctnn::dense<2, Out>>;

template <class T>
constexpr double fd_tol() {
  return std::is_same_v<T, float> ? 2e-6 : 1e-8;
}

template <class Net>
void check_against_fd(const Net& net, const typename Net::input_type& x) {
  using T = typename Net::value_type;
  using NetD = ctnn::network<double, typename Net::input_spec, ctnn::dense<5, ctnn::tanh>,
                             ctnn::dense<4, mix_next>,
                             ctnn::dense<2, typename Net::template layer_type<2>::activation>>;
  const NetD nd = to_double<Net, NetD>(net);
  const auto J = ctnn::jacobian(net, x);
  const double h = 1e-6;
  double max_abs = 0;
  for (std::size_t i = 0; i < Net::input_size; ++i) {
    typename NetD::input_type xp{}, xm{};
    for (std::size_t k = 0; k < Net::input_size; ++k) xp[k] = xm[k] = static_cast<double>(x[k]);
    xp[i] += h;
    xm[i] -= h;
    const auto yp = nd.forward(xp), ym = nd.forward(xm);
    for (std::size_t j = 0; j < Net::output_size; ++j) {
      const double fd = (yp[j] - ym[j]) / (2 * h);
      INFO("J(" << i << ", " << j << ") = " << J(i, j) << ", finite difference " << fd);
      CHECK(near(J(i, j), fd, fd_tol<T>()));
      max_abs = std::fmax(max_abs, std::fabs(fd));
    }
  }
  CHECK(max_abs > 0.05);
}

}  // namespace

TEMPLATE_TEST_CASE("jacobian: denominator layout, p x q, J(i, j) = dy_j/dx_i", "[jacobian]",
                   float, double) {
  using T = TestType;
  // A single identity layer y = W x + b has dy_j/dx_i = W[j][i], so J = W^T exactly.
  using lin_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<2>>;
  lin_t lin{};
  lin.template layer<0>().W = {{{T(1), T(2), T(3)}, {T(4), T(5), T(6)}}};
  lin.template layer<0>().b = {T(-7), T(8)};
  const auto J = ctnn::jacobian(lin, {T(0.5), T(-2), T(9)});
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(J)>, ctnn::jacobian_matrix<T, 3, 2>>);
  STATIC_REQUIRE(std::is_same_v<decltype(J.d), std::array<std::array<T, 2>, 3>>);  // p rows, q cols
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      CHECK(J(i, j) == lin.template layer<0>().W[j][i]);
      CHECK(J.d[i][j] == J(i, j));
    }
  CHECK(J(0, 1) == T(4));  // dy_1/dx_0 = w_{0,1}
  CHECK(J(2, 0) == T(3));  // dy_0/dx_2 = w_{2,0}

  // transposed(): numerator layout, q x p, [j][i] = dy_j/dx_i = W itself here
  const auto Jt = J.transposed();
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(Jt)>, std::array<std::array<T, 3>, 2>>);
  CHECK(Jt == lin.template layer<0>().W);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 2; ++j) CHECK(Jt[j][i] == J(i, j));
  // vjp = J v = W^T v and jvp = J^T u = W u, exactly, for the linear layer
  CHECK(ctnn::vjp(lin, {T(0.5), T(-2), T(9)}, {T(1), T(-2)}) ==
        std::array<T, 3>{T(1 - 8), T(2 - 10), T(3 - 12)});
  CHECK(ctnn::jvp(lin, {T(0.5), T(-2), T(9)}, {T(1), T(0), T(-1)}) ==
        std::array<T, 2>{T(1 - 3), T(4 - 6)});
  // ==
  CHECK(J == ctnn::jacobian(lin, {T(100), T(0), T(-1)}));  // linear: independent of x
  auto J2 = J;
  J2.d[1][0] = T(0);
  CHECK_FALSE(J2 == J);
}

TEMPLATE_TEST_CASE("jacobian: matches finite differences", "[jacobian]", float, double) {
  using T = TestType;
  SECTION("sigmoid output") {
    check_against_fd(make<net_of<T>>(1), {T(0.4), T(-0.9), T(0.3)});
    check_against_fd(make<net_of<T>>(2), {T(-1.2), T(0.1), T(0.8)});
  }
  SECTION("softmax output") {
    const auto n = make<net_of<T, ctnn::softmax>>(3);
    const typename net_of<T, ctnn::softmax>::input_type x{T(0.7), T(0.2), T(-0.6)};
    check_against_fd(n, x);
    // softmax outputs sum to 1, so every row of J sums to 0
    const auto J = ctnn::jacobian(n, x);
    for (std::size_t i = 0; i < 3; ++i) CHECK(std::fabs(static_cast<double>(J(i, 0) + J(i, 1))) < 1e-6);
  }
  SECTION("identity output") { check_against_fd(make<net_of<T, ctnn::identity>>(4), {T(0.1), T(0.2), T(0.3)}); }
}

TEMPLATE_TEST_CASE("jacobian: vjp == J v and jvp == J^T u", "[jacobian]", float, double) {
  using T = TestType;
  using net_t = net_of<T, ctnn::softmax>;
  const auto n = make<net_t>(5);
  const typename net_t::input_type x{T(-0.3), T(0.9), T(0.45)};
  const auto J = ctnn::jacobian(n, x);
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;

  const typename net_t::output_type v{T(1.5), T(-0.75)};
  const auto Jv = ctnn::vjp(n, x, v);  // p-vector: sum_j J(i, j) v_j
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(Jv)>, typename net_t::input_type>);
  for (std::size_t i = 0; i < 3; ++i) {
    const double e = static_cast<double>(J(i, 0)) * static_cast<double>(v[0]) +
                     static_cast<double>(J(i, 1)) * static_cast<double>(v[1]);
    CHECK(near(Jv[i], e, tol));
  }
  // vjp with a unit vector is a column of J
  for (std::size_t j = 0; j < 2; ++j) {
    typename net_t::output_type e{};
    e[j] = T(1);
    const auto col = ctnn::vjp(n, x, e);
    for (std::size_t i = 0; i < 3; ++i) CHECK(bits(col[i]) == bits(J(i, j)));
  }

  const typename net_t::input_type u{T(0.5), T(2), T(-1)};
  const auto Ju = ctnn::jvp(n, x, u);  // q-vector: sum_i J(i, j) u_i
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(Ju)>, typename net_t::output_type>);
  for (std::size_t j = 0; j < 2; ++j) {
    double e = 0;
    for (std::size_t i = 0; i < 3; ++i) e += static_cast<double>(J(i, j)) * static_cast<double>(u[i]);
    CHECK(near(Ju[j], e, tol));
  }
  // jvp with a unit vector is a row of J (forward mode agrees with reverse mode)
  for (std::size_t i = 0; i < 3; ++i) {
    typename net_t::input_type e{};
    e[i] = T(1);
    const auto row = ctnn::jvp(n, x, e);
    for (std::size_t j = 0; j < 2; ++j) CHECK(near(row[j], J(i, j), tol));
  }
  // vjp is the dL/dx of ctnn::backward for dL/dy = v
  ctnn::gradients<net_t> g{};
  CHECK(ctnn::backward(n, n.traced(x), v, g) == Jv);
}

TEMPLATE_TEST_CASE("jacobian: non-square, wide and deep networks", "[jacobian]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<9>, ctnn::dense<12, ctnn::gelu>,
                              ctnn::dense<10, ctnn::elu<>>, ctnn::dense<8, ctnn::softplus>,
                              ctnn::dense<7, ctnn::tanh>, ctnn::dense<4, ctnn::identity>>;
  using net_d = ctnn::network<double, ctnn::input<9>, ctnn::dense<12, ctnn::gelu>,
                              ctnn::dense<10, ctnn::elu<>>, ctnn::dense<8, ctnn::softplus>,
                              ctnn::dense<7, ctnn::tanh>, ctnn::dense<4, ctnn::identity>>;
  const auto n = make<net_t>(6, 0.5);
  const net_d nd = to_double<net_t, net_d>(n);
  typename net_t::input_type x{};
  for (std::size_t i = 0; i < 9; ++i) x[i] = T(static_cast<int>(i) - 4) / T(5);
  const auto J = ctnn::jacobian(n, x);
  STATIC_REQUIRE(std::is_same_v<decltype(J.d), std::array<std::array<T, 4>, 9>>);
  const double h = 1e-6;
  for (std::size_t i = 0; i < 9; ++i) {
    typename net_d::input_type xp{}, xm{};
    for (std::size_t k = 0; k < 9; ++k) xp[k] = xm[k] = static_cast<double>(x[k]);
    xp[i] += h;
    xm[i] -= h;
    const auto yp = nd.forward(xp), ym = nd.forward(xm);
    for (std::size_t j = 0; j < 4; ++j) CHECK(near(J(i, j), (yp[j] - ym[j]) / (2 * h), fd_tol<T>()));
  }
}

TEMPLATE_TEST_CASE("jacobian: constexpr jacobian, vjp and jvp equal run time", "[jacobian][constexpr]",
                   float, double) {
  using T = TestType;
  using net_t = net_of<T, ctnn::sigmoid>;
  constexpr net_t n = make<net_t>(7);
  constexpr typename net_t::input_type x{T(0.25), T(-0.5), T(1)};
  constexpr auto J = ctnn::jacobian(n, x);
  constexpr auto Jv = ctnn::vjp(n, x, {T(1), T(-1)});
  constexpr auto Ju = ctnn::jvp(n, x, {T(0), T(1), T(2)});
  STATIC_REQUIRE(J(0, 0) != T(0));
  STATIC_REQUIRE(J.transposed()[1][2] == J(2, 1));

  const net_t n_rt = make<net_t>(at_run_time(std::uint64_t{7}));
  const typename net_t::input_type x_rt{at_run_time(x[0]), x[1], x[2]};
  const auto J_rt = ctnn::jacobian(n_rt, x_rt);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 2; ++j) CHECK(bits(J_rt(i, j)) == bits(J(i, j)));
  const auto Jv_rt = ctnn::vjp(n_rt, x_rt, {T(1), T(-1)});
  const auto Ju_rt = ctnn::jvp(n_rt, x_rt, {T(0), T(1), T(2)});
  for (std::size_t i = 0; i < 3; ++i) CHECK(bits(Jv_rt[i]) == bits(Jv[i]));
  for (std::size_t j = 0; j < 2; ++j) CHECK(bits(Ju_rt[j]) == bits(Ju[j]));
}
