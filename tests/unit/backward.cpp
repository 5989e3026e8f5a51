// SPDX-License-Identifier: MIT
// Tests for <ctnn/backward.hpp>: the notes' 2-2-1 worked example reproduced step by step with
// numbers computed by hand, the gradients type (shape, accumulation, clear, scale, samples),
// dL/dx against finite differences, output_delta / backward_from_output_delta, constexpr.
#include <ctnn/backward.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <catch2/catch.hpp>

namespace {

bool near(double a, double b, double rtol) {
  const double scale = std::fmax(1.0, std::fmax(std::fabs(a), std::fabs(b)));
  return std::fabs(a - b) <= rtol * scale;
}

template <class T>
constexpr double tol() {
  return std::is_same_v<T, float> ? 2e-6 : 1e-14;
}

template <class T>
T at_run_time(T v) {
  volatile T x = v;
  return x;
}

template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(v);
  else return std::bit_cast<std::uint64_t>(v);
}

template <class P>
bool bit_equal_params(const P& a, const P& b) {
  for (std::size_t k = 0; k < P::parameter_count; ++k)
    if (bits(a[k]) != bits(b[k])) return false;
  return true;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

template <class Net>
constexpr Net make(std::uint64_t seed, double scale = 0.8) {
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

// -------------------------------------------------------------------------------------------
// The notes' 2-2-1 example. Notes' names -> ctnn storage (W[j][i] = w_{i,j}):
//   w00^1 = W1[0][0]  w10^1 = W1[0][1]  (inputs 0, 1 -> hidden unit 0),  b0^1 = b1[0]
//   w01^1 = W1[1][0]  w11^1 = W1[1][1]  (inputs 0, 1 -> hidden unit 1),  b1^1 = b1[1]
//   w00^2 = W2[0][0]  w10^2 = W2[0][1]  (hidden 0, 1 -> output 0),        b0^2 = b2[0]
// -------------------------------------------------------------------------------------------
constexpr double x0 = 0.5, x1 = -1.0;
constexpr double w00_1 = 0.15, w10_1 = 0.20, w01_1 = 0.25, w11_1 = 0.30, b0_1 = 0.35, b1_1 = -0.10;
constexpr double w00_2 = 0.40, w10_2 = 0.45, b0_2 = 0.60;

template <class Net>
Net notes_network() {
  using T = typename Net::value_type;
  Net net{};
  auto& h = net.template layer<0>();
  auto& o = net.template layer<1>();
  h.W[0][0] = T(w00_1);
  h.W[0][1] = T(w10_1);
  h.b[0] = T(b0_1);
  h.W[1][0] = T(w01_1);
  h.W[1][1] = T(w11_1);
  h.b[1] = T(b1_1);
  o.W[0][0] = T(w00_2);
  o.W[0][1] = T(w10_2);
  o.b[0] = T(b0_2);
  return net;
}

/// The whole worked example for output activation G (sigmoid or identity), f = sigmoid,
/// loss = MSE = (y - y')^2 with n = 1 (y the truth, y' the prediction).
template <class T, class G>
void notes_example(double truth, const double (&literal)[9]) {
  using net_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<2, ctnn::sigmoid>, ctnn::dense<1, G>>;
  const net_t net = notes_network<net_t>();
  // the parameters are where the notes' names say
  CHECK(net[0] == T(w00_1));
  CHECK(net[1] == T(w10_1));
  CHECK(net[2] == T(w01_1));
  CHECK(net[3] == T(w11_1));
  const auto xd = [](double v) { return static_cast<double>(static_cast<T>(v)); };  // as stored

  // ---- forward, by hand ----
  const double u0 = xd(x0) * xd(w00_1) + xd(x1) * xd(w10_1) + xd(b0_1);
  const double u1 = xd(x0) * xd(w01_1) + xd(x1) * xd(w11_1) + xd(b1_1);
  const double h0 = sigmoid(u0), h1 = sigmoid(u1);  // x0^2 = f(u0), x1^2 = f(u1)
  const double u2 = h0 * xd(w00_2) + h1 * xd(w10_2) + xd(b0_2);
  const bool g_is_sigmoid = std::is_same_v<G, ctnn::sigmoid>;
  const double y0 = g_is_sigmoid ? sigmoid(u2) : u2;  // y0 = g(u2)
  const double loss = (truth - y0) * (truth - y0);
  // the hand formulas against values computed independently (Python, double)
  CHECK(near(u0, literal[0], 1e-7));
  CHECK(near(u1, literal[1], 1e-7));
  CHECK(near(h0, literal[2], 1e-7));
  CHECK(near(h1, literal[3], 1e-7));
  CHECK(near(u2, literal[4], 1e-7));
  CHECK(near(y0, literal[5], 1e-7));
  CHECK(near(loss, literal[6], 1e-7));

  // ---- forward, by ctnn ----
  const auto t = net.traced({T(x0), T(x1)});
  CHECK(near(t.template layer<0>().z[0], u0, tol<T>()));
  CHECK(near(t.template layer<0>().z[1], u1, tol<T>()));
  CHECK(near(t.template layer<0>().a[0], h0, tol<T>()));
  CHECK(near(t.template layer<0>().a[1], h1, tol<T>()));
  CHECK(near(t.template layer<1>().z[0], u2, tol<T>()));
  CHECK(near(t.output()[0], y0, tol<T>()));

  // ---- output layer: dLoss/dw00^2 = dLoss/dg(u2) * dg(u2)/du2 * du2/dw00^2 ----
  const double dL_dg = 2.0 * (y0 - truth);           // d/dy' (y - y')^2
  const double dg_du2 = g_is_sigmoid ? y0 * (1.0 - y0) : 1.0;
  const double du2_dw00_2 = h0;                      // u2 = x0^2 w00^2 + x1^2 w10^2 + b0^2
  const double du2_dw10_2 = h1;
  const double dL_dw00_2 = dL_dg * dg_du2 * du2_dw00_2;
  const double dL_dw10_2 = dL_dg * dg_du2 * du2_dw10_2;
  const double dL_db0_2 = dL_dg * dg_du2 * 1.0;
  CHECK(near(dL_dw00_2, literal[7], 1e-7));

  // ---- hidden layer:
  //   dLoss/dw00^1 = dLoss/dg(u2) * dg(u2)/du2 * du2/df(u0) * df(u0)/du0 * du0/dw00^1 ----
  const double du2_df0 = xd(w00_2), du2_df1 = xd(w10_2);
  const double df_du0 = h0 * (1.0 - h0), df_du1 = h1 * (1.0 - h1);
  const double dL_dw00_1 = dL_dg * dg_du2 * du2_df0 * df_du0 * xd(x0);  // du0/dw00^1 = x0
  const double dL_dw10_1 = dL_dg * dg_du2 * du2_df0 * df_du0 * xd(x1);  // du0/dw10^1 = x1
  const double dL_db0_1 = dL_dg * dg_du2 * du2_df0 * df_du0;
  const double dL_dw01_1 = dL_dg * dg_du2 * du2_df1 * df_du1 * xd(x0);  // du1/dw01^1 = x0
  const double dL_dw11_1 = dL_dg * dg_du2 * du2_df1 * df_du1 * xd(x1);
  const double dL_db1_1 = dL_dg * dg_du2 * du2_df1 * df_du1;
  CHECK(near(dL_dw00_1, literal[8], 1e-7));
  // dLoss/dx_i = sum_j dLoss/du_j * du_j/dx_i
  const double dL_dx0 = dL_dg * dg_du2 * (du2_df0 * df_du0 * xd(w00_1) + du2_df1 * df_du1 * xd(w01_1));
  const double dL_dx1 = dL_dg * dg_du2 * (du2_df0 * df_du0 * xd(w10_1) + du2_df1 * df_du1 * xd(w11_1));

  // ---- ctnn::backward ----
  ctnn::gradients<net_t> g{};
  const typename net_t::output_type dL_dy{static_cast<T>(2.0 * (static_cast<double>(t.output()[0]) - truth))};
  const auto dx = ctnn::backward(net, t, dL_dy, g);
  const auto& g1 = g.template layer<0>();
  const auto& g2 = g.template layer<1>();
  CHECK(near(g2.W[0][0], dL_dw00_2, tol<T>()));
  CHECK(near(g2.W[0][1], dL_dw10_2, tol<T>()));
  CHECK(near(g2.b[0], dL_db0_2, tol<T>()));
  CHECK(near(g1.W[0][0], dL_dw00_1, tol<T>()));
  CHECK(near(g1.W[0][1], dL_dw10_1, tol<T>()));
  CHECK(near(g1.W[1][0], dL_dw01_1, tol<T>()));  // w01^1: input 0 -> unit 1
  CHECK(near(g1.W[1][1], dL_dw11_1, tol<T>()));
  CHECK(near(g1.b[0], dL_db0_1, tol<T>()));
  CHECK(near(g1.b[1], dL_db1_1, tol<T>()));
  CHECK(near(dx[0], dL_dx0, tol<T>()));
  CHECK(near(dx[1], dL_dx1, tol<T>()));
  CHECK(g.samples == 1);
  // the asymmetric choice of weights makes the transposed convention detectable
  CHECK_FALSE(near(dL_dw10_1, dL_dw01_1, 1e-3));
}

}  // namespace

TEMPLATE_TEST_CASE("backward: the notes' 2-2-1 worked example, sigmoid output",
                   "[backward][notes]", float, double) {
  // u0, u1, x0^2, x1^2, u2, y0, Loss, dLoss/dw00^2, dLoss/dw00^1 (Python, double)
  const double literal[9] = {0.22499999999999998, -0.275, 0.5560138905446199, 0.4316800165217519,
                             1.0166615636526364, 0.7343218026289178, 0.5246420737636049,
                             0.15714100774515952, 0.013953684932934226};
  notes_example<TestType, ctnn::sigmoid>(0.01, literal);
}

TEMPLATE_TEST_CASE("backward: the notes' 2-2-1 worked example, identity output",
                   "[backward][notes]", float, double) {
  const double literal[9] = {0.22499999999999998, -0.275, 0.5560138905446199, 0.4316800165217519,
                             1.0166615636526364, 1.0166615636526364, 0.5136037968170417,
                             0.7969475684205862, 0.07076673006859628};
  notes_example<TestType, ctnn::identity>(0.3, literal);
}

TEMPLATE_TEST_CASE("backward: gradients has the network's shape and starts at zero",
                   "[backward][gradients]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2>>;
  using g_t = ctnn::gradients<net_t>;
  STATIC_REQUIRE(std::is_base_of_v<typename net_t::parameters_type, g_t>);
  STATIC_REQUIRE(std::is_same_v<typename g_t::network_type, net_t>);
  STATIC_REQUIRE(std::is_same_v<typename g_t::value_type, T>);
  STATIC_REQUIRE(g_t::parameter_count == net_t::parameter_count);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(std::declval<g_t&>().template layer<0>())>,
                                typename net_t::template layer_type<0>>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<g_t>);
  const g_t g{};
  CHECK(g.samples == 0);
  for (std::size_t k = 0; k < g_t::parameter_count; ++k) CHECK(g[k] == T(0));
}

