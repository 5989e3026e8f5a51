// SPDX-License-Identifier: MIT
// Property tests of the backward pass: for every activation, on several topologies (small, a
// softmax output, a deep one with 6 dense layers, wide ones 32-64-48-10), with deterministic
// pseudo-random parameters and inputs, every analytic dL/dparam and dL/dx from ctnn::backward is
// compared with central finite differences in double, for L = sum_j c_j y_j with random c:
//   |analytic - fd| <= 1e-6 * max(1, |analytic|, |fd|).
// Points where a finite difference would straddle a kink (relu, leaky_relu, elu at z = 0) are
// skipped, and the test checks that skipping stays rare. The float instantiation is checked
// against the double one.
#include <ctnn/backward.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

namespace {

/// 64-bit LCG (Knuth's MMIX constants): deterministic on every platform.
struct lcg {
  std::uint64_t state;
  double next() {  // [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
  }
  double uniform(double a, double b) { return a + (b - a) * next(); }
};

template <std::size_t N, class F>
constexpr void for_layers(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<N>{});
}

/// Activations whose derivative jumps at z = 0.
template <class A>
struct kinked : std::false_type {};
template <>
struct kinked<ctnn::relu> : std::true_type {};
template <std::intmax_t N, std::intmax_t D>
struct kinked<ctnn::leaky_relu<N, D>> : std::true_type {};
template <std::intmax_t N, std::intmax_t D>
struct kinked<ctnn::elu<N, D>> : std::true_type {};

/// Weights uniform with variance gain^2 / fan_in, biases uniform in [-0.3, 0.3].
template <class Net>
Net random_net(lcg& g, double gain) {
  Net n{};
  for_layers<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using L = typename Net::template layer_type<I>;
    auto& l = n.template layer<I>();
    const double s = gain * std::sqrt(3.0 / static_cast<double>(L::input_size));
    for (auto& row : l.W)
      for (auto& w : row) w = static_cast<typename Net::value_type>(g.uniform(-s, s));
    for (auto& b : l.b) b = static_cast<typename Net::value_type>(g.uniform(-0.3, 0.3));
  });
  return n;
}

template <class Net>
constexpr bool has_kinks = [] {
  bool any = false;
  for_layers<Net::layer_count>([&](auto Ic) {
    any = any || kinked<typename Net::template layer_type<decltype(Ic)::value>::activation>::value;
  });
  return any;
}();

/// L = sum_j c_j y_j, and the signs of z in the layers with a kinked activation: if a
/// perturbation changes them, the finite difference straddles a kink.
struct evaluation {
  double loss = 0;
  std::vector<bool> signs;
};

template <class Net>
evaluation evaluate(const Net& net, const typename Net::input_type& x,
                    const typename Net::output_type& c) {
  evaluation e{};
  typename Net::output_type y{};
  if constexpr (has_kinks<Net>) {
    const auto t = net.traced(x);
    y = t.output();
    for_layers<Net::layer_count>([&](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      if constexpr (kinked<typename Net::template layer_type<I>::activation>::value)
        for (double z : t.template layer<I>().z) e.signs.push_back(z > 0);
    });
  } else {
    y = net.forward(x);
  }
  for (std::size_t j = 0; j < Net::output_size; ++j) e.loss += c[j] * y[j];
  return e;
}

struct report {
  std::size_t checked = 0, skipped = 0;
  double worst = 0;       ///< max |a - f| / max(1, |a|, |f|)
  double worst_rel = 0;   ///< max |a - f| / max(1e-3, |a|, |f|)
  double max_grad = 0;    ///< max |a|: the check is not vacuous
  std::size_t worst_index = 0;
  bool worst_is_input = false;

  void add(double a, double f, std::size_t index, bool is_input) {
    ++checked;
    const double err = std::fabs(a - f) / std::fmax(1.0, std::fmax(std::fabs(a), std::fabs(f)));
    const double rel = std::fabs(a - f) / std::fmax(1e-3, std::fmax(std::fabs(a), std::fabs(f)));
    worst_rel = std::fmax(worst_rel, rel);
    max_grad = std::fmax(max_grad, std::fabs(a));
    if (err > worst) {
      worst = err;
      worst_index = index;
      worst_is_input = is_input;
    }
  }
};

