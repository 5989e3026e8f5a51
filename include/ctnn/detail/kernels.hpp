// SPDX-License-Identifier: MIT
/// @file detail/kernels.hpp Not API: the dense-layer inner loops (forward, backward) over std::array.
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace ctnn::detail {

/// Lanes of the fixed-order dot product. The order of additions is part of ctnn's numerics:
/// it is the same at compile time, at run time and on every target, so results are reproducible
/// bit for bit (given -ffp-contract=off), and the 8 independent partial sums are what lets the
/// compiler use SIMD for a reduction it may not reassociate.
inline constexpr std::size_t dot_lanes = 8;

/// sum_i w[i] x[i], summed as 8 interleaved partial sums (lane k takes i = k mod 8), then
/// combined pairwise ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)). Below 8 terms: left to right.
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

/// z[j] = b[j] + sum_i W[j][i] x[i]
template <class T, std::size_t In, std::size_t Out>
constexpr void affine(const std::array<std::array<T, In>, Out>& W, const std::array<T, Out>& b,
                      std::span<const T, In> x, std::span<T, Out> z) noexcept {
  for (std::size_t j = 0; j < Out; ++j) z[j] = b[j] + dot<T, In>(W[j].data(), x.data());
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

/// dx[i] = sum_j W[j][i] delta[j]   (dL/dx = W^T delta), summed over j in order 0..Out-1.
template <class T, std::size_t In, std::size_t Out>
constexpr void transpose_times(const std::array<std::array<T, In>, Out>& W,
                               std::span<const T, Out> delta, std::span<T, In> dx) noexcept {
  for (std::size_t i = 0; i < In; ++i) dx[i] = T(0);
  for (std::size_t j = 0; j < Out; ++j) {
    const T d = delta[j];
    for (std::size_t i = 0; i < In; ++i) dx[i] += W[j][i] * d;
  }
}

/// y[j] = sum_i W[j][i] v[i]   (the linear part of a layer's Jacobian-vector product)
template <class T, std::size_t In, std::size_t Out>
constexpr void times(const std::array<std::array<T, In>, Out>& W, std::span<const T, In> v,
                     std::span<T, Out> y) noexcept {
  for (std::size_t j = 0; j < Out; ++j) y[j] = dot<T, In>(W[j].data(), v.data());
}

}  // namespace ctnn::detail