TEMPLATE_TEST_CASE("backward: accumulation over two samples is the sum; clear and scale",
                   "[backward][gradients]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>,
                              ctnn::dense<3, ctnn::sigmoid>, ctnn::dense<2>>;
  const net_t net = make<net_t>(17);
  const typename net_t::input_type xa{T(0.5), T(-1), T(0.25)}, xb{T(-0.75), T(0.1), T(1.5)};
  const typename net_t::output_type ga{T(1), T(-0.5)}, gb{T(0.25), T(2)};
  ctnn::gradients<net_t> g_a{}, g_b{}, g_ab{};
  const auto dx_a = ctnn::backward(net, net.traced(xa), ga, g_a);
  (void)ctnn::backward(net, net.traced(xb), gb, g_b);
  const auto dx_a2 = ctnn::backward(net, net.traced(xa), ga, g_ab);
  (void)ctnn::backward(net, net.traced(xb), gb, g_ab);
  CHECK(dx_a == dx_a2);  // dL/dx does not depend on what was accumulated before
  CHECK(g_a.samples == 1);
  CHECK(g_ab.samples == 2);
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) {
    INFO("k = " << k);
    CHECK(g_ab[k] == g_a[k] + g_b[k]);  // the same additions in the same order: exact
  }
  std::size_t nonzero = 0;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) nonzero += g_a[k] != T(0);
  CHECK(nonzero == net_t::parameter_count);

  // scale(1/2): the mean of the two
  auto mean = g_ab;
  mean.scale(T(0.5));
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) CHECK(mean[k] == g_ab[k] * T(0.5));
  CHECK(mean.samples == 2);  // scale does not touch the count

  // clear: zero again, count reset, and accumulation restarts from scratch
  g_ab.clear();
  CHECK(g_ab.samples == 0);
  CHECK(g_ab == ctnn::gradients<net_t>{});
  (void)ctnn::backward(net, net.traced(xa), ga, g_ab);
  CHECK(g_ab == g_a);
}

