// SPDX-License-Identifier: MIT
/// @file layers/dense_kernels.hpp Not API: the dense layer's loops (forward, backward, the fused
/// descent step) for one sample and for a tile of B samples, with their fixed summation orders.
// IWYU pragma: private, include <ctnn/layers/dense.hpp>
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctnn/detail/static_for.hpp>
#include <ctnn/detail/tiles.hpp>

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

/// Rows j0 .. j0+R-1 of z = b + W x (one sample), each row exactly b_j + dot(W_j, x): the R rows
/// share every load of x, each row's 8 lanes are one vector accumulator, and the lanes are
/// combined in stages (l_k + l_{k+4}, then + the pair two apart, then the last two), which is
/// dot()'s tree written so that each stage is one vector operation per row.
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
  T half[R][L / 2] = {}, quarter[R][L / 4] = {};
  static_for<R>([&](auto r) {
    for (std::size_t k = 0; k < L / 2; ++k) half[r()][k] = acc[r()][k] + acc[r()][k + L / 2];
  });
  static_for<R>([&](auto r) {
    for (std::size_t k = 0; k < L / 4; ++k) quarter[r()][k] = half[r()][k] + half[r()][k + L / 4];
  });
  static_for<R>([&](auto r) { z[j0 + r()] = b[j0 + r()] + (quarter[r()][0] + quarter[r()][1]); });
}

/// z[j] = b[j] + dot(W[j], x)   (z = W x + b)
template <class T, std::size_t In, std::size_t Out>
constexpr void affine(const std::array<std::array<T, In>, Out>& W, const std::array<T, Out>& b,
                      std::span<const T, In> x, std::span<T, Out> z) noexcept {
  if constexpr (In < dot_lanes) {
    for (std::size_t j = 0; j < Out; ++j) z[j] = b[j] + dot<T, In>(W[j].data(), x.data());
  } else {
    constexpr std::size_t R = 8, main = Out - Out % R;  // R rows share each load of x
    for (std::size_t j = 0; j < main; j += R) affine_rows<T, In, Out, R>(W, b, x.data(), z.data(), j);
    if constexpr (main < Out)
      for (std::size_t j = main; j < Out; ++j) affine_rows<T, In, Out, 1>(W, b, x.data(), z.data(), j);
  }
}

/// dW[j][i] += delta[j] x[i],  db[j] += delta[j]   (dL/dW = delta x^T, dL/db = delta).
/// Overwrite: dW[j][i] = +0 + delta[j] x[i] (the bits of clearing first, without reading dW).
template <class T, std::size_t In, std::size_t Out, bool Overwrite = false>
constexpr void accumulate_outer(std::array<std::array<T, In>, Out>& dW, std::array<T, Out>& db,
                                std::span<const T, Out> delta,
                                std::span<const T, In> x) noexcept {
  T xs[In] = {};  // local copies: dW cannot alias them, so the loop needs no overlap checks
  for (std::size_t i = 0; i < In; ++i) xs[i] = x[i];
  for (std::size_t j = 0; j < Out; ++j) {
    const T d = delta[j];
    if constexpr (Overwrite) {
      for (std::size_t i = 0; i < In; ++i) dW[j][i] = T(0) + d * xs[i];
      db[j] = T(0) + d;
    } else {
      for (std::size_t i = 0; i < In; ++i) dW[j][i] += d * xs[i];
      db[j] += d;
    }
  }
}

/// One row of descend_outer: g[i] = +0 + d xs[i], w[i] = w[i] - eta g[i]. The rows of W and of
/// its gradient never overlap; restrict-qualified parameters (not local pointers, which g++
/// ignores) let the loop vectorise without an overlap check, also under -O2's cost model.
template <class T, std::size_t In>
constexpr void descend_row(T* CTNN_DETAIL_RESTRICT w, T* CTNN_DETAIL_RESTRICT g,
                           const T* CTNN_DETAIL_RESTRICT xs, T d, T eta) noexcept {
  for (std::size_t i = 0; i < In; ++i) {
    const T gi = T(0) + d * xs[i];
    g[i] = gi;
    w[i] = w[i] - eta * gi;
  }
}

