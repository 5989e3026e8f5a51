// SPDX-License-Identifier: MIT
// ctnn::lstm (<ctnn/layers/lstm.hpp>): the protocol (ctnn::Layer, ctnn::StreamingLayer), PyTorch's
// nn.LSTM reference values (outputs, final state, gradients, dL/dx and three Adam steps;
// tests/torch_reference/lstm_reference.hpp, written by lstm_reference.py), central finite
// differences for one layer and for a stack, streaming against the window, constant evaluation
// against run time, the tangent, and init, fit, save/load and export through ctnn::network.
//
// Tolerance against torch: e = |ctnn - torch| / max(|ctnn|, |torch|, 1e-3) (relative, absolute
// below 1e-3), e <= 1e-9 for double (against torch.float64), e <= 1e-4 for float (against
// torch.float32). Set CTNN_TORCH_REF_VERBOSE=1 to print the largest |ctnn - torch| and e of
// every comparison.
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/lstm.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "../support/reference_compare.hpp"
#include "../support/toy_layers.hpp"
#include "../torch_reference/lstm_reference.hpp"

namespace {

namespace ref = ctnn_test::lstm_ref;

// The script's problems (lstm_reference.py, PROBLEMS): one layer, Time 5, Features 3, Hidden 4
// (features deduced) and Features 1, Hidden 8 (features stated).
template <class T>
using net_a = ctnn::network<T, ctnn::input<5, 3>, ctnn::lstm<4>>;
template <class T>
using net_b = ctnn::network<T, ctnn::input<5, 1>, ctnn::lstm<8, 1>>;

// A stack for the gradient checks: two LSTMs, then a dense head on all of the last one's outputs.
using stack_net = ctnn::network<double, ctnn::input<6, 2>, ctnn::lstm<5>, ctnn::lstm<3>,
                                toy::flatten, ctnn::dense<1>>;

bool verbose() {
  const char* v = std::getenv("CTNN_TORCH_REF_VERBOSE");
  return v != nullptr && *v != '\0' && *v != '0';
}

/// Compares every element of `got` with `want` (the error e of the header comment, floor 1e-3);
/// prints the largest e and the largest |got - want| when verbose.
template <class T, std::size_t N>
void check_close(const std::string& what, std::span<const T, N> got, std::span<const T, N> want) {
  test_compare::check_close(what, got, want, 1e-3, verbose());
}

template <class T, std::size_t N>
std::span<const T, N> as_span(const std::array<T, N>& a) {
  return std::span<const T, N>(a);
}

/// The network's parameters from a flat array (its flat order).
template <class Net, std::size_t P>
Net from_flat(const std::array<typename Net::value_type, P>& p) {
  static_assert(P == Net::parameter_count);
  Net net{};
  for (std::size_t k = 0; k < P; ++k) net[k] = p[k];
  return net;
}

template <class Net>
std::array<typename Net::value_type, Net::parameter_count> flat_of(const Net& net) {
  std::array<typename Net::value_type, Net::parameter_count> p{};
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = net[k];
  return p;
}

/// A (nested) tensor from row-major values, and back.
template <class Tensor, class T, std::size_t N>
Tensor tensor_from(const std::array<T, N>& v) {
  static_assert(sizeof(Tensor) == sizeof(v));
  Tensor t{};
  std::memcpy(&t, v.data(), sizeof(t));
  return t;
}
template <class T, class Tensor>
std::array<T, sizeof(Tensor) / sizeof(T)> values_of(const Tensor& t) {
  std::array<T, sizeof(Tensor) / sizeof(T)> v{};
  std::memcpy(v.data(), &t, sizeof(t));
  return v;
}

/// The script's loss, L = mean over Time x Hidden of (h - y)^2, and dL/dh = 2 (h - y) / count.
template <class Net>
struct mse_result {
  typename Net::value_type loss{};
  typename Net::input_type dx{};
  ctnn::gradients<Net> grads{};
};
template <class Net, class Y>
mse_result<Net> mse_gradients(const Net& net, const typename Net::input_type& x, const Y& y) {
  using T = typename Net::value_type;
  constexpr std::size_t n = Net::output_size;
  const auto t = net.traced(x);
  const auto h = values_of<T>(t.output());
  std::array<T, n> dh{};
  mse_result<Net> r{};
  for (std::size_t k = 0; k < n; ++k) {
    const T d = h[k] - y[k];
    r.loss += d * d / T(n);
    dh[k] = T(2) * d / T(n);
  }
  r.dx = ctnn::backward(net, t, tensor_from<typename Net::output_type>(dh), r.grads);
  return r;
}

/// Checks one problem of the script against ctnn (R: ref::values<T>; the arrays by prefix).
template <class Net, class P, class X, class Y, class Out, class Hn, class Cn, class L, class G,
          class GX, class A>
void check_problem(const char* name, const P& params, const X& x_flat, const Y& y, const Out& out,
                   const Hn& h_n, const Cn& c_n, const L& loss, const G& grad, const GX& grad_x,
                   const A& adam_steps) {
  using T = typename Net::value_type;
  using layer_t = typename Net::template layer_type<0>;
  constexpr std::size_t time = layer_t::input_shape::dims[0], hidden = layer_t::output_shape::dims[1];
  const std::string pfx = std::string(name) + " ";
  const auto net = from_flat<Net>(params);
  const auto x = tensor_from<typename Net::input_type>(x_flat);

  // Outputs, and the final state through streaming.
  const auto y_net = values_of<T>(net.forward(x));
  check_close(pfx + "outputs", as_span(y_net), as_span(out));
  typename layer_t::state_type s{};
  std::array<T, hidden> y_t{};
  for (std::size_t t = 0; t < time; ++t)
    net.template layer<0>().step(std::span<const T, layer_t::F>(x[t]), s, std::span<T, hidden>(y_t));
  check_close(pfx + "final h", as_span(s.h), as_span(h_n));
  check_close(pfx + "final c", as_span(s.c), as_span(c_n));

  // The loss, the parameter gradients (flat order = state_dict order) and dL/dx.
  const auto r = mse_gradients(net, x, y);
  check_close(pfx + "loss", std::span<const T, 1>(&r.loss, 1), as_span(loss));
  check_close(pfx + "dL/dparameters", as_span(flat_of(r.grads)), as_span(grad));
  check_close(pfx + "dL/dx", as_span(values_of<T>(r.dx)), as_span(grad_x));

  // Three Adam steps (lr 0.01), the gradient recomputed at each.
  const ctnn::adam<double> opt{.learning_rate = 0.01};
  typename decltype(opt)::template state<Net> state{};
  auto trained = net;
  for (std::size_t k = 0; k < ref::adam_steps; ++k) {
    const auto rk = mse_gradients(trained, x, y);
    opt.step(trained, rk.grads, state, opt.learning_rate);
    std::array<T, Net::parameter_count> want{};
    std::copy_n(adam_steps.begin() + static_cast<std::ptrdiff_t>(k * Net::parameter_count),
                Net::parameter_count, want.begin());
    check_close(pfx + "adam step " + std::to_string(k + 1), as_span(flat_of(trained)), as_span(want));
  }
}

/// Parameters that make every gate matter: a smooth pattern in [-0.6, 0.6].
template <class Net>
Net make_net(double phase = 0.3) {
  Net net{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    net[k] = static_cast<typename Net::value_type>(0.6 * std::sin(1.37 * static_cast<double>(k) + phase));
  return net;
}

template <class Net>
typename Net::input_type make_input(double phase = 0.1) {
  using T = typename Net::value_type;
  std::array<T, Net::input_size> v{};
  for (std::size_t k = 0; k < v.size(); ++k)
    v[k] = static_cast<T>(1.2 * std::cos(0.83 * static_cast<double>(k) + phase));
  return tensor_from<typename Net::input_type>(v);
}

/// L = c . y with fixed weights c (so every output and step matters).
template <class Net>
double linear_loss(const Net& net, const typename Net::input_type& x) {
  const auto y = values_of<double>(net.forward(x));
  double l = 0;
  for (std::size_t k = 0; k < y.size(); ++k) l += (0.3 + 0.1 * static_cast<double>(k % 7)) * y[k];
  return l;
}

/// Backward (dL/dparameters and dL/dx of linear_loss) against central differences, every entry.
template <class Net>
void check_gradients_by_differences(const Net& net, const typename Net::input_type& x) {
  std::array<double, Net::output_size> c{};
  for (std::size_t k = 0; k < c.size(); ++k) c[k] = 0.3 + 0.1 * static_cast<double>(k % 7);
  ctnn::gradients<Net> g{};
  const auto dx = ctnn::backward(net, net.traced(x), tensor_from<typename Net::output_type>(c), g);
  const double h = 1e-6;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    auto plus = net, minus = net;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (linear_loss(plus, x) - linear_loss(minus, x)) / (2 * h);
    INFO("parameter " << k);
    CHECK(g[k] == Approx(fd).margin(1e-8));
  }
  const auto xv = values_of<double>(x);
  const auto dxv = values_of<double>(dx);
  for (std::size_t k = 0; k < xv.size(); ++k) {
    auto plus = xv, minus = xv;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (linear_loss(net, tensor_from<typename Net::input_type>(plus)) -
                       linear_loss(net, tensor_from<typename Net::input_type>(minus))) /
                      (2 * h);
    INFO("input " << k);
    CHECK(dxv[k] == Approx(fd).margin(1e-8));
  }
}

}  // namespace

