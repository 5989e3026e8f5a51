// SPDX-License-Identifier: MIT
// Tests for ctnn/number_traits.hpp: the element-type customisation point.
//  * float <-> double conversions done with integer operations are static_cast's bits;
//  * detail::extended<float> (double-word) gives the bits the former double computations gave
//    (Adam's bias corrections, the initialisers' limits, schedule factors);
//  * a test-only Q16.16 fixed-point type (tests/support/q16.hpp), enabled by its number_traits
//    alone, runs forward, backward, losses and optimiser steps through the library, agreeing
//    with the double network within fixed-point tolerance.
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <catch2/catch.hpp>

#include <ctnn/activation.hpp>
#include <ctnn/backward.hpp>
#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/schedule.hpp>

#include "../support/q16.hpp"

namespace {

using test_q16::q16;

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("number_traits: float, double and long double map onto ctnn::math", "[number_traits]") {
  using F = ctnn::number_traits<float>;
  STATIC_REQUIRE(F::is_iec559);
  STATIC_REQUIRE(F::digits == 24);
  STATIC_REQUIRE(ctnn::number_traits<double>::digits == 53);
  STATIC_REQUIRE(std::is_same_v<ctnn::accumulator_t<float>, float>);
  STATIC_REQUIRE(ctnn::literal<float>(0.1) == 0.1f);
  STATIC_REQUIRE(ctnn::literal<double>(0.1) == 0.1);
  // gelu's constants: the long double literal converted once, as before
  STATIC_REQUIRE(ctnn::gelu::c<float>() == static_cast<float>(0.7978845608028653558798921198687637L));
  STATIC_REQUIRE(ctnn::gelu::k<double>() == static_cast<double>(0.044715L));
  for (const float x : {-3.5f, -0.25f, 0.0f, 1e-3f, 0.75f, 12.0f}) {
    CHECK(std::bit_cast<std::uint32_t>(F::exp(x)) == std::bit_cast<std::uint32_t>(ctnn::math::exp(x)));
    CHECK(std::bit_cast<std::uint32_t>(F::tanh(x)) == std::bit_cast<std::uint32_t>(ctnn::math::tanh(x)));
    CHECK(std::bit_cast<std::uint32_t>(F::sigmoid(x)) ==
          std::bit_cast<std::uint32_t>(ctnn::math::sigmoid(x)));
  }
  STATIC_REQUIRE(ctnn::Scalar<float> && ctnn::Scalar<double> && ctnn::Scalar<q16>);
  STATIC_REQUIRE(!ctnn::Scalar<int>);
}

TEST_CASE("number_traits<float>: from_double / to_double are static_cast's bits without double "
          "arithmetic", "[number_traits]") {
  using F = ctnn::number_traits<float>;
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 0.1, 1e-8, 1e-40, 1e-45, 7e-46, 1.401298464324817e-45,
                             0x1.fffffefffffffp-127, 0x1.fffffep+127, 0x1.ffffffp+127, 3.4028235677973366e38,
                             1e39, -1e300, 1e-300, 4.9e-324, std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(), 0x1.000001p0, 0x1.0000018p0,
                             0x1.0000008p0, 0x1.0000028p0};
  for (const double d : specials) {
    INFO(d);
    CHECK(std::bit_cast<std::uint32_t>(F::from_double(d)) ==
          std::bit_cast<std::uint32_t>(static_cast<float>(d)));
  }
  CHECK(std::isnan(F::from_double(std::numeric_limits<double>::quiet_NaN())));
  std::uint64_t seed = 1;
  std::size_t mismatches = 0;
  for (int k = 0; k < 2000000; ++k) {
    std::uint64_t b = splitmix(seed);
    // half of the draws near float's range (exponents 800..1250), half anywhere
    if ((k & 1) == 0) b = (b & 0x800fffffffffffffu) | (std::uint64_t{800 + (b >> 52) % 450} << 52);
    const double d = std::bit_cast<double>(b);
    if (std::isnan(d)) continue;
    mismatches += std::bit_cast<std::uint32_t>(F::from_double(d)) !=
                  std::bit_cast<std::uint32_t>(static_cast<float>(d));
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(b));
    if (!std::isnan(f))
      mismatches += std::bit_cast<std::uint64_t>(F::to_double(f)) !=
                    std::bit_cast<std::uint64_t>(static_cast<double>(f));
  }
  CHECK(mismatches == 0);
  STATIC_REQUIRE(F::from_double(0.1) == 0.1f);
  STATIC_REQUIRE(F::to_double(0.1f) == static_cast<double>(0.1f));
}

