// SPDX-License-Identifier: MIT
// Tests for <ctnn/init.hpp>: every initialiser's distribution against its formula on large
// layers, orthogonality, by_activation's choice, the Initializer concept, compile time = run
// time, and LSUV.
#include <ctnn/init.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

namespace {

struct weight_stats {
  double mean = 0, variance = 0, kurtosis = 0, max_abs = 0;
  std::size_t count = 0;
  bool biases_zero = true;
};

/// Moments of a dense layer's weights (population variance) and whether its biases are zero.
template <class Layer>
weight_stats stats_of(const Layer& layer) {
  weight_stats s;
  double sum = 0;
  for (const auto& row : layer.W)
    for (const auto w : row) {
      sum += static_cast<double>(w);
      ++s.count;
    }
  s.mean = sum / static_cast<double>(s.count);
  double m2 = 0, m4 = 0;
  for (const auto& row : layer.W)
    for (const auto w : row) {
      const double d = static_cast<double>(w) - s.mean;
      m2 += d * d;
      m4 += d * d * d * d;
      s.max_abs = std::max(s.max_abs, std::abs(static_cast<double>(w)));
    }
  m2 /= static_cast<double>(s.count);
  m4 /= static_cast<double>(s.count);
  s.variance = m2;
  s.kurtosis = m4 / (m2 * m2);
  for (const auto bj : layer.b) s.biases_zero = s.biases_zero && bj == 0;
  return s;
}

enum class shape { uniform, normal };

/// Checks the weights are zero-mean with the given variance and the given shape: uniform ones
/// within [-limit, limit] with kurtosis 9/5, normal ones with kurtosis 3. Tolerances are several
/// standard errors for n = 65536 weights (variance: ~0.4% uniform, ~0.6% normal).
template <class Layer>
void check_distribution(const Layer& layer, double expected_variance, shape sh) {
  const auto s = stats_of(layer);
  INFO("variance " << s.variance << " expected " << expected_variance << ", mean " << s.mean
                   << ", kurtosis " << s.kurtosis << ", max |w| " << s.max_abs);
  const double n = static_cast<double>(s.count);
  CHECK(std::abs(s.mean) < 5.0 * std::sqrt(expected_variance / n));
  CHECK(std::abs(s.variance / expected_variance - 1.0) < 0.035);
  CHECK(s.biases_zero);
  if (sh == shape::uniform) {
    const double limit = std::sqrt(3.0 * expected_variance);
    CHECK(s.max_abs <= limit);
    CHECK(s.max_abs > 0.99 * limit);
    CHECK(std::abs(s.kurtosis - 1.8) < 0.04);
  } else {
    CHECK(std::abs(s.kurtosis - 3.0) < 0.15);
    CHECK(s.max_abs > 3.0 * std::sqrt(expected_variance));  // normal tails exist
  }
}

/// One dense layer in -> out with activation Act, on the heap (256 x 256 doubles is 512 KiB).
template <class T, std::size_t In, std::size_t Out, class Act = ctnn::identity>
using single = ctnn::network<T, ctnn::input<In>, ctnn::dense<Out, Act>>;

template <class Net, class Init>
std::unique_ptr<Net> make(const Init& initializer, std::uint64_t seed = 42) {
  auto net = std::make_unique<Net>();
  net->fill(typename Net::value_type(7));  // so that "sets b = 0" is observable
  ctnn::rng gen{seed};
  ctnn::init(*net, initializer, gen);
  return net;
}

// A small network that is initialised at compile time (constant-evaluation budgets are small).
template <class T>
using small_net = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::relu>,
                                ctnn::dense<5, ctnn::tanh>, ctnn::dense<2, ctnn::sigmoid>>;

template <class T, class Init>
constexpr auto small_flat(const Init& initializer, std::uint64_t seed = 42) {
  small_net<T> net;
  ctnn::rng gen{seed};
  ctnn::init(net, initializer, gen);
  return net.flat();
}

/// Every weight of the small net nonzero, every bias zero.
template <class T>
constexpr bool weights_set_biases_zero(const typename small_net<T>::flat_type& flat) {
  small_net<T> net{flat};
  bool ok = true;
  ctnn::detail::static_for<small_net<T>::layer_count>([&](auto I) {
    const auto& l = net.template layer<decltype(I)::value>();
    for (const auto& row : l.W)
      for (const auto w : row) ok = ok && w != T(0);
    for (const auto bj : l.b) ok = ok && bj == T(0);
  });
  return ok;
}

/// A user-defined initialiser, as documented on ctnn::Initializer.
struct small_uniform {
  double limit = 0.01;
  template <class Layer>
  constexpr void operator()(Layer& layer, ctnn::rng& gen) const noexcept {
    using T = typename Layer::value_type;
    for (auto& row : layer.W)
      for (auto& w : row) w = gen.uniform(T(-limit), T(limit));
    layer.b.fill(T(0));
  }
};
struct not_noexcept {
  template <class Layer>
  void operator()(Layer&, ctnn::rng&) const {}
};
struct wrong_arguments {
  template <class Layer>
  void operator()(Layer&) const noexcept {}
};

}  // namespace

