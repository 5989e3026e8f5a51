// SPDX-License-Identifier: MIT
// detail::dot_rows, the eight-rows-at-a-time kernel behind the gate rows of gru and lstm and the
// channels of conv1d: the bits of one detail::dot per row at run time and in constant
// evaluation, for shapes the vector path takes (N a multiple of 8, R >= 8, with and without a
// tail of rows) and shapes it leaves to dot(); and the layers that use it on shapes where it
// runs (Features and Hidden multiples of 8): run time == constant evaluation, streaming ==
// window, bit for bit.
#include <ctnn/ctnn.hpp>
#include <ctnn/detail/dot_rows.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <span>

#include <catch2/catch.hpp>

namespace {

/// A deterministic value in [-1, 1) with a varied mantissa (so that summation orders differ).
template <class T>
constexpr T value(std::size_t i, std::size_t salt) {
  const std::size_t h = (i * 2654435761u + salt * 40503u) % 1000003u;
  return static_cast<T>(static_cast<double>(h) / 500001.5 - 1.0) * T(0.731);
}

template <class T, std::size_t R, std::size_t N>
struct problem {
  std::array<std::array<T, N>, R> w{};
  std::array<T, N> x{};
  constexpr problem() {
    for (std::size_t k = 0; k < R; ++k)
      for (std::size_t i = 0; i < N; ++i) w[k][i] = value<T>(k * N + i, 1);
    for (std::size_t i = 0; i < N; ++i) x[i] = value<T>(i, 2);
  }
  constexpr std::array<T, R> rows() const {
    std::array<T, R> out{};
    ctnn::detail::dot_rows(w, x.data(), out.data());
    return out;
  }
  constexpr std::array<T, R> one_by_one() const {
    std::array<T, R> out{};
    for (std::size_t k = 0; k < R; ++k) out[k] = ctnn::detail::dot<T, N>(w[k].data(), x.data());
    return out;
  }
};

template <class T, std::size_t R>
bool same_bits(const std::array<T, R>& a, const std::array<T, R>& b) {
  for (std::size_t k = 0; k < R; ++k)
    if (std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(a[k]) !=
        std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(b[k]))
      return false;
  return true;
}

template <class T, std::size_t R, std::size_t N>
void check_shape() {
  static constexpr problem<T, R, N> p{};
  static constexpr std::array<T, R> at_compile_time = p.rows();
  const problem<T, R, N> q{};
  const auto run = q.rows();
  INFO("R = " << R << ", N = " << N << ", element size " << sizeof(T));
  CHECK(same_bits(run, q.one_by_one()));
  CHECK(same_bits(run, at_compile_time));
  // The rows are really the dot products (a wrong row order or lane pairing would fail here).
  for (std::size_t k = 0; k < R; ++k) {
    long double s = 0;
    for (std::size_t i = 0; i < N; ++i)
      s += static_cast<long double>(q.w[k][i]) * static_cast<long double>(q.x[i]);
    CHECK(static_cast<double>(run[k]) == Approx(static_cast<double>(s)).margin(1e-5));
  }
}

/// Fills every tensor of a layer with value(flat index, salt).
template <class L>
constexpr void fill(L& l) {
  std::size_t at = 0;
  L::for_each_tensor(
      [&](const auto&, auto& t) {
        if constexpr (requires { t[0][0]; }) {
          for (auto& row : t)
            for (auto& v : row) v = value<typename L::value_type>(at++, 3);
        } else {
          for (auto& v : t) v = value<typename L::value_type>(at++, 3);
        }
      },
      l);
}

template <class L>
constexpr auto window_output() {
  L l{};
  fill(l);
  std::array<typename L::value_type, L::input_shape::size> x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = value<typename L::value_type>(i, 4) * 2;
  std::array<typename L::value_type, L::output_shape::size> y{};
  l.forward(std::span<const typename L::value_type, L::input_shape::size>(x),
            std::span<typename L::value_type, L::output_shape::size>(y));
  return y;
}

template <class L>
auto streamed_output() {
  using T = typename L::value_type;
  constexpr std::size_t in = ctnn::step_width<typename L::input_shape>;
  constexpr std::size_t out = ctnn::step_width<typename L::output_shape>;
  L l{};
  fill(l);
  std::array<T, L::input_shape::size> x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = value<T>(i, 4) * 2;
  std::array<T, L::output_shape::size> y{};
  typename L::state_type s{};
  for (std::size_t t = 0; t < L::output_shape::size / out; ++t)
    l.step(std::span<const T, in>(x.data() + t * in, in), s, std::span<T, out>(y.data() + t * out, out));
  return y;
}

template <class L>
void check_layer() {
  static constexpr auto at_compile_time = window_output<L>();
  const auto run = window_output<L>();
  CHECK(same_bits(run, at_compile_time));
  CHECK(same_bits(streamed_output<L>(), run));
}

}  // namespace

TEST_CASE("dot_rows: the bits of one dot() per row, at run time and at compile time", "[dot_rows]") {
  check_shape<float, 8, 8>();
  check_shape<float, 24, 8>();
  check_shape<float, 96, 32>();
  check_shape<float, 13, 16>();  // a tail of 5 rows after the vector block
  check_shape<float, 8, 24>();
  check_shape<float, 5, 8>();   // fewer than 8 rows: dot() per row
  check_shape<float, 12, 4>();  // N below the 8 lanes: dot() per row
  check_shape<float, 9, 12>();  // N not a multiple of 8
  check_shape<double, 16, 16>();
  check_shape<double, 11, 8>();
}

TEST_CASE("dot_rows: layers on shapes it runs on keep run time == compile time == streaming",
          "[dot_rows]") {
  using in_t = ctnn::shape<6, 8>;
  check_layer<ctnn::gru<16>::layer<float, in_t>>();
  check_layer<ctnn::gru<8>::layer<double, in_t>>();
  check_layer<ctnn::lstm<8>::layer<float, in_t>>();
  check_layer<ctnn::lstm<16>::layer<double, in_t>>();
  check_layer<ctnn::conv1d<8, 3, ctnn::tanh, 2, 1, ctnn::padding::causal>::layer<float, in_t>>();
}
