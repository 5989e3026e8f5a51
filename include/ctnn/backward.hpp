// SPDX-License-Identifier: MIT
/// @file backward.hpp Defines ctnn::gradients and ctnn::backward: backpropagation, the chain rule
/// applied layer by layer from the output back to the input, unrolled at compile time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>

#include <ctnn/activation.hpp>
#include <ctnn/detail/kernels.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/network.hpp>

namespace ctnn {

/// dLoss/dparameter for every parameter of a network of type Net, with the network's exact
/// shape: `g.layer<I>().W[j][i]` = dL/dW[j][i] of layer I, `g.layer<I>().b[j]` = dL/db[j].
/// backward() adds into it, so it accumulates over a batch; `samples` counts what was added.
template <class Net>
struct gradients : Net::parameters_type {
  using network_type = Net;
  using value_type = typename Net::value_type;
  std::size_t samples = 0;

  /// Back to zero (start of a batch).
  constexpr void clear() noexcept {
    this->fill(value_type(0));
    samples = 0;
  }
  /// Multiply every entry by s (e.g. 1 / batch size: sum -> mean).
  constexpr void scale(value_type s) noexcept {
    for_each_parameter([s](value_type& g) { g *= s; }, *this);
  }
  friend constexpr bool operator==(const gradients&, const gradients&) = default;
};

namespace detail {

template <class Net>
inline constexpr std::size_t max_width = *std::max_element(Net::widths.begin(), Net::widths.end());
/// Widest layer output (the input excluded): the size of the backward pass's buffers.
template <class Net>
inline constexpr std::size_t max_output_width =
    *std::max_element(Net::widths.begin() + 1, Net::widths.end());

/// The backward pass proper. `delta` holds dL/dz of the output layer on entry. When G is not
/// nullptr_t, parameter gradients are accumulated into *g. Returns dL/dx.
template <class Net, class G>
constexpr typename Net::input_type backprop(const Net& net, const trace<Net>& t,
                                            const typename Net::output_type& output_delta,
                                            G* g) noexcept {
  using T = typename Net::value_type;
  constexpr std::size_t W = max_output_width<Net>;
  std::array<T, W> delta{}, upstream{};  // dL/dz of the current layer, dL/da of the one below
  std::copy(output_delta.begin(), output_delta.end(), delta.begin());
  typename Net::input_type dx{};
  static_for_reverse<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    constexpr std::size_t in = Net::widths[I], out = Net::widths[I + 1];
    const auto& layer = net.template layer<I>();
    const std::span<const T, out> d(delta.data(), out);
    if constexpr (!std::is_same_v<G, std::nullptr_t>) {
      // dL/dW_I = delta_I x_I^T,  dL/db_I = delta_I        (chain rule: dz/dW = x, dz/db = 1)
      auto& gl = g->template layer<I>();
      accumulate_outer<T, in, out>(gl.W, gl.b, d, std::span<const T, in>(t.template layer_input<I>()));
    }
    if constexpr (I == 0) {
      transpose_times<T, in, out>(layer.W, d, std::span<T, in>(dx));  // dL/dx = W^T delta
    } else {
      // dL/da_{I-1} = W_I^T delta_I, then dL/dz_{I-1} = f'(z_{I-1}) (.) dL/da_{I-1}
      transpose_times<T, in, out>(layer.W, d, std::span<T, in>(upstream.data(), in));
      const auto& below = t.template layer<I - 1>();
      using act = typename Net::template layer_type<I - 1>::activation;
      activation_vjp<act, T, in>(std::span<const T, in>(below.z), std::span<const T, in>(below.a),
                                 std::span<const T, in>(upstream.data(), in),
                                 std::span<T, in>(delta.data(), in));
    }
  });
  if constexpr (!std::is_same_v<G, std::nullptr_t>) ++g->samples;
  return dx;
}

}  // namespace detail

/// dL/dz of the output layer from dL/da (= dL/dy, the loss gradient w.r.t. the prediction):
/// the chain rule through the output activation, dL/dz = J_f^T dL/da.
template <class Net>
constexpr typename Net::output_type output_delta(const trace<Net>& t,
                                                 const typename Net::output_type& dL_dy) noexcept {
  using T = typename Net::value_type;
  constexpr std::size_t L = Net::layer_count - 1, N = Net::output_size;
  using act = typename Net::template layer_type<L>::activation;
  typename Net::output_type delta{};
  const auto& lt = t.template layer<L>();
  detail::activation_vjp<act, T, N>(std::span<const T, N>(lt.z), std::span<const T, N>(lt.a),
                                    std::span<const T, N>(dL_dy), std::span<T, N>(delta));
  return delta;
}

/// Backpropagation for one sample. From the trace of a forward pass and dL/dy (the loss
/// gradient with respect to the prediction), adds dL/dW and dL/db of every layer into `g` and
/// returns dL/dx. Notes, 2-2-1 example: dL/dw^2 = dL/dg(u2) * dg/du2 * du2/dw^2, and for the
/// hidden layer the same chain continues through du2/df(u0) * df/du0 * du0/dw^1.
template <class Net>
constexpr typename Net::input_type backward(const Net& net, const trace<Net>& t,
                                            const typename Net::output_type& dL_dy,
                                            gradients<Net>& g) noexcept {
  return detail::backprop(net, t, output_delta(t, dL_dy), &g);
}

/// The same, starting from dL/dz of the output layer (used by fused losses such as softmax +
/// cross-entropy, whose dL/dz = y' - y is exact and stable).
template <class Net>
constexpr typename Net::input_type backward_from_output_delta(
    const Net& net, const trace<Net>& t, const typename Net::output_type& dL_dz,
    gradients<Net>& g) noexcept {
  return detail::backprop(net, t, dL_dz, &g);
}

}  // namespace ctnn
