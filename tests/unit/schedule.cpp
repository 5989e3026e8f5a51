// SPDX-License-Identifier: MIT
// Tests for ctnn/schedule.hpp: each schedule against its closed form (PyTorch's lr_scheduler
// formulas, evaluated here with <cmath>), at compile time and at run time.
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include <catch2/catch.hpp>

#include <ctnn/schedule.hpp>

namespace {

constexpr bool near(double a, double b, double tol) { return (a > b ? a - b : b - a) <= tol; }
const double pi = std::acos(-1.0);
const long double pi_l = std::acos(-1.0L);
/// Accuracy of a long double reference (x86: 64-bit mantissa; elsewhere it may be double).
constexpr double reference_tol = std::numeric_limits<long double>::digits > 53 ? 4e-16 : 4e-15;

/// The schedule from the ctnn::LearningRateSchedule documentation.
struct halve_every_100 {
  template <ctnn::Scalar T>
  constexpr T operator()(T base_lr, std::size_t t) const noexcept {
    T lr = base_lr;
    for (std::size_t k = 0; k < t / 100; ++k) lr = lr / T(2);
    return lr;
  }
};
struct returns_double {
  constexpr double operator()(double base_lr, std::size_t) const noexcept { return base_lr; }
};
struct wrong_arguments {
  constexpr double operator()(double base_lr) const noexcept { return base_lr; }
};

}  // namespace

TEST_CASE("LearningRateSchedule concept", "[schedule]") {
  STATIC_REQUIRE(ctnn::LearningRateSchedule<ctnn::constant_lr>);
  STATIC_REQUIRE(ctnn::LearningRateSchedule<ctnn::step_decay, float>);
  STATIC_REQUIRE(ctnn::LearningRateSchedule<ctnn::exponential_decay, double>);
  STATIC_REQUIRE(ctnn::LearningRateSchedule<ctnn::cosine_decay, float>);
  STATIC_REQUIRE(ctnn::LearningRateSchedule<ctnn::linear_warmup<ctnn::cosine_decay>, float>);
  STATIC_REQUIRE(ctnn::LearningRateSchedule<halve_every_100, float>);
  STATIC_REQUIRE(ctnn::LearningRateSchedule<returns_double, double>);
  STATIC_REQUIRE_FALSE(ctnn::LearningRateSchedule<returns_double, float>);  // must return T
  STATIC_REQUIRE_FALSE(ctnn::LearningRateSchedule<wrong_arguments>);
  STATIC_REQUIRE_FALSE(ctnn::LearningRateSchedule<ctnn::constant_lr, int>);  // not a Scalar
  STATIC_REQUIRE(std::is_same_v<decltype(ctnn::cosine_decay{10}(0.1f, 3)), float>);
  CHECK(halve_every_100{}(1.0, 250) == 0.25);
}

TEST_CASE("constant_lr", "[schedule]") {
  constexpr ctnn::constant_lr s{};
  STATIC_REQUIRE(s(0.05, 0) == 0.05);
  STATIC_REQUIRE(s(0.05f, 1000000) == 0.05f);
  volatile std::size_t t = 77;
  CHECK(s(0.3, t) == 0.3);
}

TEST_CASE("step_decay: base_lr * gamma^floor(t / step_size) (StepLR)", "[schedule]") {
  constexpr ctnn::step_decay s{10, 0.5};
  STATIC_REQUIRE(s(0.1, 0) == 0.1);
  STATIC_REQUIRE(s(0.1, 9) == 0.1);
  STATIC_REQUIRE(s(0.1, 10) == 0.05);
  STATIC_REQUIRE(s(0.1, 29) == 0.025);
  STATIC_REQUIRE(s(0.1, 30) == 0.0125);
  for (std::size_t t = 0; t < 400; ++t) {
    const double expected = 0.1 * std::pow(0.5, double(t / 10));
    INFO("t = " << t);
    CHECK(s(0.1, t) == expected);  // powers of one half are exact
  }
  const ctnn::step_decay d{3, 0.9};
  for (std::size_t t = 0; t < 600; ++t) {
    const double expected = 0.01 * std::pow(0.9, double(t / 3));
    INFO("t = " << t);
    CHECK(std::abs(d(0.01, t) - expected) <= 1e-14 * expected);
    CHECK(std::abs(double(d(0.01f, t)) - expected) <= 1e-6 * expected);
  }
  constexpr ctnn::step_decay defaults{};
  STATIC_REQUIRE(defaults.gamma == 0.1);  // PyTorch's default
  STATIC_REQUIRE(defaults.step_size == 1);
  STATIC_REQUIRE(ctnn::step_decay{0, 0.5}(0.2, 100) == 0.2);  // step_size 0: no decay
}

