// SPDX-License-Identifier: MIT
// Tests for <ctnn/parameters.hpp>: the documented flat order (construct from a flat array,
// layer<I>().W / .b, operator[], flat() round trip, assign), layer_offset, fill, ==, and
// for_each_parameter over several same-shaped sets.
#include <ctnn/layers/dense.hpp>
#include <ctnn/parameters.hpp>

#include <array>
#include <cstddef>
#include <type_traits>

#include <boost/hana/size.hpp>

#include <catch2/catch.hpp>

namespace {

template <class T>
using params_t = ctnn::parameters<T, ctnn::dense_layer<T, 2, 3, ctnn::sigmoid>,
                                  ctnn::dense_layer<T, 3, 1, ctnn::identity>>;

/// 1, 2, 3, ... in flat order
template <class P>
constexpr typename P::flat_type iota_flat(int start = 1) {
  typename P::flat_type f{};
  for (std::size_t k = 0; k < f.size(); ++k) f[k] = typename P::value_type(start + static_cast<int>(k));
  return f;
}

}  // namespace

TEMPLATE_TEST_CASE("parameters: counts and types", "[parameters]", float, double) {
  using T = TestType;
  using P = params_t<T>;
  STATIC_REQUIRE(P::layer_count == 2);
  STATIC_REQUIRE(P::parameter_count == 2 * 3 + 3 + 3 * 1 + 1);
  STATIC_REQUIRE(P::size() == P::parameter_count);
  STATIC_REQUIRE(std::is_same_v<typename P::value_type, T>);
  STATIC_REQUIRE(std::is_same_v<typename P::flat_type, std::array<T, 13>>);
  STATIC_REQUIRE(P::template layer_offset<0> == 0);
  STATIC_REQUIRE(P::template layer_offset<1> == 9);
  STATIC_REQUIRE(sizeof(P) == P::parameter_count * sizeof(T));
  STATIC_REQUIRE(std::is_trivially_copyable_v<P>);
  STATIC_REQUIRE(decltype(boost::hana::size(std::declval<P&>().layers()))::value == 2);
  using three = ctnn::parameters<T, ctnn::dense_layer<T, 4, 5, ctnn::relu>,
                                 ctnn::dense_layer<T, 5, 6, ctnn::relu>,
                                 ctnn::dense_layer<T, 6, 2, ctnn::softmax>>;
  STATIC_REQUIRE(three::template layer_offset<2> == 25 + 36);
  STATIC_REQUIRE(three::parameter_count == 25 + 36 + 14);
}

TEMPLATE_TEST_CASE("parameters: flat order is layer 0 W row by row, then b, then layer 1",
                   "[parameters]", float, double) {
  using T = TestType;
  using P = params_t<T>;
  const P p{iota_flat<P>()};  // 1 .. 13
  const auto& l0 = p.template layer<0>();
  const auto& l1 = p.template layer<1>();
  // layer 0: W is 3 rows (units) of 2 (inputs)
  CHECK(l0.W[0] == std::array<T, 2>{T(1), T(2)});
  CHECK(l0.W[1] == std::array<T, 2>{T(3), T(4)});
  CHECK(l0.W[2] == std::array<T, 2>{T(5), T(6)});
  CHECK(l0.b == std::array<T, 3>{T(7), T(8), T(9)});
  CHECK(l1.W[0] == std::array<T, 3>{T(10), T(11), T(12)});
  CHECK(l1.b == std::array<T, 1>{T(13)});
  // operator[] in the same order, const and mutable
  for (std::size_t k = 0; k < P::parameter_count; ++k) CHECK(p[k] == T(static_cast<int>(k) + 1));
  P q = p;
  for (std::size_t k = 0; k < P::parameter_count; ++k) q[k] = T(-static_cast<int>(k));
  CHECK(q.template layer<0>().W[1][0] == T(-2));
  CHECK(q.template layer<0>().b[2] == T(-8));
  CHECK(q.template layer<1>().W[0][2] == T(-11));
  CHECK(q.template layer<1>().b[0] == T(-12));
  // operator[] returns a reference into the layer
  CHECK(&q[P::template layer_offset<1>] == &q.template layer<1>().W[0][0]);
  CHECK(&q[8] == &q.template layer<0>().b[2]);
}

