// SPDX-License-Identifier: MIT
// Tests for <ctnn/loss.hpp>: values, gradients, fused forms, pairing, constexpr.
#include <ctnn/loss.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include <catch2/catch.hpp>

namespace {

template <class T, std::size_t N>
using arr = std::array<T, N>;

/// Defeats constant folding so a "run-time" result really is computed at run time.
template <class T, std::size_t N>
arr<T, N> at_run_time(const arr<T, N>& a) {
  arr<T, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    volatile T v = a[i];
    out[i] = v;
  }
  return out;
}

/// |a - b| / max(|a|, |b|, 1e-3): relative error, with a floor for near-zero gradients.
double rel_err(double a, double b) {
  const double scale = std::fmax(std::fmax(std::fabs(a), std::fabs(b)), 1e-3);
  return std::fabs(a - b) / scale;
}

/// Central finite differences of `f(pred)` in every coordinate, compared with `grad`.
template <class F, std::size_t N>
double max_fd_error(F f, arr<double, N> p, const arr<double, N>& grad, double h = 1e-6) {
  double worst = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    const double keep = p[i];
    p[i] = keep + h;
    const double up = f(p);
    p[i] = keep - h;
    const double down = f(p);
    p[i] = keep;
    worst = std::fmax(worst, rel_err((up - down) / (2 * h), grad[i]));
  }
  return worst;
}

template <class L, std::size_t N>
double loss_fd_error(const L& loss, const arr<double, N>& p, const arr<double, N>& y) {
  arr<double, N> g{};
  loss.gradient(p, y, g);
  return max_fd_error([&](const arr<double, N>& q) { return loss.value(q, y); }, p, g);
}

template <class L, class Act, std::size_t N>
double fused_fd_error(const L& loss, Act act, const arr<double, N>& z, const arr<double, N>& y) {
  arr<double, N> g{};
  (void)loss.fused_value_and_delta(act, z, y, g);
  arr<double, N> scratch{};
  return max_fd_error(
      [&](const arr<double, N>& q) { return loss.fused_value_and_delta(act, q, y, scratch); }, z,
      g);
}

/// A loss that forwards to L but has no fused form: the generic (unfused) path of
/// ctnn::loss_and_output_delta, and an example of a user-defined loss.
template <class L>
struct unfused {
  L inner{};
  template <class Act>
  static constexpr bool accepts_output = L::template accepts_output<Act>;
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const arr<T, N>& p, const arr<T, N>& y) const noexcept {
    return inner.value(p, y);
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const arr<T, N>& p, const arr<T, N>& y, arr<T, N>& g) const noexcept {
    inner.gradient(p, y, g);
  }
};

struct not_a_loss_no_gradient {
  template <class Act>
  static constexpr bool accepts_output = true;
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const arr<T, N>&, const arr<T, N>&) const noexcept { return T(0); }
};

struct not_a_loss_no_rule {
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const arr<T, N>&, const arr<T, N>&) const noexcept { return T(0); }
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const arr<T, N>&, const arr<T, N>&, arr<T, N>&) const noexcept {}
};

/// Deterministic, varied parameters in about [-0.9, 0.9].
template <class Net>
Net make_net(double phase = 0.3) {
  typename Net::flat_type flat{};
  for (std::size_t k = 0; k < flat.size(); ++k)
    flat[k] = static_cast<typename Net::value_type>(0.9 * std::sin(1.7 * static_cast<double>(k) + phase));
  return Net(flat);
}

