// SPDX-License-Identifier: MIT
// Tests for ctnn/optimizer.hpp: every optimiser against PyTorch's update rules, step by step.
//
// Expected values: a pure-Python transcription of PyTorch 2.x's `_single_tensor_sgd`,
// `_single_tensor_adam` (Adam and AdamW), `_single_tensor_rmsprop` and `_single_tensor_adagrad`
// run in double precision on the parameters p0 = {0.5, -0.25, 0.1} (W[0][0], W[0][1], b[0] of a
// 2-1 linear network) with the gradients G[0], G[1], G[2] below, printed with 17 digits.
// The first steps are also checked against formulas worked out by hand.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <catch2/catch.hpp>

#include <ctnn/backward.hpp>
#include <ctnn/batch.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>

namespace {

using net_d = ctnn::network<double, ctnn::input<2>, ctnn::dense<1>>;
using net_f = ctnn::network<float, ctnn::input<2>, ctnn::dense<1>>;
using net_big = ctnn::network<float, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2>>;

using triple = std::array<double, 3>;
constexpr triple p0{0.5, -0.25, 0.1};
constexpr std::array<triple, 3> G{{{0.2, -0.4, 0.3}, {-0.1, 0.6, 0.05}, {0.05, 0.01, -0.7}}};

template <class Net>
constexpr typename Net::flat_type to_flat(const triple& v) {
  using V = typename Net::value_type;
  return {static_cast<V>(v[0]), static_cast<V>(v[1]), static_cast<V>(v[2])};
}

/// Parameters after each of `Steps` steps of `opt` from p0 with gradients G[0], G[1], ...
template <class Net, std::size_t Steps = 2, class Opt, class LR>
constexpr std::array<typename Net::flat_type, Steps> run(const Opt& opt, LR lr) {
  Net net(to_flat<Net>(p0));
  ctnn::optimizer_state_t<Opt, Net> s{};
  std::array<typename Net::flat_type, Steps> out{};
  for (std::size_t t = 0; t < Steps; ++t) {
    ctnn::gradients<Net> g{};
    g.assign(to_flat<Net>(G[t]));
    opt.step(net, g, s, lr);
    out[t] = net.flat();
  }
  return out;
}

template <class Flat>
void check_close(const Flat& actual, const triple& expected, double tol) {
  for (std::size_t k = 0; k < 3; ++k) {
    INFO("parameter " << k << ": " << static_cast<double>(actual[k]) << " vs " << expected[k]);
    CHECK(std::abs(static_cast<double>(actual[k]) - expected[k]) <= tol);
  }
}

/// Two steps in double (to 1e-12) and in float (to 2e-6) against the reference.
template <class OptD, class OptF>
void check_two_steps(const OptD& opt_d, const OptF& opt_f, const triple& step1,
                     const triple& step2) {
  const auto d = run<net_d>(opt_d, opt_d.learning_rate);
  check_close(d[0], step1, 1e-12);
  check_close(d[1], step2, 1e-12);
  const auto f = run<net_f>(opt_f, opt_f.learning_rate);
  check_close(f[0], step1, 2e-6);
  check_close(f[1], step2, 2e-6);
}

constexpr bool near(double a, double b, double tol) { return (a > b ? a - b : b - a) <= tol; }

}  // namespace

TEST_CASE("gradient_descent: w <- w - eta dL/dw (the notes' rule)", "[optimizer]") {
  // By hand: 0.5 - 0.1 * 0.2 = 0.48, -0.25 - 0.1 * -0.4 = -0.21, 0.1 - 0.1 * 0.3 = 0.07.
  check_two_steps(ctnn::gradient_descent{0.1}, ctnn::gradient_descent{0.1f}, {0.48, -0.21, 0.07},
                  {0.48999999999999999, -0.27000000000000002, 0.065000000000000002});
  net_d net(to_flat<net_d>(p0));
  ctnn::gradient_descent<double>::state<net_d> s{};
  ctnn::gradients<net_d> g{};
  g.assign(to_flat<net_d>(G[0]));
  ctnn::gradient_descent{0.1}.step(net, g, s, 0.1);
  CHECK(net.layer<0>().W[0][0] == 0.5 - 0.1 * 0.2);
  CHECK(net.layer<0>().b[0] == 0.1 - 0.1 * 0.3);
  CHECK(s.step == 1);
  // the learning rate passed to step wins (it is the scheduled one)
  ctnn::gradient_descent{0.1}.step(net, g, s, 0.0);
  CHECK(net.layer<0>().W[0][0] == 0.5 - 0.1 * 0.2);
}