/// One sample's plain gradient-descent step fused with its gradient: gW[j][i] = +0 + delta[j]
/// x[i], gb[j] = +0 + delta[j] (the bits of clearing and accumulating), then W[j][i] = W[j][i] -
/// eta gW[j][i] and b[j] = b[j] - eta gb[j] (ctnn::gradient_descent's and, without momentum and
/// weight decay, ctnn::sgd's update), in one pass over the layer. (One loop per row: with a local
/// row buffer and three loops it took 1.5x the instructions.)
template <class T, std::size_t In, std::size_t Out>
constexpr void descend_outer(std::array<std::array<T, In>, Out>& W, std::array<T, Out>& b,
                             std::array<std::array<T, In>, Out>& gW, std::array<T, Out>& gb,
                             const T* delta, const T* x, T eta) noexcept {
  T xs[In];
  for (std::size_t i = 0; i < In; ++i) xs[i] = x[i];
  for (std::size_t j = 0; j < Out; ++j) descend_row<T, In>(W[j].data(), gW[j].data(), xs, delta[j], eta);
  for (std::size_t j = 0; j < Out; ++j) {
    const T gbv = T(0) + delta[j];
    gb[j] = gbv;
    b[j] = b[j] - eta * gbv;
  }
}

/// dx[i] = sum_j W[j][i] delta[j]   (dL/dx = W^T delta), summed from +0 over j = 0 .. Out-1.
/// Rows are taken J at a time (one pass over a local dx per J rows), the order unchanged.
template <class T, std::size_t In, std::size_t Out>
constexpr void transpose_times(const std::array<std::array<T, In>, Out>& W,
                               std::span<const T, Out> delta, std::span<T, In> dx) noexcept {
  constexpr std::size_t J = 4, main = Out - Out % J;
  T acc[In] = {};
  for (std::size_t j = 0; j < main; j += J) {
    T d[J] = {};
    for (std::size_t q = 0; q < J; ++q) d[q] = delta[j + q];
    for (std::size_t i = 0; i < In; ++i) {
      T a = acc[i];
      static_for<J>([&](auto q) { a += W[j + q()][i] * d[q()]; });
      acc[i] = a;
    }
  }
  for (std::size_t j = main; j < Out; ++j) {
    const T d = delta[j];
    for (std::size_t i = 0; i < In; ++i) acc[i] += W[j][i] * d;
  }
  for (std::size_t i = 0; i < In; ++i) dx[i] = acc[i];
}

/// y[j] = dot(W[j], v)   (the linear part of a layer's Jacobian-vector product)
template <class T, std::size_t In, std::size_t Out>
constexpr void times(const std::array<std::array<T, In>, Out>& W, std::span<const T, In> v,
                     std::span<T, Out> y) noexcept {
  for (std::size_t j = 0; j < Out; ++j) y[j] = dot<T, In>(W[j].data(), v.data());
}

/// The divergence check's sum of squares of a layer's parameters (a gradient), optionally
/// scaling them first (W[j][i] *= scale, b[j] *= scale, as gradients::scale does). Any fixed
/// order serves the check; this one vectorises and keeps four chains of additions in flight:
/// row j's squares go to group j mod 4, element i of a row to lane i mod 8 (the row's last
/// In mod 8 elements to lanes 0, 1, ...), from +0 and rows in order; the groups are combined
/// lane by lane as (g0 + g1) + (g2 + g3), the lanes as in dot(); then + dot(b, b).
template <class T, std::size_t In, std::size_t Out, bool Scaled>
constexpr T scaled_sum_of_squares(std::array<std::array<T, In>, Out>& W, std::array<T, Out>& b,
                                  T scale) noexcept {
  constexpr std::size_t L = dot_lanes, G = 4, full = In - In % L, rows = Out - Out % G;
  T acc[G][L] = {};
  auto add_row = [&](std::size_t q, std::size_t j) {  // q: group (constant after inlining)
    T* w = W[j].data();
    if constexpr (Scaled)
      for (std::size_t i = 0; i < In; ++i) w[i] *= scale;
    for (std::size_t i = 0; i < full; i += L)
      for (std::size_t k = 0; k < L; ++k) acc[q][k] += w[i + k] * w[i + k];
    for (std::size_t i = full; i < In; ++i) acc[q][i - full] += w[i] * w[i];
  };
  for (std::size_t j = 0; j < rows; j += G) static_for<G>([&](auto q) { add_row(q(), j + q()); });
  for (std::size_t j = rows; j < Out; ++j) add_row(j - rows, j);
  T lanes[L] = {};
  for (std::size_t k = 0; k < L; ++k) lanes[k] = (acc[0][k] + acc[1][k]) + (acc[2][k] + acc[3][k]);
  if constexpr (Scaled)
    for (std::size_t j = 0; j < Out; ++j) b[j] *= scale;
  return combine8(lanes) + dot<T, Out>(b.data(), b.data());
}