/// dL/dparams from loss_and_output_delta + backward_from_output_delta, against central finite
/// differences of loss_value in every parameter.
template <class Net, class L>
double network_fd_error(const L& loss, const typename Net::input_type& x,
                        const typename Net::output_type& y) {
  Net net = make_net<Net>();
  const auto t = net.traced(x);
  typename Net::output_type dz{};
  const double l = loss_and_output_delta(loss, t, y, dz);
  REQUIRE(l == Approx(ctnn::loss_value(loss, net, x, y)).epsilon(1e-12));
  ctnn::gradients<Net> g;
  g.clear();
  ctnn::backward_from_output_delta(net, t, dz, g);
  const double h = 1e-6;
  double worst = 0.0;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    const double keep = net[k];
    net[k] = keep + h;
    const double up = ctnn::loss_value(loss, net, x, y);
    net[k] = keep - h;
    const double down = ctnn::loss_value(loss, net, x, y);
    net[k] = keep;
    worst = std::fmax(worst, rel_err((up - down) / (2 * h), g[k]));
  }
  return worst;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("loss: the concepts and the pairing rules", "[loss]") {
  STATIC_REQUIRE(ctnn::Loss<ctnn::mse, float, 3>);
  STATIC_REQUIRE(ctnn::Loss<ctnn::mae, double, 1>);
  STATIC_REQUIRE(ctnn::Loss<ctnn::huber<>, float, 2>);
  STATIC_REQUIRE(ctnn::Loss<ctnn::huber<float>, double, 2>);
  STATIC_REQUIRE(ctnn::Loss<ctnn::binary_cross_entropy, float, 4>);
  STATIC_REQUIRE(ctnn::Loss<ctnn::categorical_cross_entropy, double, 4>);
  STATIC_REQUIRE(ctnn::Loss<unfused<ctnn::mse>, double, 4>);
  STATIC_REQUIRE(not_a_loss_no_gradient::accepts_output<ctnn::identity>);  // only gradient missing
  STATIC_REQUIRE_FALSE(ctnn::Loss<not_a_loss_no_gradient, double, 2>);
  STATIC_REQUIRE_FALSE(ctnn::Loss<not_a_loss_no_rule, double, 2>);
  STATIC_REQUIRE_FALSE(ctnn::Loss<ctnn::mse, int, 2>);

  STATIC_REQUIRE(std::is_same_v<ctnn::cross_entropy, ctnn::categorical_cross_entropy>);
  STATIC_REQUIRE(std::is_same_v<ctnn::bce, ctnn::binary_cross_entropy>);

  STATIC_REQUIRE(ctnn::categorical_cross_entropy::accepts_output<ctnn::softmax>);
  STATIC_REQUIRE_FALSE(ctnn::categorical_cross_entropy::accepts_output<ctnn::sigmoid>);
  STATIC_REQUIRE_FALSE(ctnn::categorical_cross_entropy::accepts_output<ctnn::identity>);
  STATIC_REQUIRE(ctnn::binary_cross_entropy::accepts_output<ctnn::sigmoid>);
  STATIC_REQUIRE_FALSE(ctnn::binary_cross_entropy::accepts_output<ctnn::softmax>);
  STATIC_REQUIRE_FALSE(ctnn::binary_cross_entropy::accepts_output<ctnn::tanh>);
  STATIC_REQUIRE(ctnn::mse::accepts_output<ctnn::identity>);
  STATIC_REQUIRE(ctnn::mse::accepts_output<ctnn::softmax>);
  STATIC_REQUIRE(ctnn::mae::accepts_output<ctnn::leaky_relu<>>);
  STATIC_REQUIRE(ctnn::huber<>::accepts_output<ctnn::sigmoid>);

  STATIC_REQUIRE(ctnn::FusedLoss<ctnn::cross_entropy, ctnn::softmax, float, 3>);
  STATIC_REQUIRE(ctnn::FusedLoss<ctnn::bce, ctnn::sigmoid, double, 1>);
  STATIC_REQUIRE_FALSE(ctnn::FusedLoss<ctnn::cross_entropy, ctnn::sigmoid, float, 3>);
  STATIC_REQUIRE_FALSE(ctnn::FusedLoss<ctnn::bce, ctnn::softmax, float, 3>);
  STATIC_REQUIRE_FALSE(ctnn::FusedLoss<ctnn::mse, ctnn::sigmoid, float, 3>);
  STATIC_REQUIRE_FALSE(ctnn::FusedLoss<unfused<ctnn::bce>, ctnn::sigmoid, float, 3>);

  STATIC_REQUIRE(ctnn::log_epsilon<float> == 1e-7f);
  STATIC_REQUIRE(ctnn::log_epsilon<double> == 1e-15);
}