// ------------------------------------------------------------------------------------------
// The concept and the entry point
// ------------------------------------------------------------------------------------------

TEST_CASE("init: the built-in initialisers and a user one satisfy ctnn::Initializer", "[init]") {
  STATIC_REQUIRE(ctnn::Initializer<ctnn::zeros>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::constant>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::uniform>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::normal>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::xavier_uniform>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::xavier_normal>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::he_uniform>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::he_normal>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::lecun_uniform>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::lecun_normal>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::orthogonal>);
  STATIC_REQUIRE(ctnn::Initializer<ctnn::by_activation>);
  STATIC_REQUIRE(ctnn::Initializer<small_uniform>);
  STATIC_REQUIRE_FALSE(ctnn::Initializer<not_noexcept>);
  STATIC_REQUIRE_FALSE(ctnn::Initializer<wrong_arguments>);
  STATIC_REQUIRE_FALSE(ctnn::Initializer<int>);
  STATIC_REQUIRE(
      ctnn::LayerInitializer<ctnn::xavier_uniform, ctnn::dense_layer<float, 7, 9, ctnn::gelu>>);
}

TEST_CASE("init: layers are initialised in order from one generator; works on ctnn::parameters",
          "[init]") {
  using net_t = small_net<double>;
  net_t net;
  ctnn::rng gen{5};
  ctnn::init(net, ctnn::he_normal{}, gen);

  // The same as calling the initialiser on each layer in turn.
  net_t manual;
  ctnn::rng gen2{5};
  ctnn::he_normal{}(manual.layer<0>(), gen2);
  ctnn::he_normal{}(manual.layer<1>(), gen2);
  ctnn::he_normal{}(manual.layer<2>(), gen2);
  CHECK(net.flat() == manual.flat());
  CHECK(gen == gen2);

  // On a bare ctnn::parameters (the storage type), with the same result.
  typename net_t::parameters_type params;
  ctnn::rng gen3{5};
  ctnn::init(params, ctnn::he_normal{}, gen3);
  CHECK(params.flat() == net.flat());

  // Same seed, same weights; another seed, other weights.
  net_t again, other;
  ctnn::rng a{5}, b{6};
  ctnn::init(again, ctnn::he_normal{}, a);
  ctnn::init(other, ctnn::he_normal{}, b);
  CHECK(again.flat() == net.flat());
  CHECK(other.flat() != net.flat());

  // The one-argument form uses by_activation{}.
  net_t d1, d2;
  ctnn::rng g1{9}, g2{9};
  ctnn::init(d1, g1);
  ctnn::init(d2, ctnn::by_activation{}, g2);
  CHECK(d1.flat() == d2.flat());

  // A user-defined initialiser.
  net_t u;
  ctnn::rng gu{1};
  ctnn::init(u, small_uniform{0.5}, gu);
  bool in_range = true;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k)
    in_range = in_range && std::abs(u[k]) < 0.5;
  CHECK(in_range);
  CHECK(u.layer<1>().W[2][3] != 0.0);
}

