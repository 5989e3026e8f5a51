// SPDX-License-Identifier: MIT
// Tests for <ctnn/network.hpp>: the example, the static description of a network
// (sizes, widths, layer types, byte counts), construction, ==, the forward pass against a
// hand-written <cmath> reference, constexpr forward passes bit-equal to run-time ones for many
// topologies and every activation, the traced forward pass and the minimum-RAM overload.
#include <ctnn/network.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

namespace {

// ------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------

template <class T>
T at_run_time(T v) {
  volatile T x = v;
  return x;
}

template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(v);
  else return std::bit_cast<std::uint64_t>(v);
}

template <class T, std::size_t N>
bool bit_equal(const std::array<T, N>& a, const std::array<T, N>& b) {
  for (std::size_t i = 0; i < N; ++i)
    if (bits(a[i]) != bits(b[i])) return false;
  return true;
}

bool near(double a, double b, double rtol) {
  const double scale = std::fmax(1.0, std::fmax(std::fabs(a), std::fabs(b)));
  return std::fabs(a - b) <= rtol * scale;
}

/// A small deterministic generator (64-bit LCG, Knuth's MMIX constants), usable in constexpr.
struct lcg {
  std::uint64_t state;
  constexpr double next() noexcept {  // [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
  }
  constexpr double uniform(double a, double b) noexcept { return a + (b - a) * next(); }
};

/// Parameters uniform in [-scale, scale] (weights divided by sqrt-ish of fan-in via `scale`).
template <class Net>
constexpr Net random_net(std::uint64_t seed, double scale = 0.8) {
  using T = typename Net::value_type;
  Net n{};
  lcg g{seed};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    n[k] = static_cast<T>(g.uniform(-scale, scale));
  return n;
}

template <class Net>
constexpr typename Net::input_type random_input(std::uint64_t seed) {
  using T = typename Net::value_type;
  typename Net::input_type x{};
  lcg g{seed * 7919 + 1};
  for (auto& v : x) v = static_cast<T>(g.uniform(-1.5, 1.5));
  return x;
}

// -------- reference implementation with <cmath>, in double --------

template <class A>
struct ratio_of;
template <std::intmax_t N, std::intmax_t D>
struct ratio_of<ctnn::leaky_relu<N, D>> {
  static constexpr double value = static_cast<double>(N) / static_cast<double>(D);
};
template <std::intmax_t N, std::intmax_t D>
struct ratio_of<ctnn::elu<N, D>> {
  static constexpr double value = static_cast<double>(N) / static_cast<double>(D);
};
template <class A>
struct is_leaky : std::false_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_leaky<ctnn::leaky_relu<N, D>> : std::true_type {};
template <class A>
struct is_elu : std::false_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_elu<ctnn::elu<N, D>> : std::true_type {};

template <class A>
void reference_activation(std::vector<double>& z) {
  if constexpr (std::is_same_v<A, ctnn::softmax>) {
    double m = z[0];
    for (double v : z) m = std::fmax(m, v);
    double s = 0;
    for (double& v : z) s += (v = std::exp(v - m));
    for (double& v : z) v /= s;
  } else {
    for (double& v : z) {
      if constexpr (std::is_same_v<A, ctnn::identity>) {
      } else if constexpr (std::is_same_v<A, ctnn::sigmoid>) {
        v = 1.0 / (1.0 + std::exp(-v));
      } else if constexpr (std::is_same_v<A, ctnn::tanh>) {
        v = std::tanh(v);
      } else if constexpr (std::is_same_v<A, ctnn::relu>) {
        v = v > 0 ? v : 0.0;
      } else if constexpr (is_leaky<A>::value) {
        v = v > 0 ? v : ratio_of<A>::value * v;
      } else if constexpr (is_elu<A>::value) {
        v = v > 0 ? v : ratio_of<A>::value * std::expm1(v);
      } else if constexpr (std::is_same_v<A, ctnn::softplus>) {
        v = v > 30 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
      } else if constexpr (std::is_same_v<A, ctnn::gelu>) {
        const double c = std::sqrt(2.0 / 3.14159265358979323846);
        v = 0.5 * v * (1.0 + std::tanh(c * (v + 0.044715 * v * v * v)));
      } else {
        static_assert(sizeof(A) == 0, "reference_activation: unknown activation");
      }
    }
  }
}