TEST_CASE("sgd: plain, momentum, nesterov, dampening and weight decay as in PyTorch",
          "[optimizer]") {
  SECTION("no momentum is gradient descent") {
    check_two_steps(ctnn::sgd{0.1}, ctnn::sgd{0.1f}, {0.48, -0.21, 0.07},
                    {0.48999999999999999, -0.27000000000000002, 0.065000000000000002});
  }
  SECTION("momentum: b1 = g1, b2 = 0.9 b1 + g2") {
    // by hand, step 2 of W[0][0]: b2 = 0.9 * 0.2 - 0.1 = 0.08, 0.48 - 0.1 * 0.08 = 0.472
    check_two_steps(ctnn::sgd{0.1, 0.9}, ctnn::sgd{0.1f, 0.9f}, {0.48, -0.21, 0.07},
                    {0.472, -0.23399999999999999, 0.038000000000000006});
  }
  SECTION("nesterov: g + mu b") {
    // by hand, step 1: 0.5 - 0.1 * (0.2 + 0.9 * 0.2) = 0.462
    check_two_steps(ctnn::sgd{0.1, 0.9, true}, ctnn::sgd{0.1f, 0.9f, true},
                    {0.462, -0.174, 0.043},
                    {0.46479999999999999, -0.25559999999999999, 0.0091999999999999929});
  }
  SECTION("dampening and weight decay (first step: b = g, undamped)") {
    // by hand, step 1: g = 0.2 + 0.01 * 0.5 = 0.205, 0.5 - 0.1 * 0.205 = 0.4795
    check_two_steps(ctnn::sgd{0.1, 0.9, false, 0.01, 0.1}, ctnn::sgd{0.1f, 0.9f, false, 0.01f, 0.1f},
                    {0.4795, -0.20975, 0.0699},
                    {0.46961844999999997, -0.227336225, 0.038247090000000004});
  }
  SECTION("weight decay without momentum") {
    check_two_steps(ctnn::sgd<double>{.learning_rate = 0.1, .weight_decay = 0.5},
                    ctnn::sgd<float>{.learning_rate = 0.1f, .weight_decay = 0.5f},
                    {0.45500000000000002, -0.19750000000000001, 0.065000000000000002},
                    {0.44225000000000003, -0.24762500000000001, 0.056750000000000002});
  }
}

TEST_CASE("adam as in PyTorch", "[optimizer]") {
  SECTION("defaults") {
    // by hand, step 1: m_hat = g, sqrt(v_hat) = |g|, so p - lr g / (|g| + eps)
    const triple by_hand{0.5 - 0.01 * 0.2 / (0.2 + 1e-8), -0.25 + 0.01 * 0.4 / (0.4 + 1e-8),
                         0.1 - 0.01 * 0.3 / (0.3 + 1e-8)};
    check_two_steps(ctnn::adam{0.01}, ctnn::adam{0.01f}, by_hand,
                    {0.48733663027186758, -0.24247701836276794, 0.082166727215060603});
    check_close(run<net_d>(ctnn::adam{0.01}, 0.01)[0],
                {0.49000000049999998, -0.24000000024999998, 0.09000000033333333}, 1e-15);
  }
  SECTION("L2 weight decay is added to the gradient") {
    check_two_steps(ctnn::adam{0.01, 0.9, 0.999, 1e-8, 0.1}, ctnn::adam{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f},
                    {0.49000000039999997, -0.24000000023529411, 0.090000000322580639},
                    {0.48492288818670787, -0.24201189533092698, 0.082025731116298267});
  }
  SECTION("beta1 < 0.5 takes PyTorch's other lerp branch") {
    check_two_steps(ctnn::adam{0.05, 0.3, 0.5, 1e-3}, ctnn::adam{0.05f, 0.3f, 0.5f, 1e-3f},
                    {0.45024875621890548, -0.20012468827930174, 0.050166112956810636},
                    {0.46105093911553563, -0.23414874163250163, 0.020076277016963476});
  }
  SECTION("defaults are PyTorch's") {
    constexpr ctnn::adam<double> a{};
    STATIC_REQUIRE(a.learning_rate == 1e-3);
    STATIC_REQUIRE(a.beta1 == 0.9);
    STATIC_REQUIRE(a.beta2 == 0.999);
    STATIC_REQUIRE(a.epsilon == 1e-8);
    STATIC_REQUIRE(a.weight_decay == 0.0);
  }
}