TEMPLATE_TEST_CASE("parameters: flat() and assign() round trip", "[parameters]", float, double) {
  using T = TestType;
  using P = params_t<T>;
  const auto f = iota_flat<P>(-4);
  const P p{f};
  CHECK(p.flat() == f);
  P q{};
  CHECK(q.flat() == typename P::flat_type{});
  q.assign(f);
  CHECK(q == p);
  CHECK(q.flat() == f);
  // writes through layer<I>() show in flat()
  q.template layer<1>().W[0][1] = T(100);
  CHECK(q.flat()[P::template layer_offset<1> + 1] == T(100));
  CHECK_FALSE(q == p);
  CHECK(q != p);
}

TEMPLATE_TEST_CASE("parameters: default is zero, fill sets every entry", "[parameters]", float,
                   double) {
  using T = TestType;
  using P = params_t<T>;
  P p{};
  for (std::size_t k = 0; k < P::parameter_count; ++k) CHECK(p[k] == T(0));
  p.fill(T(2.5));
  for (std::size_t k = 0; k < P::parameter_count; ++k) CHECK(p[k] == T(2.5));
  CHECK(p.template layer<1>().b[0] == T(2.5));
  p.fill();
  CHECK(p == P{});
}

TEMPLATE_TEST_CASE("parameters: for_each_parameter visits every k in flat order over several sets",
                   "[parameters]", float, double) {
  using T = TestType;
  using P = params_t<T>;
  P a{}, b{iota_flat<P>(1)}, c{iota_flat<P>(100)};
  // visit order == flat order
  std::size_t k = 0;
  bool in_order = true;
  ctnn::for_each_parameter(
      [&](const T& v) {
        in_order = in_order && v == T(static_cast<int>(k) + 1);
        ++k;
      },
      b);
  CHECK(k == P::parameter_count);
  CHECK(in_order);
  // a = b + 2 c over three sets, element by element
  ctnn::for_each_parameter([](T& x, const T& y, const T& z) { x = y + T(2) * z; }, a, b, c);
  for (std::size_t i = 0; i < P::parameter_count; ++i)
    CHECK(a[i] == T(static_cast<int>(i) + 1) + T(2) * T(100 + static_cast<int>(i)));
  // b and c unchanged
  CHECK(b.flat() == iota_flat<P>(1));
  CHECK(c.flat() == iota_flat<P>(100));
  // four sets (e.g. parameters, gradients and two optimiser moments)
  P m{}, v{};
  ctnn::for_each_parameter(
      [](T& p, const T& g, T& m1, T& m2) {
        m1 += g;
        m2 += g * g;
        p -= m1;
      },
      a, b, m, v);
  CHECK(m == b);
  CHECK(v[3] == T(16));
  CHECK(a[0] == T(201) - T(1));
}

TEMPLATE_TEST_CASE("parameters: constexpr construction, access and for_each_parameter",
                   "[parameters][constexpr]", float, double) {
  using T = TestType;
  using P = params_t<T>;
  constexpr P p{iota_flat<P>()};
  STATIC_REQUIRE(p[0] == T(1));
  STATIC_REQUIRE(p[12] == T(13));
  STATIC_REQUIRE(p.template layer<0>().W[2][1] == T(6));
  STATIC_REQUIRE(p.flat() == iota_flat<P>());
  constexpr T sum = [] {
    P q{iota_flat<P>()};
    T s = T(0);
    ctnn::for_each_parameter([&](const T& v) { s += v; }, q);
    return s;
  }();
  STATIC_REQUIRE(sum == T(13 * 14 / 2));
  constexpr P filled = [] {
    P q{};
    q.fill(T(3));
    q[4] = T(-1);
    return q;
  }();
  STATIC_REQUIRE(filled.template layer<0>().W[2][0] == T(-1));
  STATIC_REQUIRE(filled.template layer<1>().b[0] == T(3));
  STATIC_REQUIRE(!(filled == P{}));
}