TEST_CASE("loss: huber's delta and its deduction", "[loss]") {
  STATIC_REQUIRE(std::is_same_v<decltype(ctnn::huber{}), ctnn::huber<double>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ctnn::huber{0.5f}), ctnn::huber<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ctnn::huber{0.5}), ctnn::huber<double>>);
  STATIC_REQUIRE(ctnn::huber{}.delta == 1.0);
  STATIC_REQUIRE(ctnn::huber{2.5}.delta == 2.5);
  STATIC_REQUIRE(ctnn::huber<float>{}.delta == 1.0f);
}

TEMPLATE_TEST_CASE("loss: values against hand-computed numbers", "[loss]", float, double) {
  using T = TestType;
  const arr<T, 3> p{T(1), T(2), T(3)}, y{T(1), T(0), T(5)};  // differences 0, 2, -2
  CHECK(ctnn::mse{}.value(p, y) == Approx(8.0 / 3.0));      // (0 + 4 + 4) / 3
  CHECK(ctnn::mae{}.value(p, y) == Approx(4.0 / 3.0));      // (0 + 2 + 2) / 3
  CHECK(ctnn::huber{}.value(p, y) == Approx(1.0));          // (0 + 1.5 + 1.5) / 3, delta 1
  CHECK(ctnn::huber{T(2.5)}.value(p, y) == Approx(4.0 / 3.0));  // (0 + 2 + 2) / 3: all quadratic
  CHECK(ctnn::huber{T(0.5)}.value(p, y) == Approx(1.75 / 3.0)); // 2 * 0.5 * (2 - 0.25) / 3

  const arr<T, 2> pb{T(0.5), T(0.8)}, yb{T(1), T(0)};
  // (-ln 0.5 - ln 0.2) / 2 = (0.693147181 + 1.609437912) / 2
  CHECK(ctnn::bce{}.value(pb, yb) == Approx(1.1512925465));

  const arr<T, 3> pc{T(0.7), T(0.2), T(0.1)}, yc{T(1), T(0), T(0)};
  CHECK(ctnn::cross_entropy{}.value(pc, yc) == Approx(0.3566749439));  // -ln 0.7
  const arr<T, 3> ys{T(0.5), T(0.5), T(0)};  // a soft target: -(0.5 ln 0.7 + 0.5 ln 0.2)
  CHECK(ctnn::cross_entropy{}.value(pc, ys) == Approx(0.9830564281));

  // Fused forms on logits. z = (1, 2, 3), class 2: logsumexp = 3 + ln(1 + e^-1 + e^-2).
  const arr<T, 3> z{T(1), T(2), T(3)}, y2{T(0), T(0), T(1)};
  arr<T, 3> dz{};
  CHECK(ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, z, y2, dz) ==
        Approx(0.4076059644));
  // softmax(1, 2, 3) = (0.0900306, 0.2447285, 0.6652410); dL/dz = softmax - y
  CHECK(dz[0] == Approx(0.0900305732));
  CHECK(dz[1] == Approx(0.2447284711));
  CHECK(dz[2] == Approx(0.6652409558 - 1.0));
  // BCE on logits (0, 2) with targets (1, 0): (ln 2 + (2 + ln(1 + e^-2))) / 2
  const arr<T, 2> zb{T(0), T(2)};
  arr<T, 2> dzb{};
  CHECK(ctnn::bce{}.fused_value_and_delta(ctnn::sigmoid{}, zb, yb, dzb) ==
        Approx((0.6931471806 + 2.1269280110) / 2));
  CHECK(dzb[0] == Approx((0.5 - 1.0) / 2));
  CHECK(dzb[1] == Approx(0.8807970780 / 2));
}