template <std::size_t N, class F>
void for_layers(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<N>{});
}

/// The forward pass written out by hand: x_{l+1}[j] = f(sum_i W[j][i] x_l[i] + b[j]), in double.
template <class Net>
std::vector<double> reference_forward(const Net& net, const typename Net::input_type& x) {
  std::vector<double> cur(x.begin(), x.end());
  for_layers<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using L = typename Net::template layer_type<I>;
    const auto& l = net.template layer<I>();
    std::vector<double> z(L::output_size);
    for (std::size_t j = 0; j < L::output_size; ++j) {
      double s = static_cast<double>(l.b[j]);
      for (std::size_t i = 0; i < L::input_size; ++i)
        s += static_cast<double>(l.W[j][i]) * cur[i];
      z[j] = s;
    }
    reference_activation<typename L::activation>(z);
    cur = z;
  });
  return cur;
}

template <class T>
constexpr double forward_tol() {
  return std::is_same_v<T, float> ? 3e-5 : 1e-12;
}

/// forward(x) vs the reference, for a few random nets and inputs.
template <class Net>
void check_against_reference(std::uint64_t seed) {
  using T = typename Net::value_type;
  for (std::uint64_t s = seed; s < seed + 4; ++s) {
    const Net net = random_net<Net>(s);
    const auto x = random_input<Net>(s);
    const auto y = net.forward(x);
    const auto ref = reference_forward(net, x);
    REQUIRE(ref.size() == Net::output_size);
    for (std::size_t j = 0; j < Net::output_size; ++j) {
      INFO("seed " << s << " output " << j << ": " << y[j] << " vs " << ref[j]);
      CHECK(near(static_cast<double>(y[j]), ref[j], forward_tol<T>()));
    }
  }
}

/// The forward pass evaluated by the compiler equals the run-time one bit for bit, and the
/// traced and minimum-RAM forward passes agree too (at compile time and at run time).
template <class Net, std::uint64_t Seed>
void check_constexpr_forward() {
  using T = typename Net::value_type;
  constexpr Net net = random_net<Net>(Seed);
  constexpr typename Net::input_type x = random_input<Net>(Seed);
  constexpr typename Net::output_type y_ct = net.forward(x);
  constexpr typename Net::output_type y_traced_ct = net.traced(x).output();
  constexpr typename Net::output_type y_minram_ct = [] {
    constexpr Net n = random_net<Net>(Seed);
    constexpr typename Net::input_type in = random_input<Net>(Seed);
    typename Net::output_type out{};
    typename Net::workspace_type work{};
    n.forward(std::span<const T, Net::input_size>(in), std::span<T, Net::output_size>(out), work);
    return out;
  }();
  STATIC_REQUIRE(y_ct == y_traced_ct);
  STATIC_REQUIRE(y_ct == y_minram_ct);

  const Net net_rt = random_net<Net>(at_run_time(Seed));
  const typename Net::input_type x_rt = random_input<Net>(at_run_time(Seed));
  REQUIRE(net_rt == net);  // the generator gives the same parameters at run time
  const auto y_rt = net_rt.forward(x_rt);
  INFO("compile time " << y_ct[0] << " run time " << y_rt[0]);
  CHECK(bit_equal(y_ct, y_rt));
  CHECK(bit_equal(y_ct, net_rt.traced(x_rt).output()));
  // and it is right, not just reproducible
  const auto ref = reference_forward(net_rt, x_rt);
  for (std::size_t j = 0; j < Net::output_size; ++j)
    CHECK(near(static_cast<double>(y_rt[j]), ref[j], forward_tol<T>()));
}

template <class T, class... L>
using net = ctnn::network<T, L...>;

using leaky_fifth = ctnn::leaky_relu<1, 5>;
using elu_half = ctnn::elu<1, 2>;

// Topologies used below (T = element type)
template <class T, class A>
using small_of = net<T, ctnn::input<3>, ctnn::dense<4, A>, ctnn::dense<2, A>>;
template <class T>
using small_softmax = net<T, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<3, ctnn::softmax>>;
template <class T>  // widths go down and up: the ping-pong buffers are reused at several sizes
using deep_mixed = net<T, ctnn::input<5>, ctnn::dense<7, ctnn::tanh>, ctnn::dense<3, ctnn::relu>,
                       ctnn::dense<9, elu_half>, ctnn::dense<4, ctnn::gelu>,
                       ctnn::dense<6, ctnn::softplus>, ctnn::dense<2, ctnn::softmax>>;