/// Every dL/dparam and dL/dx of one (net, x, c) against central differences.
template <class Net>
report check_one(const Net& net0, const typename Net::input_type& x0,
                 const typename Net::output_type& c) {
  static_assert(std::is_same_v<typename Net::value_type, double>);
  report r{};
  ctnn::gradients<Net> g{};
  const auto dx = ctnn::backward(net0, net0.traced(x0), c, g);
  const auto base = evaluate(net0, x0, c).signs;
  const double h = 1e-6;

  Net net = net0;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    const double p = net[k];
    net[k] = p + h;
    const evaluation up = evaluate(net, x0, c);
    net[k] = p - h;
    const evaluation down = evaluate(net, x0, c);
    net[k] = p;
    if (up.signs != base || down.signs != base) {
      ++r.skipped;
      continue;
    }
    r.add(g[k], (up.loss - down.loss) / (2 * h), k, false);
  }
  auto x = x0;
  for (std::size_t i = 0; i < Net::input_size; ++i) {
    const double v = x[i];
    x[i] = v + h;
    const evaluation up = evaluate(net0, x, c);
    x[i] = v - h;
    const evaluation down = evaluate(net0, x, c);
    x[i] = v;
    if (up.signs != base || down.signs != base) {
      ++r.skipped;
      continue;
    }
    r.add(dx[i], (up.loss - down.loss) / (2 * h), i, true);
  }
  return r;
}

/// Several random (net, x, c) for one network type.
template <class Net>
void gradient_check(std::uint64_t seed, int trials = 3, double gain = 1.5) {
  lcg g{seed};
  report total{};
  for (int trial = 0; trial < trials; ++trial) {
    const Net net = random_net<Net>(g, gain);
    typename Net::input_type x{};
    for (auto& v : x) v = g.uniform(-1, 1);
    typename Net::output_type c{};
    for (auto& v : c) v = g.uniform(-1, 1);
    const report r = check_one(net, x, c);
    INFO("trial " << trial << ": worst error " << r.worst << " at "
                  << (r.worst_is_input ? "dL/dx[" : "parameter [") << r.worst_index
                  << "], worst relative error " << r.worst_rel << ", checked " << r.checked
                  << ", skipped " << r.skipped << ", max |gradient| " << r.max_grad);
    CHECK(r.worst <= 1e-6);
    CHECK(r.worst_rel <= 1e-4);  // small gradients are right too, not just within 1e-6 of 0
    CHECK(r.skipped * 50 <= r.checked);  // kinks are avoided, not the whole test
    total.checked += r.checked;
    total.max_grad = std::fmax(total.max_grad, r.max_grad);
  }
  CHECK(total.checked >= static_cast<std::size_t>(trials) * (Net::parameter_count + Net::input_size) * 49 / 50);
  CHECK(total.max_grad > 0.05);  // gradients of a useful size were compared
}

/// A user-defined vector activation with a non-symmetric Jacobian, allowed in hidden layers:
/// a_j = z_j + z_{j+1}^2 / 4 (indices mod N).
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

using leaky_default = ctnn::leaky_relu<>;
using leaky_fifth = ctnn::leaky_relu<1, 5>;
using elu_default = ctnn::elu<>;
using elu_half = ctnn::elu<1, 2>;

template <class T, class... L>
using net = ctnn::network<T, L...>;

}  // namespace

TEMPLATE_TEST_CASE("gradient check: small network, activation on every layer incl. the output",
                   "[gradient]", ctnn::identity, ctnn::sigmoid, ctnn::tanh, ctnn::relu,
                   leaky_default, leaky_fifth, elu_default, elu_half, ctnn::softplus, ctnn::gelu) {
  using A = TestType;
  gradient_check<net<double, ctnn::input<3>, ctnn::dense<5, A>, ctnn::dense<4, A>,
                     ctnn::dense<2, A>>>(101);
}

TEMPLATE_TEST_CASE("gradient check: softmax output after each hidden activation",
                   "[gradient][softmax]", ctnn::identity, ctnn::sigmoid, ctnn::tanh, ctnn::relu,
                   leaky_default, leaky_fifth, elu_default, elu_half, ctnn::softplus, ctnn::gelu) {
  using A = TestType;
  gradient_check<net<double, ctnn::input<4>, ctnn::dense<6, A>, ctnn::dense<3, ctnn::softmax>>>(
      202);
  gradient_check<net<double, ctnn::input<2>, ctnn::dense<1, A>, ctnn::dense<5, ctnn::softmax>>>(
      203);
}

TEMPLATE_TEST_CASE("gradient check: deep network (6 dense layers, softmax output)", "[gradient][deep]",
                   ctnn::identity, ctnn::sigmoid, ctnn::tanh, ctnn::relu, leaky_default,
                   leaky_fifth, elu_default, elu_half, ctnn::softplus, ctnn::gelu) {
  using A = TestType;
  gradient_check<net<double, ctnn::input<4>, ctnn::dense<6, A>, ctnn::dense<5, A>,
                     ctnn::dense<7, A>, ctnn::dense<4, A>, ctnn::dense<5, A>,
                     ctnn::dense<3, ctnn::softmax>>>(304);
}