TEST_CASE("adamw: decoupled weight decay as in PyTorch", "[optimizer]") {
  // by hand, step 1: p (1 - lr lambda) - lr g / (|g| + eps)
  const triple by_hand{0.5 * (1 - 0.01 * 0.1) - 0.01 * 0.2 / (0.2 + 1e-8),
                       -0.25 * (1 - 0.01 * 0.1) + 0.01 * 0.4 / (0.4 + 1e-8),
                       0.1 * (1 - 0.01 * 0.1) - 0.01 * 0.3 / (0.3 + 1e-8)};
  check_two_steps(ctnn::adamw{0.01, 0.9, 0.999, 1e-8, 0.1}, ctnn::adamw{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f},
                  by_hand, {0.48634713027136756, -0.24198726836251794, 0.081976827214727266});
  SECTION("defaults: lr 1e-3, weight_decay 1e-2") {
    constexpr ctnn::adamw<double> w{};
    STATIC_REQUIRE(w.learning_rate == 1e-3);
    STATIC_REQUIRE(w.weight_decay == 0.01);
    check_two_steps(w, ctnn::adamw<float>{},
                    {0.49899500005000003, -0.24899750002500001, 0.09899900003333334},
                    {0.49872367307718629, -0.24924271186127656, 0.098214682731505742});
  }
  SECTION("decoupled differs from L2 and leaves the moments alone") {
    const auto l2 = run<net_d>(ctnn::adam{0.01, 0.9, 0.999, 1e-8, 0.1}, 0.01);
    const auto decoupled = run<net_d>(ctnn::adamw{0.01, 0.9, 0.999, 1e-8, 0.1}, 0.01);
    CHECK(std::abs(l2[1][0] - decoupled[1][0]) > 1e-4);
    net_d net(to_flat<net_d>(p0));
    ctnn::adamw<double>::state<net_d> s{};
    ctnn::adam<double>::state<net_d> s_plain{};
    ctnn::gradients<net_d> g{};
    g.assign(to_flat<net_d>(G[0]));
    ctnn::adamw{0.01, 0.9, 0.999, 1e-8, 0.1}.step(net, g, s, 0.01);
    net_d net_plain(to_flat<net_d>(p0));
    ctnn::adam{0.01}.step(net_plain, g, s_plain, 0.01);
    CHECK(s.m.flat() == s_plain.m.flat());
    CHECK(s.v.flat() == s_plain.v.flat());
    CHECK(s.m[0] == (1 - 0.9) * 0.2);  // m = 0 + (1 - beta1)(g - 0)
    CHECK(s.step == 1);
  }
  SECTION("weight_decay = 0 is Adam") {
    CHECK(run<net_d>(ctnn::adamw{0.01, 0.9, 0.999, 1e-8, 0.0}, 0.01) ==
          run<net_d>(ctnn::adam{0.01}, 0.01));
  }
}

TEST_CASE("rmsprop as in PyTorch", "[optimizer]") {
  SECTION("defaults") {
    // by hand, step 1: v = 0.01 g^2, p - lr g / (0.1 |g| + eps)
    const triple by_hand{0.5 - 0.01 * 0.2 / (0.1 * 0.2 + 1e-8), -0.25 + 0.01 * 0.4 / (0.1 * 0.4 + 1e-8),
                         0.1 - 0.01 * 0.3 / (0.1 * 0.3 + 1e-8)};
    check_two_steps(ctnn::rmsprop{0.01}, ctnn::rmsprop{0.01f}, by_hand,
                    {0.44490135534538749, -0.23333334675925466, -0.016520426219541487});
    check_close(run<net_d>(ctnn::rmsprop{0.01}, 0.01)[0],
                {0.40000004999997507, -0.15000002499999382, 3.3333322269069043e-08}, 1e-15);
    constexpr ctnn::rmsprop<double> r{};
    STATIC_REQUIRE(r.learning_rate == 0.01);
    STATIC_REQUIRE(r.alpha == 0.99);
    STATIC_REQUIRE(r.epsilon == 1e-8);
  }
  SECTION("momentum and weight decay") {
    check_two_steps(ctnn::rmsprop{0.01, 0.9, 1e-8, 0.9, 0.1}, ctnn::rmsprop{0.01f, 0.9f, 1e-8f, 0.9f, 0.1f},
                    {0.46837722739831567, -0.2183772257512572, 0.068377226624122323},
                    {0.44683340342686761, -0.21585517930173692, 0.033916185330792693});
  }
}