TEST_CASE("lstm: a ctnn::Layer and ctnn::StreamingLayer with PyTorch's tensors", "[lstm]") {
  using L = net_a<double>::layer_type<0>;
  STATIC_REQUIRE(std::is_same_v<L, ctnn::lstm_layer<double, 5, 3, 4>>);
  STATIC_REQUIRE(ctnn::Layer<L>);
  STATIC_REQUIRE(ctnn::StreamingLayer<L>);
  STATIC_REQUIRE(ctnn::LayerSpec<ctnn::lstm<4>>);
  STATIC_REQUIRE(ctnn::LayerSpec<ctnn::lstm<4, 3>>);
  STATIC_REQUIRE(std::is_same_v<L::input_shape, ctnn::shape<5, 3>>);
  STATIC_REQUIRE(std::is_same_v<L::output_shape, ctnn::shape<5, 4>>);
  STATIC_REQUIRE(ctnn::step_width<L::input_shape> == 3);
  STATIC_REQUIRE(ctnn::step_width<L::output_shape> == 4);
  STATIC_REQUIRE(std::is_same_v<net_b<float>::layer_type<0>, ctnn::lstm_layer<float, 5, 1, 8>>);
  STATIC_REQUIRE(L::parameter_count == 16 * 3 + 16 * 4 + 16 + 16);
  STATIC_REQUIRE(net_a<double>::parameter_count == 144);
  STATIC_REQUIRE(L::forward_macs == 5 * (16 * 7 + 3 * 4));
  STATIC_REQUIRE(std::is_trivially_copyable_v<L::trace_type>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<L::state_type>);
  STATIC_REQUIRE(std::is_same_v<decltype(L::state_type::h), std::array<double, 4>>);
  STATIC_REQUIRE(std::is_same_v<decltype(L::state_type::c), std::array<double, 4>>);
  STATIC_REQUIRE(net_a<double>::state_bytes == sizeof(L::state_type));
  STATIC_REQUIRE(sizeof(net_a<double>) == 144 * sizeof(double));

  // Tensors in state_dict order, with their roles and per-gate-block fans.
  struct seen {
    std::string_view name;
    ctnn::tensor_role role;
    std::size_t fan_in, fan_out, count;
  };
  std::vector<seen> tensors;
  L layer{};
  L::for_each_tensor(
      [&](const ctnn::tensor_info& info, auto& t) {
        tensors.push_back({info.name, info.role, info.fan_in, info.fan_out, sizeof(t) / sizeof(double)});
      },
      layer);
  REQUIRE(tensors.size() == 4);
  CHECK(tensors[0].name == "weight_ih");
  CHECK(tensors[1].name == "weight_hh");
  CHECK(tensors[2].name == "bias_ih");
  CHECK(tensors[3].name == "bias_hh");
  CHECK(tensors[0].role == ctnn::tensor_role::weight);
  CHECK(tensors[1].role == ctnn::tensor_role::weight);
  CHECK(tensors[2].role == ctnn::tensor_role::bias);
  CHECK(tensors[3].role == ctnn::tensor_role::bias);
  CHECK((tensors[0].fan_in == 3 && tensors[0].fan_out == 4));
  CHECK((tensors[1].fan_in == 4 && tensors[1].fan_out == 4));
  CHECK(tensors[0].count == 48);
  CHECK(tensors[1].count == 64);
  CHECK(tensors[2].count == 16);
  CHECK(tensors[3].count == 16);

  // The fingerprint carries kind, Features and Hidden, not the window length: weights trained
  // on 5-step windows load into a network that streams (or reads 6-step windows).
  STATIC_REQUIRE(ctnn::topology_fingerprint<net_a<double>> ==
                 ctnn::topology_fingerprint<ctnn::network<double, ctnn::input<6, 3>, ctnn::lstm<4>>>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<net_a<double>> !=
                 ctnn::topology_fingerprint<ctnn::network<double, ctnn::input<5, 3>, ctnn::lstm<5>>>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<net_a<double>> ==
                 ctnn::topology_fingerprint<ctnn::network<double, ctnn::input<5, 3>, ctnn::lstm<4, 3>>>);
}

