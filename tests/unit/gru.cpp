// SPDX-License-Identifier: MIT
// The GRU layer (<ctnn/layers/gru.hpp>): PyTorch nn.GRU reference values (outputs, final state,
// gradients of every tensor and of the input, three Adam steps; written by
// tests/torch_reference/gru_reference.py into gru_reference.hpp), central finite differences
// for backward and jvp (one layer, and a stack of two GRUs with a dense head), streaming step by
// step against the window, constant evaluation against run time, and the network-level
// machinery (init, fit with Adam, save/load, export).
//
// Tolerance against torch: e = |ctnn - torch| / max(|ctnn|, |torch|, 1e-6) (relative, absolute
// below 1e-6), e <= 1e-9 for double and e <= 1e-4 for float. CTNN_TORCH_REF_VERBOSE=1 prints
// every comparison's largest e and largest |ctnn - torch|.
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/gru.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "../support/reference_compare.hpp"
#include "../support/toy_layers.hpp"
#include "../torch_reference/gru_reference.hpp"

namespace {

namespace ref = ctnn_test::gru_ref;

// The script's problems (gru_reference.py, PROBLEMS): one GRU layer over a window.
template <class T>
using net_a = ctnn::network<T, ctnn::input<ref::a_time, ref::a_features>, ctnn::gru<ref::a_hidden>>;
template <class T>
using net_b = ctnn::network<T, ctnn::input<ref::b_time, ref::b_features>,
                            ctnn::gru<ref::b_hidden, ref::b_features>>;

// A stack: two GRUs, then the hidden states of every step into a dense head.
template <class T>
using stack_net = ctnn::network<T, ctnn::input<6, 2>, ctnn::gru<5>, ctnn::gru<3>, toy::flatten,
                                ctnn::dense<1>>;

/// Checks every element of `got` against `want` (relative error, floor 1e-6: see the top of this
/// file).
template <class T, std::size_t N>
void check_close(const std::string& what, const std::array<T, N>& got, const std::array<T, N>& want) {
  test_compare::check_close(what, got, want, 1e-6,
                            std::getenv("CTNN_TORCH_REF_VERBOSE") != nullptr);
}

/// The network input (Time arrays of Features) from row-major values.
template <class Net>
constexpr typename Net::input_type to_input(const typename Net::value_type* p) {
  typename Net::input_type x{};
  constexpr std::size_t C = Net::input_shape::dims[1];
  for (std::size_t t = 0; t < x.size(); ++t)
    for (std::size_t c = 0; c < C; ++c) x[t][c] = p[t * C + c];
  return x;
}

/// Mean squared error over a batch of windows (mean over samples x steps x hidden units, torch's
/// F.mse_loss), its gradients and dL/dx (torch's x.grad), through ctnn::backward.
template <class Net, std::size_t NX, std::size_t NY>
struct batch_mse {
  using T = typename Net::value_type;
  T loss{};
  ctnn::gradients<Net> grads{};
  std::array<T, NX> dx{};
  std::array<T, NY> out{};

