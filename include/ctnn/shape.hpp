// SPDX-License-Identifier: MIT
/// @file shape.hpp Defines ctnn::shape (the compile-time extents of what a layer reads or
/// writes: a vector `shape<N>`, or time x channels `shape<Time, Channels>`) and ctnn::tensor, the
/// nested std::array a user holds for it.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

namespace ctnn {

/// The extents of a layer's input or output, outermost first. `shape<N>` is a vector of N
/// values; `shape<Time, Channels>` a sequence of Time steps of Channels values each (the layout
/// of a sliding window or of a recurrent layer's input). Layers exchange values as one
/// contiguous run of `size` elements in row-major order: element (t, c) of a `shape<Time,
/// Channels>` is at `t * Channels + c`.
template <std::size_t... Dims>
struct shape {
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::array<std::size_t, rank> dims{Dims...};
  /// Elements in all (the product of the extents).
  static constexpr std::size_t size = (std::size_t{1} * ... * Dims);
};

namespace detail {
template <class T, class Shape>
struct tensor_of;
template <class T, std::size_t N>
struct tensor_of<T, shape<N>> {
  using type = std::array<T, N>;
};
template <class T, std::size_t D0, std::size_t D1, std::size_t... Ds>
struct tensor_of<T, shape<D0, D1, Ds...>> {
  using type = std::array<typename tensor_of<T, shape<D1, Ds...>>::type, D0>;
};

template <class A>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};

/// The element type of a (nested) std::array.
template <class A>
struct innermost {
  using type = A;
};
template <class T, std::size_t N>
struct innermost<std::array<T, N>> : innermost<T> {};
template <class A>
using innermost_t = typename innermost<std::remove_cv_t<A>>::type;

/// The innermost row type of a (nested) std::array: std::array<T, N> for any nesting depth.
template <class A>
struct innermost_row {
  using type = A;
};
template <class R, std::size_t N, std::size_t M>
struct innermost_row<std::array<std::array<R, M>, N>> : innermost_row<std::array<R, M>> {};
template <class A>
using innermost_row_t = typename innermost_row<std::remove_cv_t<A>>::type;

/// Values of a (nested) std::array in all.
template <class A>
inline constexpr std::size_t element_count = [] {
  if constexpr (is_std_array<std::remove_cv_t<A>>::value)
    return std::tuple_size_v<std::remove_cv_t<A>> *
           element_count<std::remove_cv_t<typename A::value_type>>;
  else
    return std::size_t{1};
}();

/// f(a0[k], a1[k], ...) for every element k of same-shaped (nested) std::arrays, in row-major
/// order: plain loops over the innermost rows, so an inlined f vectorises.
template <class F, class A0, class... As>
constexpr void for_each_element(F& f, A0& a0, As&... as) noexcept {
  using E = std::remove_cv_t<typename A0::value_type>;
  if constexpr (is_std_array<E>::value) {
    for (std::size_t k = 0; k < a0.size(); ++k) for_each_element(f, a0[k], as[k]...);
  } else {
    for (std::size_t k = 0; k < a0.size(); ++k) f(a0[k], as[k]...);
  }
}

/// Time steps and channels of a shape<Time, Channels> (a vector counts as one step of all its
/// values, so that a layer alias stays well-formed after its shape rule has failed).
template <class Shape>
inline constexpr std::size_t time_of = Shape::rank >= 2 ? Shape::dims[0] : 1;
template <class Shape>
inline constexpr std::size_t channels_of = Shape::size / (time_of<Shape> == 0 ? 1 : time_of<Shape>);

/// Row-major copy of a (nested) std::array into a run of values, and back.
template <class T, class A>
constexpr void flatten_into(const A& a, T* out) noexcept {
  std::size_t k = 0;
  auto put = [&](const T& v) { out[k++] = v; };
  for_each_element(put, a);
}
template <class T, class A>
constexpr void unflatten_from(const T* in, A& a) noexcept {
  std::size_t k = 0;
  auto get = [&](T& v) { v = in[k++]; };
  for_each_element(get, a);
}

/// The values of a (nested) std::array as one row-major std::array.
template <class T, class A>
constexpr std::array<T, element_count<A>> flat_copy(const A& a) noexcept {
  std::array<T, element_count<A>> out{};
  flatten_into(a, out.data());
  return out;
}
}  // namespace detail

/// What a user holds for a shape: `std::array<T, N>` for `shape<N>`,
/// `std::array<std::array<T, Channels>, Time>` for `shape<Time, Channels>`.
template <class T, class Shape>
using tensor = typename detail::tensor_of<T, Shape>::type;

}  // namespace ctnn