TEMPLATE_TEST_CASE("lstm: outputs, final state, gradients and Adam steps match PyTorch's nn.LSTM",
                   "[lstm][torch_reference]", float, double) {
  using R = ref::values<TestType>;
  STATIC_REQUIRE(R::a_params.size() == net_a<TestType>::parameter_count);
  STATIC_REQUIRE(R::b_params.size() == net_b<TestType>::parameter_count);
  STATIC_REQUIRE(R::a_x.size() == net_a<TestType>::input_size);
  STATIC_REQUIRE(R::b_x.size() == net_b<TestType>::input_size);
  STATIC_REQUIRE(R::a_adam.size() == ref::adam_steps * net_a<TestType>::parameter_count);
  if (verbose()) std::printf("lstm vs torch %s\n", ref::torch_version);
  check_problem<net_a<TestType>>("a (T5 F3 H4)", R::a_params, R::a_x, R::a_y, R::a_out, R::a_h_n,
                                 R::a_c_n, R::a_loss, R::a_grad, R::a_grad_x, R::a_adam);
  check_problem<net_b<TestType>>("b (T5 F1 H8)", R::b_params, R::b_x, R::b_y, R::b_out, R::b_h_n,
                                 R::b_c_n, R::b_loss, R::b_grad, R::b_grad_x, R::b_adam);
}