  constexpr batch_mse(const Net& net, const std::array<T, NX>& x, const std::array<T, NY>& y) {
    constexpr std::size_t B = NX / Net::input_size, O = Net::output_size;
    static_assert(NX == B * Net::input_size && NY == B * O);
    const T scale = T(2) / static_cast<T>(NY);
    for (std::size_t s = 0; s < B; ++s) {
      const auto t = net.traced(to_input<Net>(x.data() + s * Net::input_size));
      typename Net::output_type dy{};
      for (std::size_t k = 0; k < O; ++k) {
        const T o = t.output()[k], d = o - y[s * O + k];
        out[s * O + k] = o;
        loss += d * d;
        dy[k / Net::output_shape::dims[1]][k % Net::output_shape::dims[1]] = scale * d;
      }
      const auto dxs = ctnn::detail::flat_copy<T>(ctnn::backward(net, t, dy, grads));
      for (std::size_t i = 0; i < Net::input_size; ++i) dx[s * Net::input_size + i] = dxs[i];
    }
    loss /= static_cast<T>(NY);
  }
};

template <std::size_t Width, class T, std::size_t N>
std::array<T, Width> row(const std::array<T, N>& a, std::size_t k) {
  std::array<T, Width> r{};
  std::copy_n(a.begin() + static_cast<std::ptrdiff_t>(k * Width), Width, r.begin());
  return r;
}

/// Every reference value of problem <Pfx> for element type T.
#define CTNN_CHECK_GRU_PROBLEM(Pfx, T)                                                        \
  check_problem<net_##Pfx<T>>(#Pfx, ref::values<T>::Pfx##_params, ref::values<T>::Pfx##_x,   \
                              ref::values<T>::Pfx##_y, ref::values<T>::Pfx##_out,            \
                              ref::values<T>::Pfx##_h_n, ref::values<T>::Pfx##_loss,         \
                              ref::values<T>::Pfx##_grad, ref::values<T>::Pfx##_dx,          \
                              ref::values<T>::Pfx##_adam_steps)

template <class Net, std::size_t NX, std::size_t NY, std::size_t NH, std::size_t NS>
void check_problem(const std::string& what, const typename Net::flat_type& params,
                   const std::array<typename Net::value_type, NX>& x,
                   const std::array<typename Net::value_type, NY>& y,
                   const std::array<typename Net::value_type, NY>& want_out,
                   const std::array<typename Net::value_type, NH>& want_h_n,
                   const std::array<typename Net::value_type, 1>& want_loss,
                   const typename Net::flat_type& want_grad,
                   const std::array<typename Net::value_type, NX>& want_dx,
                   const std::array<typename Net::value_type, NS>& want_steps) {
  using T = typename Net::value_type;
  constexpr std::size_t P = Net::parameter_count, B = NX / Net::input_size;
  constexpr std::size_t H = Net::output_shape::dims[1], Time = Net::output_shape::dims[0];
  static_assert(NH == B * H && NS == ref::adam_steps * P);
  const Net net(params);
  const batch_mse<Net, NX, NY> r(net, x, y);
  check_close(what + " outputs", r.out, want_out);
  // The final state: the last row of the output, and what streaming the window leaves behind.
  std::array<T, NH> h_n{}, streamed{};
  const auto& cell = net.template layer<0>();
  for (std::size_t s = 0; s < B; ++s) {
    typename std::remove_cvref_t<decltype(cell)>::state_type state{};
    std::array<T, H> y_t{};
    for (std::size_t t = 0; t < Time; ++t)
      cell.step(std::span<const T, Net::input_shape::dims[1]>(
                    x.data() + s * Net::input_size + t * Net::input_shape::dims[1],
                    Net::input_shape::dims[1]),
                state, std::span<T, H>(y_t));
    for (std::size_t j = 0; j < H; ++j) {
      h_n[s * H + j] = r.out[(s * Time + Time - 1) * H + j];
      streamed[s * H + j] = state.h[j];
    }
  }
  check_close(what + " final state h_n", h_n, want_h_n);
  CHECK(streamed == h_n);
  check_close(what + " mse loss", std::array<T, 1>{r.loss}, want_loss);
  check_close(what + " dL/dparameters", r.grads.flat(), want_grad);
  check_close(what + " dL/dx", r.dx, want_dx);

  // Three Adam steps (lr 0.01), the gradient recomputed at each step.
  Net moving = net;
  const ctnn::adam<T> opt{.learning_rate = T(0.01)};
  typename ctnn::adam<T>::template state<Net> state{};
  for (std::size_t k = 0; k < ref::adam_steps; ++k) {
    const batch_mse<Net, NX, NY> step(moving, x, y);
    opt.step(moving, step.grads, state, opt.learning_rate);
    check_close(what + " adam step " + std::to_string(k + 1), moving.flat(), row<P>(want_steps, k));
  }
}

/// Parameters 0.1 + 0.45 sin(1.3 k + 0.2): deterministic, varied, not symmetric.
template <class Net>
Net make_net() {
  Net net{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    net[k] = static_cast<typename Net::value_type>(0.1 + 0.45 * std::sin(1.3 * static_cast<double>(k) + 0.2));
  return net;
}

template <class Net>
typename Net::input_type make_input(double phase = 0.0) {
  std::array<typename Net::value_type, Net::input_size> v{};
  for (std::size_t k = 0; k < v.size(); ++k)
    v[k] = static_cast<typename Net::value_type>(std::cos(0.7 * static_cast<double>(k) + phase) - 0.1);
  return to_input<Net>(v.data());
}

/// Central finite differences (h = 1e-6) of L = sum c . y for every parameter and every input
/// value against ctnn::backward; returns the gradients.
template <class Net>
ctnn::gradients<Net> check_finite_differences(const Net& net, const typename Net::input_type& x,
                                              const typename Net::output_type& c) {
  constexpr std::size_t In = Net::input_size;
  const auto cf = ctnn::detail::flat_copy<double>(c);
  auto loss = [&](const Net& n, const std::array<double, In>& in) {
    const auto y = ctnn::detail::flat_copy<double>(n.forward(to_input<Net>(in.data())));
    double sum = 0;
    for (std::size_t k = 0; k < y.size(); ++k) sum += cf[k] * y[k];
    return sum;
  };
  ctnn::gradients<Net> g{};
  const auto dx = ctnn::detail::flat_copy<double>(ctnn::backward(net, net.traced(x), c, g));
  const auto xf = ctnn::detail::flat_copy<double>(x);
  const double h = 1e-6;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    auto plus = net, minus = net;
    plus[k] += h;
    minus[k] -= h;
    INFO("parameter " << k);
    CHECK(g[k] == Approx((loss(plus, xf) - loss(minus, xf)) / (2 * h)).margin(1e-8));
  }
  for (std::size_t i = 0; i < In; ++i) {
    auto plus = xf, minus = xf;
    plus[i] += h;
    minus[i] -= h;
    INFO("input value " << i);
    CHECK(dx[i] == Approx((loss(net, plus) - loss(net, minus)) / (2 * h)).margin(1e-8));
  }
  CHECK(std::abs(dx[0]) > 1e-6);  // the first step reaches the output
  return g;
}

template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("gru: a ctnn::Layer and a ctnn::StreamingLayer with PyTorch's tensors", "[gru]") {
  using net_t = net_a<double>;
  using layer_t = net_t::layer_type<0>;
  STATIC_REQUIRE(std::is_same_v<layer_t, ctnn::gru_layer<double, 5, 3, 4>>);
  STATIC_REQUIRE(ctnn::Layer<layer_t>);
  STATIC_REQUIRE(ctnn::StreamingLayer<layer_t>);
  STATIC_REQUIRE(ctnn::Layer<ctnn::gru_layer<float, 7, 1, 8>>);
  STATIC_REQUIRE(ctnn::StreamingLayer<ctnn::gru_layer<float, 7, 1, 8>>);
  STATIC_REQUIRE(ctnn::LayerSpec<ctnn::gru<4>>);
  STATIC_REQUIRE(ctnn::LayerSpec<ctnn::gru<4, 3>>);
  STATIC_REQUIRE(std::is_same_v<layer_t::input_shape, ctnn::shape<5, 3>>);
  STATIC_REQUIRE(std::is_same_v<layer_t::output_shape, ctnn::shape<5, 4>>);
  STATIC_REQUIRE(std::is_same_v<net_t::output_type, std::array<std::array<double, 4>, 5>>);
  STATIC_REQUIRE(ctnn::step_width<layer_t::input_shape> == 3);
  STATIC_REQUIRE(ctnn::step_width<layer_t::output_shape> == 4);
  STATIC_REQUIRE(layer_t::parameter_count == 3 * 4 * 3 + 3 * 4 * 4 + 3 * 4 + 3 * 4);
  STATIC_REQUIRE(net_t::parameter_count == ref::values<double>::a_params.size());
  STATIC_REQUIRE(layer_t::forward_macs == 5 * 3 * 4 * (3 + 4));
  STATIC_REQUIRE(net_t::state_bytes == 4 * sizeof(double));
  STATIC_REQUIRE(std::is_trivially_copyable_v<layer_t::trace_type>);
  STATIC_REQUIRE(std::is_same_v<stack_net<float>::layer_type<1>, ctnn::gru_layer<float, 6, 5, 3>>);
  STATIC_REQUIRE(stack_net<float>::widths == std::array<std::size_t, 5>{12, 30, 18, 18, 1});

  // Tensors in PyTorch's state_dict order, with per-gate-block fans and their flat offsets.
  struct seen_tensor {
    std::string name;
    ctnn::tensor_role role;
    std::size_t fan_in, fan_out, size;
  };
  std::vector<seen_tensor> seen;
  layer_t l{};
  layer_t::for_each_tensor(
      [&](const ctnn::tensor_info& info, auto& tensor) {
        seen.push_back({std::string(info.name), info.role, info.fan_in, info.fan_out,
                        sizeof(tensor) / sizeof(double)});
      },
      l);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].name == "weight_ih");
  CHECK(seen[1].name == "weight_hh");
  CHECK(seen[2].name == "bias_ih");
  CHECK(seen[3].name == "bias_hh");
  CHECK((seen[0].role == ctnn::tensor_role::weight && seen[1].role == ctnn::tensor_role::weight));
  CHECK((seen[2].role == ctnn::tensor_role::bias && seen[3].role == ctnn::tensor_role::bias));
  CHECK((seen[0].fan_in == 3 && seen[0].fan_out == 4 && seen[0].size == 36));
  CHECK((seen[1].fan_in == 4 && seen[1].fan_out == 4 && seen[1].size == 48));
  CHECK((seen[2].size == 12 && seen[3].size == 12));
  // Flat order: weight_ih row by row first, bias_hh last.
  net_t net{};
  net[0] = 1.0;
  net[36] = 2.0;
  net[net_t::parameter_count - 1] = 3.0;
  CHECK(net.layer<0>().weight_ih[0][0] == 1.0);
  CHECK(net.layer<0>().weight_hh[0][0] == 2.0);
  CHECK(net.layer<0>().bias_hh[11] == 3.0);
}