TEST_CASE("extended<float> rounds to the bits of the former double computations",
          "[number_traits]") {
  using X = ctnn::detail::extended<float>;
  SECTION("initialiser limits: gain sqrt(6 / (fan_in + fan_out)) and friends") {
    std::size_t differ = 0;
    for (int n = 1; n <= 20000; ++n) {
      const X fan = X(static_cast<float>(n));
      for (const double c : {6.0, 2.0, 3.0, 1.0}) {
        const float old = static_cast<float>(ctnn::math::sqrt(c / static_cast<double>(n)));
        const float now = ctnn::detail::sqrt(X(static_cast<float>(c)) / fan).value();
        differ += std::bit_cast<std::uint32_t>(old) != std::bit_cast<std::uint32_t>(now);
      }
      for (const double g : {5.0 / 3.0, 0.5, std::sqrt(2.0)}) {
        const float old = static_cast<float>(g * ctnn::math::sqrt(6.0 / static_cast<double>(n)));
        const float now = (X::from_double(g) * ctnn::detail::sqrt(X(6.0f) / fan)).value();
        differ += std::bit_cast<std::uint32_t>(old) != std::bit_cast<std::uint32_t>(now);
      }
    }
    CHECK(differ == 0);
  }
  SECTION("Adam's step size and sqrt of the bias correction, steps 1 to 20000") {
    std::size_t differ = 0;
    for (const float beta : {0.9f, 0.999f, 0.99f, 0.5f, 0.3f}) {
      for (const float lr : {0.01f, 0.001f, 0.05f}) {
        for (std::uint64_t t = 1; t <= 20000; ++t) {
          const double bc = 1.0 - ctnn::detail::integer_power(static_cast<double>(beta), t);
          const float old_step = static_cast<float>(static_cast<double>(lr) / bc);
          const float old_sqrt = static_cast<float>(ctnn::math::sqrt(bc));
          const X xbc = X(1.0f) - ctnn::detail::integer_power(X(beta), t);
          differ += std::bit_cast<std::uint32_t>(old_step) !=
                    std::bit_cast<std::uint32_t>((X(lr) / xbc).value());
          differ += std::bit_cast<std::uint32_t>(old_sqrt) !=
                    std::bit_cast<std::uint32_t>(ctnn::detail::sqrt(xbc).value());
        }
      }
    }
    // double-word arithmetic carries about 48 bits: a rounding to float can only differ when
    // the exact value lies within ~2^-44 relative of a midpoint between two floats
    INFO(differ << " of 600000 coefficients differ");
    CHECK(differ <= 3);
  }
  SECTION("schedule factors: gamma^n and (t + 1) / W") {
    std::size_t differ = 0;
    for (const double gamma : {0.1, 0.5, 0.95, 0.999}) {
      for (std::size_t n = 0; n < 300; ++n) {
        const float old = static_cast<float>(ctnn::detail::integer_power(gamma, n));
        const float now = ctnn::detail::schedule_pow(X::from_double(gamma), n).value();
        differ += std::bit_cast<std::uint32_t>(old) != std::bit_cast<std::uint32_t>(now);
      }
    }
    INFO(differ << " of 1200 factors differ");
    CHECK(differ <= 2);
  }
}

