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
/// each element as the scalar ones do. Constant evaluation, targets without SIMD
/// (detail::simd_bytes == 0) and shapes the kernel does not cover (N not a multiple of 8, the
/// last R mod 8 rows) take the plain dot() per row.
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
  /// The same, read from any float array (element alignment, may alias floats).
  typedef float memory
      __attribute__((vector_size(8 * sizeof(float)), aligned(alignof(float)), may_alias));
};
template <>
struct lane8<double> {
  typedef double type __attribute__((vector_size(8 * sizeof(double))));
  typedef double memory
      __attribute__((vector_size(8 * sizeof(double)), aligned(alignof(double)), may_alias));
};

/// out[k0 .. k0+7] for rows k0 .. k0+7 (N a multiple of 8). Written out (no loops over the 8
/// rows, no arrays of vectors) so that the accumulators stay in registers at -O2 too.
template <class T, std::size_t R, std::size_t N>
inline void dot_rows8(const std::array<std::array<T, N>, R>& w, const T* x, std::size_t k0,
                      T* out) noexcept {
  static_assert(dot_lanes == 8, "dot_rows8 mirrors dot()'s 8 lanes");
  using V = typename lane8<T>::type;
  using M = typename lane8<T>::memory;
  // Eight values from p (no helper function: a vector argument or result would make g++ warn
  // about the ABI of targets without AVX, although everything here is inlined).
#define CTNN_DETAIL_LOAD8(p) static_cast<V>(*reinterpret_cast<const M*>(p))
  const T *w0 = w[k0].data(), *w1 = w[k0 + 1].data(), *w2 = w[k0 + 2].data();
  const T *w3 = w[k0 + 3].data(), *w4 = w[k0 + 4].data(), *w5 = w[k0 + 5].data();
  const T *w6 = w[k0 + 6].data(), *w7 = w[k0 + 7].data();
  V a0{}, a1{}, a2{}, a3{}, a4{}, a5{}, a6{}, a7{};
  for (std::size_t m = 0; m < N; m += 8) {
    const V xv = CTNN_DETAIL_LOAD8(x + m);
    a0 += CTNN_DETAIL_LOAD8(w0 + m) * xv;
    a1 += CTNN_DETAIL_LOAD8(w1 + m) * xv;
    a2 += CTNN_DETAIL_LOAD8(w2 + m) * xv;
    a3 += CTNN_DETAIL_LOAD8(w3 + m) * xv;
    a4 += CTNN_DETAIL_LOAD8(w4 + m) * xv;
    a5 += CTNN_DETAIL_LOAD8(w5 + m) * xv;
    a6 += CTNN_DETAIL_LOAD8(w6 + m) * xv;
    a7 += CTNN_DETAIL_LOAD8(w7 + m) * xv;
  }
#undef CTNN_DETAIL_LOAD8
  // Stage 1, l_j + l_{j+4}: rows 2p and 2p+1 side by side, [row 2p: 4 sums, row 2p+1: 4 sums].
#define CTNN_DETAIL_HALVES(a, b)                             \
  (__builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11) + \
   __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15))
  const V h0 = CTNN_DETAIL_HALVES(a0, a1), h1 = CTNN_DETAIL_HALVES(a2, a3);
  const V h2 = CTNN_DETAIL_HALVES(a4, a5), h3 = CTNN_DETAIL_HALVES(a6, a7);
#undef CTNN_DETAIL_HALVES
  // Stage 2, h_j + h_{j+2}: rows 4p .. 4p+3, two sums each.
  const V q0 = __builtin_shufflevector(h0, h1, 0, 1, 4, 5, 8, 9, 12, 13) +
               __builtin_shufflevector(h0, h1, 2, 3, 6, 7, 10, 11, 14, 15);
  const V q1 = __builtin_shufflevector(h2, h3, 0, 1, 4, 5, 8, 9, 12, 13) +
               __builtin_shufflevector(h2, h3, 2, 3, 6, 7, 10, 11, 14, 15);
  // Stage 3, q_0 + q_1: the 8 rows in order.
  const V sum = __builtin_shufflevector(q0, q1, 0, 2, 4, 6, 8, 10, 12, 14) +
                __builtin_shufflevector(q0, q1, 1, 3, 5, 7, 9, 11, 13, 15);
  *reinterpret_cast<M*>(out + k0) = sum;
}
#endif

/// out[k] = dot<T, N>(w[k].data(), x) for k < R, the same bits. out must not overlap x.
template <class T, std::size_t R, std::size_t N>
constexpr void dot_rows(const std::array<std::array<T, N>, R>& w, const T* x, T* out) noexcept {
#if CTNN_DETAIL_DOT_ROWS_VECTOR
  // Only where the target has vector registers: without SIMD (Cortex-M) the vectors would be
  // lowered to scalar code, larger and no faster than dot() per row.
  if constexpr (simd_bytes >= 16 && N % dot_lanes == 0 && R >= 8 &&
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