TEMPLATE_TEST_CASE("gru: outputs, final state, gradients and Adam steps match torch.nn.GRU",
                   "[gru][torch_reference]", float, double) {
  CTNN_CHECK_GRU_PROBLEM(a, TestType);
  CTNN_CHECK_GRU_PROBLEM(b, TestType);
}

TEST_CASE("gru: the cell by hand for one step", "[gru]") {
  // Hidden 1, Features 1, one step from h = 0: r = s(wr x + bir + bhr), z = s(wz x + biz + bhz),
  // n = tanh(wn x + bin + r bhn), h = (1 - z) n.
  using layer_t = ctnn::gru_layer<double, 1, 1, 1>;
  layer_t l{};
  l.weight_ih = {{{0.5}, {-0.3}, {0.8}}};
  l.bias_ih = {0.1, 0.2, -0.4};
  l.bias_hh = {-0.2, 0.05, 0.3};
  const std::array<double, 1> x{1.5};
  std::array<double, 1> y{};
  l.forward(std::span<const double, 1>(x), std::span<double, 1>(y));
  const auto s = [](double v) { return 1 / (1 + std::exp(-v)); };
  const double r = s(0.5 * 1.5 + 0.1 - 0.2), z = s(-0.3 * 1.5 + 0.2 + 0.05);
  const double n = std::tanh(0.8 * 1.5 - 0.4 + r * 0.3);
  CHECK(y[0] == Approx((1 - z) * n).epsilon(1e-14));
}

