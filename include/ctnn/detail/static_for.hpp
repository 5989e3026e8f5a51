// SPDX-License-Identifier: MIT
/// @file detail/static_for.hpp Not API: compile-time loops over layer indices.
// IWYU pragma: private, include <ctnn/network.hpp>
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace ctnn::detail {

template <std::size_t I>
using index_c = std::integral_constant<std::size_t, I>;

/// f(index_c<0>{}), f(index_c<1>{}), ..., f(index_c<N-1>{}): unrolled at compile time.
template <std::size_t N, class F>
constexpr void static_for(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) { (f(index_c<I>{}), ...); }(
      std::make_index_sequence<N>{});
}

/// The same, from N-1 down to 0 (the backward pass).
template <std::size_t N, class F>
constexpr void static_for_reverse(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) { (f(index_c<N - 1 - I>{}), ...); }(
      std::make_index_sequence<N>{});
}

}  // namespace ctnn::detail
