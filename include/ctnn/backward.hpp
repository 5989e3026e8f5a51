// SPDX-License-Identifier: MIT
/// @file backward.hpp Defines ctnn::gradients and ctnn::backward: backpropagation, the chain rule
/// applied layer by layer from the output back to the input, unrolled at compile time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>

#include <ctnn/activation.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/network.hpp>

namespace ctnn {

/// dLoss/dparameter for every parameter of a network of type Net, with the network's exact
/// shape: layer I of `g` holds dL/d(each parameter tensor of layer I), in the same members.
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

/// A layer with an activation (dense): a fused loss can hand it dL/dz instead of dL/da.
template <class L>
concept has_activation = requires { typename L::activation; };

/// The backward pass proper, from the output layer down: each layer turns dL/d(its output)
/// into its parameter gradients (added into *g unless G is nullptr_t; with `overwrite` the bits
/// of clearing first) and dL/d(its input), handed to the layer below. With FromZ, `dL_dout` is
/// dL/dz of an output layer that has an activation (a fused loss); otherwise dL/dy. dL/dx of
/// the network input goes to `dx` (row-major) unless it is nullptr.
template <bool FromZ, class Net, class G>
constexpr void backprop(const Net& net, const trace<Net>& t, const typename Net::value_type* dL_dout,
                        G* g, bool overwrite, typename Net::value_type* dx) noexcept {
  using T = typename Net::value_type;
  constexpr std::size_t L = Net::layer_count;
  std::array<T, max_width<Net>> buffer[2] = {};  // dL/d(input) of layer I goes to buffer[I % 2]
  static_for_reverse<L>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    constexpr std::size_t in = Net::widths[I], out = Net::widths[I + 1];
    using layer_t = typename Net::template layer_type<I>;
    const auto& layer = net.template layer<I>();
    const T* dy = I + 1 == L ? dL_dout : buffer[(I + 1) % 2].data();
    T* dxi = I == 0 ? dx : buffer[I % 2].data();
    layer_t* gl = nullptr;
    if constexpr (!std::is_same_v<G, std::nullptr_t>) gl = &g->template layer<I>();
    const std::span<const T, in> x(t.template layer_input<I>());
    const std::span<const T, out> d(dy, out);
    if constexpr (FromZ && I + 1 == L && has_activation<layer_t>)
      layer.template backward<true>(x, t.template layer<I>(), d, gl, overwrite, dxi);
    else
      layer.backward(x, t.template layer<I>(), d, gl, overwrite, dxi);
  });
  if constexpr (!std::is_same_v<G, std::nullptr_t>) g->samples = (overwrite ? 0 : g->samples) + 1;
}

/// backprop returning dL/dx as the network's input_type.
template <bool FromZ, class Net, class G>
constexpr typename Net::input_type input_gradient(const Net& net, const trace<Net>& t,
                                                  const typename Net::value_type* dL_dout,
                                                  G* g) noexcept {
  std::array<typename Net::value_type, Net::input_size> dx{};
  backprop<FromZ>(net, t, dL_dout, g, false, dx.data());
  typename Net::input_type r{};
  unflatten_from(dx.data(), r);
  return r;
}

}  // namespace detail

/// dL/dz of the output layer from dL/da (= dL/dy, the loss gradient w.r.t. the prediction):
/// the chain rule through the output activation, dL/dz = J_f^T dL/da (dL/dy itself when the
/// output layer has no activation).
template <class Net>
constexpr typename Net::output_type output_delta(const trace<Net>& t,
                                                 const typename Net::output_type& dL_dy) noexcept {
  using T = typename Net::value_type;
  constexpr std::size_t L = Net::layer_count - 1, N = Net::output_size;
  using layer_t = typename Net::template layer_type<L>;
  if constexpr (detail::has_activation<layer_t> && Net::output_shape::rank > 1) {
    // a sequence output through its element-wise activation, in row-major order
    const auto& lt = t.template layer<L>();
    const auto g = detail::flat_copy<T>(dL_dy);
    std::array<T, N> delta{};
    detail::activation_vjp<typename layer_t::activation, T, N>(
        std::span<const T, N>(lt.z), std::span<const T, N>(lt.a), std::span<const T, N>(g),
        std::span<T, N>(delta));
    typename Net::output_type out{};
    detail::unflatten_from(delta.data(), out);
    return out;
  } else if constexpr (detail::has_activation<layer_t>) {
    typename Net::output_type delta{};
    const auto& lt = t.template layer<L>();
    detail::activation_vjp<typename layer_t::activation, T, N>(
        std::span<const T, N>(lt.z), std::span<const T, N>(lt.a), std::span<const T, N>(dL_dy),
        std::span<T, N>(delta));
    return delta;
  } else {
    return dL_dy;
  }
}

/// Backpropagation for one sample. From the trace of a forward pass and dL/dy (the loss
/// gradient with respect to the prediction), adds dL/dW and dL/db of every layer into `g` and
/// returns dL/dx. Notes, 2-2-1 example: dL/dw^2 = dL/dg(u2) * dg/du2 * du2/dw^2, and for the
/// hidden layer the same chain continues through du2/df(u0) * df/du0 * du0/dw^1.
template <class Net>
constexpr typename Net::input_type backward(const Net& net, const trace<Net>& t,
                                            const typename Net::output_type& dL_dy,
                                            gradients<Net>& g) noexcept {
  const auto delta = detail::flat_copy<typename Net::value_type>(output_delta(t, dL_dy));
  return detail::input_gradient<true>(net, t, delta.data(), &g);
}

/// The same, starting from dL/dz of the output layer (used by fused losses such as softmax +
/// cross-entropy, whose dL/dz = y' - y is exact and stable).
template <class Net>
constexpr typename Net::input_type backward_from_output_delta(
    const Net& net, const trace<Net>& t, const typename Net::output_type& dL_dz,
    gradients<Net>& g) noexcept {
  const auto delta = detail::flat_copy<typename Net::value_type>(dL_dz);
  return detail::input_gradient<true>(net, t, delta.data(), &g);
}

}  // namespace ctnn
