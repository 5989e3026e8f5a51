// SPDX-License-Identifier: MIT
/// @file network.hpp Defines ctnn::network, the compile-time network type, its forward passes
/// (plain, traced, minimum-RAM) and ctnn::trace.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include <ctnn/activation.hpp>
#include <ctnn/detail/shape_checks.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/parameters.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>

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

/// Spec -> concrete layer; anything that is not a ctnn::LayerSpec becomes a placeholder dense
/// layer (after its message), so that one mistake gives one message.
template <class S, class T, class InShape>
struct resolve_one {
  using type = dense_layer<T, InShape::size, 1, identity>;
};
template <LayerSpec S, class T, class InShape>
struct resolve_one<S, T, InShape> {
  using type = typename S::template layer<T, InShape>;
};

template <class T, class InShape, class Done, class... Specs>
struct resolve_impl {
  using type = Done;
};
template <class T, class InShape, class... Done, class S, class... Rest>
struct resolve_impl<T, InShape, layer_list<Done...>, S, Rest...>
    : resolve_impl<T, typename resolve_one<S, T, InShape>::type::output_shape,
                   layer_list<Done..., typename resolve_one<S, T, InShape>::type>, Rest...> {};

/// Concrete layers for network<T, InputSpec, Specs...>; T falls back to float when it is not a
/// Scalar, so that a wrong element type produces one message, not a cascade.
template <class T, class InputSpec, class... Specs>
using resolve = typename resolve_impl<std::conditional_t<Scalar<T>, T, float>,
                                      input_shape_t<InputSpec>, layer_list<>, Specs...>::type;

template <class List, class Fallback>
struct last_output_shape {
  using type = Fallback;
};
template <class L0, class... Ls, class Fallback>
struct last_output_shape<layer_list<L0, Ls...>, Fallback> {
  using type = typename std::tuple_element_t<sizeof...(Ls), std::tuple<L0, Ls...>>::output_shape;
};

template <class L>
struct layer_of;
template <class... Ls>
struct layer_of<layer_list<Ls...>> {
  template <std::size_t I>
  using at = std::tuple_element_t<I, std::tuple<Ls...>>;
  static constexpr std::size_t max_hidden = [] {
    std::size_t m = 0, k = 0;
    ((m = (++k < sizeof...(Ls) && Ls::output_shape::size > m) ? Ls::output_shape::size : m), ...);
    return m;
  }();
  static constexpr std::size_t macs = (std::size_t{0} + ... + Ls::forward_macs);
  /// Widest time step of any layer's output (the streaming buffers).
  static constexpr std::size_t max_step_width = [] {
    std::size_t m = 1;
    ((m = step_width<typename Ls::output_shape> > m ? step_width<typename Ls::output_shape> : m), ...);
    return m;
  }();
  static constexpr std::size_t state_bytes =
      (std::size_t{0} + ... + (std::is_same_v<typename Ls::state_type, no_state> ? 0 : sizeof(typename Ls::state_type)));
};
/// <layer, whether it can run one time step at a time>
template <std::size_t Layer, bool Streams>
struct streaming_layer_at {
  static constexpr bool ok = Streams;
};

/// A layer streams when it has a step() (ctnn::StreamingLayer) or maps a vector to a vector
/// keeping no state (it streams through forward()).
template <class L>
inline constexpr bool streams = StreamingLayer<L> || (L::input_shape::rank == 1 &&
                                                      L::output_shape::rank == 1 &&
                                                      std::is_same_v<typename L::state_type, no_state>);

/// One layer's state inside a network's state (a base per layer, so the whole stays an aggregate).
template <std::size_t I, class S>
struct state_slot {
  S value{};
  friend constexpr bool operator==(const state_slot&, const state_slot&) = default;
};
/// A stateless layer's slot holds nothing (an empty base: no room in the state).
template <std::size_t I>
struct state_slot<I, no_state> {
  friend constexpr bool operator==(const state_slot&, const state_slot&) = default;
};
template <class Seq, class... S>
struct state_list;
template <std::size_t... I, class... S>
struct state_list<std::index_sequence<I...>, S...> : state_slot<I, S>... {
  friend constexpr bool operator==(const state_list&, const state_list&) = default;
};
template <class List>
struct state_of_list;
template <class... Ls>
struct state_of_list<layer_list<Ls...>> {
  using type = state_list<std::index_sequence_for<Ls...>, typename Ls::state_type...>;
};
template <std::size_t I, class S>
constexpr S& state_at(state_slot<I, S>& s) noexcept { return s.value; }
template <std::size_t I, class S>
constexpr const S& state_at(const state_slot<I, S>& s) noexcept { return s.value; }
template <std::size_t I>
constexpr no_state state_at(const state_slot<I, no_state>&) noexcept { return {}; }
}  // namespace detail