TEST_CASE("gru: backward matches central finite differences for every tensor and the input",
          "[gru]") {
  using net_t = net_a<double>;
  const net_t net(ref::values<double>::a_params);
  net_t::output_type c{};  // L = sum c . y over every step
  for (std::size_t t = 0; t < 5; ++t)
    for (std::size_t j = 0; j < 4; ++j) c[t][j] = 0.3 * std::sin(1.1 * static_cast<double>(t * 4 + j)) + 0.05;
  const auto g = check_finite_differences(net, make_input<net_t>(), c);
  // The gradient is not trivially zero anywhere that matters.
  CHECK(std::abs(g.layer<0>().weight_hh[8][3]) > 1e-4);
  CHECK(std::abs(g.layer<0>().bias_hh[9]) > 1e-4);
}

TEST_CASE("gru: backward through a stack of two GRUs and a dense head matches finite differences",
          "[gru]") {
  using net_t = stack_net<double>;
  const auto g = check_finite_differences(make_net<net_t>(), make_input<net_t>(0.4), {0.8});
  CHECK(std::abs(g.layer<0>().weight_ih[0][0]) > 1e-6);  // the first GRU reaches the output
}

TEST_CASE("gru: backward adds, overwrites, and accepts nullptr", "[gru]") {
  using net_t = net_a<double>;
  const net_t net(ref::values<double>::a_params);
  const auto& l = net.layer<0>();
  using layer_t = net_t::layer_type<0>;
  const auto t = net.traced(make_input<net_t>());
  const auto& x = t.input;
  std::array<double, 20> dy{};
  for (std::size_t k = 0; k < dy.size(); ++k) dy[k] = 0.1 * static_cast<double>(k % 7) - 0.25;
  const std::span<const double, 15> xs(x);
  const std::span<const double, 20> dys(dy);
  const auto& tr = t.layer<0>();

  layer_t once{}, twice{}, garbage{};
  std::array<double, 15> dx{}, dx2{};
  l.backward(xs, tr, dys, &once, false, dx.data());
  l.backward(xs, tr, dys, &twice, false, nullptr);
  l.backward(xs, tr, dys, &twice, false, nullptr);
  for (std::size_t k = 0; k < layer_t::gate_rows; ++k) {
    CHECK(twice.bias_ih[k] == Approx(2 * once.bias_ih[k]).epsilon(1e-14));
    for (std::size_t i = 0; i < 4; ++i)
      CHECK(twice.weight_hh[k][i] == Approx(2 * once.weight_hh[k][i]).epsilon(1e-14));
  }
  garbage.weight_ih[2][1] = 1e3;
  garbage.bias_hh[5] = -7;
  l.backward(xs, tr, dys, &garbage, true, nullptr);
  CHECK(garbage == once);
  l.backward(xs, tr, dys, nullptr, false, dx2.data());
  CHECK(dx2 == dx);
  l.backward(xs, tr, dys, nullptr, false, nullptr);  // nothing to do, nothing written
  CHECK(once != layer_t{});
}