TEST_CASE("adagrad as in PyTorch", "[optimizer]") {
  SECTION("defaults") {
    // by hand, step 1: sum = g^2, p - lr g / (|g| + eps)
    const triple by_hand{0.5 - 0.1 * 0.2 / (0.2 + 1e-10), -0.25 + 0.1 * 0.4 / (0.4 + 1e-10),
                         0.1 - 0.1 * 0.3 / (0.3 + 1e-10)};
    check_two_steps(ctnn::adagrad{0.1}, ctnn::adagrad{0.1f}, by_hand,
                    {0.44472135957999576, -0.23320502944724586, -0.016439898691796993});
    constexpr ctnn::adagrad<double> a{};
    STATIC_REQUIRE(a.learning_rate == 0.01);
    STATIC_REQUIRE(a.epsilon == 1e-10);
  }
  SECTION("weight decay and lr_decay") {
    check_two_steps(ctnn::adagrad{0.1, 1e-10, 0.1, 0.5}, ctnn::adagrad{0.1f, 1e-10f, 0.1f, 0.5f},
                    {0.40000000004000003, -0.1500000000235294, 3.2258071214208428e-11},
                    {0.41555819686465612, -0.20393566664436519, -0.010615495886670139});
  }
}

TEST_CASE("optimiser types deduce from their first argument (g++ and clang++ alike)",
          "[optimizer]") {
  ctnn::adam opt{0.01f};
  STATIC_REQUIRE(std::is_same_v<decltype(opt), ctnn::adam<float>>);
  ctnn::adam opt_d{0.01, 0.9, 0.999};
  STATIC_REQUIRE(std::is_same_v<decltype(opt_d), ctnn::adam<double>>);
  ctnn::adamw w{1e-3f};
  STATIC_REQUIRE(std::is_same_v<decltype(w), ctnn::adamw<float>>);
  ctnn::sgd s{0.1, 0.9, true};
  STATIC_REQUIRE(std::is_same_v<decltype(s), ctnn::sgd<double>>);
  ctnn::gradient_descent gd{0.5f};
  STATIC_REQUIRE(std::is_same_v<decltype(gd), ctnn::gradient_descent<float>>);
  ctnn::rmsprop r{0.01f, 0.9f};
  STATIC_REQUIRE(std::is_same_v<decltype(r), ctnn::rmsprop<float>>);
  ctnn::adagrad a{0.1};
  STATIC_REQUIRE(std::is_same_v<decltype(a), ctnn::adagrad<double>>);
  ctnn::adam copy{opt};  // the copy deduction candidate, not adam<adam<float>>
  STATIC_REQUIRE(std::is_same_v<decltype(copy), ctnn::adam<float>>);
  CHECK(opt.learning_rate == 0.01f);
  CHECK(opt.beta1 == 0.9f);
  CHECK(opt_d.beta2 == 0.999);
  CHECK(s.nesterov);
  CHECK(copy == opt);
}