TEMPLATE_TEST_CASE("gradient check: wide network 32-64-48-10", "[gradient][wide]",
                   ctnn::identity, ctnn::sigmoid, ctnn::tanh, ctnn::relu, leaky_default,
                   leaky_fifth, elu_default, elu_half, ctnn::softplus, ctnn::gelu) {
  using A = TestType;
  gradient_check<net<double, ctnn::input<32>, ctnn::dense<64, A>, ctnn::dense<48, A>,
                     ctnn::dense<10>>>(404, 1);
}

TEST_CASE("gradient check: wide network with a softmax output", "[gradient][wide][softmax]") {
  gradient_check<net<double, ctnn::input<32>, ctnn::dense<64, ctnn::relu>,
                     ctnn::dense<16, ctnn::softmax>>>(505, 1);
  gradient_check<net<double, ctnn::input<9>, ctnn::dense<40, ctnn::gelu>, ctnn::dense<40, ctnn::tanh>,
                     ctnn::dense<12, ctnn::softmax>>>(506, 1);
}

TEST_CASE("gradient check: deep network mixing every activation", "[gradient][deep]") {
  gradient_check<net<double, ctnn::input<5>, ctnn::dense<8, ctnn::tanh>, ctnn::dense<7, ctnn::sigmoid>,
                     ctnn::dense<6, ctnn::relu>, ctnn::dense<9, elu_half>, ctnn::dense<6, ctnn::gelu>,
                     ctnn::dense<5, leaky_fifth>, ctnn::dense<4, ctnn::softplus>,
                     ctnn::dense<4, ctnn::identity>, ctnn::dense<3, ctnn::softmax>>>(606);
}

TEST_CASE("gradient check: single-layer networks (no hidden layer)", "[gradient]") {
  gradient_check<net<double, ctnn::input<5>, ctnn::dense<3, ctnn::softmax>>>(808);
  gradient_check<net<double, ctnn::input<4>, ctnn::dense<2, ctnn::tanh>>>(809);
  gradient_check<net<double, ctnn::input<1>, ctnn::dense<1, ctnn::sigmoid>>>(810);
}

TEST_CASE("gradient check: user-defined vector activation in hidden layers", "[gradient]") {
  gradient_check<net<double, ctnn::input<3>, ctnn::dense<4, mix_next>, ctnn::dense<5, ctnn::tanh>,
                     ctnn::dense<3, mix_next>, ctnn::dense<2>>>(707, 3, 1.0);
}

TEMPLATE_TEST_CASE("gradient check: float gradients agree with double gradients",
                   "[gradient][float]", ctnn::sigmoid, ctnn::tanh, ctnn::softplus, ctnn::gelu) {
  using A = TestType;
  using net_f = net<float, ctnn::input<6>, ctnn::dense<8, A>, ctnn::dense<5, A>,
                    ctnn::dense<3, ctnn::softmax>>;
  using net_d = net<double, ctnn::input<6>, ctnn::dense<8, A>, ctnn::dense<5, A>,
                    ctnn::dense<3, ctnn::softmax>>;
  lcg g{808};
  const net_f nf = random_net<net_f>(g, 1.5);
  net_d nd{};
  for (std::size_t k = 0; k < net_f::parameter_count; ++k) nd[k] = static_cast<double>(nf[k]);
  typename net_f::input_type xf{};
  typename net_d::input_type xd{};
  for (std::size_t i = 0; i < 6; ++i) xd[i] = static_cast<double>(xf[i] = static_cast<float>(g.uniform(-1, 1)));
  const typename net_f::output_type cf{1.f, -0.5f, 0.25f};
  const typename net_d::output_type cd{1.0, -0.5, 0.25};
  ctnn::gradients<net_f> gf{};
  ctnn::gradients<net_d> gd{};
  const auto dxf = ctnn::backward(nf, nf.traced(xf), cf, gf);
  const auto dxd = ctnn::backward(nd, nd.traced(xd), cd, gd);
  double worst = 0, max_grad = 0;
  for (std::size_t k = 0; k < net_f::parameter_count; ++k) {
    const double a = static_cast<double>(gf[k]), b = gd[k];
    worst = std::fmax(worst, std::fabs(a - b) / std::fmax(1e-2, std::fabs(b)));
    max_grad = std::fmax(max_grad, std::fabs(b));
  }
  for (std::size_t i = 0; i < 6; ++i) {
    const double a = static_cast<double>(dxf[i]), b = dxd[i];
    worst = std::fmax(worst, std::fabs(a - b) / std::fmax(1e-2, std::fabs(b)));
  }
  INFO("worst float vs double error " << worst);
  CHECK(worst <= 1e-4);
  CHECK(max_grad > 0.05);
}