TEST_CASE("exponential_decay: base_lr * gamma^t (ExponentialLR)", "[schedule]") {
  constexpr ctnn::exponential_decay s{0.95};
  STATIC_REQUIRE(s(0.1, 0) == 0.1);
  STATIC_REQUIRE(s(0.1, 1) == 0.1 * 0.95);
  STATIC_REQUIRE(s(0.1, 2) == 0.1 * (0.95 * 0.95));
  STATIC_REQUIRE(near(s(0.1, 3), 0.1 * 0.857375, 1e-16));
  for (std::size_t t = 0; t < 2000; ++t) {
    const double expected = 0.1 * std::pow(0.95, double(t));
    INFO("t = " << t);
    CHECK(std::abs(s(0.1, t) - expected) <= 1e-13 * expected);
  }
  CHECK(ctnn::exponential_decay{}(0.3f, 50) == 0.3f);  // default gamma 1: no decay
  CHECK(ctnn::exponential_decay{0.5}(8.0f, 3) == 1.0f);
}

TEST_CASE("cosine_decay: eta_min + (base - eta_min)(1 + cos(pi t / T)) / 2 (CosineAnnealingLR)",
          "[schedule]") {
  constexpr ctnn::cosine_decay s{100};
  STATIC_REQUIRE(s(0.1, 0) == 0.1);
  STATIC_REQUIRE(s(0.1, 50) == 0.05);  // cos(pi/2) = 0 exactly
  STATIC_REQUIRE(s(0.1, 100) == 0.0);
  STATIC_REQUIRE(near(s(1.0, 25), (1 + 0.70710678118654752) / 2, 1e-16));
  STATIC_REQUIRE(near(s(1.0, 75), (1 - 0.70710678118654752) / 2, 1e-16));
  for (std::size_t t = 0; t <= 450; ++t) {  // past T_max it follows the cosine back up, as PyTorch
    // PyTorch's expression, math.cos(math.pi * t / T_max), in double
    const double expected = 0.1 * (1 + std::cos(pi * double(t) / 100.0)) / 2;
    const long double exact = 0.1L * (1 + std::cos(pi_l * (long double)t / 100.0L)) / 2;
    INFO("t = " << t);
    CHECK(std::abs(s(0.1, t) - expected) <= 2e-16);
    CHECK(std::abs(static_cast<double>(s(0.1, t) - exact)) <= 0.1 * reference_tol);
    CHECK(std::abs(double(s(0.1f, t)) - expected) <= 1e-8);
  }
  CHECK(s(0.1, 150) == s(0.1, 50));
  CHECK(s(0.1, 200) == 0.1);

  constexpr ctnn::cosine_decay with_floor{30, 0.1};
  STATIC_REQUIRE(near(with_floor(2.0, 30), 0.2, 1e-16));  // eta_min = 0.1 * base_lr
  for (std::size_t t = 0; t <= 30; ++t) {
    const double eta_min = 0.2;
    const double expected = eta_min + (2.0 - eta_min) * (1 + std::cos(pi * double(t) / 30.0)) / 2;
    INFO("t = " << t);
    CHECK(std::abs(with_floor(2.0, t) - expected) <= 2e-15);
    CHECK(with_floor(2.0, t) >= 0.2 - 1e-15);
  }
  STATIC_REQUIRE(ctnn::cosine_decay{0}(0.4, 7) == 0.4);  // total_steps 0: no decay
  STATIC_REQUIRE(ctnn::cosine_decay{1}(0.4, 1) == 0.0);
}

TEST_CASE("detail::cos_pi agrees with std::cos", "[schedule]") {
  STATIC_REQUIRE(ctnn::detail::cos_pi(0, 7) == 1.0);
  STATIC_REQUIRE(ctnn::detail::cos_pi(7, 7) == -1.0);
  STATIC_REQUIRE(ctnn::detail::cos_pi(14, 7) == 1.0);
  STATIC_REQUIRE(ctnn::detail::cos_pi(3, 6) == 0.0);
  STATIC_REQUIRE(ctnn::detail::cos_pi(9, 6) == 0.0);
  STATIC_REQUIRE(near(ctnn::detail::cos_pi(1, 3), 0.5, 2e-16));
  STATIC_REQUIRE(near(ctnn::detail::cos_pi(2, 3), -0.5, 2e-16));
  STATIC_REQUIRE(near(ctnn::detail::cos_pi(1, 4), 0.70710678118654752, 2e-16));
  double worst = 0.0, worst_vs_std = 0.0;
  for (std::size_t d = 1; d <= 64; ++d)
    for (std::size_t n = 0; n <= 5 * d; ++n) {
      const double c = ctnn::detail::cos_pi(n, d);
      const double err = static_cast<double>(
          std::abs(c - std::cos(pi_l * static_cast<long double>(n) / static_cast<long double>(d))));
      worst = err > worst ? err : worst;
      // std::cos of the unreduced double argument is itself off by up to ~n ulp of pi
      const double diff = std::abs(c - std::cos(pi * double(n) / double(d)));
      worst_vs_std = diff > worst_vs_std ? diff : worst_vs_std;
    }
  CHECK(worst <= reference_tol);
  CHECK(worst_vs_std <= 4e-15);
  // large counts: the reduction is exact integer arithmetic
  CHECK(std::abs(ctnn::detail::cos_pi(1000001, 1000000) + std::cos(pi * 1e-6)) <= 1e-15);
  const std::size_t huge = static_cast<std::size_t>(-1) / 2 + 5;
  CHECK(ctnn::detail::cos_pi(huge, huge) == -1.0);
  CHECK(ctnn::detail::cos_pi(0, huge) == 1.0);
}

