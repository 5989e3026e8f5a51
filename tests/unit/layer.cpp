// SPDX-License-Identifier: MIT
// Tests for <ctnn/layers/dense.hpp>: the layer specifications (input, dense, dense_from) and the
// concrete dense_layer: sizes, parameter_count, the W[j][i] = w_{i,j} convention checked on a
// hand-computed affine output, the activation step, constexpr evaluation and ==; and that
// dense_layer satisfies the ctnn::Layer protocol of <ctnn/layer.hpp>.
#include <ctnn/layers/dense.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <catch2/catch.hpp>

namespace {

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

template <class L>
constexpr std::array<typename L::value_type, L::output_size> run_affine(
    const L& l, const std::array<typename L::value_type, L::input_size>& x) {
  using T = typename L::value_type;
  std::array<T, L::output_size> z{};
  l.affine(std::span<const T, L::input_size>(x), std::span<T, L::output_size>(z));
  return z;
}

template <class L>
constexpr std::array<typename L::value_type, L::output_size> run_forward(
    const L& l, const std::array<typename L::value_type, L::input_size>& x) {
  using T = typename L::value_type;
  std::array<T, L::output_size> a{};
  l.forward(std::span<const T, L::input_size>(x), std::span<T, L::output_size>(a));
  return a;
}

}  // namespace

TEST_CASE("layer: specifications carry their sizes and activation", "[layer]") {
  STATIC_REQUIRE(ctnn::input<5>::size == 5);
  STATIC_REQUIRE(ctnn::input<4, 3>::size == 12);
  STATIC_REQUIRE(std::is_same_v<ctnn::input<4, 3>::shape, ctnn::shape<4, 3>>);

  using d = ctnn::dense<4, ctnn::tanh>;
  STATIC_REQUIRE(d::output_size == 4);
  STATIC_REQUIRE(!d::input_stated);  // no sentinel third argument: dense<4, tanh> is all there is
  STATIC_REQUIRE(d::declared_input_size == 0);
  STATIC_REQUIRE(std::is_same_v<d::activation, ctnn::tanh>);

  using d_default = ctnn::dense<7>;
  STATIC_REQUIRE(std::is_same_v<d_default::activation, ctnn::identity>);

  using e = ctnn::dense<4, ctnn::relu, 3>;
  STATIC_REQUIRE(e::input_stated);
  STATIC_REQUIRE(e::declared_input_size == 3);
  // dense_from<In, Out, Act> is the explicit form, sizes in reading order
  STATIC_REQUIRE(std::is_same_v<ctnn::dense_from<3, 4, ctnn::relu>, e>);
  STATIC_REQUIRE(ctnn::dense_from<3, 4, ctnn::relu>::output_size == 4);
  STATIC_REQUIRE(ctnn::dense_from<3, 4>::declared_input_size == 3);
  STATIC_REQUIRE(std::is_same_v<ctnn::dense_from<3, 4>::activation, ctnn::identity>);
}

TEMPLATE_TEST_CASE("layer: dense_layer sizes and storage", "[layer]", float, double) {
  using T = TestType;
  using L = ctnn::dense_layer<T, 3, 2, ctnn::sigmoid>;
  STATIC_REQUIRE(ctnn::Layer<L>);
  STATIC_REQUIRE(ctnn::LayerSpec<ctnn::dense<2, ctnn::sigmoid>>);
  STATIC_REQUIRE(std::is_same_v<ctnn::dense<2, ctnn::sigmoid>::layer<T, ctnn::shape<3>>, L>);
  STATIC_REQUIRE(L::kind == "dense");
  STATIC_REQUIRE(L::fan_in == 3 && L::fan_out == 2 && L::forward_macs == 6);
  STATIC_REQUIRE(std::is_same_v<typename L::input_shape, ctnn::shape<3>>);
  STATIC_REQUIRE(std::is_same_v<typename L::output_shape, ctnn::shape<2>>);
  STATIC_REQUIRE(std::is_same_v<typename L::state_type, ctnn::no_state>);
  STATIC_REQUIRE(L::input_size == 3);
  STATIC_REQUIRE(L::output_size == 2);
  STATIC_REQUIRE(L::weight_count == 6);
  STATIC_REQUIRE(L::parameter_count == 3 * 2 + 2);
  STATIC_REQUIRE(std::is_same_v<typename L::value_type, T>);
  STATIC_REQUIRE(std::is_same_v<typename L::activation, ctnn::sigmoid>);
  STATIC_REQUIRE(std::is_same_v<typename L::input_type, std::array<T, 3>>);
  STATIC_REQUIRE(std::is_same_v<typename L::output_type, std::array<T, 2>>);
  STATIC_REQUIRE(std::is_same_v<typename L::weights_type, std::array<std::array<T, 3>, 2>>);
  STATIC_REQUIRE(std::is_same_v<typename L::bias_type, std::array<T, 2>>);
  STATIC_REQUIRE(std::is_same_v<decltype(L::W), std::array<std::array<T, 3>, 2>>);  // W[out][in]
  STATIC_REQUIRE(sizeof(L) == L::parameter_count * sizeof(T));
  STATIC_REQUIRE(std::is_trivially_copyable_v<L>);

  // default: all zero
  constexpr L zero{};
  for (const auto& row : zero.W)
    for (T w : row) CHECK(w == T(0));
  for (T b : zero.b) CHECK(b == T(0));

  // a 1-in 1-out layer and a wide one
  STATIC_REQUIRE(ctnn::dense_layer<T, 1, 1, ctnn::identity>::parameter_count == 2);
  STATIC_REQUIRE(ctnn::dense_layer<T, 64, 32, ctnn::relu>::parameter_count == 64 * 32 + 32);
}