TEMPLATE_TEST_CASE("gru: streaming a window step by step gives the same bits as forward", "[gru]",
                   float, double) {
  using T = TestType;
  using net_t = stack_net<T>;
  const auto net = make_net<net_t>();
  const auto x = make_input<net_t>(1.0);
  const auto tr = net.traced(x);
  const auto& g0 = net.template layer<0>();
  const auto& g1 = net.template layer<1>();
  using l0_t = std::remove_cvref_t<decltype(g0)>;
  using l1_t = std::remove_cvref_t<decltype(g1)>;
  // The plain forward of each layer equals the traced one.
  std::array<T, 30> y0{};
  g0.forward(std::span<const T, 12>(tr.input), std::span<T, 30>(y0));
  CHECK(y0 == tr.template layer<0>().h);

  // Two GRUs streamed together one step at a time.
  typename l0_t::state_type s0{};
  typename l1_t::state_type s1{};
  std::array<T, 30> h0{};
  std::array<T, 18> h1{};
  for (std::size_t t = 0; t < 6; ++t) {
    g0.step(std::span<const T, 2>(x[t]), s0, std::span<T, 5>(h0.data() + t * 5, 5));
    g1.step(std::span<const T, 5>(h0.data() + t * 5, 5), s1, std::span<T, 3>(h1.data() + t * 3, 3));
  }
  CHECK(same_bits(h0, tr.template layer<0>().h));
  CHECK(same_bits(h1, tr.template layer<1>().h));
  CHECK(same_bits(s0.h, row<5>(h0, 5)));
  CHECK(same_bits(s1.h, row<3>(h1, 5)));
  CHECK(s1 != typename l1_t::state_type{});

  // The state carries on: a second window streamed after the first differs from it from a zero state.
  std::array<T, 5> carried{}, fresh{};
  typename l0_t::state_type zero{};
  g0.step(std::span<const T, 2>(x[0]), s0, std::span<T, 5>(carried));
  g0.step(std::span<const T, 2>(x[0]), zero, std::span<T, 5>(fresh));
  CHECK(fresh == row<5>(h0, 0));
  CHECK(carried != fresh);
}