template <class T>  // rows longer than the 8 dot-product lanes
using wide = net<T, ctnn::input<20>, ctnn::dense<33, leaky_fifth>, ctnn::dense<17, ctnn::sigmoid>,
                 ctnn::dense<5>>;
template <class T>
using single = net<T, ctnn::input<4>, ctnn::dense<3, ctnn::tanh>>;
template <class T>  // output wider than every hidden layer
using wide_output = net<T, ctnn::input<2>, ctnn::dense<2, ctnn::tanh>, ctnn::dense<6>>;

}  // namespace

// ------------------------------------------------------------------------------------------
// the example
// ------------------------------------------------------------------------------------------

TEST_CASE("network: the issue's example compiles and is evaluated by the compiler", "[network]") {
  using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                              ctnn::dense<1, ctnn::sigmoid>>;
  static_assert(net_t::input_size == 2 && net_t::output_size == 1);
  static_assert(net_t::parameter_count == 2 * 3 + 3 + 3 * 1 + 1);
  static_assert(sizeof(net_t) == net_t::parameter_count * sizeof(float));
  // from a flat std::array: W1 (3 rows of 2), b1, W2 (1 row of 3), b2
  constexpr net_t net{std::array<float, net_t::parameter_count>{
      0.5f, -1.f, 1.5f, 0.25f, -0.75f, 2.f,  // W1
      0.1f, -0.2f, 0.3f,                     // b1
      1.f, -2.f, 0.5f,                       // W2
      -0.25f}};                              // b2
  constexpr std::array<float, 1> y = net.forward({0.f, 1.f});
  // by hand: u = (-1 + 0.1, 0.25 - 0.2, 2 + 0.3) = (-0.9, 0.05, 2.3)
  const auto s = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  const double h0 = s(-0.9), h1 = s(0.05), h2 = s(2.3);
  const double expect = s(1.0 * h0 - 2.0 * h1 + 0.5 * h2 - 0.25);
  CHECK(near(y[0], expect, 1e-6));
  STATIC_REQUIRE(y[0] > 0.f);
  STATIC_REQUIRE(y[0] < 1.f);
  // the same at run time, bit for bit
  const net_t net_rt = net;
  CHECK(bits(net_rt.forward({at_run_time(0.f), at_run_time(1.f)})[0]) == bits(y[0]));

  // or per layer
  constexpr net_t per_layer = [] {
    net_t n;
    n.layer<0>().W = {{{0.5f, -1.f}, {1.5f, 0.25f}, {-0.75f, 2.f}}};
    n.layer<0>().b = {0.1f, -0.2f, 0.3f};
    n.layer<1>().W = {{{1.f, -2.f, 0.5f}}};
    n.layer<1>().b = {-0.25f};
    return n;
  }();
  STATIC_REQUIRE(per_layer == net);
  STATIC_REQUIRE(per_layer.forward({0.f, 1.f})[0] == y[0]);
}

