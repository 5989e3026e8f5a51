// SPDX-License-Identifier: MIT
/// @file jacobian.hpp Defines ctnn::jacobian (the notes' denominator-layout matrix dy/dx),
/// ctnn::vjp (vector-Jacobian product) and ctnn::jvp (Jacobian-vector product) of a network.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctnn/backward.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/network.hpp>

namespace ctnn {

/// The derivative of y = net(x) in R^q by x in R^p in the notes' denominator layout: a p x q
/// matrix with `J[i][j] = dy_j / dx_i` (row i: input i; column j: output j).
/// `transposed()` gives the numerator layout `[j][i]`.
template <class T, std::size_t P, std::size_t Q>
struct jacobian_matrix {
  std::array<std::array<T, Q>, P> d{};  ///< d[i][j] = dy_j / dx_i

  constexpr T operator()(std::size_t i, std::size_t j) const noexcept { return d[i][j]; }
  /// Numerator layout: `[j][i] = dy_j / dx_i` (q x p).
  constexpr std::array<std::array<T, P>, Q> transposed() const noexcept {
    std::array<std::array<T, P>, Q> t{};
    for (std::size_t i = 0; i < P; ++i)
      for (std::size_t j = 0; j < Q; ++j) t[j][i] = d[i][j];
    return t;
  }
  friend constexpr bool operator==(const jacobian_matrix&, const jacobian_matrix&) = default;
};

/// Vector-Jacobian product at x: returns d(v . y)/dx = J v (p-vector, with J in denominator
/// layout), i.e. sum_j v_j dy_j/dx_i. One backward pass; no parameter gradients.
template <class Net>
constexpr typename Net::input_type vjp(const Net& net, const typename Net::input_type& x,
                                       const typename Net::output_type& v) noexcept {
  const auto t = net.traced(x);
  const auto delta = detail::flat_copy<typename Net::value_type>(output_delta(t, v));
  return detail::input_gradient<true, Net, std::nullptr_t>(net, t, delta.data(), nullptr);
}

/// Jacobian-vector product at x: returns the directional derivative of y along u,
/// sum_i u_i dy_j/dx_i (q-vector). One forward-mode pass that carries the tangent.
template <class Net>
constexpr typename Net::output_type jvp(const Net& net, const typename Net::input_type& x,
                                        const typename Net::input_type& u) noexcept {
  using T = typename Net::value_type;
  const auto t = net.traced(x);
  std::array<T, detail::max_width<Net>> tangent[2] = {};  // layer I writes tangent[I % 2]
  const auto u_flat = detail::flat_copy<T>(u);
  detail::static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    constexpr std::size_t in = Net::widths[I], out = Net::widths[I + 1];
    const T* src = I == 0 ? u_flat.data() : tangent[(I + 1) % 2].data();
    net.template layer<I>().jvp(t.template layer<I>(), std::span<const T, in>(src, in),
                                std::span<T, out>(tangent[I % 2].data(), out));
  });
  typename Net::output_type r{};
  detail::unflatten_from(tangent[(Net::layer_count - 1) % 2].data(), r);
  return r;
}

/// The full Jacobian at x, denominator layout (p x q, `J(i, j) = dy_j/dx_i`), built from q
/// vector-Jacobian products (one backward pass per output).
template <class Net>
constexpr jacobian_matrix<typename Net::value_type, Net::input_size, Net::output_size> jacobian(
    const Net& net, const typename Net::input_type& x) noexcept {
  using T = typename Net::value_type;
  jacobian_matrix<T, Net::input_size, Net::output_size> J{};
  const auto t = net.traced(x);
  for (std::size_t j = 0; j < Net::output_size; ++j) {
    typename Net::output_type e{};
    e[j] = T(1);
    const auto delta = output_delta(t, e);
    std::array<T, Net::input_size> col{};
    detail::backprop<true, Net, std::nullptr_t>(net, t, delta.data(), nullptr, false, col.data());
    for (std::size_t i = 0; i < Net::input_size; ++i) J.d[i][j] = col[i];
  }
  return J;
}

}  // namespace ctnn