TEST_CASE("lstm: backward matches central differences, one layer and a stack", "[lstm]") {
  SECTION("lstm<4> over 5 steps of 3") {
    check_gradients_by_differences(make_net<net_a<double>>(), make_input<net_a<double>>());
  }
  SECTION("lstm<5> -> lstm<3> -> flatten -> dense<1>") {
    check_gradients_by_differences(make_net<stack_net>(), make_input<stack_net>());
  }
}

TEST_CASE("lstm: backward adds, overwrites, and skips what is nullptr", "[lstm]") {
  using L = ctnn::lstm_layer<double, 5, 3, 4>;
  const auto net = make_net<net_a<double>>();
  const L& layer = net.layer<0>();
  const auto xv = values_of<double>(make_input<net_a<double>>());
  const std::span<const double, 15> x(xv);
  L::trace_type tr{};
  layer.forward(x, tr);
  std::array<double, 20> dy{};
  for (std::size_t k = 0; k < dy.size(); ++k) dy[k] = 0.05 * static_cast<double>(k) - 0.4;

  L once{}, twice{}, over = make_net<net_a<double>>(0.9).layer<0>();
  std::array<double, 15> dx{}, dx_no_grads{};
  layer.backward(x, tr, dy, &once, false, dx.data());
  layer.backward(x, tr, dy, &twice, false, nullptr);
  layer.backward(x, tr, dy, &twice, false, nullptr);
  layer.backward(x, tr, dy, &over, true, nullptr);  // overwrite: the bits of clearing first
  layer.backward(x, tr, dy, nullptr, false, dx_no_grads.data());
  CHECK(over == once);
  CHECK(dx_no_grads == dx);
  CHECK(once != L{});
  // Twice adds the steps' terms twice (in another order of additions than 2 x once).
  L::for_each_tensor(
      [&](const ctnn::tensor_info& info, const auto& a, const auto& b) {
        const auto va = values_of<double>(a), vb = values_of<double>(b);
        for (std::size_t k = 0; k < va.size(); ++k) {
          INFO(info.name << '[' << k << ']');
          CHECK(vb[k] == Approx(2 * va[k]).epsilon(1e-13));
        }
      },
      once, twice);
}