TEST_CASE("optimiser state: sized by the network, trivially copyable", "[optimizer]") {
  using P = net_big::parameters_type;
  using adam_state = ctnn::optimizer_state_t<ctnn::adam<float>, net_big>;
  STATIC_REQUIRE(std::is_same_v<adam_state, ctnn::adam<float>::state<net_big>>);
  STATIC_REQUIRE(std::is_same_v<adam_state, ctnn::adam<float>::state_type<net_big>>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<adam_state>);
  STATIC_REQUIRE(std::is_same_v<decltype(adam_state{}.m), P>);
  STATIC_REQUIRE(std::is_same_v<decltype(adam_state{}.v), P>);
  STATIC_REQUIRE(sizeof(adam_state) >= 2 * sizeof(P) + sizeof(std::uint64_t));
  STATIC_REQUIRE(sizeof(adam_state) <= 2 * sizeof(P) + 2 * sizeof(std::uint64_t));
  STATIC_REQUIRE(std::is_trivially_copyable_v<ctnn::optimizer_state_t<ctnn::sgd<float>, net_big>>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<ctnn::optimizer_state_t<ctnn::adamw<float>, net_big>>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<ctnn::optimizer_state_t<ctnn::rmsprop<float>, net_big>>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<ctnn::optimizer_state_t<ctnn::adagrad<float>, net_big>>);
  STATIC_REQUIRE(sizeof(ctnn::optimizer_state_t<ctnn::gradient_descent<float>, net_big>) ==
                 sizeof(std::uint64_t));
  STATIC_REQUIRE(sizeof(ctnn::optimizer_state_t<ctnn::rmsprop<float>, net_big>) >= 2 * sizeof(P));
  STATIC_REQUIRE(sizeof(ctnn::optimizer_state_t<ctnn::adagrad<float>, net_big>) >= sizeof(P));
  adam_state s{};
  CHECK(s.step == 0);
  CHECK(s.m.flat() == P{}.flat());
}

namespace {
/// The user-written optimiser from the ctnn::Optimizer documentation.
template <ctnn::Scalar T>
struct sign_descent {
  T learning_rate = T(0.01);
  template <class Net>
  struct state {
    std::uint64_t step = 0;
  };
  template <class Net>
  constexpr void step(Net& net, const ctnn::gradients<Net>& g, state<Net>& s,
                      typename Net::value_type lr) const noexcept {
    using V = typename Net::value_type;
    ctnn::for_each_parameter([lr](V& p, const V& d) { p -= lr * V((d > V(0)) - (d < V(0))); },
                             net, g);
    ++s.step;
  }
};
struct no_state {
  double learning_rate = 0.1;
};
struct no_learning_rate {
  template <class Net>
  struct state {};
  template <class Net>
  constexpr void step(Net&, const ctnn::gradients<Net>&, state<Net>&, double) const noexcept {}
};
}  // namespace

TEST_CASE("the Optimizer concept", "[optimizer]") {
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::gradient_descent<float>, net_f>);
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::sgd<float>, net_f>);
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::adam<float>, net_f>);
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::adamw<double>, net_d>);
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::rmsprop<double>, net_big>);
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::adagrad<float>, net_big>);
  STATIC_REQUIRE(ctnn::Optimizer<ctnn::adam<double>, net_f>);  // double hyper-parameters, float net
  STATIC_REQUIRE(ctnn::Optimizer<sign_descent<float>, net_f>);
  STATIC_REQUIRE_FALSE(ctnn::Optimizer<no_state, net_f>);
  STATIC_REQUIRE_FALSE(ctnn::Optimizer<no_learning_rate, net_f>);
  STATIC_REQUIRE_FALSE(ctnn::Optimizer<int, net_f>);
  const auto after = run<net_f>(sign_descent<float>{}, 0.5f);
  CHECK(after[0][0] == 0.0f);     // 0.5 - 0.5 sign(0.2)
  CHECK(after[0][1] == 0.25f);    // -0.25 + 0.5
  CHECK(after[1][1] == -0.25f);   // then - 0.5 sign(0.6)
}

