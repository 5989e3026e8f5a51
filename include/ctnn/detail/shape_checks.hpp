// SPDX-License-Identifier: MIT
/// @file detail/shape_checks.hpp Not API: resolving layer specifications into concrete layers,
/// the network's own compile-time rules, and the types that carry a rule's numbers into the
/// diagnostic (layer specifications use them for their own rules).
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <ctnn/layer.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>

namespace ctnn::detail {

template <class... Ls>
struct layer_list {
  static constexpr std::size_t size = sizeof...(Ls);
};

template <class S>
struct is_input_spec : std::false_type {};
template <std::size_t... Dims>
struct is_input_spec<input<Dims...>> : std::true_type {};

// -------- the diagnostic types: the compiler prints their arguments when a rule fails --------
// Each reads as <layer index, ...numbers>; layer indices count the layers after input<...> from 0.

/// <layer, previous layer's output size, the In written in dense<Out, Act, In>>
template <std::size_t Layer, std::size_t PreviousOutput, std::size_t DeclaredIn>
struct explicit_input_size_at_layer {
  static constexpr bool ok = PreviousOutput == DeclaredIn;
};
/// <layer, its size>
template <std::size_t Layer, std::size_t Size>
struct layer_size_at_layer {
  static constexpr bool ok = Size != 0;
};
/// <layer, rank of its input shape>
template <std::size_t Layer, std::size_t Rank>
struct vector_input_at_layer {
  static constexpr bool ok = Rank == 1;
};
/// <layer, rank of its input shape>: the layer reads time x channels
template <std::size_t Layer, std::size_t Rank>
struct sequence_input_at_layer {
  static constexpr bool ok = Rank == 2;
};
/// <layer, layer_count>
template <std::size_t Layer, std::size_t LayerCount>
struct softmax_at_layer {
  static constexpr bool ok = Layer + 1 == LayerCount;
};
/// <layer>
template <std::size_t Layer, bool IsSpec>
struct layer_spec_at_layer {
  static constexpr bool ok = IsSpec;
};
/// <layer>
template <std::size_t Layer, bool IsActivation>
struct activation_at_layer {
  static constexpr bool ok = IsActivation;
};
/// <expected size, given size>
template <std::size_t Expected, std::size_t Given>
struct input_array_size {
  static constexpr bool ok = Expected == Given;
};

template <class InputSpec>
struct input_shape_of {
  using type = shape<1>;
};
template <std::size_t... Dims>
struct input_shape_of<input<Dims...>> {
  using type = shape<Dims...>;
};

/// The shape of InputSpec (shape<1> when it is not an input<...>, after a message).
template <class InputSpec>
using input_shape_t = typename input_shape_of<InputSpec>::type;

/// The input shape that layer I sees: the network's input for I = 0, else layer I-1's output.
template <std::size_t I, class InputShape, class List>
struct input_shape_at;
template <std::size_t I, class InputShape, class... Ls>
struct input_shape_at<I, InputShape, layer_list<Ls...>> {
  using type = std::conditional_t<
      I == 0, InputShape,
      typename std::tuple_element_t<(I == 0 ? 0 : I - 1), std::tuple<Ls...>>::output_shape>;
};

/// Runs every rule; each failing rule is one static_assert with one message. `Layers` is the
/// layer_list the specifications resolved to.
template <class T, class Layers, class InputSpec, class... Specs>
consteval bool check_network() {
  static_assert(Scalar<T>,
                "ctnn::network<T, ...>: T must be a numeric element type (float, double, or a "
                "type with ctnn::enable_scalar<T> = true and + - * /)");
  static_assert(is_input_spec<InputSpec>::value,
                "ctnn::network<T, input<N>, layers...>: the first layer must be ctnn::input<N>");
  static_assert(sizeof...(Specs) > 0,
                "ctnn::network<T, input<N>, layers...>: a network needs at least one dense layer "
                "(or another layer after input<N>)");
  static_assert(input_shape_t<InputSpec>::size > 0, "ctnn::input<N>: a network's input needs N > 0");
  if constexpr (sizeof...(Specs) > 0 && is_input_spec<InputSpec>::value) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            static_assert(layer_spec_at_layer<I, LayerSpec<Specs>>::ok,
                          "ctnn::network: every layer after input<N> must be a layer specification "
                          "such as ctnn::dense<Out, Act> (see ctnn::LayerSpec, and <layer, ...> in "
                          "layer_spec_at_layer)");
          }(),
          ...);
      (
          [&] {
            if constexpr (LayerSpec<Specs>) {
              using in_shape = typename input_shape_at<I, input_shape_t<InputSpec>, Layers>::type;
              static_assert(Specs::template check<I, in_shape, sizeof...(Specs)>());
            }
          }(),
          ...);
    }(std::index_sequence_for<Specs...>{});
  }
  return true;
}

}  // namespace ctnn::detail
