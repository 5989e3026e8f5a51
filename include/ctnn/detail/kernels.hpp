// SPDX-License-Identifier: MIT
/// @file detail/kernels.hpp Not API: the dense-layer loops (forward, backward) for one sample and
/// for a tile of B samples, with their fixed summation orders.
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctnn/detail/static_for.hpp>

/// @namespace ctnn::detail
///
/// Summation orders (part of ctnn's numerics)
/// ------------------------------------------
/// Every sum below is evaluated in one documented order. Plain C++ arithmetic on `T` in a fixed
/// order is what makes results identical at compile time, at run time and on every target (x86,
/// AArch64, Cortex-M), given IEEE arithmetic, round to nearest and no contraction
/// (`-ffp-contract=off`) or `-ffast-math`: a compiler may not reassociate it. The one-sample and
/// the batched kernels use the SAME order for every output element, so a batch gives the very
/// bits that per-sample execution gives (tests/unit/batch.cpp checks this), whatever the tile
/// size B and the target's vector width.
///
/// | quantity                         | order                                                     |
/// |----------------------------------|-----------------------------------------------------------|
/// | z_j = b_j + sum_i W_ji x_i       | dot(): 8 lanes (lane k sums i = k, k+8, ... from +0 upward),|
/// |                                  | combined ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)); fewer than 8 |
/// |                                  | terms: left to right from +0. Then b_j + that sum.         |
/// | dx_i = sum_j W_ji delta_j        | from +0, j = 0, 1, ..., Out-1                             |
/// | dW_ji += delta_j x_i, db_j += delta_j | one addition per sample, samples in the order given   |
///
/// The loop nests are shaped so that compilers vectorise them WITHOUT reassociating:
/// - one sample, forward: the 8 lanes of dot() are 8 independent partial sums, i.e. one 8-wide
///   vector accumulator per output; several outputs are computed together so x is loaded once;
/// - one sample, dL/dx: a block of dx (up to 4 vector registers) stays in registers while j runs;
/// - a tile of B samples is stored feature-major (value i of sample s at [i * B + s]); every
///   batched kernel vectorises across samples (or across inputs for dL/dW), and keeps a register
///   tile of accumulators (rows x samples x lanes) while the reduction index runs. The shape of
///   that tile depends on the target (simd_bytes, simd_registers) but never changes a result.

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

/// The largest power of two that is <= simd_width<T> and divides B: the samples one vector of a
/// tile of B samples holds.
template <class T, std::size_t B>
inline constexpr std::size_t sample_vector = [] {
  std::size_t s = 1;
  while (2 * s <= simd_width<T> && B % (2 * s) == 0) s *= 2;
  return s;
}();

// ---------------------------------------------------------------------------------------------
// One sample
// ---------------------------------------------------------------------------------------------

/// Lanes of the fixed-order dot product. The 8 independent partial sums are what lets the
/// compiler use SIMD for a reduction it may not reassociate.
inline constexpr std::size_t dot_lanes = 8;

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
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
  }
}

/// The 8-lane combination of dot(), for lanes held in acc[first + 0 .. first + 7][s].
template <class T, std::size_t S>
constexpr T combine_lanes(const T (*acc)[S], std::size_t s) noexcept {
  return ((acc[0][s] + acc[4][s]) + (acc[2][s] + acc[6][s])) +
         ((acc[1][s] + acc[5][s]) + (acc[3][s] + acc[7][s]));
}

/// Rows j0 .. j0+R-1 of z = b + W x (one sample), each row exactly dot() of the row and x plus
/// b_j: the R rows share every load of x, and each row's 8 lanes form one vector accumulator.
template <class T, std::size_t In, std::size_t Out, std::size_t R>
constexpr void affine_rows(const std::array<std::array<T, In>, Out>& W, const std::array<T, Out>& b,
                           const T* x, T* z, std::size_t j0) noexcept {
  constexpr std::size_t L = dot_lanes, full = In - In % L;
  T acc[R][L] = {};
  for (std::size_t i = 0; i < full; i += L)
    for (std::size_t k = 0; k < L; ++k)
      static_for<R>([&](auto r) { acc[r()][k] += W[j0 + r()][i + k] * x[i + k]; });
  for (std::size_t i = full; i < In; ++i)
    static_for<R>([&](auto r) { acc[r()][i - full] += W[j0 + r()][i] * x[i]; });
  static_for<R>([&](auto r) {
    const T* a = acc[r()];
    z[j0 + r()] = b[j0 + r()] + (((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7])));
  });
}

