// SPDX-License-Identifier: MIT
/// @file spelling.hpp Defines how ctnn writes C++ source text for a type: ctnn::activation_spelling
/// (an activation's C++ spelling) and the integer formatting that layers use in their `spell`.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <ctnn/activation.hpp>

namespace ctnn {

namespace detail {
template <class A>
concept has_cpp_name = requires {
  { A::cpp_name } -> std::convertible_to<std::string_view>;
};
template <class A>
inline constexpr bool builtin_named_activation =
    std::is_same_v<A, identity> || std::is_same_v<A, sigmoid> || std::is_same_v<A, ctnn::tanh> ||
    std::is_same_v<A, relu> || std::is_same_v<A, softplus> || std::is_same_v<A, gelu> ||
    std::is_same_v<A, softmax>;

/// Decimal text of an integer, into a small array (no allocation).
struct decimal {
  std::array<char, 24> digits{};
  std::size_t length = 0;
  constexpr explicit decimal(std::intmax_t v) noexcept {
    const bool negative = v < 0;
    auto u = negative ? std::uintmax_t{0} - static_cast<std::uintmax_t>(v)
                      : static_cast<std::uintmax_t>(v);
    std::array<char, 24> rev{};
    std::size_t n = 0;
    do {
      rev[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
      u /= 10;
    } while (u != 0);
    if (negative) digits[length++] = '-';
    while (n != 0) digits[length++] = rev[--n];
  }
  constexpr std::string_view view() const noexcept { return {digits.data(), length}; }
};
}  // namespace detail

/// The C++ spelling of activation A in generated source. Built-in activations are spelled
/// `ctnn::<name>` (`ctnn::leaky_relu<Num, Den>`, `ctnn::elu<Num, Den>` with their ratio); a
/// user-defined activation gives `static constexpr std::string_view cpp_name = "my::act";` or
/// specialises this trait.
template <class A>
struct activation_spelling {
  static_assert(detail::has_cpp_name<A> || detail::builtin_named_activation<A>,
                "ctnn::export_header: a user-defined activation needs "
                "`static constexpr std::string_view cpp_name` (its C++ spelling, e.g. "
                "\"my::swish\") or a specialisation of ctnn::activation_spelling");
  template <class Sink>
  static constexpr void write(Sink& out) noexcept {
    if constexpr (detail::has_cpp_name<A>) {
      out(std::string_view(A::cpp_name));
    } else if constexpr (detail::builtin_named_activation<A>) {
      out("ctnn::");
      out(std::string_view(A::name));
    }
  }
};

template <std::intmax_t Num, std::intmax_t Den>
struct activation_spelling<leaky_relu<Num, Den>> {
  template <class Sink>
  static constexpr void write(Sink& out) noexcept {
    out("ctnn::leaky_relu<");
    out(detail::decimal(Num).view());
    out(", ");
    out(detail::decimal(Den).view());
    out(">");
  }
};

template <std::intmax_t Num, std::intmax_t Den>
struct activation_spelling<elu<Num, Den>> {
  template <class Sink>
  static constexpr void write(Sink& out) noexcept {
    out("ctnn::elu<");
    out(detail::decimal(Num).view());
    out(", ");
    out(detail::decimal(Den).view());
    out(">");
  }
};

}  // namespace ctnn