TEST_CASE("linear_warmup: base (t + 1) / W, then the inner schedule from 0", "[schedule]") {
  constexpr ctnn::linear_warmup w{4};
  STATIC_REQUIRE(std::is_same_v<std::remove_const_t<decltype(w)>, ctnn::linear_warmup<ctnn::constant_lr>>);
  STATIC_REQUIRE(w(1.0, 0) == 0.25);
  STATIC_REQUIRE(w(1.0, 1) == 0.5);
  STATIC_REQUIRE(w(1.0, 2) == 0.75);
  STATIC_REQUIRE(w(1.0, 3) == 1.0);
  STATIC_REQUIRE(w(1.0, 4) == 1.0);
  STATIC_REQUIRE(w(1.0, 1000) == 1.0);
  STATIC_REQUIRE(w(0.5f, 1) == 0.25f);

  constexpr ctnn::linear_warmup wc{5, ctnn::cosine_decay{10}};
  STATIC_REQUIRE(std::is_same_v<std::remove_const_t<decltype(wc)>, ctnn::linear_warmup<ctnn::cosine_decay>>);
  STATIC_REQUIRE(near(wc(0.1, 0), 0.1 / 5, 1e-17));
  STATIC_REQUIRE(near(wc(0.1, 2), 0.1 * 3 / 5, 1e-16));
  STATIC_REQUIRE(wc(0.1, 4) == 0.1);
  STATIC_REQUIRE(wc(0.1, 5) == 0.1);    // the inner schedule at its step 0
  STATIC_REQUIRE(wc(0.1, 10) == 0.05);  // inner step 5 of 10
  STATIC_REQUIRE(wc(0.1, 15) == 0.0);
  for (std::size_t t = 5; t < 40; ++t) {
    INFO("t = " << t);
    CHECK(wc(0.1, t) == ctnn::cosine_decay{10}(0.1, t - 5));
  }

  constexpr ctnn::linear_warmup<ctnn::step_decay> none{0, {2, 0.5}};
  STATIC_REQUIRE(none(1.0, 0) == 1.0);
  STATIC_REQUIRE(none(1.0, 2) == 0.5);

  // nesting: warm-up around a warm-up
  constexpr ctnn::linear_warmup nested{2, ctnn::linear_warmup{2}};
  STATIC_REQUIRE(nested(1.0, 0) == 0.5);
  STATIC_REQUIRE(nested(1.0, 2) == 0.5);
  STATIC_REQUIRE(nested(1.0, 3) == 1.0);
}

TEST_CASE("schedules give the same numbers at compile time and run time", "[schedule][constexpr]") {
  constexpr ctnn::linear_warmup s{3, ctnn::cosine_decay{17, 0.05}};
  constexpr auto table = [] {
    struct {
      double d[40];
      float f[40];
    } out{};
    for (std::size_t t = 0; t < 40; ++t) {
      out.d[t] = ctnn::linear_warmup{3, ctnn::cosine_decay{17, 0.05}}(0.01, t);
      out.f[t] = ctnn::linear_warmup{3, ctnn::cosine_decay{17, 0.05}}(0.01f, t);
    }
    return out;
  }();
  for (std::size_t k = 0; k < 40; ++k) {
    volatile std::size_t t = k;
    INFO("t = " << k);
    CHECK(s(0.01, t) == table.d[k]);
    CHECK(s(0.01f, t) == table.f[k]);
  }
  constexpr double e = ctnn::exponential_decay{0.99}(0.1, 500);
  volatile std::size_t t500 = 500;
  CHECK(ctnn::exponential_decay{0.99}(0.1, t500) == e);
  CHECK(std::abs(e - 0.1 * std::pow(0.99, 500.0)) <= 1e-14 * e);
}
