// SPDX-License-Identifier: MIT
/// @file detail/shape_checks.hpp Not API: resolving layer specifications into concrete layers,
/// and the compile-time shape rules with types that carry the numbers into the diagnostic.
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <cstddef>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn::detail {

template <class... Ls>
struct layer_list {
  static constexpr std::size_t size = sizeof...(Ls);
};

template <class S>
struct is_input_spec : std::false_type {};
template <std::size_t N>
struct is_input_spec<input<N>> : std::true_type {};

template <class S>
struct is_dense_spec : std::false_type {};
template <std::size_t Out, class Act, std::size_t In>
struct is_dense_spec<dense<Out, Act, In>> : std::true_type {};

// -------- the diagnostic types: the compiler prints their arguments when a rule fails --------
// Each reads as <layer index, ...numbers>; layer indices count dense layers from 0.

/// <layer, previous layer's output_size, the In written in dense<Out, Act, In>>
template <std::size_t Layer, std::size_t PreviousOutput, std::size_t DeclaredIn>
struct explicit_input_size_at_layer {
  static constexpr bool ok = PreviousOutput == DeclaredIn;
};
/// <layer, its size>
template <std::size_t Layer, std::size_t Size>
struct layer_size_at_layer {
  static constexpr bool ok = Size != 0;
};
/// <layer, layer_count>
template <std::size_t Layer, std::size_t LayerCount>
struct softmax_at_layer {
  static constexpr bool ok = Layer + 1 == LayerCount;
};
/// <layer>
template <std::size_t Layer, bool IsDense>
struct dense_spec_at_layer {
  static constexpr bool ok = IsDense;
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

// -------- spec -> concrete layer resolution (well-formed even when a rule fails) --------

template <class S>
struct spec_traits {  // not a dense spec: resolves to a harmless placeholder
  static constexpr std::size_t out = 1, declared_in = 0;
  using act = identity;
};
template <std::size_t Out, class Act, std::size_t In>
struct spec_traits<dense<Out, Act, In>> {
  static constexpr std::size_t out = Out, declared_in = In;
  using act = std::conditional_t<Activation<Act>, Act, identity>;
};

template <class T, std::size_t In, class Done, class... Specs>
struct resolve_impl {
  using type = Done;
};
template <class T, std::size_t In, class... Done, class S, class... Rest>
struct resolve_impl<T, In, layer_list<Done...>, S, Rest...>
    : resolve_impl<T, spec_traits<S>::out,
                   layer_list<Done..., dense_layer<T, In, spec_traits<S>::out,
                                                   typename spec_traits<S>::act>>,
                   Rest...> {};

/// Concrete layers for network<T, input<N>, Specs...>; T falls back to float when it is not a
/// Scalar, so that a wrong element type produces one message, not a cascade.
template <class T, std::size_t N, class... Specs>
using resolve = typename resolve_impl<std::conditional_t<Scalar<T>, T, float>, N,
                                      layer_list<>, Specs...>::type;

template <class InputSpec>
inline constexpr std::size_t input_size_of = [] {
  if constexpr (is_input_spec<InputSpec>::value) return InputSpec::size;
  else return std::size_t{1};
}();

/// Runs every rule; each failing rule is one static_assert with one message.
template <class T, class InputSpec, class... Specs>
consteval bool check_network() {
  static_assert(Scalar<T>,
                "ctnn::network<T, ...>: T must be a numeric element type (float, double, or a "
                "type with ctnn::enable_scalar<T> = true and + - * /)");
  static_assert(is_input_spec<InputSpec>::value,
                "ctnn::network<T, input<N>, layers...>: the first layer must be ctnn::input<N>");
  static_assert(sizeof...(Specs) > 0,
                "ctnn::network<T, input<N>, layers...>: a network needs at least one dense layer");
  static_assert(input_size_of<InputSpec> > 0, "ctnn::input<N>: a network's input needs N > 0");
  if constexpr (sizeof...(Specs) > 0) [&]<std::size_t... I>(std::index_sequence<I...>) {
    constexpr bool is_dense[] = {is_dense_spec<Specs>::value...};
    constexpr std::size_t outs[] = {spec_traits<Specs>::out...};
    constexpr std::size_t declared[] = {spec_traits<Specs>::declared_in...};
    // Previous layer's output size for each layer.
    constexpr std::size_t prev[] = {(I == 0 ? input_size_of<InputSpec> : outs[I == 0 ? 0 : I - 1])...};
    (
        [&] {
          static_assert(dense_spec_at_layer<I, is_dense[I]>::ok,
                        "ctnn::network: every layer after input<N> must be a ctnn::dense<Out, Act> "
                        "(see <layer, ...> in dense_spec_at_layer)");
        }(),
        ...);
    (
        [&] {
          static_assert(layer_size_at_layer<I, outs[I]>::ok,
                        "ctnn::dense<Out, Act>: a layer needs Out > 0 (see <layer, Out> in layer_size_at_layer)");
        }(),
        ...);
    (
        [&] {
          static_assert(declared[I] == deduce ||
                            explicit_input_size_at_layer<I, prev[I], declared[I]>::ok,
                        "ctnn::dense<Out, Act, In> / dense_from<In, Out, Act>: the explicit input "
                        "size In must equal the previous layer's output size (see <layer, previous "
                        "output size, declared In> in explicit_input_size_at_layer)");
        }(),
        ...);
  }(std::index_sequence_for<Specs...>{});
  return true;
}

template <std::size_t Layer, class Act, std::size_t LayerCount>
consteval bool check_activation() {
  static_assert(activation_at_layer<Layer, Activation<Act>>::ok,
                "ctnn::dense<Out, Act>: Act is not an activation. An element-wise activation "
                "needs 'static constexpr bool elementwise = true' and 'template <Scalar T> static "
                "constexpr T value(T)' and 'derivative(T z, T a)'; see ctnn::ElementwiseActivation "
                "and ctnn::VectorActivation in <ctnn/activation.hpp> (see <layer, ...> in "
                "activation_at_layer)");
  if constexpr (Activation<Act>) {
    static_assert(!detail::is_output_only<Act> || softmax_at_layer<Layer, LayerCount>::ok,
                  "ctnn::network: softmax (a vector-valued, output-only activation) may only be "
                  "used on the last layer (see <layer, layer_count> in softmax_at_layer)");
  }
  return true;
}

}  // namespace ctnn::detail