TEMPLATE_TEST_CASE("layer: W[j][i] is the notes' w_{i,j} (input i -> unit j)", "[layer]", float,
                   double) {
  using T = TestType;
  using L = ctnn::dense_layer<T, 3, 2, ctnn::identity>;
  // Notes: z_j = sum_i w_{i,j} x_i + b_j, with
  //   w_{0,0} = 1,   w_{1,0} = 2,   w_{2,0} = 3      (into unit 0)
  //   w_{0,1} = 4,   w_{1,1} = 5,   w_{2,1} = 6      (into unit 1)
  L l{};
  const T w[3][2] = {{T(1), T(4)}, {T(2), T(5)}, {T(3), T(6)}};  // w[i][j] = w_{i,j}
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 2; ++j) l.W[j][i] = w[i][j];
  l.b = {T(0.5), T(-1)};
  const std::array<T, 3> x{T(1), T(10), T(100)};
  // by hand: z_0 = 1*1 + 2*10 + 3*100 + 0.5 = 321.5; z_1 = 4*1 + 5*10 + 6*100 - 1 = 653
  const auto z = run_affine(l, x);
  CHECK(z[0] == T(321.5));
  CHECK(z[1] == T(653));
  // so W's rows are units and its columns are inputs
  CHECK(l.W[0] == std::array<T, 3>{T(1), T(2), T(3)});
  CHECK(l.W[1] == std::array<T, 3>{T(4), T(5), T(6)});
  // identity activation: forward == affine
  CHECK(run_forward(l, x) == z);
}

TEMPLATE_TEST_CASE("layer: forward applies the activation after the affine map", "[layer]", float,
                   double) {
  using T = TestType;
  ctnn::dense_layer<T, 2, 3, ctnn::relu> l{};
  l.W = {{{T(1), T(1)}, {T(-1), T(-1)}, {T(2), T(-3)}}};
  l.b = {T(0), T(0.5), T(0.25)};
  const std::array<T, 2> x{T(1), T(2)};
  // z = (3, -2.5, 2 - 6 + 0.25 = -3.75) -> relu -> (3, 0, 0)
  CHECK(run_affine(l, x) == std::array<T, 3>{T(3), T(-2.5), T(-3.75)});
  CHECK(run_forward(l, x) == std::array<T, 3>{T(3), T(0), T(0)});

  ctnn::dense_layer<T, 2, 3, ctnn::softmax> s{};
  s.W = l.W;
  s.b = l.b;
  const auto a = run_forward(s, x);
  CHECK(a[0] + a[1] + a[2] == Approx(1.0).epsilon(1e-6));
  CHECK(a[0] > a[1]);
  CHECK(a[1] > a[2]);
}

TEMPLATE_TEST_CASE("layer: long rows (8-lane dot product) give the exact sum", "[layer]", float,
                   double) {
  using T = TestType;
  // 19 inputs: two full 8-lane blocks plus a tail of 3. Integer values: every sum is exact, so
  // a dropped, duplicated or misplaced term shows.
  constexpr std::size_t In = 19;
  ctnn::dense_layer<T, In, 2, ctnn::identity> l{};
  std::array<T, In> x{};
  double expect0 = 3, expect1 = -2;
  for (std::size_t i = 0; i < In; ++i) {
    x[i] = T(static_cast<int>(i) + 1);
    l.W[0][i] = T(static_cast<int>(i * i % 7) - 3);
    l.W[1][i] = T(1 << (i % 5));
    expect0 += static_cast<double>(l.W[0][i]) * static_cast<double>(x[i]);
    expect1 += static_cast<double>(l.W[1][i]) * static_cast<double>(x[i]);
  }
  l.b = {T(3), T(-2)};
  const auto z = run_affine(l, x);
  CHECK(static_cast<double>(z[0]) == expect0);
  CHECK(static_cast<double>(z[1]) == expect1);
}

TEMPLATE_TEST_CASE("layer: constexpr affine and forward equal run time", "[layer][constexpr]",
                   float, double) {
  using T = TestType;
  using L = ctnn::dense_layer<T, 9, 2, ctnn::tanh>;
  constexpr L l = [] {
    L r{};
    for (std::size_t j = 0; j < 2; ++j)
      for (std::size_t i = 0; i < 9; ++i)
        r.W[j][i] = T(static_cast<int>(i + 3 * j) % 5 - 2) / T(8);
    r.b = {T(0.125), T(-0.375)};
    return r;
  }();
  constexpr std::array<T, 9> x{T(1), T(-0.5), T(0.25), T(2), T(0), T(-1), T(0.75), T(1.5), T(-2)};
  constexpr auto a_ct = run_forward(l, x);
  // by hand (all terms exact): z0 = -0.25/8 + 0.125, z1 = -3/8 - 0.375
  STATIC_REQUIRE(run_affine(l, x)[0] == T(0.09375));
  STATIC_REQUIRE(run_affine(l, x)[1] == T(-0.75));
  std::array<T, 9> xr{};
  for (std::size_t i = 0; i < 9; ++i) xr[i] = at_run_time(x[i]);
  const auto a_rt = run_forward(l, xr);
  for (std::size_t j = 0; j < 2; ++j) CHECK(bits(a_ct[j]) == bits(a_rt[j]));
  CHECK(a_rt[0] != T(0));
}

TEMPLATE_TEST_CASE("layer: == compares every weight and bias", "[layer]", float, double) {
  using T = TestType;
  using L = ctnn::dense_layer<T, 2, 2, ctnn::identity>;
  L a{}, b{};
  CHECK(a == b);
  b.W[1][0] = T(1);
  CHECK_FALSE(a == b);
  b = a;
  CHECK(a == b);
  b.b[1] = T(-1);
  CHECK(a != b);
  STATIC_REQUIRE(L{} == L{});
}