TEMPLATE_TEST_CASE("init: compile-time initialisation gives exactly the run-time weights", "[init]",
                   float, double) {
  using T = TestType;
  using net_t = small_net<T>;
  constexpr auto xu = small_flat<T>(ctnn::xavier_uniform{});
  constexpr auto xn = small_flat<T>(ctnn::xavier_normal{});
  constexpr auto hu = small_flat<T>(ctnn::he_uniform{});
  constexpr auto hn = small_flat<T>(ctnn::he_normal{});
  constexpr auto lu = small_flat<T>(ctnn::lecun_uniform{});
  constexpr auto ln = small_flat<T>(ctnn::lecun_normal{});
  constexpr auto og = small_flat<T>(ctnn::orthogonal{});
  constexpr auto ba = small_flat<T>(ctnn::by_activation{});
  constexpr auto bn =
      small_flat<T>(ctnn::by_activation{.distribution = ctnn::init_distribution::normal});
  constexpr auto un = small_flat<T>(ctnn::uniform{-0.1, 0.1});
  constexpr auto no = small_flat<T>(ctnn::normal{0.0, 0.1});
  constexpr auto co = small_flat<T>(ctnn::constant{0.25, -1.0});
  constexpr auto ze = small_flat<T>(ctnn::zeros{});

  STATIC_REQUIRE(weights_set_biases_zero<T>(xu));
  STATIC_REQUIRE(weights_set_biases_zero<T>(hn));
  STATIC_REQUIRE(weights_set_biases_zero<T>(og));
  STATIC_REQUIRE(weights_set_biases_zero<T>(ba));
  STATIC_REQUIRE(xu != xn);
  STATIC_REQUIRE(ba != bn);
  STATIC_REQUIRE(co[0] == T(0.25));
  STATIC_REQUIRE(co[net_t::parameter_count - 1] == T(-1));
  STATIC_REQUIRE(ze == typename net_t::flat_type{});
  // layer 0 is 3 -> 4 (relu): He-uniform bound sqrt(6/3); Xavier-uniform bound sqrt(6/7).
  STATIC_REQUIRE(ba[0] == hu[0]);
  STATIC_REQUIRE(ba[net_t::parameter_count - 3] == xu[net_t::parameter_count - 3]);

  auto at_run_time = [](const auto& initializer) {
    net_t net;
    ctnn::rng gen{42};
    ctnn::init(net, initializer, gen);
    return net.flat();
  };
  CHECK(xu == at_run_time(ctnn::xavier_uniform{}));
  CHECK(xn == at_run_time(ctnn::xavier_normal{}));
  CHECK(hu == at_run_time(ctnn::he_uniform{}));
  CHECK(hn == at_run_time(ctnn::he_normal{}));
  CHECK(lu == at_run_time(ctnn::lecun_uniform{}));
  CHECK(ln == at_run_time(ctnn::lecun_normal{}));
  CHECK(og == at_run_time(ctnn::orthogonal{}));
  CHECK(ba == at_run_time(ctnn::by_activation{}));
  CHECK(bn == at_run_time(ctnn::by_activation{.distribution = ctnn::init_distribution::normal}));
  CHECK(un == at_run_time(ctnn::uniform{-0.1, 0.1}));
  CHECK(no == at_run_time(ctnn::normal{0.0, 0.1}));
  CHECK(co == at_run_time(ctnn::constant{0.25, -1.0}));
}

