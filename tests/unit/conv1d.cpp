// SPDX-License-Identifier: MIT
// ctnn::conv1d (<ctnn/layers/conv1d.hpp>): the protocol members, PyTorch reference values
// (tests/torch_reference/conv1d_reference.hpp, written by conv1d_reference.py: outputs, loss,
// gradients of weight, bias and input, three Adam steps) for seven configurations, central
// finite differences (gradients and jvp) for each and for a stack inside a ctnn::network,
// streaming == window (same bits), constexpr == run time, and init / fit / save / load / export
// through a network.
//
// Reference tolerance: e = |ctnn - torch| / max(|ctnn|, |torch|, 1e-3) (absolute below 1e-3),
// e <= 1e-9 for double against torch.float64 and e <= 1e-4 for float against torch.float32. Set
// CTNN_CONV1D_VERBOSE=1 to print the largest |ctnn - torch| and e of every comparison.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/conv1d.hpp>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../support/reference_compare.hpp"
#include "../support/toy_layers.hpp"
#include "../torch_reference/conv1d_reference.hpp"

namespace {

namespace ref = ctnn_test::conv1d_ref;
using ctnn::padding;

// The script's configurations (conv1d_reference.py, CONFIGS), spelled with ctnn types. Each ends
// in toy::flatten (no parameters): ctnn::backward and the losses take a vector output.
template <class T, std::size_t Time, std::size_t In, class Conv>
using conv_net = ctnn::network<T, ctnn::input<Time, In>, Conv, toy::flatten>;
template <class T>
using net_a = conv_net<T, 9, 3, ctnn::conv1d<4, 3, ctnn::tanh, 2, 1, padding::valid>>;
template <class T>
using net_b = conv_net<T, 7, 1, ctnn::conv1d<3, 3, ctnn::sigmoid, 1, 1, padding::causal>>;
template <class T>
using net_c = conv_net<T, 8, 3, ctnn::conv1d<2, 4, ctnn::identity, 1, 1, padding::same>>;
template <class T>
using net_d = conv_net<T, 10, 2, ctnn::conv1d<3, 3, ctnn::tanh, 1, 2, padding::valid>>;
template <class T>
using net_e = conv_net<T, 9, 2, ctnn::conv1d<2, 3, ctnn::softplus, 2, 2, padding::causal>>;
template <class T>
using net_f = conv_net<T, 5, 1, ctnn::conv1d<2, 3, ctnn::tanh, 2, 1, padding::same>>;
template <class T>
using net_g = conv_net<T, 13, 5, ctnn::conv1d<3, 5, ctnn::sigmoid, 1, 3, padding::valid>>;

// A stack: conv1d -> conv1d -> flatten -> dense<1>.
template <class T>
using stack_net =
    ctnn::network<T, ctnn::input<10, 2>, ctnn::conv1d<3, 3, ctnn::tanh, 2, 1, padding::causal>,
                  ctnn::conv1d<2, 2, ctnn::sigmoid, 1, 2, padding::valid>, toy::flatten,
                  ctnn::dense<1>>;

/// The largest |ctnn - torch| over every comparison, per element type (for the report).
template <class T>
double worst_absolute = 0;

/// Checks got against want element by element (the error e of the top, floor 1e-3).
template <class T, std::size_t N>
void check_close(const std::string& what, const std::array<T, N>& got,
                 const std::array<T, N>& want) {
  const auto c = test_compare::check_close(what, got, want, 1e-3,
                                           std::getenv("CTNN_CONV1D_VERBOSE") != nullptr);
  worst_absolute<T> = std::max(worst_absolute<T>, c.worst_abs);
}

template <class A>
auto flat(const A& a) {
  return ctnn::detail::flat_copy<ctnn::detail::innermost_t<A>>(a);
}

template <class A, class T, std::size_t N>
A unflat(const std::array<T, N>& v) {
  A a{};
  ctnn::detail::unflatten_from(v.data(), a);
  return a;
}

/// One configuration against the reference: forward, loss, gradients (through the network's
/// fused path and through the layer's own backward from dL/dy), dL/dx and three Adam steps.
template <class Net, class R>
void check_against_torch(const std::string& name, const R& params, const auto& x_flat,
                         const auto& target_flat, const auto& want_y, const auto& want_loss,
                         const auto& want_grad, const auto& want_dx, const auto& want_adam) {
  using T = typename Net::value_type;
  constexpr std::size_t P = Net::parameter_count, N = Net::output_size;
  STATIC_REQUIRE(std::tuple_size_v<R> == P);
  const Net net(params);
  const auto x = unflat<typename Net::input_type>(x_flat);
  const auto target = unflat<typename Net::output_type>(target_flat);
  check_close(name + " forward", flat(net.forward(x)), want_y);

  // L = mse(y, target), dL/dy = 2 (y - target) / N, backward through the network
  const auto t = net.traced(x);
  typename Net::output_type dy{};
  T loss = 0;
  for (std::size_t j = 0; j < N; ++j) {
    const T r = t.output()[j] - target[j];
    loss += r * r;
    dy[j] = T(2) * r / static_cast<T>(N);
  }
  loss /= static_cast<T>(N);
  ctnn::gradients<Net> g{};
  const auto dx = ctnn::backward(net, t, dy, g);
  check_close(name + " loss", std::array<T, 1>{loss}, want_loss);
  check_close(name + " dL/dparameters", g.flat(), want_grad);
  check_close(name + " dL/dx", flat(dx), want_dx);

  // the layer's fused path (a loss that hands over dL/dz = f'(z) dL/dy), into fresh gradients
  using L = typename Net::template layer_type<0>;
  const auto& lt = t.template layer<0>();
  std::array<T, N> dz{};
  for (std::size_t j = 0; j < N; ++j) dz[j] = L::activation::derivative(lt.z[j], lt.a[j]) * dy[j];
  ctnn::gradients<Net> fused{};
  std::array<T, Net::input_size> fused_dx{};
  net.template layer<0>().template backward<true>(
      std::span<const T, Net::input_size>(t.input), lt, std::span<const T, N>(dz),
      &fused.template layer<0>(), true, fused_dx.data());
  check_close(name + " fused dL/dparameters", fused.flat(), want_grad);
  check_close(name + " fused dL/dx", fused_dx, want_dx);

  // three Adam steps (lr 0.01), the gradient recomputed at each
  Net trained = net;
  const ctnn::adam<double> opt{.learning_rate = 0.01};
  typename ctnn::adam<double>::template state<Net> state{};
  for (std::size_t s = 0; s < ref::adam_steps; ++s) {
    const auto ts = trained.traced(x);
    typename Net::output_type d{};
    for (std::size_t j = 0; j < N; ++j)
      d[j] = T(2) * (ts.output()[j] - target[j]) / static_cast<T>(N);
    ctnn::gradients<Net> gs{};
    ctnn::backward(trained, ts, d, gs);
    opt.step(trained, gs, state, opt.learning_rate);
    std::array<T, P> want{};
    for (std::size_t j = 0; j < P; ++j) want[j] = want_adam[s * P + j];
    check_close(name + " adam step " + std::to_string(s + 1), trained.flat(), want);
  }
}

#define CTNN_CONV1D_AGAINST_TORCH(P, Net)                                                     \
  check_against_torch<Net>(#P, R::P##_params, R::P##_x, R::P##_target, R::P##_y, R::P##_loss, \
                           R::P##_grad, R::P##_dx, R::P##_adam_steps)

/// Deterministic values in [-1, 1) for a test problem.
template <class T>
T wave(std::size_t k, double phase = 0.3) {
  return static_cast<T>(std::sin(1.7 * static_cast<double>(k) + phase) * 0.9);
}

template <class Net>
Net make_net(double phase = 0.3) {
  Net net{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    net[k] = wave<typename Net::value_type>(k, phase);
  return net;
}

template <class Net>
typename Net::input_type make_input(double phase = 1.1) {
  std::array<typename Net::value_type, Net::input_size> v{};
  for (std::size_t k = 0; k < v.size(); ++k)
    v[k] = typename Net::value_type(1.5) * wave<typename Net::value_type>(k, phase);
  return unflat<typename Net::input_type>(v);
}

/// Central finite differences (double) of L = c . y against backward (every parameter, every
/// input) and of y against jvp (one direction).
template <class Net>
void check_finite_differences(const Net& net, const typename Net::input_type& x) {
  constexpr std::size_t In = Net::input_size, Out = Net::output_size;
  std::array<double, Out> c{};
  for (std::size_t j = 0; j < Out; ++j) c[j] = wave<double>(j, 2.0);
  const auto loss = [&](const Net& n, const std::array<double, In>& in) {
    const auto y = flat(n.forward(unflat<typename Net::input_type>(in)));
    double s = 0;
    for (std::size_t j = 0; j < Out; ++j) s += c[j] * y[j];
    return s;
  };
  const auto xf = flat(x);
  ctnn::gradients<Net> g{};
  const auto dx = flat(ctnn::backward(net, net.traced(x), unflat<typename Net::output_type>(c), g));
  const double h = 1e-6;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    Net plus = net, minus = net;
    plus[k] += h;
    minus[k] -= h;
    INFO("parameter " << k);
    CHECK(g[k] == Approx((loss(plus, xf) - loss(minus, xf)) / (2 * h)).margin(1e-8));
  }
  for (std::size_t i = 0; i < In; ++i) {
    auto plus = xf, minus = xf;
    plus[i] += h;
    minus[i] -= h;
    INFO("input " << i);
    CHECK(dx[i] == Approx((loss(net, plus) - loss(net, minus)) / (2 * h)).margin(1e-8));
  }
  // jvp along u against (y(x + h u) - y(x - h u)) / 2h
  std::array<double, In> u{};
  for (std::size_t i = 0; i < In; ++i) u[i] = wave<double>(i, 0.7);
  const auto ju = flat(ctnn::jvp(net, x, unflat<typename Net::input_type>(u)));
  auto plus = xf, minus = xf;
  for (std::size_t i = 0; i < In; ++i) {
    plus[i] += h * u[i];
    minus[i] -= h * u[i];
  }
  const auto yp = flat(net.forward(unflat<typename Net::input_type>(plus)));
  const auto ym = flat(net.forward(unflat<typename Net::input_type>(minus)));
  for (std::size_t j = 0; j < Out; ++j) {
    INFO("jvp output " << j);
    CHECK(ju[j] == Approx((yp[j] - ym[j]) / (2 * h)).margin(1e-8));
  }
}

/// Streams the window x through `layer` one step at a time from a zero state and compares with
/// its forward pass, bit for bit: causal y[t] == step t; valid y[t - reach] == step t once the
/// ring has filled.
template <class L>
void check_streaming(const L& layer, const std::array<typename L::value_type, L::input_size>& x) {
  using T = typename L::value_type;
  constexpr std::size_t Time = L::input_shape::dims[0], In = L::input_shape::dims[1];
  constexpr std::size_t C = L::output_shape::dims[1];
  std::array<T, L::output_size> window{};
  layer.forward(std::span<const T, L::input_size>(x), std::span<T, L::output_size>(window));
  typename L::state_type state{};
  CHECK(state == typename L::state_type{});
  std::size_t compared = 0;
  for (std::size_t t = 0; t < Time; ++t) {
    std::array<T, C> y{};
    layer.step(std::span<const T, In>(x.data() + t * In, In), state, std::span<T, C>(y));
    const bool causal = L::left == L::reach;
    if (!causal && t < L::reach) continue;
    const std::size_t row = causal ? t : t - L::reach;
    for (std::size_t c = 0; c < C; ++c) {
      INFO("step " << t << ", channel " << c);
      CHECK(y[c] == window[row * C + c]);
    }
    ++compared;
  }
  CHECK(compared == L::output_time);
}

struct text_sink {
  std::string* text;
  void operator()(std::string_view s) const { *text += s; }
};

template <class L>
std::string spelling() {
  std::string s;
  text_sink sink{&s};
  L::spell(sink);
  return s;
}

template <class L>
std::uint64_t fingerprint() {
  ctnn::detail::fnv1a64 h{};
  L::fingerprint(h);
  return h.hash;
}

}  // namespace

TEST_CASE("conv1d: the protocol members and shapes", "[conv1d]") {
  using causal_t = net_b<double>::layer_type<0>;
  using valid_t = net_a<double>::layer_type<0>;
  using same_t = net_c<double>::layer_type<0>;
  using strided_t = net_d<double>::layer_type<0>;
  STATIC_REQUIRE(ctnn::LayerSpec<ctnn::conv1d<4, 3>>);
  STATIC_REQUIRE(ctnn::Layer<causal_t>);
  STATIC_REQUIRE(ctnn::Layer<same_t>);
  STATIC_REQUIRE(ctnn::StreamingLayer<causal_t>);
  STATIC_REQUIRE(ctnn::StreamingLayer<valid_t>);
  STATIC_REQUIRE_FALSE(ctnn::StreamingLayer<same_t>);
  STATIC_REQUIRE_FALSE(ctnn::StreamingLayer<strided_t>);
  STATIC_REQUIRE(std::is_same_v<same_t::state_type, ctnn::no_state>);
  STATIC_REQUIRE(std::is_same_v<strided_t::state_type, ctnn::no_state>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<causal_t::state_type>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<causal_t::trace_type>);

  STATIC_REQUIRE(std::is_same_v<net_a<double>::layer_type<1>::output_shape, ctnn::shape<20>>);
  // OutTime: valid 9 - 2*2 = 5; causal and same keep Time; floor((10 - 2 - 1) / 2) + 1 = 4;
  // causal stride 2 over 9 + 4: floor((13 - 4 - 1) / 2) + 1 = 5; floor((13 - 4 - 1) / 3) + 1 = 3.
  STATIC_REQUIRE(std::is_same_v<net_a<double>::layer_type<0>::output_shape, ctnn::shape<5, 4>>);
  STATIC_REQUIRE(std::is_same_v<net_b<double>::layer_type<0>::output_shape, ctnn::shape<7, 3>>);
  STATIC_REQUIRE(std::is_same_v<net_c<double>::layer_type<0>::output_shape, ctnn::shape<8, 2>>);
  STATIC_REQUIRE(std::is_same_v<net_d<double>::layer_type<0>::output_shape, ctnn::shape<4, 3>>);
  STATIC_REQUIRE(std::is_same_v<net_e<double>::layer_type<0>::output_shape, ctnn::shape<5, 2>>);
  STATIC_REQUIRE(std::is_same_v<net_f<double>::layer_type<0>::output_shape, ctnn::shape<5, 2>>);
  STATIC_REQUIRE(std::is_same_v<net_g<double>::layer_type<0>::output_shape, ctnn::shape<3, 3>>);
  STATIC_REQUIRE(same_t::left == 1);  // reach 3: PyTorch puts the odd one on the right
  STATIC_REQUIRE(same_t::right == 2);
  STATIC_REQUIRE(net_f<double>::layer_type<0>::left == 2);

  // sizes: weight Channels x InChannels x Kernel, bias Channels; fans as torch computes them
  STATIC_REQUIRE(valid_t::parameter_count == 4 * 3 * 3 + 4);
  STATIC_REQUIRE(valid_t::forward_macs == 5 * 4 * 3 * 3);
  STATIC_REQUIRE(valid_t::fan_in == 3 * 3);
  STATIC_REQUIRE(valid_t::fan_out == 4 * 3);
  STATIC_REQUIRE(net_a<double>::forward_macs == valid_t::forward_macs);
  // the ring: the last Dilation*(Kernel-1) = 4 steps of 3 channels, and its position
  STATIC_REQUIRE(sizeof(valid_t::state_type::buffer) == 4 * 3 * sizeof(double));
  STATIC_REQUIRE(net_b<double>::state_bytes == sizeof(causal_t::state_type));
  STATIC_REQUIRE(net_c<double>::state_bytes == 0);

  std::vector<std::string> names;
  std::vector<ctnn::tensor_role> roles;
  valid_t layer{};
  valid_t::for_each_tensor(
      [&](const ctnn::tensor_info& info, auto& tensor) {
        names.emplace_back(info.name);
        roles.push_back(info.role);
        CHECK(info.fan_in == 9);
        CHECK(info.fan_out == 12);
        CHECK(ctnn::detail::element_count<std::remove_cvref_t<decltype(tensor)>> ==
              (info.role == ctnn::tensor_role::weight ? 36u : 4u));
      },
      layer);
  CHECK(names == std::vector<std::string>{"weight", "bias"});
  CHECK(roles ==
        std::vector<ctnn::tensor_role>{ctnn::tensor_role::weight, ctnn::tensor_role::bias});

  // spelling and fingerprint: every template parameter
  using spelled_t =
      ctnn::conv1d<8, 3, ctnn::tanh, 2, 1, padding::causal>::layer<float, ctnn::shape<16, 4>>;
  CHECK(spelling<spelled_t>() == "ctnn::conv1d<8, 3, ctnn::tanh, 2, 1, ctnn::padding::causal>");
  CHECK(spelling<same_t>() == "ctnn::conv1d<2, 4, ctnn::identity, 1, 1, ctnn::padding::same>");
  CHECK(
      spelling<
          ctnn::conv1d<3, 5, ctnn::leaky_relu<1, 10>, 1, 3>::layer<float, ctnn::shape<13, 5>>>() ==
      "ctnn::conv1d<3, 5, ctnn::leaky_relu<1, 10>, 1, 3, ctnn::padding::valid>");
  using base = ctnn::conv1d_layer<float, 16, 4, 8, 3, ctnn::tanh, 2, 1, padding::causal>;
  const std::vector<std::uint64_t> prints{
      fingerprint<base>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 5, 8, 3, ctnn::tanh, 2, 1, padding::causal>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 9, 3, ctnn::tanh, 2, 1, padding::causal>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 8, 4, ctnn::tanh, 2, 1, padding::causal>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 8, 3, ctnn::sigmoid, 2, 1, padding::causal>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 8, 3, ctnn::tanh, 1, 1, padding::causal>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 8, 3, ctnn::tanh, 2, 2, padding::causal>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 8, 3, ctnn::tanh, 2, 1, padding::valid>>(),
      fingerprint<ctnn::conv1d_layer<float, 16, 4, 8, 3, ctnn::tanh, 2, 1, padding::same>>(),
  };
  // The window length is not part of it: weights trained on 16-step windows load into 17.
  CHECK(fingerprint<ctnn::conv1d_layer<float, 17, 4, 8, 3, ctnn::tanh, 2, 1, padding::causal>>() ==
        prints[0]);
  for (std::size_t i = 0; i < prints.size(); ++i)
    for (std::size_t j = i + 1; j < prints.size(); ++j) {
      INFO("configurations " << i << " and " << j);
      CHECK(prints[i] != prints[j]);
    }
}

TEST_CASE("conv1d: forward equals the formula by hand", "[conv1d]") {
  // y[t][o] = Act(bias[o] + sum_i sum_k weight[o][i][k] x[t*Stride + k*Dilation - left][i])
  const auto check = [](const auto& net) {
    using Net = std::remove_cvref_t<decltype(net)>;
    using L = typename Net::template layer_type<0>;
    using Act = typename L::activation;
    constexpr std::size_t Time = L::input_shape::dims[0], In = L::input_shape::dims[1];
    constexpr std::size_t K = L::kernel, C = L::output_shape::dims[1];
    const auto x = make_input<Net>();
    const auto y = flat(net.forward(x));
    const auto& l = net.template layer<0>();
    for (std::size_t t = 0; t < L::output_time; ++t)
      for (std::size_t o = 0; o < C; ++o) {
        double z = l.bias[o];
        for (std::size_t i = 0; i < In; ++i)
          for (std::size_t k = 0; k < K; ++k) {
            const long p =
                static_cast<long>(t * L::stride + k * L::dilation) - static_cast<long>(L::left);
            if (p >= 0 && p < static_cast<long>(Time))
              z += l.weight[o][i * K + k] * x[static_cast<std::size_t>(p)][i];
          }
        CHECK(y[t * C + o] == Approx(Act::value(z)).epsilon(1e-13));
      }
  };
  check(make_net<net_a<double>>());
  check(make_net<net_b<double>>());
  check(make_net<net_c<double>>());
  check(make_net<net_d<double>>());
  check(make_net<net_e<double>>());
  check(make_net<net_f<double>>());
  check(make_net<net_g<double>>());
}

TEMPLATE_TEST_CASE("conv1d: outputs, gradients and Adam steps match PyTorch",
                   "[conv1d][torch_reference]", float, double) {
  using T = TestType;
  using R = ref::values<T>;
  CTNN_CONV1D_AGAINST_TORCH(a, net_a<T>);
  CTNN_CONV1D_AGAINST_TORCH(b, net_b<T>);
  CTNN_CONV1D_AGAINST_TORCH(c, net_c<T>);
  CTNN_CONV1D_AGAINST_TORCH(d, net_d<T>);
  CTNN_CONV1D_AGAINST_TORCH(e, net_e<T>);
  CTNN_CONV1D_AGAINST_TORCH(f, net_f<T>);
  CTNN_CONV1D_AGAINST_TORCH(g, net_g<T>);
  if (std::getenv("CTNN_CONV1D_VERBOSE") != nullptr)
    std::printf("%-6s max |ctnn - torch| over everything: %.3g (torch %s)\n",
                test_compare::type_name<T>(), worst_absolute<T>, ref::torch_version);
}

TEST_CASE("conv1d: backward and jvp match central finite differences", "[conv1d]") {
  SECTION("each configuration") {
    check_finite_differences(make_net<net_a<double>>(0.1), make_input<net_a<double>>());
    check_finite_differences(make_net<net_b<double>>(0.2), make_input<net_b<double>>());
    check_finite_differences(make_net<net_c<double>>(0.3), make_input<net_c<double>>());
    check_finite_differences(make_net<net_d<double>>(0.4), make_input<net_d<double>>());
    check_finite_differences(make_net<net_e<double>>(0.5), make_input<net_e<double>>());
    check_finite_differences(make_net<net_f<double>>(0.6), make_input<net_f<double>>());
    check_finite_differences(make_net<net_g<double>>(0.7), make_input<net_g<double>>());
  }
  SECTION("a stack conv1d -> conv1d -> flatten -> dense<1> in a network") {
    using net_t = stack_net<double>;
    STATIC_REQUIRE(std::is_same_v<net_t::layer_type<1>::output_shape, ctnn::shape<5, 2>>);
    check_finite_differences(make_net<net_t>(0.8), make_input<net_t>());
  }
}

TEST_CASE("conv1d: backward's grads and dx options", "[conv1d]") {
  using net_t = net_e<double>;
  using L = net_t::layer_type<0>;
  const auto net = make_net<net_t>();
  const auto& layer = net.layer<0>();
  const auto t = net.traced(make_input<net_t>());
  const auto x = std::span<const double, L::input_size>(t.input);
  std::array<double, L::output_size> dy{};
  for (std::size_t j = 0; j < dy.size(); ++j) dy[j] = wave<double>(j, 0.9);
  const auto d = std::span<const double, L::output_size>(dy);
  L g1{};
  std::array<double, L::input_size> dx1{};
  layer.backward(x, t.layer<0>(), d, &g1, true, dx1.data());
  // nullptr grads: the same dx; nullptr dx: the same grads
  std::array<double, L::input_size> dx2{};
  dx2.fill(99.0);  // overwritten, not added to
  layer.backward(x, t.layer<0>(), d, nullptr, true, dx2.data());
  CHECK(dx2 == dx1);
  L g2{};
  g2.bias.fill(7.0);  // overwrite: cleared first
  layer.backward(x, t.layer<0>(), d, &g2, true, nullptr);
  CHECK(g2 == g1);
  // without overwrite the gradients add up: g1 + g1 (each term added in turn: not bit-exact)
  layer.backward(x, t.layer<0>(), d, &g2, false, nullptr);
  for (std::size_t o = 0; o < g1.bias.size(); ++o) {
    CHECK(g2.bias[o] == Approx(2 * g1.bias[o]).epsilon(1e-14));
    for (std::size_t j = 0; j < g1.weight[o].size(); ++j)
      CHECK(g2.weight[o][j] == Approx(2 * g1.weight[o][j]).epsilon(1e-14));
  }
}

TEMPLATE_TEST_CASE("conv1d: streaming gives the window's bits (causal and valid)", "[conv1d]",
                   float, double) {
  using T = TestType;
  const auto stream = [](const auto& net) {
    using Net = std::remove_cvref_t<decltype(net)>;
    check_streaming(net.template layer<0>(), flat(make_input<Net>()));
  };
  stream(make_net<net_a<T>>());  // valid, dilation 2: stream t = window t - 4
  stream(make_net<net_b<T>>());  // causal, kernel 3
  stream(make_net<ctnn::network<T, ctnn::input<11, 2>,
                                ctnn::conv1d<3, 4, ctnn::tanh, 3, 1, padding::causal>>>());
  stream(make_net<ctnn::network<T, ctnn::input<6, 3>,
                                ctnn::conv1d<2, 1, ctnn::sigmoid, 1, 1, padding::causal>>>());
  stream(
      make_net<ctnn::network<T, ctnn::input<12, 2>, ctnn::conv1d<5, 2, ctnn::identity, 5, 1>>>());
  stream(make_net<stack_net<T>>());  // the stack's first layer (causal, dilation 2)

  SECTION("the ring keeps running past the window") {
    using L = typename net_b<T>::template layer_type<0>;
    const auto net = make_net<net_b<T>>();
    typename L::state_type state{};
    std::array<T, 3> y{};
    // a long stream of a periodic input: y repeats with the input's period once the ring is full
    std::array<std::array<T, 3>, 20> ys{};
    for (std::size_t s = 0; s < 20; ++s) {
      const std::array<T, 1> xt{wave<T>(s % 5)};
      net.template layer<0>().step(std::span<const T, 1>(xt), state, std::span<T, 3>(y));
      ys[s] = y;
      CHECK(state.position == (s + 1) % 2);
    }
    for (std::size_t s = 7; s < 20; ++s) CHECK(ys[s] == ys[s - 5]);  // the ring holds 2 steps
  }
}

namespace {

struct constexpr_results {
  net_a<double>::output_type y{};
  net_a<double>::input_type dx{};
  ctnn::gradients<net_a<double>> g{};
  net_a<double>::output_type ju{};
  std::array<double, 3> streamed{};
};

/// Forward, backward, jvp (config a) and seven streamed steps (config b), from the reference
/// values: evaluated once in a constant expression and once at run time.
constexpr constexpr_results constexpr_problem() {
  using R = ref::values<double>;
  const net_a<double> net(R::a_params);
  net_a<double>::input_type x{};
  ctnn::detail::unflatten_from(R::a_x.data(), x);
  net_a<double>::output_type dy{};
  ctnn::detail::unflatten_from(R::a_target.data(), dy);
  constexpr_results r{};
  r.y = net.forward(x);
  r.dx = ctnn::backward(net, net.traced(x), dy, r.g);
  r.ju = ctnn::jvp(net, x, x);
  const net_b<double> causal(R::b_params);
  net_b<double>::layer_type<0>::state_type state{};
  for (std::size_t s = 0; s < 7; ++s)
    causal.layer<0>().step(std::span<const double, 1>(R::b_x.data() + s, 1), state,
                           std::span<double, 3>(r.streamed));
  return r;
}

}  // namespace

TEST_CASE("conv1d: constexpr evaluation gives the run-time bits", "[conv1d]") {
  using R = ref::values<double>;
  static constexpr constexpr_results at_compile_time = constexpr_problem();
  const constexpr_results at_run_time = constexpr_problem();
  STATIC_REQUIRE(at_compile_time.g.samples == 1);
  CHECK(at_compile_time.y == at_run_time.y);
  CHECK(at_compile_time.dx == at_run_time.dx);
  CHECK(at_compile_time.g == at_run_time.g);
  CHECK(at_compile_time.ju == at_run_time.ju);
  CHECK(at_compile_time.streamed == at_run_time.streamed);
  // and the last streamed step is the causal window's last row
  const net_b<double> causal(R::b_params);
  const auto window = causal.forward(unflat<net_b<double>::input_type>(R::b_x));
  for (std::size_t c = 0; c < 3; ++c) CHECK(at_compile_time.streamed[c] == window[6 * 3 + c]);
}

TEST_CASE("conv1d: init, fit with adam, save/load and export through a network", "[conv1d]") {
  using net_t =
      ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<4, 3, ctnn::tanh, 1, 1, padding::causal>,
                    ctnn::conv1d<2, 3, ctnn::identity, 2, 1>, toy::flatten, ctnn::dense<1>>;
  net_t net{};
  ctnn::rng gen{5};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  // weight ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (2*3 + 4*3)); bias zero
  const float a = std::sqrt(6.0f / 18.0f);
  for (const auto& row : net.layer<0>().weight)
    for (const float w : row) {
      CHECK(w != 0.0f);
      CHECK(std::abs(w) <= a);
    }
  for (const float b : net.layer<0>().bias) CHECK(b == 0.0f);

  // learn the sum of the input's first channel over the last three steps
  std::vector<net_t::input_type> X(16);
  std::vector<net_t::output_type> Y(16);
  for (std::size_t s = 0; s < X.size(); ++s) {
    float sum = 0;
    for (std::size_t t = 0; t < 8; ++t)
      for (std::size_t c = 0; c < 2; ++c) {
        X[s][t][c] = std::sin(0.37f * static_cast<float>(s * 16 + t * 2 + c));
        if (c == 0 && t >= 5) sum += X[s][t][c];
      }
    Y[s] = {0.5f * sum};
  }
  const auto before = ctnn::evaluate(net, std::span<const net_t::input_type>(X),
                                     std::span<const net_t::output_type>(Y), ctnn::mse{});
  const net_t start = net;
  const auto report = ctnn::fit(
      net, std::span<const net_t::input_type>(X), std::span<const net_t::output_type>(Y),
      ctnn::mse{}, ctnn::adam{0.01f}, {.epochs = 100, .batch_size = 4, .shuffle_seed = 1});
  REQUIRE(report.status == ctnn::status::ok);
  const auto after = ctnn::evaluate(net, std::span<const net_t::input_type>(X),
                                    std::span<const net_t::output_type>(Y), ctnn::mse{});
  CHECK(after.loss < 0.5f * before.loss);
  CHECK(net.layer<0>().weight != start.layer<0>().weight);
  CHECK(net.layer<1>().bias != start.layer<1>().bias);

  // orthogonal init and LSUV see weight as Channels rows of InChannels * Kernel (as
  // torch.nn.init.orthogonal_ flattens a Conv1d weight): orthonormal rows, then Var(z) ~ 1
  net_t ortho{};
  ctnn::rng gen2{7};
  ctnn::init(ortho, ctnn::orthogonal{}, gen2);
  const auto& w = ortho.layer<0>().weight;
  for (std::size_t r = 0; r < w.size(); ++r)
    for (std::size_t q = 0; q < w.size(); ++q) {
      float d = 0;
      for (std::size_t j = 0; j < w[r].size(); ++j) d += w[r][j] * w[q][j];
      CHECK(d == Approx(r == q ? 1.0f : 0.0f).margin(1e-5));
    }
  const auto lsuv = ctnn::lsuv(ortho, std::span<const net_t::input_type>(X), gen2);
  REQUIRE(lsuv.ok());
  CHECK(lsuv.converged[0]);
  CHECK(lsuv.converged[1]);
  CHECK(lsuv.variance[0] == Approx(1.0f).margin(0.1));

  std::array<std::byte, ctnn::serialized_size<net_t>> blob{};
  REQUIRE(ctnn::save(net, std::span<std::byte, blob.size()>(blob)) == ctnn::status::ok);
  net_t back{};
  REQUIRE(ctnn::load(back, std::span<const std::byte, blob.size()>(blob)) == ctnn::status::ok);
  CHECK(back == net);
  // another padding is another topology: the blob is refused
  using other_t =
      ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<4, 3, ctnn::tanh, 1, 1, padding::same>,
                    ctnn::conv1d<2, 3, ctnn::identity, 2, 1>, toy::flatten, ctnn::dense<1>>;
  STATIC_REQUIRE(other_t::parameter_count == net_t::parameter_count);
  other_t other{};
  CHECK(ctnn::load(other, std::span<const std::byte, blob.size()>(blob)) != ctnn::status::ok);

  std::string text;
  REQUIRE(ctnn::export_header(net, [&](std::string_view s) { text += s; }) == ctnn::status::ok);
  CHECK(text.find("ctnn::network<float, ctnn::input<8, 2>, ctnn::conv1d<4, 3, ctnn::tanh, 1, 1, "
                  "ctnn::padding::causal>, ctnn::conv1d<2, 3, ctnn::identity, 2, 1, "
                  "ctnn::padding::valid>, toy::flatten, ctnn::dense<1, ctnn::identity>>") !=
        std::string::npos);
  CHECK(text.find("// layer 0: weight[3][0..5]") != std::string::npos);
  CHECK(text.find("// layer 1: bias[0..1]") != std::string::npos);
}