// ---------------------------------------------------------------------------------------------
// A tile of B samples, feature-major: value i of sample s at [i * B + s]
// ---------------------------------------------------------------------------------------------

/// Z rows j0 .. j0+R-1, samples s0 .. s0+S-1: z_js = b_j + dot(W_j, x_s) in dot()'s order.
/// Register tile: R rows x 8 lanes x S samples; each weight is broadcast once per S samples.
template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R, std::size_t S>
constexpr void affine_batch_tile(const std::array<std::array<T, In>, Out>& W,
                                 const std::array<T, Out>& b, const T* X, T* Z, std::size_t j0,
                                 std::size_t s0) noexcept {
  T bias[R] = {};  // a local copy: Z cannot alias it, so the stores below vectorise freely
  for (std::size_t r = 0; r < R; ++r) bias[r] = b[j0 + r];
  if constexpr (In < dot_lanes) {
    T acc[R][S] = {};
    for (std::size_t i = 0; i < In; ++i) {
      const T* x = X + i * B + s0;
      for (std::size_t s = 0; s < S; ++s)
        static_for<R>([&](auto r) { acc[r()][s] += W[j0 + r()][i] * x[s]; });
    }
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
    for (std::size_t s = 0; s < S; ++s)
      static_for<R>([&](auto r) {
        Z[(j0 + r()) * B + s0 + s] = bias[r()] + combine_lanes<T, S>(acc + r() * L, s);
      });
  }
}