// ------------------------------------------------------------------------------------------
// static description
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("network: static sizes, widths and layer types", "[network]", float, double) {
  using T = TestType;
  using net_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                              ctnn::dense<1, ctnn::sigmoid>>;
  STATIC_REQUIRE(std::is_same_v<typename net_t::value_type, T>);
  STATIC_REQUIRE(net_t::input_size == 2);
  STATIC_REQUIRE(net_t::output_size == 1);
  STATIC_REQUIRE(net_t::layer_count == 2);
  STATIC_REQUIRE(net_t::parameter_count == 13);
  STATIC_REQUIRE(net_t::widths == std::array<std::size_t, 3>{2, 3, 1});
  STATIC_REQUIRE(net_t::template layer_input_size<0> == 2);
  STATIC_REQUIRE(net_t::template layer_output_size<0> == 3);
  STATIC_REQUIRE(net_t::template layer_input_size<1> == 3);
  STATIC_REQUIRE(net_t::template layer_output_size<1> == 1);
  STATIC_REQUIRE(std::is_same_v<typename net_t::template layer_type<0>,
                                ctnn::dense_layer<T, 2, 3, ctnn::sigmoid>>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::template layer_type<1>,
                                ctnn::dense_layer<T, 3, 1, ctnn::sigmoid>>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::template layer_type<1>::activation, ctnn::sigmoid>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::input_type, std::array<T, 2>>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::output_type, std::array<T, 1>>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::flat_type, std::array<T, 13>>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::trace_type, ctnn::trace<net_t>>);
  STATIC_REQUIRE(std::is_base_of_v<typename net_t::parameters_type, net_t>);
  STATIC_REQUIRE(std::is_same_v<typename net_t::input_spec, ctnn::input<2>>);
  STATIC_REQUIRE(net_t::forward_macs == 2 * 3 + 3 * 1);
  STATIC_REQUIRE(net_t::parameter_bytes == 13 * sizeof(T));
  STATIC_REQUIRE(sizeof(net_t) == net_t::parameter_bytes);

  // the deep topology: 5 -> 7 -> 3 -> 9 -> 4 -> 6 -> 2
  using deep_t = deep_mixed<T>;
  STATIC_REQUIRE(deep_t::layer_count == 6);
  STATIC_REQUIRE(deep_t::widths == std::array<std::size_t, 7>{5, 7, 3, 9, 4, 6, 2});
  STATIC_REQUIRE(deep_t::parameter_count ==
                 5 * 7 + 7 + 7 * 3 + 3 + 3 * 9 + 9 + 9 * 4 + 4 + 4 * 6 + 6 + 6 * 2 + 2);
  STATIC_REQUIRE(deep_t::forward_macs == 5 * 7 + 7 * 3 + 3 * 9 + 9 * 4 + 4 * 6 + 6 * 2);
  STATIC_REQUIRE(deep_t::template layer_input_size<3> == 9);
  STATIC_REQUIRE(deep_t::template layer_output_size<3> == 4);
  STATIC_REQUIRE(std::is_same_v<typename deep_t::template layer_type<2>::activation, elu_half>);
  STATIC_REQUIRE(std::is_same_v<typename deep_t::template layer_type<5>,
                                ctnn::dense_layer<T, 6, 2, ctnn::softmax>>);
  STATIC_REQUIRE(sizeof(deep_t) == deep_t::parameter_count * sizeof(T));
}

TEMPLATE_TEST_CASE("network: inference memory is two buffers of the widest hidden layer (one if one hidden layer)",
                   "[network]", float, double) {
  using T = TestType;
  // widest hidden layer 9 (the 33 of `wide` is hidden too; output layers do not count)
  STATIC_REQUIRE(deep_mixed<T>::max_hidden_width == 9);
  STATIC_REQUIRE(deep_mixed<T>::inference_workspace_size == 2 * 9);
  STATIC_REQUIRE(deep_mixed<T>::inference_bytes == 2 * 9 * sizeof(T));
  STATIC_REQUIRE(wide<T>::max_hidden_width == 33);
  STATIC_REQUIRE(wide<T>::inference_bytes == 2 * 33 * sizeof(T));
  STATIC_REQUIRE(sizeof(typename wide<T>::workspace_type) == wide<T>::inference_bytes);
  // the input and output are the caller's: a wide input or output layer costs nothing
  using wide_ends = net<T, ctnn::input<50>, ctnn::dense<4, ctnn::relu>, ctnn::dense<3, ctnn::relu>,
                        ctnn::dense<60>>;
  STATIC_REQUIRE(wide_ends::inference_bytes == 2 * 4 * sizeof(T));
  // one hidden layer needs only one buffer; no hidden layer, none
  STATIC_REQUIRE(wide_output<T>::inference_bytes == 1 * 2 * sizeof(T));
  STATIC_REQUIRE(small_of<T, ctnn::relu>::inference_bytes == 1 * 4 * sizeof(T));
  STATIC_REQUIRE(single<T>::inference_bytes == 0);
}