TEST_CASE("lstm: streaming step by step gives the window's bits", "[lstm]") {
  using L = stack_net::layer_type<0>;  // lstm<5> over 6 steps of 2
  using L2 = stack_net::layer_type<1>; // lstm<3> over 6 steps of 5
  const auto net = make_net<stack_net>();
  const auto xv = values_of<double>(make_input<stack_net>());
  const std::span<const double, 12> x(xv);
  const L& first = net.layer<0>();
  const L2& second = net.layer<1>();

  std::array<double, 30> window{};
  first.forward(x, std::span<double, 30>(window));
  L::trace_type tr{};
  first.forward(x, tr);
  std::array<double, 18> window2{};
  second.forward(std::span<const double, 30>(window), std::span<double, 18>(window2));

  L::state_type s{};
  L2::state_type s2{};
  std::array<double, 30> streamed{};
  std::array<double, 18> streamed2{};
  for (std::size_t t = 0; t < 6; ++t) {
    first.step(std::span<const double, 2>(xv.data() + 2 * t, 2), s,
               std::span<double, 5>(streamed.data() + 5 * t, 5));
    second.step(std::span<const double, 5>(streamed.data() + 5 * t, 5), s2,
                std::span<double, 3>(streamed2.data() + 3 * t, 3));
  }
  CHECK(std::memcmp(streamed.data(), window.data(), sizeof(window)) == 0);
  CHECK(std::memcmp(streamed2.data(), window2.data(), sizeof(window2)) == 0);
  CHECK(tr.output() == window);
  for (std::size_t j = 0; j < 5; ++j) {
    CHECK(std::bit_cast<std::uint64_t>(s.h[j]) == std::bit_cast<std::uint64_t>(tr.h[25 + j]));
    CHECK(std::bit_cast<std::uint64_t>(s.c[j]) == std::bit_cast<std::uint64_t>(tr.c[25 + j]));
  }
  CHECK(s != L::state_type{});
  // The trace holds what its name says: h = o tanh(c), c = f c_prev + i g.
  for (std::size_t j = 0; j < 5; ++j) {
    CHECK(tr.h[5 + j] == tr.o[5 + j] * tr.tanh_c[5 + j]);
    CHECK(tr.c[5 + j] == tr.f[5 + j] * tr.c[j] + tr.i[5 + j] * tr.g[5 + j]);
    CHECK(tr.tanh_c[5 + j] == Approx(std::tanh(tr.c[5 + j])).epsilon(1e-14));
  }
}

namespace {
/// A network filled from exact rationals (no library maths), so that constant evaluation and
/// run time start from the same bits.
template <class T>
constexpr net_a<T> rational_net() {
  net_a<T> net{};
  for (std::size_t k = 0; k < net_a<T>::parameter_count; ++k)
    net[k] = T(static_cast<int>((k * 37) % 23) - 11) / T(16);
  return net;
}
template <class T>
constexpr typename net_a<T>::input_type rational_input() {
  typename net_a<T>::input_type x{};
  for (std::size_t t = 0; t < 5; ++t)
    for (std::size_t c = 0; c < 3; ++c) x[t][c] = T(static_cast<int>((t * 3 + c) * 7 % 13) - 6) / T(5);
  return x;
}
template <class T>
constexpr auto forward_and_gradient() {
  const auto net = rational_net<T>();
  const auto x = rational_input<T>();
  const auto t = net.traced(x);
  typename net_a<T>::output_type dy{};
  for (std::size_t s = 0; s < 5; ++s)
    for (std::size_t j = 0; j < 4; ++j) dy[s][j] = T(static_cast<int>(s + j) - 3) / T(4);
  ctnn::gradients<net_a<T>> g{};
  const auto dx = ctnn::backward(net, t, dy, g);
  struct result {
    typename net_a<T>::output_type y;
    decltype(t) trace;
    ctnn::gradients<net_a<T>> grads;
    typename net_a<T>::input_type dx;
  };
  return result{net.forward(x), t, g, dx};
}
}  // namespace

