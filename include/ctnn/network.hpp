// SPDX-License-Identifier: MIT
/// @file network.hpp Defines ctnn::network, the compile-time network type, its forward passes
/// (plain, traced, minimum-RAM) and ctnn::trace.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include <ctnn/activation.hpp>
#include <ctnn/detail/shape_checks.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/parameters.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

template <class Net>
struct trace;

namespace detail {
template <class T, class List>
struct parameters_of_list;
template <class T, class... Ls>
struct parameters_of_list<T, layer_list<Ls...>> {
  using type = parameters<T, Ls...>;
};
}  // namespace detail

/// A feed-forward network whose whole topology is its type.
///
/// ```
/// using net_t = ctnn::network<float, ctnn::input<2>,
///                             ctnn::dense<3, ctnn::sigmoid>,   // 2 -> 3
///                             ctnn::dense<1, ctnn::sigmoid>>;  // 3 -> 1
/// ```
/// Each dense layer's input size is the previous layer's output size; `dense<Out, Act, In>`
/// (or `dense_from<In, Out, Act>`) states it and is checked. A network is exactly its
/// parameters (`sizeof == parameter_count * sizeof(T)`), trivially copyable, zero when
/// default-constructed, and every member function is `constexpr` and never allocates.
///
/// @tparam T        element type (ctnn::Scalar: float, double, ...)
/// @tparam InputSpec ctnn::input<N>
/// @tparam Specs    ctnn::dense<...> layers, input to output
template <class T, class InputSpec, class... Specs>
class network
    : public detail::parameters_of_list<
          std::conditional_t<Scalar<T>, T, float>,
          detail::resolve<T, detail::input_size_of<InputSpec>, Specs...>>::type {
  static_assert(detail::check_network<T, InputSpec, Specs...>());
  using layers_list = detail::resolve<T, detail::input_size_of<InputSpec>, Specs...>;
  using base = typename detail::parameters_of_list<std::conditional_t<Scalar<T>, T, float>,
                                                   layers_list>::type;

  template <class... Ls>
  static constexpr std::size_t max_hidden(detail::layer_list<Ls...>) {
    std::size_t m = 0, k = 0;
    ((m = (++k < sizeof...(Ls) && Ls::output_size > m) ? Ls::output_size : m), ...);
    return m;
  }
  template <std::size_t I, class S>
  static consteval bool activation_ok() {
    if constexpr (detail::is_dense_spec<S>::value)
      return detail::check_activation<I, typename S::activation, sizeof...(Specs)>();
    else
      return true;
  }
  template <std::size_t... I>
  static consteval bool activations_ok(std::index_sequence<I...>) {
    return (activation_ok<I, Specs>() && ...);
  }
  static_assert(activations_ok(std::index_sequence_for<Specs...>{}));

  template <class L>
  struct layer_of;
  template <class... Ls>
  struct layer_of<detail::layer_list<Ls...>> {
    template <std::size_t I>
    using at = std::remove_cvref_t<decltype(boost::hana::at_c<I>(
        std::declval<boost::hana::tuple<Ls...>&>()))>;
    static constexpr std::array<std::size_t, sizeof...(Ls) + 1> widths{
        detail::input_size_of<InputSpec>, Ls::output_size...};
    static constexpr std::size_t macs = (std::size_t{0} + ... + (Ls::input_size * Ls::output_size));
  };

 public:
  using value_type = std::conditional_t<Scalar<T>, T, float>;
  using parameters_type = base;
  using input_spec = InputSpec;
  using layer_specs = detail::layer_list<Specs...>;

  static constexpr std::size_t layer_count = sizeof...(Specs);
  static constexpr std::size_t input_size = detail::input_size_of<InputSpec>;
  /// widths[0] = input_size, widths[I + 1] = output size of layer I
  static constexpr std::array<std::size_t, layer_count + 1> widths =
      layer_of<layers_list>::widths;
  static constexpr std::size_t output_size = widths[layer_count];
  using base::parameter_count;

  /// The concrete type of layer I (a ctnn::dense_layer).
  template <std::size_t I>
  using layer_type = typename layer_of<layers_list>::template at<I>;
  template <std::size_t I>
  static constexpr std::size_t layer_input_size = widths[I];
  template <std::size_t I>
  static constexpr std::size_t layer_output_size = widths[I + 1];

  using input_type = std::array<value_type, input_size>;
  using output_type = std::array<value_type, output_size>;
  using flat_type = typename base::flat_type;
  using trace_type = ctnn::trace<network>;

  /// Multiply-accumulates of one forward pass (sum of In * Out over the layers).
  static constexpr std::size_t forward_macs = layer_of<layers_list>::macs;
  /// Multiply-accumulates of one training step on one sample: the forward pass, dL/dW = delta
  /// x^T and dL/dx = W^T delta for every layer (3 x forward_macs), before the optimiser update.
  static constexpr std::size_t training_step_macs = 3 * forward_macs;
  /// Widest hidden layer (0 for a single-layer network).
  static constexpr std::size_t max_hidden_width = max_hidden(layers_list{});
  /// Working memory of forward(), in elements: up to two ping-pong buffers of the widest hidden
  /// layer (two with two or more hidden layers, one with one, none for a single layer).
  static constexpr std::size_t inference_workspace_size =
      layer_count > 2 ? 2 * max_hidden_width : max_hidden_width;
  using workspace_type = std::array<value_type, inference_workspace_size>;
  /// Bytes of working memory (besides input and output) that forward() needs.
  static constexpr std::size_t inference_bytes = inference_workspace_size * sizeof(value_type);
  static constexpr std::size_t parameter_bytes = parameter_count * sizeof(value_type);

  /// All parameters zero.
  constexpr network() noexcept = default;
  /// Parameters from a flat array in the documented order (see ctnn::parameters).
  constexpr explicit network(const flat_type& values) noexcept : base(values) {}

  /// y = f_L(... f_1(W_1 x + b_1) ...): the prediction for one input.
  /// Working memory: `inference_bytes` on the stack (two buffers of the widest hidden layer).
  [[nodiscard]] constexpr output_type forward(const input_type& x) const noexcept {
    output_type y{};
    workspace_type work{};
    forward(std::span<const value_type, input_size>(x), std::span<value_type, output_size>(y),
            work);
    return y;
  }

  /// An input of the wrong length is a readable compile error.
  template <class U, std::size_t N>
    requires(N != input_size || !std::is_same_v<U, value_type>)
  constexpr output_type forward(const std::array<U, N>&) const noexcept {
    static_assert(detail::input_array_size<input_size, N>::ok,
                  "ctnn::network::forward(x): x must be a std::array<T, input_size> (see "
                  "<input_size, given size> in input_array_size)");
    static_assert(std::is_same_v<U, value_type>,
                  "ctnn::network::forward(x): x's element type must be the network's value_type");
    return {};
  }

  /// A braced list of the wrong length (`net.forward({1.f})`) is a readable compile error too,
  /// instead of being padded with zeros.
  template <class U, std::size_t N>
    requires(N != input_size)
  constexpr output_type forward(const U (&)[N]) const noexcept {
    static_assert(detail::input_array_size<input_size, N>::ok,
                  "ctnn::network::forward(x): x must be a std::array<T, input_size> (see "
                  "<input_size, given size> in input_array_size)");
    return {};
  }

  /// The minimum-RAM path: reads x, writes y, uses only the caller's `work` buffer.
  constexpr void forward(std::span<const value_type, input_size> x,
                         std::span<value_type, output_size> y,
                         workspace_type& work) const noexcept {
    detail::static_for<layer_count>([&](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      constexpr std::size_t in = widths[I], out = widths[I + 1];
      const auto& l = this->template layer<I>();
      // Layer I reads from buffer (I-1) % 2 and writes to buffer I % 2; first reads x, last writes y.
      auto src = [&] {
        if constexpr (I == 0) return x;
        else return std::span<const value_type, in>(work.data() + ((I - 1) % 2) * max_hidden_width, in);
      }();
      auto dst = [&] {
        if constexpr (I + 1 == layer_count) return y;
        else return std::span<value_type, out>(work.data() + (I % 2) * max_hidden_width, out);
      }();
      l.forward(src, dst);
    });
  }

  /// Forward pass that records every layer's input, pre-activation z and activation a
  /// (what the backward pass needs).
  constexpr void forward(const input_type& x, trace_type& t) const noexcept {
    t.input = x;
    detail::static_for<layer_count>([&](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      constexpr std::size_t in = widths[I], out = widths[I + 1];
      using act = typename layer_type<I>::activation;
      auto& lt = t.template layer<I>();
      const auto& src = t.template layer_input<I>();
      this->template layer<I>().affine(std::span<const value_type, in>(src),
                                       std::span<value_type, out>(lt.z));
      lt.a = lt.z;
      detail::activate_in_place<act>(std::span<value_type, out>(lt.a));
    });
  }

  /// The traced forward pass, returning the trace.
  [[nodiscard]] constexpr trace_type traced(const input_type& x) const noexcept {
    trace_type t{};
    forward(x, t);
    return t;
  }

  friend constexpr bool operator==(const network&, const network&) = default;
};