TEMPLATE_TEST_CASE("loss: gradients by formula", "[loss]", float, double) {
  using T = TestType;
  const arr<T, 3> p{T(1), T(2), T(3)}, y{T(1), T(0), T(5)};
  arr<T, 3> g{};
  ctnn::mse{}.gradient(p, y, g);
  CHECK(g == arr<T, 3>{T(0), T(4) / T(3), T(-4) / T(3)});
  ctnn::mae{}.gradient(p, y, g);
  CHECK(g == arr<T, 3>{T(0), T(1) / T(3), T(-1) / T(3)});  // sign(0) = 0
  ctnn::huber{}.gradient(p, y, g);
  CHECK(g == arr<T, 3>{T(0), T(1) / T(3), T(-1) / T(3)});  // clamped to +-delta
  ctnn::huber{T(2.5)}.gradient(p, y, g);
  CHECK(g == arr<T, 3>{T(0), T(2) / T(3), T(-2) / T(3)});  // inside: d / n
}

TEST_CASE("loss: gradient = central finite differences (double)", "[loss]") {
  const arr<double, 4> p{0.3, -1.2, 2.5, 0.05}, y{1.0, -0.7, 0.4, -2.0};
  CHECK(loss_fd_error(ctnn::mse{}, p, y) <= 1e-6);
  CHECK(loss_fd_error(ctnn::mae{}, p, y) <= 1e-6);
  CHECK(loss_fd_error(ctnn::huber{}, p, y) <= 1e-6);     // both branches: |d| 0.7 and 2.1
  CHECK(loss_fd_error(ctnn::huber{0.3}, p, y) <= 1e-6);
  CHECK(loss_fd_error(ctnn::huber{5.0}, p, y) <= 1e-6);

  const arr<double, 4> pb{0.2, 0.9, 0.55, 0.01}, yb{1.0, 0.0, 0.3, 1.0};
  CHECK(loss_fd_error(ctnn::bce{}, pb, yb) <= 1e-6);
  const arr<double, 4> pc{0.1, 0.6, 0.25, 0.05}, yc{0.0, 1.0, 0.0, 0.0}, ys{0.2, 0.5, 0.3, 0.0};
  CHECK(loss_fd_error(ctnn::cross_entropy{}, pc, yc) <= 1e-6);
  CHECK(loss_fd_error(ctnn::cross_entropy{}, pc, ys) <= 1e-6);

  const arr<double, 4> z{0.4, -2.0, 3.1, 0.0};
  CHECK(fused_fd_error(ctnn::cross_entropy{}, ctnn::softmax{}, z, yc) <= 1e-6);
  CHECK(fused_fd_error(ctnn::cross_entropy{}, ctnn::softmax{}, z, ys) <= 1e-6);
  const arr<double, 4> y_heavy{0.5, 0.0, 1.0, 0.25};  // sum(y) = 1.75: dL/dz = softmax sum(y) - y
  CHECK(fused_fd_error(ctnn::cross_entropy{}, ctnn::softmax{}, z, y_heavy) <= 1e-6);
  CHECK(fused_fd_error(ctnn::bce{}, ctnn::sigmoid{}, z, yb) <= 1e-6);
}

TEMPLATE_TEST_CASE("loss: fused == unfused on moderate logits", "[loss]", float, double) {
  using T = TestType;
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  const arr<T, 4> z{T(0.4), T(-2), T(3.1), T(0)};
  const arr<T, 4> y_hot{T(0), T(0), T(1), T(0)}, y_soft{T(0.1), T(0.2), T(0.3), T(0.4)};
  for (const auto& y : {y_hot, y_soft}) {
    arr<T, 4> a = z, dz_fused{}, g{}, dz{};
    ctnn::softmax::apply(std::span<T, 4>(a));
    const T fused = ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, z, y, dz_fused);
    const T plain = ctnn::cross_entropy{}.value(a, y);
    ctnn::cross_entropy{}.gradient(a, y, g);
    ctnn::softmax::vjp(std::span<const T, 4>(z), std::span<const T, 4>(a),
                       std::span<const T, 4>(g), std::span<T, 4>(dz));
    CHECK(rel_err(fused, plain) <= tol);
    for (std::size_t j = 0; j < 4; ++j) CHECK(std::fabs(double(dz_fused[j] - dz[j])) <= tol);
  }
  const arr<T, 4> yb{T(1), T(0), T(0.3), T(1)};
  arr<T, 4> a{}, dz_fused{}, g{};
  for (std::size_t i = 0; i < 4; ++i) a[i] = ctnn::sigmoid::value(z[i]);
  const T fused = ctnn::bce{}.fused_value_and_delta(ctnn::sigmoid{}, z, yb, dz_fused);
  CHECK(rel_err(fused, ctnn::bce{}.value(a, yb)) <= tol);
  ctnn::bce{}.gradient(a, yb, g);
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(std::fabs(double(dz_fused[i] - ctnn::sigmoid::derivative(z[i], a[i]) * g[i])) <= tol);
}

