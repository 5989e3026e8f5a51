// SPDX-License-Identifier: MIT
/// @file scalar.hpp Defines ctnn::Scalar, the concept every element type must satisfy.
#pragma once

#include <concepts>
#include <type_traits>

#include <ctnn/number_traits.hpp>

namespace ctnn {

/// Opt-in trait: a type is a ctnn element type when this is true.
/// `float` and `double` (and `long double`) are enabled. To add a number type (fixed point, ...),
/// specialise `enable_scalar<my_fixed> : std::true_type {}` and `ctnn::number_traits<my_fixed>`
/// (number_traits.hpp: constants, conversions, the maths functions) and provide the arithmetic
/// operators: no library code changes (tests/support/q16.hpp is an example).
template <class T>
struct enable_scalar : std::bool_constant<std::is_floating_point_v<T>> {};

/// An element type: enabled, with number_traits, copyable, and closed under + - * / with
/// construction from an int.
template <class T>
concept Scalar = enable_scalar<T>::value && requires { sizeof(number_traits<T>); } &&
                 std::regular<T> &&
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
