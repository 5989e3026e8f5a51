// SPDX-License-Identifier: MIT
/// @file detail/dot_rows.hpp Not API: out[k] = dot(w[k], x) for every row of a row-major matrix,
/// with the bits of one detail::dot per row but eight rows at a time at run time: the kernel
/// behind the stacked gate rows of ctnn::gru and ctnn::lstm and the output channels of
/// ctnn::conv1d, whose weights keep PyTorch's row-major layouts.
///
/// Why: one dot() per row spends as much on combining its 8 lanes (shuffles within a register)
/// as on the multiply-adds, and compilers vectorise a loop of them poorly. Here the lanes of 8
/// rows are kept in 8 vectors of 8 and combined together by a transposing reduction, so that
/// each combining stage is one vector addition for all 8 rows.
///
/// Same bits: lane l of row k still sums w[k][i] x[i] for i = l mod 8 from i = l upward, and the
/// lanes are still combined as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)); vector operations round
/// each element as the scalar ones do. Constant evaluation, and shapes the kernel does not cover
/// (N not a multiple of 8, the last R mod 8 rows), take the plain dot() per row.
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include <ctnn/detail/tiles.hpp>

/// GCC >= 12 and clang have vector types and __builtin_shufflevector; elsewhere the rows are
/// plain dot() products.
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#  define CTNN_DETAIL_DOT_ROWS_VECTOR 1
#else
#  define CTNN_DETAIL_DOT_ROWS_VECTOR 0
#endif

namespace ctnn::detail {

#if CTNN_DETAIL_DOT_ROWS_VECTOR
/// Eight lanes of T as one vector value (element-wise +, * round like the scalar operations).
template <class T>
struct lane8;
template <>
struct lane8<float> {
  typedef float type __attribute__((vector_size(8 * sizeof(float))));
};
template <>
struct lane8<double> {
  typedef double type __attribute__((vector_size(8 * sizeof(double))));
};

/// out[k0 .. k0+7] for rows k0 .. k0+7 (N a multiple of 8).
template <class T, std::size_t R, std::size_t N>
inline void dot_rows8(const std::array<std::array<T, N>, R>& w, const T* x, std::size_t k0,
                      T* out) noexcept {
  static_assert(dot_lanes == 8, "dot_rows8 mirrors dot()'s 8 lanes");
  using V = typename lane8<T>::type;
  V acc[8] = {};
  for (std::size_t m = 0; m < N; m += 8) {
    V xv;
    __builtin_memcpy(&xv, x + m, sizeof(V));
    for (std::size_t k = 0; k < 8; ++k) {
      V wv;
      __builtin_memcpy(&wv, w[k0 + k].data() + m, sizeof(V));
      acc[k] += wv * xv;
    }
  }
  // Stage 1, l_j + l_{j+4}: rows 2p and 2p+1 side by side, [row 2p: 4 sums, row 2p+1: 4 sums].
  V half[4];
  for (std::size_t p = 0; p < 4; ++p)
    half[p] = __builtin_shufflevector(acc[2 * p], acc[2 * p + 1], 0, 1, 2, 3, 8, 9, 10, 11) +
              __builtin_shufflevector(acc[2 * p], acc[2 * p + 1], 4, 5, 6, 7, 12, 13, 14, 15);
  // Stage 2, h_j + h_{j+2}: rows 4p .. 4p+3, two sums each.
  V quarter[2];
  for (std::size_t p = 0; p < 2; ++p)
    quarter[p] = __builtin_shufflevector(half[2 * p], half[2 * p + 1], 0, 1, 4, 5, 8, 9, 12, 13) +
                 __builtin_shufflevector(half[2 * p], half[2 * p + 1], 2, 3, 6, 7, 10, 11, 14, 15);
  // Stage 3, q_0 + q_1: the 8 rows in order.
  const V sum = __builtin_shufflevector(quarter[0], quarter[1], 0, 2, 4, 6, 8, 10, 12, 14) +
                __builtin_shufflevector(quarter[0], quarter[1], 1, 3, 5, 7, 9, 11, 13, 15);
  __builtin_memcpy(out + k0, &sum, sizeof(V));
}
#endif

/// out[k] = dot<T, N>(w[k].data(), x) for k < R, the same bits. out must not overlap x.
template <class T, std::size_t R, std::size_t N>
constexpr void dot_rows(const std::array<std::array<T, N>, R>& w, const T* x, T* out) noexcept {
#if CTNN_DETAIL_DOT_ROWS_VECTOR
  if constexpr (N % dot_lanes == 0 && R >= 8 &&
                (std::is_same_v<T, float> || std::is_same_v<T, double>)) {
    if (!std::is_constant_evaluated()) {
      constexpr std::size_t full = R - R % 8;
      for (std::size_t k = 0; k < full; k += 8) dot_rows8(w, x, k, out);
      for (std::size_t k = full; k < R; ++k) out[k] = dot<T, N>(w[k].data(), x);
      return;
    }
  }
#endif
  for (std::size_t k = 0; k < R; ++k) out[k] = dot<T, N>(w[k].data(), x);
}

}  // namespace ctnn::detail