TEMPLATE_TEST_CASE("loss: fused forms stay exact on huge logits; probability forms are clamped",
                   "[loss]", float, double) {
  using T = TestType;
  const T big = T(1e4);
  const arr<T, 3> z{big, T(0), -big}, y{T(0), T(1), T(0)};
  arr<T, 3> dz{};
  const T fused = ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, z, y, dz);
  CHECK(fused == Approx(1e4));  // the true loss: logsumexp(z) - z_1 = 1e4
  CHECK(dz == arr<T, 3>{T(1), T(-1), T(0)});
  // The probabilities have underflowed to (1, 0, 0): a naive -ln a_1 is infinite ...
  arr<T, 3> a = z;
  ctnn::softmax::apply(std::span<T, 3>(a));
  REQUIRE(a[1] == T(0));
  CHECK(std::isinf(-std::log(a[1])));
  // ... while the clamped probability form saturates at -ln eps, finite, as documented.
  const T clamped = ctnn::cross_entropy{}.value(a, y);
  CHECK(std::isfinite(clamped));
  CHECK(clamped == Approx(-std::log(double(ctnn::log_epsilon<T>))).epsilon(1e-5));
  arr<T, 3> g{};
  ctnn::cross_entropy{}.gradient(a, y, g);
  for (T v : g) CHECK(std::isfinite(v));

  const arr<T, 2> zb{big, -big}, yb{T(0), T(1)};
  arr<T, 2> dzb{};
  const T fb = ctnn::bce{}.fused_value_and_delta(ctnn::sigmoid{}, zb, yb, dzb);
  CHECK(fb == Approx(1e4));  // (1e4 + 1e4) / 2
  CHECK(dzb == arr<T, 2>{T(0.5), T(-0.5)});
  const arr<T, 2> ab{ctnn::sigmoid::value(big), ctnn::sigmoid::value(-big)};
  REQUIRE(ab[0] == T(1));
  CHECK(std::isinf(-std::log(T(1) - ab[0])));  // naive BCE
  const T cb = ctnn::bce{}.value(ab, yb);
  CHECK(std::isfinite(cb));
  CHECK(cb == Approx(-std::log(double(ctnn::log_epsilon<T>))).epsilon(1e-5));
  arr<T, 2> gb{};
  ctnn::bce{}.gradient(ab, yb, gb);
  for (T v : gb) CHECK(std::isfinite(v));
  CHECK(gb[0] > T(0));  // still pushes the prediction the right way
  CHECK(gb[1] < T(0));
}