TEMPLATE_TEST_CASE("lstm: constant evaluation gives run time's bits", "[lstm]", float, double) {
  static constexpr auto at_compile_time = forward_and_gradient<TestType>();
  const auto at_run_time = forward_and_gradient<TestType>();
  CHECK(std::memcmp(&at_compile_time.y, &at_run_time.y, sizeof(at_run_time.y)) == 0);
  CHECK(at_compile_time.trace == at_run_time.trace);
  CHECK(at_compile_time.grads == at_run_time.grads);
  CHECK(std::memcmp(&at_compile_time.dx, &at_run_time.dx, sizeof(at_run_time.dx)) == 0);
  CHECK(at_compile_time.trace.output() == values_of<TestType>(at_run_time.y));
  // Not a trivial result: the outputs move with the input.
  CHECK(at_run_time.y[4][0] != at_run_time.y[0][0]);
  // The step function in a constant expression, too.
  constexpr auto streamed = [] {
    const auto net = rational_net<TestType>();
    const auto x = rational_input<TestType>();
    typename net_a<TestType>::template layer_type<0>::state_type s{};
    std::array<TestType, 4> y{};
    for (std::size_t t = 0; t < 5; ++t)
      net.template layer<0>().step(std::span<const TestType, 3>(x[t]), s, std::span<TestType, 4>(y));
    return y;
  }();
  CHECK(std::memcmp(streamed.data(), at_run_time.y[4].data(), sizeof(streamed)) == 0);
}

TEST_CASE("lstm: the tangent (jvp) matches finite differences and the vjp", "[lstm]") {
  const auto net = make_net<stack_net>();
  const auto x = make_input<stack_net>();
  const auto u = make_input<stack_net>(1.7);
  const auto ju = ctnn::jvp(net, x, u);
  const auto xv = values_of<double>(x), uv = values_of<double>(u);
  const double h = 1e-6;
  std::array<double, 12> plus{}, minus{};
  for (std::size_t k = 0; k < 12; ++k) {
    plus[k] = xv[k] + h * uv[k];
    minus[k] = xv[k] - h * uv[k];
  }
  const auto yp = net.forward(tensor_from<stack_net::input_type>(plus));
  const auto ym = net.forward(tensor_from<stack_net::input_type>(minus));
  CHECK(ju[0] == Approx((yp[0] - ym[0]) / (2 * h)).margin(1e-8));
  CHECK(std::abs(ju[0]) > 1e-3);

  // The layer's own tangent, every output of the window, against differences.
  using L = net_a<double>::layer_type<0>;
  const auto n1 = make_net<net_a<double>>();
  const auto x1 = values_of<double>(make_input<net_a<double>>());
  const auto u1 = values_of<double>(make_input<net_a<double>>(2.9));
  L::trace_type tr{};
  n1.layer<0>().forward(std::span<const double, 15>(x1), tr);
  std::array<double, 20> dy{}, yp1{}, ym1{};
  n1.layer<0>().jvp(tr, std::span<const double, 15>(u1), std::span<double, 20>(dy));
  std::array<double, 15> p1{}, m1{};
  for (std::size_t k = 0; k < 15; ++k) {
    p1[k] = x1[k] + h * u1[k];
    m1[k] = x1[k] - h * u1[k];
  }
  n1.layer<0>().forward(std::span<const double, 15>(p1), std::span<double, 20>(yp1));
  n1.layer<0>().forward(std::span<const double, 15>(m1), std::span<double, 20>(ym1));
  for (std::size_t k = 0; k < 20; ++k) {
    INFO("output " << k);
    CHECK(dy[k] == Approx((yp1[k] - ym1[k]) / (2 * h)).margin(1e-8));
  }
  // u . (J^T c) = c . (J u)
  std::array<double, 20> c{};
  for (std::size_t k = 0; k < 20; ++k) c[k] = 0.1 * static_cast<double>(k % 5) - 0.2;
  std::array<double, 15> jtc{};
  n1.layer<0>().backward(std::span<const double, 15>(x1), tr, std::span<const double, 20>(c), nullptr,
                         false, jtc.data());
  double lhs = 0, rhs = 0;
  for (std::size_t k = 0; k < 15; ++k) lhs += u1[k] * jtc[k];
  for (std::size_t k = 0; k < 20; ++k) rhs += c[k] * dy[k];
  CHECK(lhs == Approx(rhs).epsilon(1e-12));
}