/// What the constant-evaluation test compares: forward, the streamed window, the batch
/// gradient and a jvp, for the reference problem a.
template <class T>
struct everything_a {
  using net_t = net_a<T>;
  using R = ref::values<T>;
  typename net_t::output_type forward{};
  std::array<T, 20> streamed{};
  batch_mse<net_t, R::a_x.size(), R::a_y.size()> mse;
  std::array<T, 20> tangent{};

  constexpr everything_a() : mse(net_t(R::a_params), R::a_x, R::a_y) {
    const net_t net(R::a_params);
    forward = net.forward(to_input<net_t>(R::a_x.data()));
    const auto& l = net.template layer<0>();
    typename net_t::template layer_type<0>::state_type state{};
    for (std::size_t t = 0; t < 5; ++t)
      l.step(std::span<const T, 3>(R::a_x.data() + 3 * t, 3), state,
             std::span<T, 4>(streamed.data() + 4 * t, 4));
    const auto tr = net.traced(to_input<net_t>(R::a_x.data()));
    l.jvp(tr.template layer<0>(), std::span<const T, 15>(R::a_x.data() + 15, 15),
          std::span<T, 20>(tangent));
  }
};

TEMPLATE_TEST_CASE("gru: constant-evaluated forward, step, backward and jvp give the run-time bits",
                   "[gru]", float, double) {
  static constexpr everything_a<TestType> at_compile_time{};
  const everything_a<TestType> at_run_time{};
  CHECK(same_bits(at_compile_time.forward, at_run_time.forward));
  CHECK(same_bits(at_compile_time.streamed, at_run_time.streamed));
  CHECK(same_bits(at_compile_time.mse.out, at_run_time.mse.out));
  CHECK(at_compile_time.mse.grads == at_run_time.mse.grads);
  CHECK(same_bits(at_compile_time.mse.dx, at_run_time.mse.dx));
  CHECK(same_bits(at_compile_time.mse.loss, at_run_time.mse.loss));
  CHECK(same_bits(at_compile_time.tangent, at_run_time.tangent));
  CHECK(same_bits(at_run_time.streamed, row<20>(at_run_time.mse.out, 0)));  // streamed == window
  STATIC_REQUIRE(at_compile_time.forward[4][3] != TestType(0));
  STATIC_REQUIRE(at_compile_time.tangent[19] != TestType(0));
}