TEST_CASE("global_norm and clip_by_global_norm follow clip_grad_norm_", "[optimizer]") {
  ctnn::gradients<net_d> g{};
  g.assign({3.0, 4.0, 0.0});
  CHECK(ctnn::global_norm(g) == 5.0);
  SECTION("above max_norm: scaled by max_norm / (norm + 1e-6)") {
    const double before = ctnn::clip_by_global_norm(g, 1.0);
    CHECK(before == 5.0);
    const double c = 1.0 / (5.0 + 1e-6);
    CHECK(g[0] == 3.0 * c);
    CHECK(g[1] == 4.0 * c);
    CHECK(g[2] == 0.0);
    CHECK(std::abs(ctnn::global_norm(g) - 1.0) < 1e-6);
  }
  SECTION("below max_norm: unchanged") {
    CHECK(ctnn::clip_by_global_norm(g, 10.0) == 5.0);
    CHECK(g.flat() == net_d::flat_type{3.0, 4.0, 0.0});
  }
  SECTION("at max_norm: PyTorch's 1e-6 still scales, by 5 / (5 + 1e-6)") {
    ctnn::clip_by_global_norm(g, 5.0);
    CHECK(g[0] == 3.0 * (5.0 / (5.0 + 1e-6)));
    CHECK(g[0] < 3.0);
  }
  SECTION("non-finite norm: returned, gradients untouched") {
    g[2] = HUGE_VAL;
    CHECK_FALSE(std::isfinite(ctnn::clip_by_global_norm(g, 1.0)));
    CHECK(g[0] == 3.0);
  }
  SECTION("over several layers, float") {
    ctnn::gradients<net_big> gb{};
    gb.fill(0.5f);
    const double expected = 0.5 * std::sqrt(double(net_big::parameter_count));
    CHECK(std::abs(double(ctnn::global_norm(gb)) - expected) < 1e-5);
    ctnn::clip_by_global_norm(gb, 1.0f);
    CHECK(std::abs(double(ctnn::global_norm(gb)) - 1.0) < 1e-5);
  }
  SECTION("constexpr") {
    constexpr double clipped = [] {
      ctnn::gradients<net_d> h{};
      h.assign({0.0, 6.0, 8.0});
      ctnn::clip_by_global_norm(h, 2.0);
      return h[2];
    }();
    STATIC_REQUIRE(near(clipped, 8.0 * 2.0 / (10.0 + 1e-6), 1e-15));
  }
}

TEST_CASE("optimisers run at compile time with the run-time results", "[optimizer][constexpr]") {
  volatile double lr_d = 0.01, lr_d10 = 0.1;  // keep the run-time runs at run time
  volatile float lr_f = 0.01f, lr_f10 = 0.1f;
  const double lr = lr_d, lr10 = lr_d10;
  const float lrf = lr_f, lrf10 = lr_f10;

  constexpr auto adam_ct = run<net_d, 3>(ctnn::adam{0.01}, 0.01);
  STATIC_REQUIRE(near(adam_ct[1][0], 0.48733663027186758, 1e-12));
  STATIC_REQUIRE(near(adam_ct[1][2], 0.082166727215060603, 1e-12));
  CHECK(run<net_d, 3>(ctnn::adam{lr}, lr) == adam_ct);

  constexpr auto adam_f_ct = run<net_f, 3>(ctnn::adam{0.01f}, 0.01f);
  CHECK(run<net_f, 3>(ctnn::adam{lrf}, lrf) == adam_f_ct);

  constexpr auto sgd_ct = run<net_d, 3>(ctnn::sgd{0.1, 0.9, true, 0.01}, 0.1);
  STATIC_REQUIRE(near(sgd_ct[0][0], 0.5 - 0.1 * (0.205 + 0.9 * 0.205), 1e-15));
  CHECK(run<net_d, 3>(ctnn::sgd{lr10, 0.9, true, 0.01}, lr10) == sgd_ct);

  constexpr auto adamw_ct = run<net_f, 3>(ctnn::adamw{0.01, 0.9, 0.999, 1e-8, 0.1}, 0.01);
  CHECK(run<net_f, 3>(ctnn::adamw{lr, 0.9, 0.999, 1e-8, 0.1}, lr) == adamw_ct);

  constexpr auto rms_ct = run<net_d, 3>(ctnn::rmsprop{0.01, 0.99, 1e-8, 0.5}, 0.01);
  STATIC_REQUIRE(near(rms_ct[0][0], 0.5 - 0.01 * 0.2 / (0.1 * 0.2 + 1e-8), 1e-12));
  CHECK(run<net_d, 3>(ctnn::rmsprop{lr, 0.99, 1e-8, 0.5}, lr) == rms_ct);

  constexpr auto ada_ct = run<net_f, 3>(ctnn::adagrad{0.1f}, 0.1f);
  CHECK(run<net_f, 3>(ctnn::adagrad{lrf10}, lrf10) == ada_ct);

  constexpr auto gd_ct = run<net_d, 3>(ctnn::gradient_descent{0.1}, 0.1);
  STATIC_REQUIRE(near(gd_ct[2][2], 0.1 - 0.1 * (0.3 + 0.05 - 0.7), 1e-15));
  CHECK(run<net_d, 3>(ctnn::gradient_descent{lr10}, lr10) == gd_ct);
}