// ------------------------------------------------------------------------------------------
// Distributions on large layers
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("init: fixed distributions (zeros, constant, uniform, normal)", "[init]", float,
                   double) {
  using T = TestType;
  using net_t = single<T, 256, 256>;
  {
    auto net = make<net_t>(ctnn::zeros{});
    const auto s = stats_of(net->template layer<0>());
    CHECK(s.max_abs == 0.0);
    CHECK(s.biases_zero);
  }
  {
    auto net = make<net_t>(ctnn::constant{0.5});
    const auto& l = net->template layer<0>();
    CHECK(l.W[0][0] == T(0.5));
    CHECK(l.W[255][255] == T(0.5));
    CHECK(l.b[17] == T(0));
    auto with_bias = make<net_t>(ctnn::constant{0.5, 0.125});
    CHECK(with_bias->template layer<0>().b[17] == T(0.125));
  }
  {
    // U(a, b): mean (a + b) / 2, variance (b - a)^2 / 12, inside [a, b).
    auto net = make<net_t>(ctnn::uniform{-0.2, 0.6});
    const auto s = stats_of(net->template layer<0>());
    const double var = 0.8 * 0.8 / 12.0;
    CHECK(std::abs(s.mean - 0.2) < 5.0 * std::sqrt(var / 65536.0));
    CHECK(std::abs(s.variance / var - 1.0) < 0.03);
    T lo = T(1), hi = T(-1);
    for (const auto& row : net->template layer<0>().W)
      for (const T w : row) {
        lo = std::min(lo, w);
        hi = std::max(hi, w);
      }
    CHECK(lo >= T(-0.2));
    CHECK(hi < T(0.6));
    CHECK(s.biases_zero);
    auto defaults = make<net_t>(ctnn::uniform{});
    check_distribution(defaults->template layer<0>(), 0.1 * 0.1 / 12.0, shape::uniform);
  }
  {
    auto net = make<net_t>(ctnn::normal{1.5, 0.3});
    const auto s = stats_of(net->template layer<0>());
    CHECK(std::abs(s.mean - 1.5) < 5.0 * 0.3 / 256.0);
    CHECK(std::abs(s.variance / 0.09 - 1.0) < 0.035);
    CHECK(std::abs(s.kurtosis - 3.0) < 0.15);
    CHECK(s.biases_zero);
    auto defaults = make<net_t>(ctnn::normal{});
    check_distribution(defaults->template layer<0>(), 0.05 * 0.05, shape::normal);
  }
}

TEMPLATE_TEST_CASE("init: Xavier, He and LeCun follow their formulas", "[init]", float, double) {
  using T = TestType;
  // Square layers, then non-square ones in both directions (fan_in != fan_out tells the
  // formulas apart: Xavier uses In + Out, He and LeCun only In).
  {
    using net_t = single<T, 256, 256>;
    check_distribution(make<net_t>(ctnn::xavier_uniform{})->template layer<0>(), 2.0 / 512.0,
                       shape::uniform);
    check_distribution(make<net_t>(ctnn::xavier_normal{})->template layer<0>(), 2.0 / 512.0,
                       shape::normal);
    check_distribution(make<net_t>(ctnn::he_uniform{})->template layer<0>(), 2.0 / 256.0,
                       shape::uniform);
    check_distribution(make<net_t>(ctnn::he_normal{})->template layer<0>(), 2.0 / 256.0,
                       shape::normal);
    check_distribution(make<net_t>(ctnn::lecun_uniform{})->template layer<0>(), 1.0 / 256.0,
                       shape::uniform);
    check_distribution(make<net_t>(ctnn::lecun_normal{})->template layer<0>(), 1.0 / 256.0,
                       shape::normal);
  }
  {
    using net_t = single<T, 128, 512>;  // fan_in 128, fan_out 512
    check_distribution(make<net_t>(ctnn::xavier_uniform{})->template layer<0>(), 2.0 / 640.0,
                       shape::uniform);
    check_distribution(make<net_t>(ctnn::he_normal{})->template layer<0>(), 2.0 / 128.0,
                       shape::normal);
    check_distribution(make<net_t>(ctnn::lecun_uniform{})->template layer<0>(), 1.0 / 128.0,
                       shape::uniform);
  }
  {
    using net_t = single<T, 512, 128>;  // fan_in 512, fan_out 128
    check_distribution(make<net_t>(ctnn::xavier_normal{})->template layer<0>(), 2.0 / 640.0,
                       shape::normal);
    check_distribution(make<net_t>(ctnn::he_uniform{})->template layer<0>(), 2.0 / 512.0,
                       shape::uniform);
    check_distribution(make<net_t>(ctnn::lecun_normal{})->template layer<0>(), 1.0 / 512.0,
                       shape::normal);
  }
  {
    // gain multiplies the standard deviation; negative_slope divides He's variance by 1 + a^2.
    using net_t = single<T, 256, 256>;
    check_distribution(make<net_t>(ctnn::xavier_uniform{.gain = 5.0 / 3.0})->template layer<0>(),
                       25.0 / 9.0 * 2.0 / 512.0, shape::uniform);
    check_distribution(make<net_t>(ctnn::xavier_normal{.gain = 0.5})->template layer<0>(),
                       0.25 * 2.0 / 512.0, shape::normal);
    check_distribution(make<net_t>(ctnn::he_uniform{.negative_slope = 1.0})->template layer<0>(),
                       1.0 / 256.0, shape::uniform);
    check_distribution(make<net_t>(ctnn::he_normal{.negative_slope = 0.5})->template layer<0>(),
                       2.0 / (1.25 * 256.0), shape::normal);
  }
}