namespace {
// A small sequence task: 6 steps of one value; the target is the mean of the first three
// minus the mean of the last three (the network must remember across the window).
using task_net = ctnn::network<float, ctnn::input<6, 1>, ctnn::lstm<8>, toy::flatten,
                               ctnn::dense<1>>;
}  // namespace

TEST_CASE("lstm: init, fit with Adam, save/load and export through ctnn::network", "[lstm]") {
  task_net net{};
  ctnn::rng gen{5};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  const auto& lstm = net.layer<0>();
  // weight_ih: fan_in 1, fan_out 8 (one gate block); weight_hh: 8 and 8; biases zero.
  const float limit_ih = std::sqrt(6.0f / 9.0f), limit_hh = std::sqrt(6.0f / 16.0f);
  for (const auto& row : lstm.weight_ih)
    for (float v : row) CHECK((v != 0.0f && std::abs(v) <= limit_ih));
  float largest_hh = 0;
  for (const auto& row : lstm.weight_hh)
    for (float v : row) {
      CHECK((v != 0.0f && std::abs(v) <= limit_hh));
      largest_hh = std::max(largest_hh, std::abs(v));
    }
  CHECK(largest_hh > 0.5f * limit_hh);
  CHECK(lstm.bias_ih == std::array<float, 32>{});
  CHECK(lstm.bias_hh == std::array<float, 32>{});

  std::vector<task_net::input_type> X(32);
  std::vector<task_net::output_type> Y(32);
  for (std::size_t s = 0; s < X.size(); ++s) {
    float first = 0, last = 0;
    for (std::size_t t = 0; t < 6; ++t) {
      const float v = static_cast<float>(std::sin(0.7 * static_cast<double>(s * 6 + t) + 0.2 * static_cast<double>(s)));
      X[s][t][0] = v;
      (t < 3 ? first : last) += v / 3.0f;
    }
    Y[s] = {first - last};
  }
  const auto before = ctnn::evaluate(net, std::span<const task_net::input_type>(X),
                                     std::span<const task_net::output_type>(Y), ctnn::mse{});
  const task_net start = net;
  const auto report = ctnn::fit(net, std::span<const task_net::input_type>(X),
                                std::span<const task_net::output_type>(Y), ctnn::mse{},
                                ctnn::adam{0.01f}, {.epochs = 60, .batch_size = 8, .shuffle_seed = 1});
  REQUIRE(report.status == ctnn::status::ok);
  const auto after = ctnn::evaluate(net, std::span<const task_net::input_type>(X),
                                    std::span<const task_net::output_type>(Y), ctnn::mse{});
  CHECK(after.loss < 0.5 * before.loss);
  CHECK(net.layer<0>().weight_hh != start.layer<0>().weight_hh);

  std::array<std::byte, ctnn::serialized_size<task_net>> blob{};
  REQUIRE(ctnn::save(net, std::span<std::byte, blob.size()>(blob)) == ctnn::status::ok);
  task_net back{};
  REQUIRE(ctnn::load(back, std::span<const std::byte, blob.size()>(blob)) == ctnn::status::ok);
  CHECK(back == net);

  std::string text;
  const auto st = ctnn::export_header(net, [&](std::string_view s) { text += s; });
  REQUIRE(st == ctnn::status::ok);
  CHECK(text.find("ctnn::network<float, ctnn::input<6, 1>, ctnn::lstm<8>, toy::flatten, "
                  "ctnn::dense<1, ctnn::identity>>") != std::string::npos);
  CHECK(text.find("// layer 0: weight_ih[31][0..0]") != std::string::npos);
  CHECK(text.find("// layer 0: weight_hh[31][0..7]") != std::string::npos);
  CHECK(text.find("// layer 0: bias_hh[0..31]") != std::string::npos);
}