TEMPLATE_TEST_CASE("backward: returns dL/dx matching finite differences", "[backward]", float,
                   double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<4>, ctnn::dense<6, ctnn::tanh>,
                              ctnn::dense<5, ctnn::gelu>, ctnn::dense<3, ctnn::softmax>>;
  const net_t net = make<net_t>(23);
  // the same network in double, for the finite differences
  using net_d = ctnn::network<double, ctnn::input<4>, ctnn::dense<6, ctnn::tanh>,
                              ctnn::dense<5, ctnn::gelu>, ctnn::dense<3, ctnn::softmax>>;
  net_d nd{};
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) nd[k] = static_cast<double>(net[k]);
  const typename net_t::input_type x{T(0.3), T(-0.8), T(1.1), T(0.05)};
  const typename net_t::output_type c{T(1), T(-2), T(0.5)};  // L = sum_j c_j y_j
  ctnn::gradients<net_t> g{};
  const auto dx = ctnn::backward(net, net.traced(x), c, g);
  const auto L = [&](std::array<double, 4> v) {
    const auto y = nd.forward(v);
    return static_cast<double>(c[0]) * y[0] + static_cast<double>(c[1]) * y[1] +
           static_cast<double>(c[2]) * y[2];
  };
  const double h = 1e-6;
  double max_abs = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    std::array<double, 4> xp{}, xm{};
    for (std::size_t k = 0; k < 4; ++k) xp[k] = xm[k] = static_cast<double>(x[k]);
    xp[i] += h;
    xm[i] -= h;
    const double fd = (L(xp) - L(xm)) / (2 * h);
    INFO("i = " << i << " analytic " << dx[i] << " fd " << fd);
    CHECK(near(dx[i], fd, std::is_same_v<T, float> ? 1e-5 : 1e-8));
    max_abs = std::fmax(max_abs, std::fabs(fd));
  }
  CHECK(max_abs > 1e-2);  // the check is not vacuous
}