/// Z = W X + b for the samples [0, active) of a tile (active a multiple of sample_block<T, B>):
/// every z_js exactly as affine() computes it for sample s alone.
template <class T, std::size_t In, std::size_t Out, std::size_t B>
constexpr void affine_batch(const std::array<std::array<T, In>, Out>& W, const std::array<T, Out>& b,
                            const T* X, T* Z, std::size_t active) noexcept {
  constexpr std::size_t S = sample_block<T, B>;
  constexpr std::size_t R = In < dot_lanes ? 4 : 1, main = Out - Out % R;
  for (std::size_t s0 = 0; s0 < active; s0 += S) {
    for (std::size_t j = 0; j < main; j += R) affine_batch_tile<T, In, Out, B, R, S>(W, b, X, Z, j, s0);
    if constexpr (main < Out)
      affine_batch_tile<T, In, Out, B, Out - main, S>(W, b, X, Z, main, s0);
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

/// dX = W^T D for the samples [0, active) of a tile: every dx_is exactly as transpose_times()
/// computes it for sample s alone.
template <class T, std::size_t In, std::size_t Out, std::size_t B>
constexpr void transpose_times_batch(const std::array<std::array<T, In>, Out>& W, const T* D, T* DX,
                                     std::size_t active) noexcept {
  // One vector of samples per row and 8 rows: 8 accumulators and 8 broadcast weights live.
  constexpr std::size_t S = sample_block<T, B> < simd_width<T> ? sample_block<T, B> : simd_width<T>;
  constexpr std::size_t R = 8, main = In - In % R;
  for (std::size_t s0 = 0; s0 < active; s0 += S) {
    for (std::size_t i = 0; i < main; i += R)
      transpose_times_batch_tile<T, In, Out, B, R, S>(W, D, DX, i, s0);
    if constexpr (main < In) transpose_times_batch_tile<T, In, Out, B, In - main, S>(W, D, DX, main, s0);
  }
}

/// dW rows j0 .. j0+R-1, columns i0 .. i0+C-1: += delta_js x_si for s = 0 .. count-1 in order.
/// Xs is sample-major (x_si at [s * In + i]).
/// With `Bias`, also db_j += delta_js (in the same order), whose chains of scalar additions then
/// run beside the vector work.
template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R, std::size_t C,
          bool Bias>
constexpr void accumulate_outer_batch_tile(std::array<std::array<T, In>, Out>& dW,
                                           std::array<T, Out>& db, const T* D, const T* Xs,
                                           std::size_t count, std::size_t j0, std::size_t i0,
                                           bool overwrite) noexcept {
  T acc[R][C] = {};
  T accb[R] = {};
  if (!overwrite) {
    static_for<R>([&](auto r) {
      for (std::size_t c = 0; c < C; ++c) acc[r()][c] = dW[j0 + r()][i0 + c];
    });
    if constexpr (Bias)
      for (std::size_t r = 0; r < R; ++r) accb[r] = db[j0 + r];
  }
  for (std::size_t s = 0; s < count; ++s) {
    const T* x = Xs + s * In + i0;
    for (std::size_t c = 0; c < C; ++c)
      static_for<R>([&](auto r) { acc[r()][c] += D[(j0 + r()) * B + s] * x[c]; });
    if constexpr (Bias) static_for<R>([&](auto r) { accb[r()] += D[(j0 + r()) * B + s]; });
  }
  static_for<R>([&](auto r) {
    for (std::size_t c = 0; c < C; ++c) dW[j0 + r()][i0 + c] = acc[r()][c];
  });
  if constexpr (Bias)
    for (std::size_t r = 0; r < R; ++r) db[j0 + r] = accb[r];
}

template <class T, std::size_t In, std::size_t Out, std::size_t B, std::size_t R>
constexpr void accumulate_outer_batch_rows(std::array<std::array<T, In>, Out>& dW,
                                           std::array<T, Out>& db, const T* D, const T* Xs,
                                           std::size_t count, std::size_t j0,
                                           bool overwrite) noexcept {
  // Columns per tile: one vector (R rows x 1 vector of accumulators, R broadcasts per sample).
  // The first tile of the rows also sums db.
  constexpr std::size_t C = simd_width<T> > 8 ? simd_width<T> : 8, main = In - In % C;
  if constexpr (main > 0) {
    accumulate_outer_batch_tile<T, In, Out, B, R, C, true>(dW, db, D, Xs, count, j0, 0, overwrite);
    for (std::size_t i = C; i < main; i += C)
      accumulate_outer_batch_tile<T, In, Out, B, R, C, false>(dW, db, D, Xs, count, j0, i,
                                                              overwrite);
  }
  if constexpr (main < In)
    accumulate_outer_batch_tile<T, In, Out, B, R, In - main, main == 0>(dW, db, D, Xs, count, j0,
                                                                       main, overwrite);
}

/// dW += sum_s delta_s x_s^T and db += sum_s delta_s over the samples s = 0 .. count-1 in order:
/// the very additions `count` calls of accumulate_outer() make. D is feature-major (delta_js at
/// [j * B + s]); Xs is sample-major (x_si at [s * In + i]). With `overwrite` the old dW and db
/// are taken as +0 and not read (the same bits as clearing them first).
template <class T, std::size_t In, std::size_t Out, std::size_t B>
constexpr void accumulate_outer_batch(std::array<std::array<T, In>, Out>& dW,
                                      std::array<T, Out>& db, const T* D, const T* Xs,
                                      std::size_t count, bool overwrite = false) noexcept {
  constexpr std::size_t R = 8, main = Out - Out % R;
  for (std::size_t j = 0; j < main; j += R)
    accumulate_outer_batch_rows<T, In, Out, B, R>(dW, db, D, Xs, count, j, overwrite);
  if constexpr (main < Out)
    accumulate_outer_batch_rows<T, In, Out, B, Out - main>(dW, db, D, Xs, count, main, overwrite);
}

}  // namespace ctnn::detail