/// z[j] = b[j] + dot(W[j], x)   (z = W x + b)
template <class T, std::size_t In, std::size_t Out>
constexpr void affine(const std::array<std::array<T, In>, Out>& W, const std::array<T, Out>& b,
                      std::span<const T, In> x, std::span<T, Out> z) noexcept {
  if constexpr (In < dot_lanes) {
    for (std::size_t j = 0; j < Out; ++j) z[j] = b[j] + dot<T, In>(W[j].data(), x.data());
  } else {
    constexpr std::size_t R = 4, main = Out - Out % R;  // R rows share each load of x
    for (std::size_t j = 0; j < main; j += R) affine_rows<T, In, Out, R>(W, b, x.data(), z.data(), j);
    if constexpr (main < Out)
      for (std::size_t j = main; j < Out; ++j) affine_rows<T, In, Out, 1>(W, b, x.data(), z.data(), j);
  }
}

/// dW[j][i] += delta[j] x[i],  db[j] += delta[j]   (dL/dW = delta x^T, dL/db = delta)
template <class T, std::size_t In, std::size_t Out>
constexpr void accumulate_outer(std::array<std::array<T, In>, Out>& dW, std::array<T, Out>& db,
                                std::span<const T, Out> delta,
                                std::span<const T, In> x) noexcept {
  for (std::size_t j = 0; j < Out; ++j) {
    const T d = delta[j];
    for (std::size_t i = 0; i < In; ++i) dW[j][i] += d * x[i];
    db[j] += d;
  }
}

/// dx[i0 .. i0+C-1] = sum_j W[j][i] delta[j], from +0, j in order; the block stays in registers.
template <class T, std::size_t In, std::size_t Out, std::size_t C>
constexpr void transpose_times_block(const std::array<std::array<T, In>, Out>& W, const T* delta,
                                     T* dx, std::size_t i0) noexcept {
  T acc[C] = {};
  for (std::size_t j = 0; j < Out; ++j) {
    const T d = delta[j];
    const T* w = W[j].data() + i0;
    for (std::size_t c = 0; c < C; ++c) acc[c] += w[c] * d;
  }
  for (std::size_t c = 0; c < C; ++c) dx[i0 + c] = acc[c];
}

/// dx[i] = sum_j W[j][i] delta[j]   (dL/dx = W^T delta), summed from +0 over j = 0 .. Out-1.
template <class T, std::size_t In, std::size_t Out>
constexpr void transpose_times(const std::array<std::array<T, In>, Out>& W,
                               std::span<const T, Out> delta, std::span<T, In> dx) noexcept {
  // Blocks of up to 4 vector registers (at least 8 elements) of dx stay in registers.
  constexpr std::size_t C = 4 * simd_width<T> > 8 ? 4 * simd_width<T> : 8, main = In - In % C;
  for (std::size_t i = 0; i < main; i += C)
    transpose_times_block<T, In, Out, C>(W, delta.data(), dx.data(), i);
  if constexpr (main < In) transpose_times_block<T, In, Out, In - main>(W, delta.data(), dx.data(), main);
}

/// y[j] = dot(W[j], v)   (the linear part of a layer's Jacobian-vector product)
template <class T, std::size_t In, std::size_t Out>
constexpr void times(const std::array<std::array<T, In>, Out>& W, std::span<const T, In> v,
                     std::span<T, Out> y) noexcept {
  for (std::size_t j = 0; j < Out; ++j) y[j] = dot<T, In>(W[j].data(), v.data());
}

// ---------------------------------------------------------------------------------------------
// A tile of B samples, feature-major: value i of sample s at [i * B + s]
// ---------------------------------------------------------------------------------------------

/// Rows of one forward register tile: 8 lanes x rows x one vector of samples must leave room
/// for the operands.
template <class T>
inline constexpr std::size_t affine_tile_rows = simd_registers >= 32 && simd_width<T> > 1 ? 2 : 1;