/// Layer I's part of a network's stream state (ctnn::network::state_type): e.g. a GRU's `h`
/// (a ctnn::no_state value for a stateless layer).
template <std::size_t I, class State>
constexpr decltype(auto) state_of(State& state) noexcept {
  return detail::state_at<I>(state);
}

/// A feed-forward network whose whole topology is its type.
///
/// ```
/// using net_t = ctnn::network<float, ctnn::input<2>,
///                             ctnn::dense<3, ctnn::sigmoid>,   // 2 -> 3
///                             ctnn::dense<1, ctnn::sigmoid>>;  // 3 -> 1
/// ```
/// Each layer specification (ctnn::LayerSpec) is resolved against the previous layer's output
/// shape into a concrete ctnn::Layer, and checks its own shape rules: a dense layer's input size
/// is the previous layer's output size; `dense<Out, Act, In>` (or `dense_from<In, Out, Act>`)
/// states it and is checked. A network is exactly its parameters (`sizeof == parameter_count *
/// sizeof(T)` for dense layers), trivially copyable, zero when default-constructed, and every
/// member function is `constexpr` and never allocates.
///
/// @tparam T        element type (ctnn::Scalar: float, double, ...)
/// @tparam InputSpec ctnn::input<N> (or input<Time, Channels>)
/// @tparam Specs    layer specifications (ctnn::dense<...>, ...), input to output
template <class T, class InputSpec, class... Specs>
class network
    : public detail::parameters_of_list<std::conditional_t<Scalar<T>, T, float>,
                                        detail::resolve<T, InputSpec, Specs...>>::type {
  using layers_list = detail::resolve<T, InputSpec, Specs...>;
  static_assert(detail::check_network<T, layers_list, InputSpec, Specs...>());
  using base = typename detail::parameters_of_list<std::conditional_t<Scalar<T>, T, float>,
                                                   layers_list>::type;
  using info = detail::layer_of<layers_list>;

 public:
  using value_type = std::conditional_t<Scalar<T>, T, float>;
  using parameters_type = base;
  using input_spec = InputSpec;
  using layer_specs = detail::layer_list<Specs...>;
  using layers = layers_list;

  static constexpr std::size_t layer_count = sizeof...(Specs);
  /// The concrete type of layer I (a ctnn::Layer, e.g. ctnn::dense_layer).
  template <std::size_t I>
  using layer_type = typename info::template at<I>;

  using input_shape = detail::input_shape_t<InputSpec>;
  using output_shape = typename detail::last_output_shape<layers_list, shape<1>>::type;
  /// Values in one input (for input<Time, Channels>: Time * Channels).
  static constexpr std::size_t input_size = input_shape::size;
  /// widths[0] = input_size, widths[I + 1] = values in layer I's output
  static constexpr std::array<std::size_t, layer_count + 1> widths = [] {
    std::array<std::size_t, layer_count + 1> w{input_size};
    detail::static_for<layer_count>(
        [&](auto I) { w[I() + 1] = layer_type<I()>::output_shape::size; });
    return w;
  }();
  static constexpr std::size_t output_size = output_shape::size;
  using base::parameter_count;

  template <std::size_t I>
  static constexpr std::size_t layer_input_size = widths[I];
  template <std::size_t I>
  static constexpr std::size_t layer_output_size = widths[I + 1];

  /// One input as the user holds it (std::array<T, N>; for input<Time, Channels> an array of
  /// Time arrays of Channels).
  using input_type = tensor<value_type, input_shape>;
  using output_type = tensor<value_type, output_shape>;
  using flat_type = typename base::flat_type;
  using trace_type = ctnn::trace<network>;

  /// Multiply-accumulates of one forward pass (the layers' forward_macs; dense: In * Out).
  static constexpr std::size_t forward_macs = info::macs;
  /// Multiply-accumulates of one training step on one sample: the forward pass, dL/dW = delta
  /// x^T and dL/dx = W^T delta for every layer (3 x forward_macs), before the optimiser update.
  static constexpr std::size_t training_step_macs = 3 * forward_macs;
  /// Widest hidden layer (0 for a single-layer network).
  static constexpr std::size_t max_hidden_width = info::max_hidden;
  /// Working memory of forward(), in elements: up to two ping-pong buffers of the widest hidden
  /// layer (two with two or more hidden layers, one with one, none for a single layer).
  static constexpr std::size_t inference_workspace_size =
      layer_count > 2 ? 2 * max_hidden_width : max_hidden_width;
  using workspace_type = std::array<value_type, inference_workspace_size>;
  /// Bytes of working memory (besides input and output) that forward() needs.
  static constexpr std::size_t inference_bytes = inference_workspace_size * sizeof(value_type);
  static constexpr std::size_t parameter_bytes = parameter_count * sizeof(value_type);
  /// Bytes of the memory the layers carry between calls (0: no layer has state).
  static constexpr std::size_t state_bytes = info::state_bytes;

  /// What the layers remember between time steps (ctnn::network::step): each layer's
  /// state_type, zero when value-initialised, trivially copyable; stateless layers take no room
  /// (ctnn::state_of<I>(state) is layer I's part).
  using state_type = typename detail::state_of_list<layers_list>::type;
  /// One time step of the input and of the output (the Channels of a time x channels shape,
  /// the whole of a vector).
  static constexpr std::size_t step_input_size = step_width<input_shape>;
  static constexpr std::size_t step_output_size = step_width<output_shape>;
  using step_input_type = std::array<value_type, step_input_size>;
  using step_output_type = std::array<value_type, step_output_size>;

  /// All parameters zero.
  constexpr network() noexcept = default;
  /// Parameters from a flat array in the documented order (see ctnn::parameters).
  constexpr explicit network(const flat_type& values) noexcept : base(values) {}

  /// y = f_L(... f_1(x) ...): the prediction for one input.
  /// Working memory: `inference_bytes` on the stack (two buffers of the widest hidden layer).
  [[nodiscard]] constexpr output_type forward(const input_type& x) const noexcept {
    output_type y{};
    workspace_type work{};
    if constexpr (input_shape::rank == 1 && output_shape::rank == 1) {
      forward(std::span<const value_type, input_size>(x), std::span<value_type, output_size>(y), work);
    } else {
      std::array<value_type, input_size> xf{};
      std::array<value_type, output_size> yf{};
      detail::flatten_into(x, xf.data());
      forward(std::span<const value_type, input_size>(xf), std::span<value_type, output_size>(yf), work);
      detail::unflatten_from(yf.data(), y);
    }
    return y;
  }

  /// An input of the wrong length is a readable compile error.
  template <class U, std::size_t N>
    requires(input_shape::rank == 1 && (N != input_size || !std::is_same_v<U, value_type>))
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
    requires(input_shape::rank == 1 && N != input_size)
  constexpr output_type forward(const U (&)[N]) const noexcept {
    static_assert(detail::input_array_size<input_size, N>::ok,
                  "ctnn::network::forward(x): x must be a std::array<T, input_size> (see "
                  "<input_size, given size> in input_array_size)");
    return {};
  }

  /// The minimum-RAM path: reads x, writes y (row-major values), uses only the caller's `work`.
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

  /// One time step of a stream: y_t from x_t, updating what the layers remember in `state`.
  /// Bounded work, no allocation, no exception: safe in an audio callback or a control loop.
  /// Running a window step by step from a zero state gives forward(window)'s bits at every step
  /// (for a layer that shortens the window, such as a valid conv1d, its own documentation says
  /// which steps line up). A non-finite input propagates into the state and stays there until
  /// reset(state) (see ctnn::all_finite).
  constexpr step_output_type step(const step_input_type& x, state_type& state) const noexcept {
    step_output_type y{};
    step(std::span<const value_type, step_input_size>(x), state, std::span<value_type, step_output_size>(y));
    return y;
  }

  /// The same on caller-owned spans.
  constexpr void step(std::span<const value_type, step_input_size> x, state_type& state,
                      std::span<value_type, step_output_size> y) const noexcept {
    static_assert(check_streaming(), "ctnn::network::step: see the message above");
    std::array<value_type, info::max_step_width> buffer[2];  // each written before it is read
    detail::static_for<layer_count>([&](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      using L = layer_type<I>;
      constexpr std::size_t in = step_width<typename L::input_shape>;
      constexpr std::size_t out = step_width<typename L::output_shape>;
      if constexpr (detail::streams<L>) {
        const auto& l = this->template layer<I>();
        auto src = [&] {
          if constexpr (I == 0) return x;
          else return std::span<const value_type, in>(buffer[(I - 1) % 2].data(), in);
        }();
        auto dst = [&] {
          if constexpr (I + 1 == layer_count) return y;
          else return std::span<value_type, out>(buffer[I % 2].data(), out);
        }();
        if constexpr (!StreamingLayer<L>) {
          l.forward(src, dst);
        } else if constexpr (std::is_same_v<typename L::state_type, no_state>) {
          no_state none{};
          l.step(src, none, dst);
        } else {
          l.step(src, detail::state_at<I>(state), dst);
        }
      }
    });
  }

  /// Forget everything the layers remember (the state of a fresh stream).
  static constexpr void reset(state_type& state) noexcept { state = state_type{}; }

  /// Forward pass that records what the backward pass needs: the input and every layer's trace
  /// (dense: z and a).
  constexpr void forward(const input_type& x, trace_type& t) const noexcept {
    if constexpr (input_shape::rank == 1) t.input = x;
    else detail::flatten_into(x, t.input.data());
    detail::static_for<layer_count>([&](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      constexpr std::size_t in = widths[I];
      this->template layer<I>().forward(std::span<const value_type, in>(t.template layer_input<I>()),
                                        t.template layer<I>());
    });
  }

  /// The traced forward pass, returning the trace.
  [[nodiscard]] constexpr trace_type traced(const input_type& x) const noexcept {
    trace_type t{};
    forward(x, t);
    return t;
  }

  friend constexpr bool operator==(const network&, const network&) = default;

 private:
  static consteval bool check_streaming() {
    detail::static_for<layer_count>([](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      static_assert(detail::streaming_layer_at<I, detail::streams<layer_type<I>>>::ok,
                    "ctnn::network::step: this layer cannot run one time step at a time (it has "
                    "no step(); see ctnn::StreamingLayer, and <layer, ...> in streaming_layer_at)");
    });
    return true;
  }
};