// ------------------------------------------------------------------------------------------
// construction, copies, ==
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("network: trivially copyable, zero by default, flat construction, ==",
                   "[network]", float, double) {
  using T = TestType;
  using net_t = small_of<T, ctnn::sigmoid>;
  STATIC_REQUIRE(std::is_trivially_copyable_v<net_t>);
  STATIC_REQUIRE(std::is_nothrow_default_constructible_v<net_t>);
  STATIC_REQUIRE(!std::is_convertible_v<typename net_t::flat_type, net_t>);  // explicit

  const net_t zero{};
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) CHECK(zero[k] == T(0));
  // all-zero sigmoid network: every output is sigmoid(0) = 1/2
  const auto y0 = zero.forward({T(3), T(-4), T(5)});
  CHECK(y0 == std::array<T, 2>{T(0.5), T(0.5)});

  typename net_t::flat_type flat{};
  for (std::size_t k = 0; k < flat.size(); ++k) flat[k] = T(static_cast<int>(k)) / T(8);
  const net_t a{flat};
  CHECK(a.flat() == flat);
  CHECK(a.template layer<0>().W[1][2] == T(5) / T(8));   // row 1 (unit 1), column 2 (input 2)
  CHECK(a.template layer<0>().b[0] == T(12) / T(8));     // after 4 x 3 weights
  CHECK(a.template layer<1>().W[0][3] == T(19) / T(8));  // layer 1 starts at 16
  CHECK(a.template layer<1>().b[1] == T(25) / T(8));

  net_t b = a;  // a copy is equal
  CHECK(b == a);
  b.template layer<1>().b[1] = T(-1);
  CHECK_FALSE(b == a);
  CHECK(b != a);
  b = a;
  CHECK(b == a);
  CHECK_FALSE(a == zero);
  // bytewise copy gives an equal network (trivially copyable in practice)
  net_t c{};
  c = std::bit_cast<net_t>(a);
  CHECK(c == a);
}

TEMPLATE_TEST_CASE("network: explicit input sizes (dense_from, dense<Out, Act, In>)", "[network]",
                   float, double) {
  using T = TestType;
  using deduced = net<T, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1>>;
  using from = net<T, ctnn::input<2>, ctnn::dense_from<2, 3, ctnn::tanh>, ctnn::dense_from<3, 1>>;
  using mixed = net<T, ctnn::input<2>, ctnn::dense<3, ctnn::tanh, 2>, ctnn::dense<1>>;
  STATIC_REQUIRE(std::is_same_v<typename from::template layer_type<0>,
                                typename deduced::template layer_type<0>>);
  STATIC_REQUIRE(std::is_same_v<typename from::template layer_type<1>,
                                ctnn::dense_layer<T, 3, 1, ctnn::identity>>);
  STATIC_REQUIRE(std::is_same_v<typename mixed::template layer_type<0>,
                                ctnn::dense_layer<T, 2, 3, ctnn::tanh>>);
  STATIC_REQUIRE(from::widths == deduced::widths);
  STATIC_REQUIRE(from::parameter_count == deduced::parameter_count);
  const auto flat = random_net<deduced>(11).flat();
  const deduced d{flat};
  const from f{flat};
  const auto x = random_input<deduced>(3);
  CHECK(bit_equal(d.forward(x), f.forward(x)));
}

// ------------------------------------------------------------------------------------------
// forward pass
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("network: forward matches a hand-written reference loop", "[network][forward]",
                   float, double) {
  using T = TestType;
  SECTION("identity") { check_against_reference<small_of<T, ctnn::identity>>(1); }
  SECTION("sigmoid") { check_against_reference<small_of<T, ctnn::sigmoid>>(2); }
  SECTION("tanh") { check_against_reference<small_of<T, ctnn::tanh>>(3); }
  SECTION("relu") { check_against_reference<small_of<T, ctnn::relu>>(4); }
  SECTION("leaky_relu") { check_against_reference<small_of<T, leaky_fifth>>(5); }
  SECTION("elu") { check_against_reference<small_of<T, elu_half>>(6); }
  SECTION("softplus") { check_against_reference<small_of<T, ctnn::softplus>>(7); }
  SECTION("gelu") { check_against_reference<small_of<T, ctnn::gelu>>(8); }
  SECTION("softmax output") { check_against_reference<small_softmax<T>>(9); }
  SECTION("deep mixed") { check_against_reference<deep_mixed<T>>(10); }
  SECTION("wide") { check_against_reference<wide<T>>(11); }
  SECTION("single layer") { check_against_reference<single<T>>(12); }
  SECTION("output wider than hidden") { check_against_reference<wide_output<T>>(13); }
}

