// SPDX-License-Identifier: MIT
/// @file detail/tiles.hpp Not API: what every kernel shares: the target's vector width (for
/// tile shapes only, never for the order of operations), the tile layout of ctnn::batch_trace
/// (value i of sample s at [i * B + s]), and the fixed-order dot product.
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctnn/detail/static_for.hpp>

/// Marks pointer parameters that never overlap (z, a, g and out of a tile are distinct arrays).
/// Without it, g++ at -O2 (whose "very cheap" vectoriser cost model refuses loops that need a
/// run-time overlap check) leaves the batched activation loops scalar. No effect on results.
#if defined(__GNUC__) || defined(__clang__) || defined(_MSC_VER)
#  define CTNN_DETAIL_RESTRICT __restrict
#else
#  define CTNN_DETAIL_RESTRICT
#endif

namespace ctnn::detail {

// ---------------------------------------------------------------------------------------------
// The target, for tile shapes only (never for the order of operations)
// ---------------------------------------------------------------------------------------------

/// Bytes in one vector register of the target the compiler generates code for (0: no SIMD
/// floating point, e.g. Cortex-M).
inline constexpr std::size_t simd_bytes =
#if defined(__AVX512F__)
    64;
#elif defined(__AVX__)
    32;
#elif defined(__SSE2__) || defined(_M_X64) || defined(__ARM_NEON) || defined(__ALTIVEC__) || \
    defined(__wasm_simd128__)
    16;
#else
    0;
#endif

/// Vector registers the target has (32 with AVX-512 and on AArch64, 16 otherwise).
inline constexpr std::size_t simd_registers =
#if defined(__AVX512F__) || defined(__aarch64__)
    32;
#else
    16;
#endif

/// Elements of T per vector register (1 without SIMD).
template <class T>
inline constexpr std::size_t simd_width = simd_bytes >= 2 * sizeof(T) ? simd_bytes / sizeof(T) : 1;

/// Samples the batched kernels process together: the largest power of two that divides B and
/// fills at most two vector registers (32 registers) or one (16 registers). Two vectors per
/// register-tile row halve the broadcasts of weights, which compete with the multiplies and
/// adds for the floating-point pipes.
template <class T, std::size_t B>
inline constexpr std::size_t sample_block = [] {
  const std::size_t cap = (simd_registers >= 32 ? 2 : 1) * simd_width<T>;
  std::size_t s = 1;
  while (2 * s <= cap && B % (2 * s) == 0) s *= 2;
  return s;
}();

// ---------------------------------------------------------------------------------------------
// One sample
// ---------------------------------------------------------------------------------------------

/// Lanes of the fixed-order dot product. The 8 independent partial sums are what lets the
/// compiler use SIMD for a reduction it may not reassociate.
inline constexpr std::size_t dot_lanes = 8;

/// ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)): how dot() combines its 8 lanes, written as three
/// vector-shaped stages (l_k + l_{k+4}, then two apart, then the last two).
template <class T>
constexpr T combine8(const T* l) noexcept {
  T half[4] = {}, quarter[2] = {};
  for (std::size_t k = 0; k < 4; ++k) half[k] = l[k] + l[k + 4];
  for (std::size_t k = 0; k < 2; ++k) quarter[k] = half[k] + half[k + 2];
  return quarter[0] + quarter[1];
}

/// sum_i w[i] x[i], summed as 8 interleaved partial sums (lane k takes i = k mod 8, from +0
/// upward), then combined pairwise ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)). Below 8 terms: left to
/// right from +0.
template <class T, std::size_t N>
constexpr T dot(const T* w, const T* x) noexcept {
  if constexpr (N < dot_lanes) {
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) s += w[i] * x[i];
    return s;
  } else {
    T acc[dot_lanes] = {};
    constexpr std::size_t full = N - N % dot_lanes;
    for (std::size_t i = 0; i < full; i += dot_lanes)
      for (std::size_t k = 0; k < dot_lanes; ++k) acc[k] += w[i + k] * x[i + k];
    for (std::size_t i = full; i < N; ++i) acc[i - full] += w[i] * x[i];
    return combine8(acc);
  }
}

/// The 8-lane combination of dot(), for lanes held in acc[0 .. 7][s].
template <class T, std::size_t S>
constexpr T combine_lanes(const T (*acc)[S], std::size_t s) noexcept {
  return ((acc[0][s] + acc[4][s]) + (acc[2][s] + acc[6][s])) +
         ((acc[1][s] + acc[5][s]) + (acc[3][s] + acc[7][s]));
}

/// Sample-major copy of the first `count` samples of a feature-major tile of N values per
/// sample: dst[s * N + i] = src[i * B + s] (contiguous reads, strided writes: the faster way
/// round for compilers that do not vectorise transposes).
template <class T, std::size_t N, std::size_t B>
constexpr void to_sample_major(const T* src, T* dst, std::size_t count) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t s = 0; s < count; ++s) dst[s * N + i] = src[i * B + s];
}

}  // namespace ctnn::detail