TEMPLATE_TEST_CASE("init: by_activation picks He for rectifiers and Xavier otherwise", "[init]",
                   float, double) {
  using T = TestType;
  constexpr double he = 2.0 / 256.0, xavier = 2.0 / 512.0;
  SECTION("uniform (the default)") {
    constexpr ctnn::by_activation u{};
    check_distribution(make<single<T, 256, 256, ctnn::relu>>(u)->template layer<0>(), he,
                       shape::uniform);
    check_distribution(make<single<T, 256, 256, ctnn::elu<>>>(u)->template layer<0>(), he,
                       shape::uniform);
    check_distribution(make<single<T, 256, 256, ctnn::leaky_relu<1, 2>>>(u)->template layer<0>(),
                       2.0 / (1.25 * 256.0), shape::uniform);  // He with negative slope 1/2
    check_distribution(make<single<T, 256, 256, ctnn::tanh>>(u)->template layer<0>(), xavier,
                       shape::uniform);
    check_distribution(make<single<T, 256, 256, ctnn::sigmoid>>(u)->template layer<0>(), xavier,
                       shape::uniform);
    check_distribution(make<single<T, 256, 256, ctnn::identity>>(u)->template layer<0>(), xavier,
                       shape::uniform);
    check_distribution(make<single<T, 256, 256, ctnn::softmax>>(u)->template layer<0>(), xavier,
                       shape::uniform);
    check_distribution(make<single<T, 256, 256, ctnn::gelu>>(u)->template layer<0>(), xavier,
                       shape::uniform);
  }
  SECTION("normal") {
    constexpr ctnn::by_activation n{.distribution = ctnn::init_distribution::normal};
    check_distribution(make<single<T, 256, 256, ctnn::relu>>(n)->template layer<0>(), he,
                       shape::normal);
    check_distribution(make<single<T, 256, 256, ctnn::tanh>>(n)->template layer<0>(), xavier,
                       shape::normal);
    check_distribution(make<single<T, 256, 256, ctnn::softplus>>(n)->template layer<0>(), xavier,
                       shape::normal);
  }
  SECTION("per layer of one network, and the same draws as the chosen initialiser") {
    using net_t =
        ctnn::network<T, ctnn::input<8>, ctnn::dense<16, ctnn::relu>, ctnn::dense<4, ctnn::tanh>>;
    net_t net, expected;
    ctnn::rng g1{3}, g2{3};
    ctnn::init(net, ctnn::by_activation{}, g1);
    ctnn::he_uniform{}(expected.template layer<0>(), g2);
    ctnn::xavier_uniform{}(expected.template layer<1>(), g2);
    CHECK(net.flat() == expected.flat());
  }
}

// ------------------------------------------------------------------------------------------
// Orthogonal
// ------------------------------------------------------------------------------------------

namespace {
/// max |(W W^T - gain^2 I)_jk| when rows are orthonormal, or of W^T W when columns are.
template <class Layer>
double orthogonality_error(const Layer& l, double gain) {
  constexpr std::size_t in = Layer::input_size, out = Layer::output_size;
  double worst = 0;
  if constexpr (out <= in) {
    for (std::size_t j = 0; j < out; ++j)
      for (std::size_t k = 0; k < out; ++k) {
        double dot = 0;
        for (std::size_t i = 0; i < in; ++i) dot += double(l.W[j][i]) * double(l.W[k][i]);
        worst = std::max(worst, std::abs(dot - (j == k ? gain * gain : 0.0)));
      }
  } else {
    for (std::size_t i = 0; i < in; ++i)
      for (std::size_t k = 0; k < in; ++k) {
        double dot = 0;
        for (std::size_t j = 0; j < out; ++j) dot += double(l.W[j][i]) * double(l.W[j][k]);
        worst = std::max(worst, std::abs(dot - (i == k ? gain * gain : 0.0)));
      }
  }
  return worst;
}
}  // namespace