TEMPLATE_TEST_CASE("network: forward at hand-computed values", "[network][forward]", float,
                   double) {
  using T = TestType;
  using net_t = net<T, ctnn::input<2>, ctnn::dense<2, ctnn::relu>, ctnn::dense<2>>;
  net_t n{};
  n.template layer<0>().W = {{{T(1), T(-1)}, {T(2), T(1)}}};
  n.template layer<0>().b = {T(0), T(-10)};
  n.template layer<1>().W = {{{T(3), T(1)}, {T(-1), T(0.5)}}};
  n.template layer<1>().b = {T(0.5), T(0)};
  // x = (4, 1): hidden z = (3, -1) -> relu -> (3, 0); y = (9 + 0.5, -3)
  CHECK(n.forward({T(4), T(1)}) == std::array<T, 2>{T(9.5), T(-3)});
  // x = (1, 4): hidden z = (-3, 6 - 10 = -4) -> (0, 0); y = b2
  CHECK(n.forward({T(1), T(4)}) == std::array<T, 2>{T(0.5), T(0)});
}

TEMPLATE_TEST_CASE("network: constexpr forward is bit-equal to run-time forward",
                   "[network][constexpr]", float, double) {
  using T = TestType;
  SECTION("identity") { check_constexpr_forward<small_of<T, ctnn::identity>, 21>(); }
  SECTION("sigmoid") { check_constexpr_forward<small_of<T, ctnn::sigmoid>, 22>(); }
  SECTION("tanh") { check_constexpr_forward<small_of<T, ctnn::tanh>, 23>(); }
  SECTION("relu") { check_constexpr_forward<small_of<T, ctnn::relu>, 24>(); }
  SECTION("leaky_relu") { check_constexpr_forward<small_of<T, leaky_fifth>, 25>(); }
  SECTION("elu") { check_constexpr_forward<small_of<T, elu_half>, 26>(); }
  SECTION("softplus") { check_constexpr_forward<small_of<T, ctnn::softplus>, 27>(); }
  SECTION("gelu") { check_constexpr_forward<small_of<T, ctnn::gelu>, 28>(); }
  SECTION("softmax output") { check_constexpr_forward<small_softmax<T>, 29>(); }
  SECTION("deep mixed") { check_constexpr_forward<deep_mixed<T>, 30>(); }
  SECTION("wide") { check_constexpr_forward<wide<T>, 31>(); }
  SECTION("single layer") { check_constexpr_forward<single<T>, 32>(); }
  SECTION("output wider than hidden") { check_constexpr_forward<wide_output<T>, 33>(); }
}

// ------------------------------------------------------------------------------------------
// traced forward pass
// ------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("network: the trace holds the input and every layer's z and a",
                   "[network][trace]", float, double) {
  using T = TestType;
  using net_t = deep_mixed<T>;
  const net_t n = random_net<net_t>(77);
  const auto x = random_input<net_t>(78);
  const auto t = n.traced(x);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(t)>, ctnn::trace<net_t>>);
  STATIC_REQUIRE(std::is_same_v<typename ctnn::trace<net_t>::network_type, net_t>);
  CHECK(t.input == x);
  STATIC_REQUIRE(std::is_same_v<decltype(t.template layer<2>().z), std::array<T, 9>>);
  STATIC_REQUIRE(std::is_same_v<decltype(t.template layer<5>().a), std::array<T, 2>>);

  // z of every layer is W (previous a) + b, computed here in T the plain way; a = f(z)
  for_layers<net_t::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using L = typename net_t::template layer_type<I>;
    const auto& l = n.template layer<I>();
    const auto& lt = t.template layer<I>();
    const auto& in = t.template layer_input<I>();
    if constexpr (I == 0) CHECK(&in == &t.input);
    else CHECK(&in == &t.template layer<I - 1>().a);
    std::vector<double> z(L::output_size);
    for (std::size_t j = 0; j < L::output_size; ++j) {
      double s = static_cast<double>(l.b[j]);
      for (std::size_t i = 0; i < L::input_size; ++i)
        s += static_cast<double>(l.W[j][i]) * static_cast<double>(in[i]);
      z[j] = s;
      INFO("layer " << I << " unit " << j);
      CHECK(near(static_cast<double>(lt.z[j]), s, forward_tol<T>()));
    }
    // a = f(z) from the recorded z, exactly as the layer computes it
    std::array<T, L::output_size> a = lt.z;
    using A = typename L::activation;
    if constexpr (ctnn::ElementwiseActivation<A>) {
      for (auto& v : a) v = A::value(v);
    } else {
      A::apply(std::span<T, L::output_size>(a));
    }
    CHECK(bit_equal(a, lt.a));
    // and f against the <cmath> reference
    std::vector<double> zr(lt.z.begin(), lt.z.end());
    reference_activation<typename L::activation>(zr);
    for (std::size_t j = 0; j < L::output_size; ++j)
      CHECK(near(static_cast<double>(lt.a[j]), zr[j], forward_tol<T>()));
  });
  CHECK(&t.output() == &t.template layer<5>().a);
  CHECK(bit_equal(t.output(), n.forward(x)));

  // forward(x, trace&) fills the same trace, overwriting old contents
  ctnn::trace<net_t> t2{};
  t2.template layer<3>().z.fill(T(123));
  n.forward(x, t2);
  CHECK(t2 == t);
  CHECK_FALSE(t2 == n.traced(random_input<net_t>(5)));
}

