// SPDX-License-Identifier: MIT
// Tests for <ctnn/chain.hpp>: chain(a, b) is one network whose layers are a's then b's, with
// the parameters copied, and chain(a, b).forward(x) == b.forward(a.forward(x)).
#include <ctnn/chain.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <catch2/catch.hpp>

namespace {

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

template <class T>
T at_run_time(T v) {
  volatile T x = v;
  return x;
}

/// Distinct, deterministic parameters: k-th parameter = sin-like pattern from an LCG.
template <class Net>
constexpr Net make(std::uint64_t seed) {
  using T = typename Net::value_type;
  Net n{};
  std::uint64_t s = seed;
  for (std::size_t k = 0; k < Net::parameter_count; ++k) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    n[k] = static_cast<T>(static_cast<double>(s >> 11) * (1.0 / 9007199254740992.0) * 1.6 - 0.8);
  }
  return n;
}

template <class T>
using a_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>>;
template <class T>
using b_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::sigmoid>,
                          ctnn::dense<2, ctnn::softmax>>;
template <class T>  // b written with explicit input sizes
using b_explicit_t = ctnn::network<T, ctnn::input<3>, ctnn::dense_from<3, 4, ctnn::sigmoid>,
                                   ctnn::dense_from<4, 2, ctnn::softmax>>;
template <class T>
using c_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<5, ctnn::relu>, ctnn::dense<1>>;

}  // namespace

TEMPLATE_TEST_CASE("chain: the composed type has a's input and a's then b's layers", "[chain]",
                   float, double) {
  using T = TestType;
  using ab = ctnn::chain_t<a_t<T>, b_t<T>>;
  STATIC_REQUIRE(std::is_same_v<ab, ctnn::network<T, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                                                  ctnn::dense<4, ctnn::sigmoid>,
                                                  ctnn::dense<2, ctnn::softmax>>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ctnn::chain(a_t<T>{}, b_t<T>{})), ab>);
  STATIC_REQUIRE(ab::layer_count == a_t<T>::layer_count + b_t<T>::layer_count);
  STATIC_REQUIRE(ab::layer_count == 3);
  STATIC_REQUIRE(ab::input_size == 2);
  STATIC_REQUIRE(ab::output_size == 2);
  STATIC_REQUIRE(ab::parameter_count == a_t<T>::parameter_count + b_t<T>::parameter_count);
  STATIC_REQUIRE(ab::widths == std::array<std::size_t, 4>{2, 3, 4, 2});
  STATIC_REQUIRE(std::is_same_v<typename ab::template layer_type<1>,
                                typename b_t<T>::template layer_type<0>>);
  // explicit sizes in b are checked against a's output and resolve to the same layers
  using ab_explicit = ctnn::chain_t<a_t<T>, b_explicit_t<T>>;
  STATIC_REQUIRE(std::is_same_v<typename ab_explicit::template layer_type<1>,
                                typename ab::template layer_type<1>>);
  STATIC_REQUIRE(ab_explicit::widths == ab::widths);
}

TEMPLATE_TEST_CASE("chain: parameters are copied layer by layer", "[chain]", float, double) {
  using T = TestType;
  const auto a = make<a_t<T>>(1);
  const auto b = make<b_t<T>>(2);
  const auto ab = ctnn::chain(a, b);
  CHECK(ab.template layer<0>() == a.template layer<0>());
  CHECK(ab.template layer<1>() == b.template layer<0>());
  CHECK(ab.template layer<2>() == b.template layer<1>());
  // flat: a's parameters then b's
  const auto f = ab.flat();
  const auto fa = a.flat();
  const auto fb = b.flat();
  for (std::size_t k = 0; k < fa.size(); ++k) CHECK(f[k] == fa[k]);
  for (std::size_t k = 0; k < fb.size(); ++k) CHECK(f[fa.size() + k] == fb[k]);
}

TEMPLATE_TEST_CASE("chain: chain(a, b).forward(x) == b.forward(a.forward(x))", "[chain]", float,
                   double) {
  using T = TestType;
  const auto a = make<a_t<T>>(3);
  const auto b = make<b_t<T>>(4);
  const auto ab = ctnn::chain(a, b);
  for (int k = 0; k < 5; ++k) {
    const std::array<T, 2> x{T(k) / T(2) - T(1), T(1) - T(k) / T(3)};
    const auto direct = b.forward(a.forward(x));
    const auto chained = ab.forward(x);
    INFO("x = " << x[0] << ", " << x[1]);
    CHECK(bit_equal(chained, direct));
  }
  // a three-way chain, both groupings
  using q_t = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::sigmoid>, ctnn::dense<2>>;
  using r_t = ctnn::network<T, ctnn::input<2>, ctnn::dense<2, ctnn::gelu>>;
  const auto q = make<q_t>(5);
  const auto r = make<r_t>(6);
  const auto left = ctnn::chain(ctnn::chain(a, q), r);
  const auto right = ctnn::chain(a, ctnn::chain(q, r));
  STATIC_REQUIRE(std::is_same_v<decltype(left), decltype(right)>);
  STATIC_REQUIRE(decltype(left)::layer_count == 4);
  CHECK(left == right);
  const std::array<T, 2> x{T(0.3), T(-0.7)};
  CHECK(bit_equal(left.forward(x), r.forward(q.forward(a.forward(x)))));
  // chaining with a network that maps 1 -> 2
  using d_t = ctnn::network<T, ctnn::input<1>, ctnn::dense<2>>;
  const auto c = make<c_t<T>>(7);
  const auto d = make<d_t>(8);
  const auto cd = ctnn::chain(c, d);
  STATIC_REQUIRE(decltype(cd)::output_size == 2);
  CHECK(bit_equal(cd.forward(x), d.forward(c.forward(x))));
}

TEMPLATE_TEST_CASE("chain: constexpr, equal to run time", "[chain][constexpr]", float, double) {
  using T = TestType;
  constexpr auto ab = ctnn::chain(make<a_t<T>>(8), make<b_t<T>>(9));
  constexpr std::array<T, 2> x{T(0.25), T(-1.5)};
  constexpr auto y = ab.forward(x);
  STATIC_REQUIRE(y == make<b_t<T>>(9).forward(make<a_t<T>>(8).forward(x)));
  const auto ab_rt = ctnn::chain(make<a_t<T>>(at_run_time(std::uint64_t{8})), make<b_t<T>>(9));
  CHECK(bit_equal(ab_rt.forward({at_run_time(x[0]), x[1]}), y));
}