TEMPLATE_TEST_CASE("init: orthogonal gives W W^T = I (Out <= In) or W^T W = I (Out > In)", "[init]",
                   float, double) {
  using T = TestType;
  const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  {
    auto net = make<single<T, 256, 256>>(ctnn::orthogonal{});
    CHECK(orthogonality_error(net->template layer<0>(), 1.0) < tol);
    CHECK(stats_of(net->template layer<0>()).biases_zero);
    // Entries of a Haar-random orthogonal 256 x 256 matrix have variance 1/256.
    CHECK(std::abs(stats_of(net->template layer<0>()).variance * 256.0 - 1.0) < 0.03);
  }
  {
    auto net = make<single<T, 96, 32>>(ctnn::orthogonal{});  // rows orthonormal
    CHECK(orthogonality_error(net->template layer<0>(), 1.0) < tol);
  }
  {
    auto net = make<single<T, 32, 96>>(ctnn::orthogonal{});  // columns orthonormal
    CHECK(orthogonality_error(net->template layer<0>(), 1.0) < tol);
  }
  {
    auto net = make<single<T, 64, 64>>(ctnn::orthogonal{.gain = 2.0});
    CHECK(orthogonality_error(net->template layer<0>(), 2.0) < 4.0 * tol);
  }
  {
    // A 1 x 1 layer is +1 or -1; a column vector is a unit vector.
    auto one = make<single<T, 1, 1>>(ctnn::orthogonal{});
    CHECK(std::abs(std::abs(double(one->template layer<0>().W[0][0])) - 1.0) < tol);
    auto col = make<single<T, 1, 5>>(ctnn::orthogonal{});
    CHECK(orthogonality_error(col->template layer<0>(), 1.0) < tol);
  }
  {
    // A deep network: every layer orthogonal, each in its own orientation.
    using net_t = ctnn::network<T, ctnn::input<10>, ctnn::dense<20, ctnn::tanh>,
                                ctnn::dense<20, ctnn::tanh>, ctnn::dense<3>>;
    net_t net;
    ctnn::rng gen{8};
    ctnn::init(net, ctnn::orthogonal{}, gen);
    CHECK(orthogonality_error(net.template layer<0>(), 1.0) < tol);
    CHECK(orthogonality_error(net.template layer<1>(), 1.0) < tol);
    CHECK(orthogonality_error(net.template layer<2>(), 1.0) < tol);
  }
  // At compile time too.
  constexpr auto ct = [] {
    single<T, 4, 3> net;
    ctnn::rng gen{42};
    ctnn::init(net, ctnn::orthogonal{}, gen);
    return net;
  }();
  STATIC_REQUIRE(ct.template layer<0>().W[0][0] != T(0));
  CHECK(orthogonality_error(ct.template layer<0>(), 1.0) < tol);
}

// ------------------------------------------------------------------------------------------
// LSUV
// ------------------------------------------------------------------------------------------

namespace {

/// Population variance of layer I's pre-activation over a batch, computed independently
/// (two-pass, in double, from traced forward passes).
template <std::size_t I, class Net, class Batch>
double z_variance(const Net& net, const Batch& batch) {
  std::vector<double> zs;
  for (const auto& x : batch) {
    const auto t = net.traced(x);
    for (const auto z : t.template layer<I>().z) zs.push_back(static_cast<double>(z));
  }
  double mean = 0;
  for (double z : zs) mean += z;
  mean /= static_cast<double>(zs.size());
  double var = 0;
  for (double z : zs) var += (z - mean) * (z - mean);
  return var / static_cast<double>(zs.size());
}

template <class Net>
std::vector<typename Net::input_type> random_batch(std::size_t n, std::uint64_t seed, double mean,
                                                   double sd) {
  using T = typename Net::value_type;
  ctnn::rng gen{seed};
  std::vector<typename Net::input_type> batch(n);
  for (auto& x : batch)
    for (auto& v : x) v = gen.normal(T(mean), T(sd));
  return batch;
}

}  // namespace