TEST_CASE("gru: jvp matches central finite differences and the vjp", "[gru]") {
  using net_t = net_a<double>;
  const net_t net(ref::values<double>::a_params);
  const auto& l = net.layer<0>();
  const auto x = make_input<net_t>(0.3);
  const auto t = net.traced(x);
  std::array<double, 15> u{};
  for (std::size_t k = 0; k < u.size(); ++k) u[k] = 0.5 * std::sin(2.1 * static_cast<double>(k)) + 0.1;
  std::array<double, 20> ju{};
  l.jvp(t.layer<0>(), std::span<const double, 15>(u), std::span<double, 20>(ju));
  const double h = 1e-6;
  std::array<double, 15> xp = t.input, xm = t.input;
  for (std::size_t k = 0; k < 15; ++k) {
    xp[k] += h * u[k];
    xm[k] -= h * u[k];
  }
  std::array<double, 20> yp{}, ym{};
  l.forward(std::span<const double, 15>(xp), std::span<double, 20>(yp));
  l.forward(std::span<const double, 15>(xm), std::span<double, 20>(ym));
  for (std::size_t k = 0; k < 20; ++k) CHECK(ju[k] == Approx((yp[k] - ym[k]) / (2 * h)).margin(1e-8));
  CHECK(std::abs(ju[0]) > 1e-4);
  CHECK(std::abs(ju[19]) > 1e-2);
  // c . (J u) = (J^T c) . u
  std::array<double, 20> c{};
  for (std::size_t k = 0; k < 20; ++k) c[k] = std::cos(0.9 * static_cast<double>(k));
  std::array<double, 15> jtc{};
  l.backward(std::span<const double, 15>(t.input), t.layer<0>(), std::span<const double, 20>(c),
             nullptr, false, jtc.data());
  double lhs = 0, rhs = 0;
  for (std::size_t k = 0; k < 20; ++k) lhs += c[k] * ju[k];
  for (std::size_t k = 0; k < 15; ++k) rhs += jtc[k] * u[k];
  CHECK(lhs == Approx(rhs).epsilon(1e-12));
  // Through the network (ctnn::jvp) the same tangent.
  const auto nju = ctnn::jvp(net, x, to_input<net_t>(u.data()));
  CHECK(ctnn::detail::flat_copy<double>(nju) == ju);
}

TEST_CASE("gru: init draws each gate block with its own fans and zeroes the biases", "[gru]") {
  using net_t = stack_net<float>;
  net_t net{};
  net[net_t::parameter_count - 1] = 5.0f;
  ctnn::rng gen{7};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  const auto& l = net.layer<0>();  // Features 2, Hidden 5
  const float limit_ih = std::sqrt(6.0f / (2 + 5)), limit_hh = std::sqrt(6.0f / (5 + 5));
  float largest_ih = 0, largest_hh = 0;
  for (const auto& r : l.weight_ih)
    for (float v : r) largest_ih = std::max(largest_ih, std::abs(v));
  for (const auto& r : l.weight_hh)
    for (float v : r) largest_hh = std::max(largest_hh, std::abs(v));
  CHECK(largest_ih <= limit_ih);
  CHECK(largest_hh <= limit_hh);
  // Fans of one gate block (2 -> 5), not of the stacked matrix (2 -> 15): the draws reach past
  // the stacked matrix's smaller limit.
  CHECK(largest_ih > std::sqrt(6.0f / (2 + 15)));
  CHECK(largest_hh > std::sqrt(6.0f / (5 + 15)));
  CHECK(l.bias_ih == std::array<float, 15>{});
  CHECK(l.bias_hh == std::array<float, 15>{});
  CHECK(net.layer<3>().b[0] == 0.0f);
}