TEMPLATE_TEST_CASE("loss: constexpr results equal run-time results", "[loss]", float, double) {
  using T = TestType;
  static constexpr arr<T, 3> p{T(0.7), T(0.2), T(0.1)}, y{T(1), T(0), T(0)};
  static constexpr arr<T, 3> z{T(1), T(2), T(3)};
  constexpr T v_mse = ctnn::mse{}.value(p, y);
  constexpr T v_mae = ctnn::mae{}.value(p, y);
  constexpr T v_hub = ctnn::huber{T(0.25)}.value(p, y);
  constexpr T v_bce = ctnn::bce{}.value(p, y);
  constexpr T v_ce = ctnn::cross_entropy{}.value(p, y);
  constexpr auto fused_ce = [] {
    arr<T, 3> dz{};
    const T v = ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, z, y, dz);
    return std::pair{v, dz};
  }();
  constexpr auto fused_bce = [] {
    arr<T, 3> dz{};
    const T v = ctnn::bce{}.fused_value_and_delta(ctnn::sigmoid{}, z, y, dz);
    return std::pair{v, dz};
  }();
  constexpr auto g_bce = [] {
    arr<T, 3> g{};
    ctnn::bce{}.gradient(p, y, g);
    return g;
  }();
  STATIC_REQUIRE(v_mse > T(0));
  STATIC_REQUIRE(v_ce > T(0.35));
  STATIC_REQUIRE(v_ce < T(0.36));
  STATIC_REQUIRE(fused_ce.first > T(2.40));
  STATIC_REQUIRE(fused_ce.first < T(2.41));  // logsumexp(1, 2, 3) - 1 = 2.4076
  STATIC_REQUIRE(fused_ce.second[0] < T(0));

  const auto rp = at_run_time(p), ry = at_run_time(y), rz = at_run_time(z);
  CHECK(ctnn::mse{}.value(rp, ry) == v_mse);
  CHECK(ctnn::mae{}.value(rp, ry) == v_mae);
  CHECK(ctnn::huber{T(0.25)}.value(rp, ry) == v_hub);
  CHECK(ctnn::bce{}.value(rp, ry) == v_bce);
  CHECK(ctnn::cross_entropy{}.value(rp, ry) == v_ce);
  arr<T, 3> dz{}, g{};
  CHECK(ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, rz, ry, dz) == fused_ce.first);
  CHECK(dz == fused_ce.second);
  CHECK(ctnn::bce{}.fused_value_and_delta(ctnn::sigmoid{}, rz, ry, dz) == fused_bce.first);
  CHECK(dz == fused_bce.second);
  ctnn::bce{}.gradient(rp, ry, g);
  CHECK(g == g_bce);
  CHECK(v_ce == Approx(0.3566749439));
}

// ---------------------------------------------------------------------------------------------
// Through a network
// ---------------------------------------------------------------------------------------------

using reg_net = ctnn::network<double, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2>>;
using reg_sig_net =
    ctnn::network<double, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2, ctnn::sigmoid>>;
using cls_net =
    ctnn::network<double, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<3, ctnn::softmax>>;

TEST_CASE("loss: network gradients = finite differences of loss_value", "[loss]") {
  const reg_net::input_type x{0.5, -1.0, 0.25};
  CHECK(network_fd_error<reg_net>(ctnn::mse{}, x, {0.3, -0.8}) <= 1e-6);
  CHECK(network_fd_error<reg_net>(ctnn::mae{}, x, {0.3, -0.8}) <= 1e-6);
  CHECK(network_fd_error<reg_net>(ctnn::huber{0.2}, x, {0.3, -0.8}) <= 1e-6);
  CHECK(network_fd_error<reg_sig_net>(ctnn::mse{}, x, {0.3, 0.9}) <= 1e-6);
  CHECK(network_fd_error<reg_sig_net>(ctnn::bce{}, x, {1.0, 0.0}) <= 1e-6);
  CHECK(network_fd_error<reg_sig_net>(unfused<ctnn::bce>{}, x, {1.0, 0.0}) <= 1e-6);
  CHECK(network_fd_error<cls_net>(ctnn::cross_entropy{}, x, {0.0, 1.0, 0.0}) <= 1e-6);
  CHECK(network_fd_error<cls_net>(ctnn::cross_entropy{}, x, {0.2, 0.3, 0.5}) <= 1e-6);
  CHECK(network_fd_error<cls_net>(unfused<ctnn::cross_entropy>{}, x, {0.0, 1.0, 0.0}) <= 1e-6);
  CHECK(network_fd_error<cls_net>(ctnn::mse{}, x, {0.0, 1.0, 0.0}) <= 1e-6);  // Brier score
}

