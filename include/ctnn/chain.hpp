// SPDX-License-Identifier: MIT
/// @file chain.hpp Defines ctnn::chain, the composition of two networks (b after a).
#pragma once

#include <cstddef>
#include <type_traits>

#include <ctnn/detail/static_for.hpp>
#include <ctnn/network.hpp>

namespace ctnn {

namespace detail {
/// <a's output_size, b's input_size>
template <std::size_t AOutput, std::size_t BInput>
struct chain_sizes {
  static constexpr bool ok = AOutput == BInput;
};

template <class A, class B, class ASpecs, class BSpecs>
struct chain_type_impl;
template <class A, class B, class... As, class... Bs>
struct chain_type_impl<A, B, layer_list<As...>, layer_list<Bs...>> {
  using type = network<typename A::value_type, typename A::input_spec, As..., Bs...>;
};
}  // namespace detail

/// The network type of `chain(a, b)`: a's input and layers, then b's layers.
template <class A, class B>
using chain_t = typename detail::chain_type_impl<A, B, typename A::layer_specs,
                                                 typename B::layer_specs>::type;

/// Composition: `chain(a, b).forward(x) == b.forward(a.forward(x))`, as one network whose
/// layers are a's followed by b's (parameters copied). Ends that do not match are a
/// compile error.
template <class A, class B>
constexpr auto chain(const A& a, const B& b) noexcept {
  static_assert(std::is_same_v<typename A::value_type, typename B::value_type>,
                "ctnn::chain(a, b): both networks must have the same element type");
  static_assert(detail::chain_sizes<A::output_size, B::input_size>::ok,
                "ctnn::chain(a, b): a's output_size must equal b's input_size (see <a's "
                "output_size, b's input_size> in chain_sizes)");
  if constexpr (detail::chain_sizes<A::output_size, B::input_size>::ok &&
                std::is_same_v<typename A::value_type, typename B::value_type>) {
    chain_t<A, B> c{};
    detail::static_for<A::layer_count>(
        [&](auto I) { c.template layer<I()>() = a.template layer<I()>(); });
    detail::static_for<B::layer_count>(
        [&](auto I) { c.template layer<A::layer_count + I()>() = b.template layer<I()>(); });
    return c;
  } else {
    return a;  // unreachable: the static_assert above has already failed
  }
}

}  // namespace ctnn