/// Z rows j0 .. j0+R-1, samples s0 .. s0+S-1: z_js = b_j + dot(W_j, x_s) in dot()'s order.
template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R, std::size_t S>
constexpr void affine_batch_tile(const std::array<std::array<T, In>, Out>& W,
                                 const std::array<T, Out>& b, const T* X, T* Z, std::size_t j0,
                                 std::size_t s0) noexcept {
  if constexpr (In < dot_lanes) {
    T acc[R][S] = {};
    for (std::size_t i = 0; i < In; ++i) {
      const T* x = X + i * B + s0;
      for (std::size_t s = 0; s < S; ++s)
        static_for<R>([&](auto r) { acc[r()][s] += W[j0 + r()][i] * x[s]; });
    }
    T bias[R] = {};  // a local copy: Z cannot alias it, so the stores below vectorise freely
    for (std::size_t r = 0; r < R; ++r) bias[r] = b[j0 + r];
    for (std::size_t s = 0; s < S; ++s)
      static_for<R>([&](auto r) { Z[(j0 + r()) * B + s0 + s] = bias[r()] + acc[r()][s]; });
  } else {
    constexpr std::size_t L = dot_lanes, full = In - In % L;
    T acc[R * L][S] = {};  // acc[r * L + k]: lane k of row r
    for (std::size_t i = 0; i < full; i += L) {
      const T* x = X + i * B + s0;
      for (std::size_t s = 0; s < S; ++s)
        static_for<R * L>([&](auto K) {
          constexpr std::size_t r = K() / L, k = K() % L;
          acc[K()][s] += W[j0 + r][i + k] * x[k * B + s];
        });
    }
    if constexpr (full < In) {
      const T* x = X + full * B + s0;
      for (std::size_t s = 0; s < S; ++s)
        static_for<R * (In - full)>([&](auto K) {
          constexpr std::size_t r = K() / (In - full), k = K() % (In - full);
          acc[r * L + k][s] += W[j0 + r][full + k] * x[k * B + s];
        });
    }
    T bias[R] = {};
    for (std::size_t r = 0; r < R; ++r) bias[r] = b[j0 + r];
    for (std::size_t s = 0; s < S; ++s)
      static_for<R>([&](auto r) {
        Z[(j0 + r()) * B + s0 + s] = bias[r()] + combine_lanes<T, S>(acc + r() * L, s);
      });
  }
}

/// Z = W X + b for the samples [0, active) of a tile (active a multiple of sample_vector<T, B>
/// or B): every z_js exactly as affine() computes it for sample s alone.
template <class T, std::size_t In, std::size_t Out, std::size_t B>
constexpr void affine_batch(const std::array<std::array<T, In>, Out>& W, const std::array<T, Out>& b,
                            const T* X, T* Z, std::size_t active) noexcept {
  constexpr std::size_t S = sample_vector<T, B>, R = affine_tile_rows<T>, main = Out - Out % R;
  for (std::size_t s0 = 0; s0 < active; s0 += S) {
    for (std::size_t j = 0; j < main; j += R) affine_batch_tile<T, In, Out, B, R, S>(W, b, X, Z, j, s0);
    if constexpr (main < Out)
      for (std::size_t j = main; j < Out; ++j) affine_batch_tile<T, In, Out, B, 1, S>(W, b, X, Z, j, s0);
  }
}

/// dX rows i0 .. i0+R-1, samples s0 .. s0+S-1: dx_is = sum_j W_ji delta_js from +0, j in order.
template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R, std::size_t S>
constexpr void transpose_times_batch_tile(const std::array<std::array<T, In>, Out>& W,
                                          const T* D, T* DX, std::size_t i0,
                                          std::size_t s0) noexcept {
  T acc[R][S] = {};
  for (std::size_t j = 0; j < Out; ++j) {
    const T* d = D + j * B + s0;
    const T* w = W[j].data() + i0;
    for (std::size_t s = 0; s < S; ++s)
      static_for<R>([&](auto r) { acc[r()][s] += w[r()] * d[s]; });
  }
  for (std::size_t s = 0; s < S; ++s)
    static_for<R>([&](auto r) { DX[(i0 + r()) * B + s0 + s] = acc[r()][s]; });
}

/// Rows of one dL/dx register tile.
template <class T>
inline constexpr std::size_t transpose_tile_rows = simd_registers >= 32 ? 8 : 4;