TEMPLATE_TEST_CASE("network: traced forward at compile time", "[network][trace][constexpr]",
                   float, double) {
  using T = TestType;
  using net_t = small_of<T, ctnn::tanh>;
  constexpr net_t n = random_net<net_t>(5);
  constexpr auto x = random_input<net_t>(6);
  constexpr auto t = n.traced(x);
  STATIC_REQUIRE(t.input == x);
  STATIC_REQUIRE(t.output() == n.forward(x));
  STATIC_REQUIRE(t.template layer<1>().z != t.template layer<1>().a);
  const auto t_rt = random_net<net_t>(at_run_time(std::uint64_t{5})).traced(x);
  CHECK(bit_equal(t_rt.template layer<0>().z, t.template layer<0>().z));
  CHECK(bit_equal(t_rt.template layer<0>().a, t.template layer<0>().a));
  CHECK(bit_equal(t_rt.template layer<1>().z, t.template layer<1>().z));
  CHECK(bit_equal(t_rt.output(), t.output()));
}

// ------------------------------------------------------------------------------------------
// minimum-RAM forward pass
// ------------------------------------------------------------------------------------------

template <class Net>
void check_min_ram(std::uint64_t seed) {
  using T = typename Net::value_type;
  const Net n = random_net<Net>(seed);
  const auto x = random_input<Net>(seed);
  typename Net::output_type y{};
  typename Net::workspace_type work{};
  // garbage in the workspace must not matter
  for (auto& w : work) w = std::numeric_limits<T>::quiet_NaN();
  n.forward(std::span<const T, Net::input_size>(x), std::span<T, Net::output_size>(y), work);
  CHECK(bit_equal(y, n.forward(x)));
  // spans over the caller's own storage (e.g. a sensor buffer and an actuator array)
  T in_buf[Net::input_size + 2]{};
  T out_buf[Net::output_size + 1]{};
  for (std::size_t i = 0; i < Net::input_size; ++i) in_buf[i + 2] = x[i];
  n.forward(std::span<const T, Net::input_size>(in_buf + 2, Net::input_size),
            std::span<T, Net::output_size>(out_buf, Net::output_size), work);
  for (std::size_t j = 0; j < Net::output_size; ++j) CHECK(bits(out_buf[j]) == bits(y[j]));
  CHECK(out_buf[Net::output_size] == T(0));  // nothing written past the end
}

TEMPLATE_TEST_CASE("network: minimum-RAM forward(x, y, workspace) equals forward(x)",
                   "[network][forward]", float, double) {
  using T = TestType;
  check_min_ram<deep_mixed<T>>(41);
  check_min_ram<wide<T>>(42);
  check_min_ram<small_softmax<T>>(43);
  check_min_ram<single<T>>(44);
  check_min_ram<wide_output<T>>(45);
  check_min_ram<net<T, ctnn::input<3>, ctnn::dense<8, ctnn::gelu>, ctnn::dense<2, ctnn::relu>,
                    ctnn::dense<8, ctnn::tanh>, ctnn::dense<1>>>(46);
}