TEST_CASE("mixed precision: double hyper-parameters on a float network", "[optimizer]") {
  // ctnn::adam{0.01} on a float network: the scalars are computed in double, then rounded.
  const auto mixed = run<net_f>(ctnn::adam{0.01}, 0.01);
  check_close(mixed[1], {0.48733663027186758, -0.24247701836276794, 0.082166727215060603}, 2e-6);
  // float hyper-parameters on a double network
  const auto widened = run<net_d>(ctnn::sgd{0.5f}, 0.5f);
  CHECK(widened[0][0] == 0.5 - 0.5 * 0.2);
}

namespace {
/// Mean squared error of a linear 2-1 network on y = 2 x0 - x1 + 0.5 over a fixed grid, with
/// its gradient accumulated by ctnn::backward.
template <class Net>
typename Net::value_type loss_and_gradient(const Net& net, ctnn::gradients<Net>& g) {
  using V = typename Net::value_type;
  g.clear();
  V loss = V(0);
  constexpr int n = 9;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const typename Net::input_type x{V(i - 1), V(j - 1) / V(2)};
      const V target = V(2) * x[0] - x[1] + V(0.5);
      const auto t = net.traced(x);
      const V e = t.output()[0] - target;
      loss += e * e / V(n);
      ctnn::backward(net, t, {V(2) * e / V(n)}, g);
    }
  return loss;
}

template <class Opt>
double train_linear(const Opt& opt, int steps) {
  net_d net{};
  ctnn::optimizer_state_t<Opt, net_d> s{};
  ctnn::gradients<net_d> g{};
  for (int k = 0; k < steps; ++k) {
    loss_and_gradient(net, g);
    opt.step(net, g, s, opt.learning_rate);
  }
  return loss_and_gradient(net, g);
}
}  // namespace

TEST_CASE("every optimiser fits a linear map from backpropagated gradients", "[optimizer]") {
  ctnn::gradients<net_d> g{};
  const double initial = loss_and_gradient(net_d{}, g);
  REQUIRE(initial > 1.0);
  CHECK(train_linear(ctnn::gradient_descent{0.2}, 300) < 1e-6);
  CHECK(train_linear(ctnn::sgd{0.05, 0.9}, 300) < 1e-6);
  CHECK(train_linear(ctnn::sgd{0.05, 0.9, true}, 300) < 1e-6);
  CHECK(train_linear(ctnn::adam{0.05}, 1000) < 1e-4);
  CHECK(train_linear(ctnn::adamw{0.05, 0.9, 0.999, 1e-8, 0.0}, 1000) < 1e-4);
  CHECK(train_linear(ctnn::rmsprop{0.01}, 1000) < 1e-3);
  CHECK(train_linear(ctnn::adagrad{0.5}, 1000) < 1e-4);
  // weight decay pulls away from the exact fit
  CHECK(train_linear(ctnn::adamw{0.05, 0.9, 0.999, 1e-8, 0.5}, 1000) > 1e-3);
}

TEST_CASE("optimiser: plain_descent says when a step is p - lr g (fusable with backward)", "[optimizer]") {
  STATIC_REQUIRE(ctnn::gradient_descent<float>::plain_descent());
  STATIC_REQUIRE(ctnn::sgd<float>{0.1f}.plain_descent());
  STATIC_REQUIRE(!ctnn::sgd<float>{.learning_rate = 0.1f, .momentum = 0.9f}.plain_descent());
  STATIC_REQUIRE(!ctnn::sgd<float>{.learning_rate = 0.1f, .weight_decay = 0.01f}.plain_descent());
  STATIC_REQUIRE(ctnn::detail::fusable_step(ctnn::gradient_descent<double>{}));
  STATIC_REQUIRE(!ctnn::detail::fusable_step(ctnn::adam<float>{}));
}