/// dX = W^T D for the samples [0, active) of a tile: every dx_is exactly as transpose_times()
/// computes it for sample s alone.
template <class T, std::size_t In, std::size_t Out, std::size_t B>
constexpr void transpose_times_batch(const std::array<std::array<T, In>, Out>& W, const T* D, T* DX,
                                     std::size_t active) noexcept {
  constexpr std::size_t S = sample_vector<T, B>, R = transpose_tile_rows<T>, main = In - In % R;
  for (std::size_t s0 = 0; s0 < active; s0 += S) {
    for (std::size_t i = 0; i < main; i += R)
      transpose_times_batch_tile<T, In, Out, B, R, S>(W, D, DX, i, s0);
    if constexpr (main < In) transpose_times_batch_tile<T, In, Out, B, In - main, S>(W, D, DX, main, s0);
  }
}

/// dW rows j0 .. j0+R-1, columns i0 .. i0+C-1: += delta_js x_si for s = 0 .. count-1 in order.
/// X is sample-major here (row s = sample s, In values).
template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R, std::size_t C>
constexpr void accumulate_outer_batch_tile(std::array<std::array<T, In>, Out>& dW, const T* D,
                                           const T* Xs, std::size_t count, std::size_t j0,
                                           std::size_t i0) noexcept {
  T acc[R][C] = {};
  static_for<R>([&](auto r) {
    for (std::size_t c = 0; c < C; ++c) acc[r()][c] = dW[j0 + r()][i0 + c];
  });
  for (std::size_t s = 0; s < count; ++s) {
    const T* x = Xs + s * In + i0;
    for (std::size_t c = 0; c < C; ++c)
      static_for<R>([&](auto r) { acc[r()][c] += D[(j0 + r()) * B + s] * x[c]; });
  }
  static_for<R>([&](auto r) {
    for (std::size_t c = 0; c < C; ++c) dW[j0 + r()][i0 + c] = acc[r()][c];
  });
}

template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R>
constexpr void accumulate_outer_batch_rows(std::array<std::array<T, In>, Out>& dW, const T* D,
                                           const T* Xs, std::size_t count,
                                           std::size_t j0) noexcept {
  // Columns per tile: up to 4 vectors (R rows x 4 vectors of accumulators).
  constexpr std::size_t C = 4 * simd_width<T> > 8 ? 4 * simd_width<T> : 8, main = In - In % C;
  for (std::size_t i = 0; i < main; i += C)
    accumulate_outer_batch_tile<T, In, Out, B, R, C>(dW, D, Xs, count, j0, i);
  if constexpr (main < In)
    accumulate_outer_batch_tile<T, In, Out, B, R, In - main>(dW, D, Xs, count, j0, main);
}

/// dW += sum_s delta_s x_s^T and db += sum_s delta_s over the samples s = 0 .. count-1 in order:
/// the very additions `count` calls of accumulate_outer() make. D is feature-major (delta_js at
/// [j * B + s]); Xs is sample-major (x_si at [s * In + i]).
template <class T, std::size_t In, std::size_t Out, std::size_t B>
constexpr void accumulate_outer_batch(std::array<std::array<T, In>, Out>& dW,
                                      std::array<T, Out>& db, const T* D, const T* Xs,
                                      std::size_t count) noexcept {
  constexpr std::size_t R = simd_registers >= 32 ? 4 : 2, main = Out - Out % R;
  for (std::size_t j = 0; j < main; j += R)
    accumulate_outer_batch_rows<T, In, Out, B, R>(dW, D, Xs, count, j);
  if constexpr (main < Out) accumulate_outer_batch_rows<T, In, Out, B, Out - main>(dW, D, Xs, count, main);
  for (std::size_t jj = 0; jj < Out; ++jj) {
    T acc = db[jj];
    for (std::size_t s = 0; s < count; ++s) acc += D[jj * B + s];
    db[jj] = acc;
  }
}

/// Sample-major copy of the first `count` samples of a feature-major tile of N values per sample:
/// dst[s * N + i] = src[i * B + s].
template <class T, std::size_t N, std::size_t B>
constexpr void to_sample_major(const T* src, T* dst, std::size_t count) noexcept {
  for (std::size_t s = 0; s < count; ++s)
    for (std::size_t i = 0; i < N; ++i) dst[s * N + i] = src[i * B + s];
}

}  // namespace ctnn::detail