TEMPLATE_TEST_CASE("lsuv: each layer's pre-activation variance ends within tolerance of 1",
                   "[init][lsuv]", float, double) {
  using T = TestType;
  using net_t =
      ctnn::network<T, ctnn::input<32>, ctnn::dense<64, ctnn::tanh>, ctnn::dense<48, ctnn::relu>,
                    ctnn::dense<16, ctnn::elu<>>, ctnn::dense<10, ctnn::softmax>>;
  const auto batch = random_batch<net_t>(100, 17, 0.5, 3.0);
  net_t net;
  ctnn::rng gen{42};
  const ctnn::lsuv_report<net_t> report =
      ctnn::lsuv(net, std::span<const typename net_t::input_type>(batch), gen);
  REQUIRE(report.status == ctnn::lsuv_status::ok);
  REQUIRE(report.ok());

  const std::array<double, 4> measured{z_variance<0>(net, batch), z_variance<1>(net, batch),
                                       z_variance<2>(net, batch), z_variance<3>(net, batch)};
  for (std::size_t I = 0; I < 4; ++I) {
    INFO("layer " << I << ": variance " << measured[I] << ", reported " << report.variance[I]
                  << ", iterations " << report.iterations[I]);
    CHECK(std::abs(measured[I] - 1.0) < 0.1);
    CHECK(report.converged[I]);
    CHECK(report.iterations[I] >= 1);  // the input variance is 9: orthogonal alone is far off
    CHECK(report.iterations[I] <= 10);
    CHECK(std::abs(double(report.variance[I]) - measured[I]) <
          (std::is_same_v<T, float> ? 1e-4 : 1e-10));
  }
  // Before LSUV the first layer's variance was about 4.6 (orthonormal columns keep |x|^2, spread
  // over twice as many units: 9.25 * 32 / 64): LSUV really changed it.
  net_t ortho;
  ctnn::rng gen2{42};
  ctnn::init(ortho, ctnn::orthogonal{}, gen2);
  CHECK(z_variance<0>(ortho, batch) > 3.0);
  // LSUV's start is exactly that orthogonal network, rescaled per layer.
  const double s0 =
      double(net.template layer<0>().W[0][0]) / double(ortho.template layer<0>().W[0][0]);
  CHECK(std::abs(double(net.template layer<0>().W[3][7]) -
                 s0 * double(ortho.template layer<0>().W[3][7])) < 1e-5);
  // Biases are zero.
  CHECK(std::all_of(net.template layer<2>().b.begin(), net.template layer<2>().b.end(),
                    [](T b) { return b == T(0); }));

  // A tighter tolerance is honoured too.
  net_t tight;
  ctnn::rng gen3{42};
  const auto r2 = ctnn::lsuv(tight, std::span<const typename net_t::input_type>(batch), gen3,
                             {.tolerance = 0.001});
  CHECK(r2.ok());
  CHECK(std::abs(z_variance<3>(tight, batch) - 1.0) < 0.001);

  // max_iterations = 0 only measures.
  net_t none;
  ctnn::rng gen4{42};
  const auto r3 = ctnn::lsuv(none, std::span<const typename net_t::input_type>(batch), gen4,
                             {.max_iterations = 0});
  CHECK(r3.ok());
  CHECK(r3.iterations[0] == 0);
  CHECK_FALSE(r3.converged[0]);
  CHECK(std::abs(double(r3.variance[0]) - z_variance<0>(ortho, batch)) <
        1e-3 * z_variance<0>(ortho, batch));
}

