// SPDX-License-Identifier: MIT
/// @file scalar.hpp Defines ctnn::Scalar, the concept every element type must satisfy.
#pragma once

#include <concepts>
#include <type_traits>

namespace ctnn {

/// Opt-in trait: a type is a ctnn element type when this is true.
/// `float` and `double` (and `long double`) are enabled; a fixed-point type is added later by
/// specialising `enable_scalar<my_fixed> : std::true_type {}` and providing the arithmetic
/// operators and the ctnn::math overloads: no layer code changes.
template <class T>
struct enable_scalar : std::bool_constant<std::is_floating_point_v<T>> {};

/// An element type: enabled, copyable, and closed under + - * / with construction from an int.
template <class T>
concept Scalar = enable_scalar<T>::value && std::regular<T> &&
                 requires(T a, T b) {
                   { a + b } -> std::convertible_to<T>;
                   { a - b } -> std::convertible_to<T>;
                   { a * b } -> std::convertible_to<T>;
                   { a / b } -> std::convertible_to<T>;
                   { -a } -> std::convertible_to<T>;
                   { a < b } -> std::convertible_to<bool>;
                   T(1);
                 };

}  // namespace ctnn