TEMPLATE_TEST_CASE("loss: loss_and_output_delta, fused path == unfused path", "[loss]", float,
                   double) {
  using T = TestType;
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  using cls = ctnn::network<T, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;
  using bin = ctnn::network<T, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<2, ctnn::sigmoid>>;
  const typename cls::input_type x{T(0.8), T(-0.4)};
  {
    const cls net = make_net<cls>(1.1);
    const auto t = net.traced(x);
    const typename cls::output_type y{T(0), T(0), T(1)};
    typename cls::output_type dz_f{}, dz_u{};
    const T lf = ctnn::loss_and_output_delta(ctnn::cross_entropy{}, t, y, dz_f);
    const T lu = ctnn::loss_and_output_delta(unfused<ctnn::cross_entropy>{}, t, y, dz_u);
    CHECK(rel_err(lf, lu) <= tol);
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(std::fabs(double(dz_f[j] - dz_u[j])) <= tol);
      CHECK(std::fabs(double(dz_f[j] - (t.output()[j] - y[j]))) <= tol);  // y' - y
    }
    CHECK(ctnn::loss_value(ctnn::cross_entropy{}, net, x, y) == lf);
  }
  {
    const bin net = make_net<bin>(0.2);
    const auto t = net.traced(x);
    const typename bin::output_type y{T(1), T(0)};
    typename bin::output_type dz_f{}, dz_u{};
    const T lf = ctnn::loss_and_output_delta(ctnn::bce{}, t, y, dz_f);
    const T lu = ctnn::loss_and_output_delta(unfused<ctnn::bce>{}, t, y, dz_u);
    CHECK(rel_err(lf, lu) <= tol);
    for (std::size_t j = 0; j < 2; ++j) CHECK(std::fabs(double(dz_f[j] - dz_u[j])) <= tol);
    CHECK(ctnn::loss_value(ctnn::bce{}, net, x, y) == lf);
  }
}

TEST_CASE("loss: unfused path uses output_delta (mse after sigmoid)", "[loss]") {
  const reg_sig_net net = make_net<reg_sig_net>();
  const reg_sig_net::input_type x{0.1, 0.2, -0.3};
  const reg_sig_net::output_type y{0.25, 0.75};
  const auto t = net.traced(x);
  reg_sig_net::output_type dz{};
  const double l = ctnn::loss_and_output_delta(ctnn::mse{}, t, y, dz);
  const auto a = t.output();
  CHECK(l == Approx(((a[0] - y[0]) * (a[0] - y[0]) + (a[1] - y[1]) * (a[1] - y[1])) / 2));
  for (std::size_t j = 0; j < 2; ++j)  // 2/n (a - y) * a (1 - a)
    CHECK(dz[j] == Approx((a[j] - y[j]) * a[j] * (1 - a[j])));
}

TEMPLATE_TEST_CASE("loss: loss_and_output_delta in a constant expression", "[loss]", float,
                   double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<2, ctnn::tanh>, ctnn::dense<3, ctnn::softmax>>;
  static constexpr typename net_t::flat_type flat{T(0.5),  T(-0.25), T(1),   T(0.75),  T(0.1), T(-0.2),
                                                  T(0.3),  T(-1),    T(0.5), T(0.25),  T(-0.5), T(2),
                                                  T(0.05), T(-0.05), T(0.15)};
  static constexpr typename net_t::input_type x{T(1), T(-2)};
  static constexpr typename net_t::output_type y{T(0), T(1), T(0)};
  constexpr auto ct = [] {
    const net_t net(flat);
    const auto t = net.traced(x);
    typename net_t::output_type dz{};
    const T l = ctnn::loss_and_output_delta(ctnn::cross_entropy{}, t, y, dz);
    return std::pair{l, dz};
  }();
  constexpr T ct_value = ctnn::loss_value(ctnn::cross_entropy{}, net_t(flat), x, y);
  STATIC_REQUIRE(ct.first > T(0));
  STATIC_REQUIRE(ct.first == ct_value);
  STATIC_REQUIRE(ct.second[0] + ct.second[1] + ct.second[2] < T(1e-5));   // sum(y' - y) = 0
  STATIC_REQUIRE(ct.second[0] + ct.second[1] + ct.second[2] > T(-1e-5));

  const net_t net(at_run_time(flat));
  const auto t = net.traced(at_run_time(x));
  typename net_t::output_type dz{};
  CHECK(ctnn::loss_and_output_delta(ctnn::cross_entropy{}, t, at_run_time(y), dz) == ct.first);
  CHECK(dz == ct.second);
}

