// SPDX-License-Identifier: MIT
// Tests for <ctnn/finite.hpp>: check_finite / first_non_finite / all_finite, and the documented
// behaviour of forward and of training on NaN and infinite numbers.
#include <ctnn/finite.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

#include <catch2/catch.hpp>

#include <ctnn/backward.hpp>
#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>

namespace {

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

using net_t = ctnn::network<float, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2, ctnn::sigmoid>>;

template <class Net>
Net initialised(std::uint64_t seed) {
  Net n;
  ctnn::rng gen{seed};
  ctnn::init(n, ctnn::xavier_uniform{}, gen);
  return n;
}

template <class Act>
using one_act_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, Act>, ctnn::dense<2, ctnn::identity>>;

template <class Act>
typename one_act_net<Act>::output_type forward_nan() {
  const auto n = initialised<one_act_net<Act>>(5);
  return n.forward({nan_f, 1.0f});
}

bool all_nan(const auto& y) {
  for (const auto v : y)
    if (!std::isnan(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("finite: check_finite and first_non_finite find every bad parameter", "[finite]") {
  STATIC_REQUIRE(ctnn::check_finite(net_t{}) == ctnn::status::ok);
  STATIC_REQUIRE(ctnn::first_non_finite(net_t{}) == net_t::parameter_count);
  STATIC_REQUIRE([] {
    net_t n;
    n[7] = std::numeric_limits<float>::infinity();
    return ctnn::first_non_finite(n);
  }() == 7);
  const net_t good = initialised<net_t>(1);
  CHECK(ctnn::check_finite(good) == ctnn::status::ok);
  for (float bad : {nan_f, inf_f, -inf_f}) {
    for (std::size_t k = 0; k < net_t::parameter_count; ++k) {
      net_t n = good;
      n[k] = bad;
      INFO("parameter " << k << " = " << bad);
      CHECK(ctnn::check_finite(n) == ctnn::status::non_finite_value);
      CHECK(ctnn::first_non_finite(n) == k);
      n[net_t::parameter_count - 1] = bad;  // a later one does not hide the first
      CHECK(ctnn::first_non_finite(n) == k);
    }
  }
  // Large but finite values, subnormals and -0 are fine.
  net_t edge = good;
  edge[0] = std::numeric_limits<float>::max();
  edge[1] = std::numeric_limits<float>::denorm_min();
  edge[2] = -0.0f;
  CHECK(ctnn::check_finite(edge) == ctnn::status::ok);
}

TEST_CASE("finite: works on gradients and optimiser moments", "[finite]") {
  ctnn::gradients<net_t> g{};
  CHECK(ctnn::check_finite(g) == ctnn::status::ok);
  g[3] = nan_f;
  CHECK(ctnn::check_finite(g) == ctnn::status::non_finite_value);
  CHECK(ctnn::first_non_finite(g) == 3);
  ctnn::adam<float>::state<net_t> st{};
  CHECK(ctnn::check_finite(st.v) == ctnn::status::ok);
  st.v[net_t::parameter_count - 1] = inf_f;
  CHECK(ctnn::first_non_finite(st.v) == net_t::parameter_count - 1);
  ctnn::network<double, ctnn::input<1>, ctnn::dense<1>> d;
  d[1] = -std::numeric_limits<double>::infinity();
  CHECK(ctnn::check_finite(d) == ctnn::status::non_finite_value);
}

TEST_CASE("finite: all_finite on arrays and spans", "[finite]") {
  STATIC_REQUIRE(ctnn::all_finite(std::array<float, 3>{1.f, -2.f, 0.f}));
  STATIC_REQUIRE(!ctnn::all_finite(std::array<float, 3>{1.f, inf_f, 0.f}));
  STATIC_REQUIRE(ctnn::all_finite(std::array<double, 0>{}));
  const std::array<double, 2> v{1.0, std::numeric_limits<double>::quiet_NaN()};
  CHECK(!ctnn::all_finite(v));
  CHECK(ctnn::all_finite(std::span<const double, 1>(v.data(), 1)));
  CHECK(!ctnn::all_finite(std::span<const double>(v)));
}

TEST_CASE("finite: a NaN input propagates to every output, through every activation", "[finite]") {
  CHECK(all_nan(forward_nan<ctnn::identity>()));
  CHECK(all_nan(forward_nan<ctnn::sigmoid>()));
  CHECK(all_nan(forward_nan<ctnn::tanh>()));
  CHECK(all_nan(forward_nan<ctnn::leaky_relu<>>()));
  CHECK(all_nan(forward_nan<ctnn::elu<>>()));
  CHECK(all_nan(forward_nan<ctnn::softplus>()));
  CHECK(all_nan(forward_nan<ctnn::gelu>()));
  using sm = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::softmax>>;
  CHECK(all_nan(initialised<sm>(3).forward({1.0f, nan_f})));
  // Even a zero weight does not stop it: 0 * NaN = NaN.
  one_act_net<ctnn::tanh> zero;
  CHECK(all_nan(zero.forward({nan_f, 0.0f})));

  // relu too maps NaN to NaN (as PyTorch's relu), so nothing hides a NaN input.
  auto n = initialised<one_act_net<ctnn::relu>>(5);
  n.layer<1>().b = {0.25f, -0.5f};
  CHECK(all_nan(n.forward({nan_f, 1.0f})));
  CHECK(std::isnan(ctnn::relu::value(nan_f)));
  // So checking the input is the way to catch it.
  CHECK(!ctnn::all_finite(std::array<float, 2>{nan_f, 1.0f}));
}

TEST_CASE("finite: infinite inputs give NaN, infinity or saturation as documented", "[finite]") {
  // A zero weight meets the infinity: 0 * inf = NaN.
  ctnn::network<float, ctnn::input<2>, ctnn::dense<1>> lin;
  lin.layer<0>().W[0] = {0.0f, 1.0f};
  CHECK(std::isnan(lin.forward({inf_f, 1.0f})[0]));
  // Weights of both signs: inf - inf = NaN.
  lin.layer<0>().W[0] = {1.0f, -1.0f};
  CHECK(std::isnan(lin.forward({inf_f, inf_f})[0]));
  // Otherwise the infinity reaches z; identity keeps it, sigmoid and tanh saturate.
  lin.layer<0>().W[0] = {2.0f, 1.0f};
  CHECK(lin.forward({inf_f, 1.0f})[0] == inf_f);
  ctnn::network<float, ctnn::input<1>, ctnn::dense<1, ctnn::sigmoid>> sig;
  sig.layer<0>().W[0][0] = 1.0f;
  CHECK(sig.forward({inf_f})[0] == 1.0f);
  CHECK(sig.forward({-inf_f})[0] == 0.0f);
  ctnn::network<float, ctnn::input<1>, ctnn::dense<1, ctnn::tanh>> th;
  th.layer<0>().W[0][0] = -1.0f;
  CHECK(th.forward({inf_f})[0] == -1.0f);
  ctnn::network<float, ctnn::input<1>, ctnn::dense<1, ctnn::elu<1, 2>>> el;
  el.layer<0>().W[0][0] = 1.0f;
  CHECK(el.forward({-inf_f})[0] == -0.5f);
  ctnn::network<float, ctnn::input<1>, ctnn::dense<2, ctnn::softmax>> sm;
  sm.layer<0>().W[0][0] = 1.0f;
  CHECK(all_nan(sm.forward({inf_f})));
}

TEST_CASE("finite: training on data with a NaN or infinity is refused, nothing changes", "[finite]") {
  const net_t start = initialised<net_t>(9);
  std::array<net_t::input_type, 4> X{{{0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {1, 1, 1}}};
  std::array<net_t::output_type, 4> Y{{{0, 1}, {1, 0}, {1, 0}, {0, 1}}};
  auto train = [&](auto x, auto y) {
    net_t n = start;
    ctnn::adam<float>::state<net_t> st{};
    const ctnn::fit_report r = ctnn::fit(n, std::span<const net_t::input_type>(x),
                                         std::span<const net_t::output_type>(y), ctnn::mse{},
                                         ctnn::adam<float>{0.01f}, st, {.epochs = 3});
    CHECK(n == start);
    CHECK(st.step == 0);
    return r;
  };
  auto bad_x = X;
  bad_x[2][1] = nan_f;
  ctnn::fit_report r = train(bad_x, Y);
  CHECK(r.status == ctnn::status::non_finite_data);
  CHECK(r.bad_sample == 2);
  CHECK(!r);
  auto bad_y = Y;
  bad_y[3][0] = -inf_f;
  r = train(X, bad_y);
  CHECK(r.status == ctnn::status::non_finite_data);
  CHECK(r.bad_sample == 3);
  // The clean data trains.
  net_t n = start;
  CHECK(ctnn::fit(n, X, Y, ctnn::mse{}, ctnn::adam<float>{0.01f}, {.epochs = 3}));
  CHECK(ctnn::check_finite(n) == ctnn::status::ok);
}

TEST_CASE("finite: a diverging run restores finite parameters", "[finite]") {
  using lin_t = ctnn::network<float, ctnn::input<1>, ctnn::dense<1>>;
  lin_t n;
  n.layer<0>().W[0][0] = 1.0f;
  const std::array<lin_t::input_type, 2> X{{{1e18f}, {-3e18f}}};
  const std::array<lin_t::output_type, 2> Y{{{0.0f}, {1e18f}}};
  const lin_t before = n;
  const ctnn::fit_report r = ctnn::fit(n, X, Y, ctnn::mse{}, ctnn::gradient_descent<float>{1e10f},
                                       {.epochs = 50, .batch_size = 2});
  CHECK(r.status == ctnn::status::diverged);
  CHECK(ctnn::check_finite(n) == ctnn::status::ok);
  if (r.epochs_run == 0) CHECK(n == before);
}