TEST_CASE("gru: fit with Adam learns a small sequence task", "[gru]") {
  // Is the running sum of a +-1 sequence positive at the end? A GRU reads the window, a dense
  // head reads its last steps.
  using net_t = ctnn::network<float, ctnn::input<6, 1>, ctnn::gru<6>, toy::flatten, ctnn::dense<1>>;
  net_t net{};
  ctnn::rng gen{11};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  std::vector<net_t::input_type> X(32);
  std::vector<net_t::output_type> Y(32);
  for (std::size_t s = 0; s < X.size(); ++s) {
    float sum = 0;
    for (std::size_t t = 0; t < 6; ++t) {
      X[s][t][0] = ((s * 7 + t * 3 + s / 3) % 5) < 2 ? 1.0f : -1.0f;
      sum += X[s][t][0];
    }
    Y[s] = {sum / 6.0f};
  }
  const auto xs = std::span<const net_t::input_type>(X);
  const auto ys = std::span<const net_t::output_type>(Y);
  const auto before = ctnn::evaluate(net, xs, ys, ctnn::mse{});
  const net_t start = net;
  const auto report = ctnn::fit(net, xs, ys, ctnn::mse{}, ctnn::adam{0.02f},
                                {.epochs = 150, .batch_size = 8, .shuffle_seed = 3});
  REQUIRE(report.status == ctnn::status::ok);
  const auto after = ctnn::evaluate(net, xs, ys, ctnn::mse{});
  INFO("mse before " << before.loss << ", after " << after.loss);
  CHECK(after.loss < 0.2f * before.loss);
  CHECK(net.layer<0>().weight_hh != start.layer<0>().weight_hh);
  CHECK(net.layer<0>().bias_ih != start.layer<0>().bias_ih);
}

TEST_CASE("gru: save/load round trip, fingerprint and export", "[gru]") {
  using net_t = ctnn::network<double, ctnn::input<5, 3>, ctnn::gru<4>, toy::flatten, ctnn::dense<2>>;
  const auto net = make_net<net_t>();
  std::array<std::byte, ctnn::serialized_size<net_t>> blob{};
  REQUIRE(ctnn::save(net, std::span<std::byte, blob.size()>(blob)) == ctnn::status::ok);
  net_t back{};
  REQUIRE(ctnn::load(back, std::span<const std::byte, blob.size()>(blob)) == ctnn::status::ok);
  CHECK(back == net);
  CHECK(back.forward(make_input<net_t>()) == net.forward(make_input<net_t>()));

  // A GRU's weights do not depend on the window length: a lone GRU saved from 5-step windows
  // loads into one that reads 9-step windows ...
  using five_t = ctnn::network<double, ctnn::input<5, 3>, ctnn::gru<4>>;
  using nine_t = ctnn::network<double, ctnn::input<9, 3>, ctnn::gru<4>>;
  const five_t five(ref::values<double>::a_params);
  std::array<std::byte, ctnn::serialized_size<five_t>> small{};
  REQUIRE(ctnn::save(five, std::span<std::byte, small.size()>(small)) == ctnn::status::ok);
  nine_t nine{};
  REQUIRE(ctnn::load(nine, std::span<const std::byte, small.size()>(small)) == ctnn::status::ok);
  CHECK(nine.flat() == five.flat());
  // ... but not into a GRU of other sizes with as many parameters (Features 14, Hidden 2: 108).
  using other_t = ctnn::network<double, ctnn::input<5, 14>, ctnn::gru<2>>;
  STATIC_REQUIRE(other_t::parameter_count == five_t::parameter_count);
  other_t other{};
  CHECK(ctnn::load(other, std::span<const std::byte, small.size()>(small)) ==
        ctnn::status::topology_mismatch);

  std::string text;
  REQUIRE(ctnn::export_header(net, [&](std::string_view s) { text += s; }) == ctnn::status::ok);
  INFO(text);
  CHECK(text.find("ctnn::network<double, ctnn::input<5, 3>, ctnn::gru<4>, toy::flatten, "
                  "ctnn::dense<2") != std::string::npos);
  CHECK(text.find("// layer 0: weight_ih[11][0..2]") != std::string::npos);
  CHECK(text.find("// layer 0: weight_hh[0][0..3]") != std::string::npos);
  CHECK(text.find("// layer 0: bias_hh[0..11]") != std::string::npos);
}