TEST_CASE("loss: probability forms never give inf or NaN for 0/1 predictions", "[loss]") {
  const arr<float, 2> p{0.0f, 1.0f}, y{1.0f, 0.0f};
  arr<float, 2> g{};
  const float b = ctnn::bce{}.value(p, y);
  CHECK(std::isfinite(b));
  CHECK(b == Approx(-std::log(1e-7)).epsilon(1e-4));  // each output at the clamp
  ctnn::bce{}.gradient(p, y, g);
  CHECK(std::isfinite(g[0]));
  CHECK(std::isfinite(g[1]));
  const arr<double, 3> pc{0.0, 1.0, 0.0}, yc{1.0, 0.0, 0.0};
  arr<double, 3> gc{};
  CHECK(ctnn::cross_entropy{}.value(pc, yc) == Approx(-std::log(1e-15)));
  ctnn::cross_entropy{}.gradient(pc, yc, gc);
  CHECK(gc[0] == Approx(-1e15));
  CHECK(gc[1] == 0.0);
}

TEMPLATE_TEST_CASE("loss accuracy: fused cross-entropy keeps its digits for large logits",
                   "[loss][accuracy]", float, double) {
  // References: sum_j y_j (logsumexp(z) - z_j) with mpmath at 50 digits, rounded to double:
  //   import mpmath as m; m.mp.dps = 50; z = [0, 1, 2]
  //   lse = m.log(sum(m.exp(v) for v in z)); [float(lse - v) for v in z]
  // (the value depends only on the differences of the logits; torch float64
  // F.cross_entropy([[1000., 1001., 1002.]], [0]) gives 2.4076059644443806).
  // logsumexp(z) - z_j computed as such loses the digits of max z: 5e-6 to 3e-5 relative at
  // z = [1000, 1001, 1002] in float, 2e-8 to 1e-7 at z = 1e9 + [0, 1, 2] in double;
  // (max z - z_j) + ln sum_k e^(z_k - max z) keeps them.
  using T = TestType;
  const T base = std::is_same_v<T, float> ? T(1000) : T(1e9);
  const double tol = std::is_same_v<T, float> ? 4e-7 : 1e-15;
  const auto z = at_run_time(arr<T, 3>{base, base + T(1), base + T(2)});
  const auto rel = [](double a, double ref) { return std::fabs(a - ref) / std::fabs(ref); };
  arr<T, 3> dz{};
  const T l0 = ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, z,
                                                            arr<T, 3>{T(1), T(0), T(0)}, dz);
  CHECK(rel(l0, 2.40760596444438) <= tol);
  const T l2 = ctnn::cross_entropy{}.fused_value_and_delta(ctnn::softmax{}, z,
                                                            arr<T, 3>{T(0), T(0), T(1)}, dz);
  CHECK(rel(l2, 0.4076059644443803) <= tol);
  const T ls = ctnn::cross_entropy{}.fused_value_and_delta(
      ctnn::softmax{}, z, arr<T, 3>{T(0.25), T(0.5), T(0.25)}, dz);
  CHECK(rel(ls, 1.4076059644443804) <= tol);
  // dL/dz = softmax(z) - y: unchanged, exact in the differences
  CHECK(rel(dz[0], 0.09003057317038046 - 0.25) <= tol);
  CHECK(rel(dz[2], 0.6652409557748219 - 0.25) <= tol);
}