TEST_CASE("lsuv: bad batches are reported and leave the network untouched", "[init][lsuv]") {
  using net_t = ctnn::network<double, ctnn::input<4>, ctnn::dense<6, ctnn::relu>, ctnn::dense<2>>;
  net_t net;
  ctnn::rng seed_gen{1};
  ctnn::init(net, ctnn::xavier_uniform{}, seed_gen);
  const net_t before = net;
  ctnn::rng gen{2};
  const ctnn::rng gen_before = gen;

  const auto empty = ctnn::lsuv(net, std::span<const net_t::input_type>(), gen);
  CHECK(empty.status == ctnn::lsuv_status::empty_batch);
  CHECK_FALSE(empty.ok());
  CHECK(net.flat() == before.flat());
  CHECK(gen == gen_before);

  std::array<net_t::input_type, 3> with_nan{
      {{1, 2, 3, 4}, {0, std::numeric_limits<double>::quiet_NaN(), 0, 0}, {1, 1, 1, 1}}};
  const auto nan = ctnn::lsuv(net, with_nan, gen);
  CHECK(nan.status == ctnn::lsuv_status::non_finite);
  CHECK(net.flat() == before.flat());
  std::array<net_t::input_type, 1> with_inf{{{1, std::numeric_limits<double>::infinity(), 3, 4}}};
  CHECK(ctnn::lsuv(net, with_inf, gen).status == ctnn::lsuv_status::non_finite);
  CHECK(net.flat() == before.flat());

  // An all-zero batch: z = 0 everywhere, nothing to rescale.
  std::array<net_t::input_type, 5> zeros{};
  const auto zv = ctnn::lsuv(net, zeros, gen);
  CHECK(zv.status == ctnn::lsuv_status::zero_variance);
  CHECK(zv.variance[0] == 0.0);
  CHECK(zv.iterations[0] == 0);

  for (auto s : {ctnn::lsuv_status::ok, ctnn::lsuv_status::empty_batch,
                 ctnn::lsuv_status::non_finite, ctnn::lsuv_status::zero_variance})
    CHECK(std::string(ctnn::message(s)).size() > 1);
}

TEST_CASE("lsuv: without the orthogonal start it rescales the current weights", "[init][lsuv]") {
  using net_t = ctnn::network<double, ctnn::input<16>, ctnn::dense<32, ctnn::tanh>, ctnn::dense<8>>;
  const auto batch = random_batch<net_t>(50, 4, 0.0, 1.0);
  net_t net;
  ctnn::rng g{3};
  ctnn::init(net, ctnn::constant{0.0, 0.0}, g);
  ctnn::init(net, ctnn::normal{0.0, 2.0}, g);  // far too large
  const net_t start = net;
  ctnn::rng gen{5};
  const ctnn::rng gen_before = gen;
  const auto r =
      ctnn::lsuv(net, std::span<const net_t::input_type>(batch), gen, {.orthogonal_first = false});
  REQUIRE(r.ok());
  CHECK(gen == gen_before);  // drew nothing
  CHECK(std::abs(z_variance<0>(net, batch) - 1.0) < 0.1);
  CHECK(std::abs(z_variance<1>(net, batch) - 1.0) < 0.1);
  // Layer 0 is the start scaled by one positive factor.
  const double s = net.layer<0>().W[0][0] / start.layer<0>().W[0][0];
  CHECK(s > 0.0);
  CHECK(s < 1.0);
  CHECK(std::abs(net.layer<0>().W[5][9] - s * start.layer<0>().W[5][9]) < 1e-12);
}

TEST_CASE("lsuv: constexpr, and the same result at compile time and at run time", "[init][lsuv]") {
  using net_t = ctnn::network<double, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2>>;
  static constexpr std::array<net_t::input_type, 4> batch{
      {{1, -2, 0.5}, {3, 1, -1}, {-0.5, 2, 2}, {0, 1, -3}}};
  struct result {
    net_t net;
    ctnn::lsuv_report<net_t> report;
  };
  constexpr result ct = [] {
    result r{};
    ctnn::rng gen{42};
    r.report = ctnn::lsuv(r.net, batch, gen);
    return r;
  }();
  STATIC_REQUIRE(ct.report.status == ctnn::lsuv_status::ok);
  STATIC_REQUIRE(ct.report.converged[0]);
  STATIC_REQUIRE(ct.report.converged[1]);
  STATIC_REQUIRE(ct.report.variance[0] > 0.9);
  STATIC_REQUIRE(ct.report.variance[0] < 1.1);

  net_t net;
  ctnn::rng gen{42};
  const auto report = ctnn::lsuv(net, batch, gen);
  CHECK(net.flat() == ct.net.flat());
  CHECK(report.iterations == ct.report.iterations);
  CHECK(report.variance == ct.report.variance);
}