// ---------------------------------------------------------------------------------------------
// Q16.16 through the whole library
// ---------------------------------------------------------------------------------------------

namespace {

using net_q = ctnn::network<q16, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                            ctnn::dense<1, ctnn::sigmoid>>;
using net_d = ctnn::network<double, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                            ctnn::dense<1, ctnn::sigmoid>>;

/// Parameters that are exactly representable in Q16.16 (multiples of 2^-8).
constexpr std::array<double, net_d::parameter_count> params{
    0.5, -0.25, 0.375, 0.125, -0.625, 0.75,  // W1 (3 x 2)
    0.0625, -0.125, 0.25,                   // b1
    0.875, -0.5, 0.3125,                    // W2 (1 x 3)
    -0.1875};                               // b2

template <class Net>
Net make_net() {
  Net net{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    net[k] = ctnn::from_double<typename Net::value_type>(params[k]);
  return net;
}

constexpr double tolerance = 2e-3;  // a few Q16.16 steps through two layers

}  // namespace

TEST_CASE("q16: a fixed-point network runs forward and backward through the traits",
          "[number_traits][q16]") {
  const net_q nq = make_net<net_q>();
  const net_d nd = make_net<net_d>();
  const std::array<std::array<double, 2>, 4> xs{{{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {0.5, -0.75}}};
  for (const auto& x : xs) {
    const net_q::input_type xq{ctnn::from_double<q16>(x[0]), ctnn::from_double<q16>(x[1])};
    const net_d::input_type xd{x[0], x[1]};
    const double yq = ctnn::to_double(nq.forward(xq)[0]);
    const double yd = nd.forward(xd)[0];
    CHECK(std::abs(yq - yd) <= tolerance);

    // backward with binary cross-entropy (through loss_and_output_delta) and with mse
    ctnn::gradients<net_q> gq{};
    ctnn::gradients<net_d> gd{};
    const net_q::output_type target_q{q16(1)};
    const net_d::output_type target_d{1.0};
    typename net_q::trace_type tq{};
    typename net_d::trace_type td{};
    nq.forward(xq, tq);
    nd.forward(xd, td);
    net_q::output_type delta_q{};
    net_d::output_type delta_d{};
    const q16 lq = ctnn::loss_and_output_delta(ctnn::binary_cross_entropy{}, tq, target_q, delta_q);
    const double ld = ctnn::loss_and_output_delta(ctnn::binary_cross_entropy{}, td, target_d, delta_d);
    CHECK(std::abs(ctnn::to_double(lq) - ld) <= tolerance);
    const auto dxq = ctnn::backward_from_output_delta(nq, tq, delta_q, gq);
    const auto dxd = ctnn::backward_from_output_delta(nd, td, delta_d, gd);
    for (std::size_t k = 0; k < net_d::parameter_count; ++k) {
      INFO("parameter " << k);
      CHECK(std::abs(ctnn::to_double(gq[k]) - gd[k]) <= tolerance);
    }
    for (std::size_t i = 0; i < 2; ++i) CHECK(std::abs(ctnn::to_double(dxq[i]) - dxd[i]) <= tolerance);
    // mse goes through the generic (non-fused) path
    const q16 mq = ctnn::loss_and_output_delta(ctnn::mse{}, tq, target_q, delta_q);
    const double md = ctnn::loss_and_output_delta(ctnn::mse{}, td, target_d, delta_d);
    CHECK(std::abs(ctnn::to_double(mq) - md) <= tolerance);
  }
}

TEST_CASE("q16: sgd and adam steps through the traits agree with double", "[number_traits][q16]") {
  const std::array<double, 2> x{0.5, -0.75};
  auto step = [&](const auto& opt_q, const auto& opt_d, int steps) {
    net_q nq = make_net<net_q>();
    net_d nd = make_net<net_d>();
    ctnn::optimizer_state_t<std::remove_cvref_t<decltype(opt_q)>, net_q> sq{};
    ctnn::optimizer_state_t<std::remove_cvref_t<decltype(opt_d)>, net_d> sd{};
    for (int k = 0; k < steps; ++k) {
      ctnn::gradients<net_q> gq{};
      ctnn::gradients<net_d> gd{};
      typename net_q::trace_type tq{};
      typename net_d::trace_type td{};
      nq.forward({ctnn::from_double<q16>(x[0]), ctnn::from_double<q16>(x[1])}, tq);
      nd.forward({x[0], x[1]}, td);
      net_q::output_type dq{};
      net_d::output_type dd{};
      ctnn::loss_and_output_delta(ctnn::mse{}, tq, {q16(1)}, dq);
      ctnn::loss_and_output_delta(ctnn::mse{}, td, {1.0}, dd);
      ctnn::backward_from_output_delta(nq, tq, dq, gq);
      ctnn::backward_from_output_delta(nd, td, dd, gd);
      opt_q.step(nq, gq, sq, opt_q.learning_rate);
      opt_d.step(nd, gd, sd, opt_d.learning_rate);
    }
    double worst = 0;
    for (std::size_t k = 0; k < net_d::parameter_count; ++k)
      worst = std::max(worst, std::abs(ctnn::to_double(nq[k]) - nd[k]));
    return worst;
  };
  CHECK(step(ctnn::sgd<q16>{ctnn::literal<q16>(0.5)}, ctnn::sgd<double>{0.5}, 1) <= tolerance);
  CHECK(step(ctnn::sgd<q16>{ctnn::literal<q16>(0.25), ctnn::literal<q16>(0.5)},
             ctnn::sgd<double>{0.25, 0.5}, 3) <= tolerance);
  // Adam in Q16.16: with PyTorch's defaults (1 - beta2) g^2 and epsilon underflow the format,
  // so use hyper-parameters it can hold (beta2 = 0.9, epsilon = 0.01).
  CHECK(step(ctnn::adam<q16>{.learning_rate = ctnn::literal<q16>(0.01),
                             .beta2 = ctnn::literal<q16>(0.9), .epsilon = ctnn::literal<q16>(0.01)},
             ctnn::adam<double>{.learning_rate = 0.01,
                                .beta1 = ctnn::to_double(ctnn::literal<q16>(0.9)),
                                .beta2 = ctnn::to_double(ctnn::literal<q16>(0.9)),
                                .epsilon = 0.01},
             2) <= 3 * tolerance);  // v = 0.1 g^2 holds few Q16.16 steps
  // a gradient norm and clipping
  ctnn::gradients<net_q> g{};
  g.assign(std::array<q16, net_q::parameter_count>{q16(3), q16(4)});
  CHECK(ctnn::global_norm(g) == q16(5));
}

TEST_CASE("q16: initialisers and schedules through the traits", "[number_traits][q16]") {
  net_q net{};
  ctnn::rng gen{3};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  const double limit1 = std::sqrt(6.0 / 5.0), limit2 = std::sqrt(6.0 / 4.0);
  for (std::size_t k = 0; k < 6; ++k) CHECK(std::abs(ctnn::to_double(net[k])) <= limit1 + 1e-4);
  for (std::size_t k = 9; k < 12; ++k) CHECK(std::abs(ctnn::to_double(net[k])) <= limit2 + 1e-4);
  CHECK(net[6] == q16(0));
  ctnn::init(net, ctnn::he_normal{}, gen);
  ctnn::init(net, ctnn::constant{.value = 0.5}, gen);
  CHECK(net[0] == ctnn::literal<q16>(0.5));
  const q16 lr = ctnn::step_decay{.step_size = 1, .gamma = 0.5}(q16(1), 2);
  CHECK(lr == ctnn::literal<q16>(0.25));
  const q16 warm = ctnn::linear_warmup{4}(q16(1), 1);
  CHECK(warm == ctnn::literal<q16>(0.5));
}