/// Per-layer record of a traced forward pass: z = W x + b and a = f(z).
template <class T, std::size_t N>
struct layer_trace {
  std::array<T, N> z{};
  std::array<T, N> a{};
  friend constexpr bool operator==(const layer_trace&, const layer_trace&) = default;
};

/// Everything a forward pass computed, statically sized from the network type:
/// the input and, per layer, z and a. `trace_bytes` = its size.
template <class Net>
struct trace {
 private:
  template <class Seq>
  struct tuple_of;
  template <std::size_t... I>
  struct tuple_of<std::index_sequence<I...>> {
    using type = boost::hana::tuple<layer_trace<typename Net::value_type, Net::widths[I + 1]>...>;
  };

 public:
  using network_type = Net;
  using value_type = typename Net::value_type;
  using layers_type = typename tuple_of<std::make_index_sequence<Net::layer_count>>::type;

  typename Net::input_type input{};
  layers_type layers{};

  template <std::size_t I>
  constexpr auto& layer() noexcept { return boost::hana::at_c<I>(layers); }
  template <std::size_t I>
  constexpr const auto& layer() const noexcept { return boost::hana::at_c<I>(layers); }

  /// The input that layer I saw (x for layer 0, else layer I-1's a).
  template <std::size_t I>
  constexpr const auto& layer_input() const noexcept {
    if constexpr (I == 0) return input;
    else return layer<I - 1>().a;
  }

  /// The network's prediction.
  constexpr const typename Net::output_type& output() const noexcept {
    return layer<Net::layer_count - 1>().a;
  }

  friend constexpr bool operator==(const trace& x, const trace& y) noexcept {
    bool same = x.input == y.input;
    detail::static_for<Net::layer_count>(
        [&](auto I) { same = same && x.template layer<I()>() == y.template layer<I()>(); });
    return same;
  }
};

}  // namespace ctnn