TEMPLATE_TEST_CASE("backward: output_delta and backward_from_output_delta", "[backward]", float,
                   double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::elu<>>,
                              ctnn::dense<3, ctnn::softmax>>;
  const net_t net = make<net_t>(29);
  const auto t = net.traced({T(0.2), T(-0.4), T(0.9)});
  const typename net_t::output_type dL_dy{T(0.5), T(-1), T(2)};
  // output_delta = J^T dL/dy with the softmax Jacobian J[j][k] = da_j/dz_k
  const auto delta = ctnn::output_delta(t, dL_dy);
  const auto& lt = t.template layer<1>();
  const auto J = ctnn::activation_jacobian<ctnn::softmax>(lt.z, lt.a);
  for (std::size_t k = 0; k < 3; ++k) {
    double s = 0;
    for (std::size_t j = 0; j < 3; ++j) s += static_cast<double>(J[j][k]) * static_cast<double>(dL_dy[j]);
    CHECK(near(delta[k], s, std::is_same_v<T, float> ? 1e-6 : 1e-15));
  }
  // backward == backward_from_output_delta(output_delta)
  ctnn::gradients<net_t> g1{}, g2{};
  const auto dx1 = ctnn::backward(net, t, dL_dy, g1);
  const auto dx2 = ctnn::backward_from_output_delta(net, t, delta, g2);
  CHECK(dx1 == dx2);
  CHECK(g1 == g2);
  CHECK(g2.samples == 1);
  // the output layer's bias gradient is dL/dz itself
  CHECK(g2.template layer<1>().b == delta);
  // and dL/dW of the output layer = delta (previous a)^T
  for (std::size_t j = 0; j < 3; ++j)
    for (std::size_t i = 0; i < 4; ++i)
      CHECK(g2.template layer<1>().W[j][i] == delta[j] * t.template layer<0>().a[i]);
}

TEMPLATE_TEST_CASE("backward: constexpr backward equals run-time backward bit for bit",
                   "[backward][constexpr]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<5, ctnn::softplus>,
                              ctnn::dense<4, ctnn::relu>, ctnn::dense<2, ctnn::sigmoid>>;
  struct result {
    ctnn::gradients<net_t> g;
    typename net_t::input_type dx;
  };
  constexpr auto run = [](std::uint64_t seed) {
    const net_t net = make<net_t>(seed);
    result r{};
    const auto t = net.traced({T(0.7), T(-0.2), T(0.4)});
    r.dx = ctnn::backward(net, t, {T(1), T(-0.5)}, r.g);
    (void)ctnn::backward(net, net.traced({T(-1), T(0.5), T(0)}), {T(0.25), T(0.75)}, r.g);
    return r;
  };
  constexpr result ct = run(31);
  STATIC_REQUIRE(ct.g.samples == 2);
  const result rt = run(at_run_time(std::uint64_t{31}));
  CHECK(bit_equal_params(ct.g, rt.g));
  for (std::size_t i = 0; i < 3; ++i) CHECK(bits(ct.dx[i]) == bits(rt.dx[i]));
  CHECK(rt.g.samples == 2);
}