/// Everything a forward pass computed, statically sized from the network type: the input (as
/// row-major values) and each layer's trace (ctnn::Layer::trace_type; dense: z and a).
namespace detail {
template <class N>
struct is_ctnn_network : std::false_type {};
template <class T, class InputSpec, class... Specs>
struct is_ctnn_network<network<T, InputSpec, Specs...>> : std::true_type {};
}  // namespace detail

/// A ctnn::network type.
template <class N>
concept Network = detail::is_ctnn_network<std::remove_cv_t<N>>::value;

template <class Net>
struct trace {
 private:
  template <class Seq>
  struct tuple_of;
  template <std::size_t... I>
  struct tuple_of<std::index_sequence<I...>> {
    using type = boost::hana::tuple<typename Net::template layer_type<I>::trace_type...>;
  };

 public:
  using network_type = Net;
  using value_type = typename Net::value_type;
  using layers_type = typename tuple_of<std::make_index_sequence<Net::layer_count>>::type;

  std::array<value_type, Net::input_size> input{};
  layers_type layers{};

  template <std::size_t I>
  constexpr auto& layer() noexcept { return boost::hana::at_c<I>(layers); }
  template <std::size_t I>
  constexpr const auto& layer() const noexcept { return boost::hana::at_c<I>(layers); }

  /// The input that layer I saw (x for layer 0, else layer I-1's output), as row-major values.
  template <std::size_t I>
  constexpr const auto& layer_input() const noexcept {
    if constexpr (I == 0) return input;
    else return layer<I - 1>().output();
  }

  /// The network's prediction (as row-major values; for a vector output, the output_type).
  constexpr const auto& output() const noexcept { return layer<Net::layer_count - 1>().output(); }

  friend constexpr bool operator==(const trace& x, const trace& y) noexcept {
    bool same = x.input == y.input;
    detail::static_for<Net::layer_count>(
        [&](auto I) { same = same && x.template layer<I()>() == y.template layer<I()>(); });
    return same;
  }
};

}  // namespace ctnn
