// SPDX-License-Identifier: MIT
/// @file fingerprint.hpp Defines the pieces of ctnn's topology fingerprint (the 64-bit FNV-1a
/// hasher and what of an activation goes into it, ctnn::activation_fingerprint), so that a
/// layer type can write its own part (`L::fingerprint(h)`) without including serialize.hpp.
/// The fingerprint itself, the byte string it hashes and how a blob uses it are documented at
/// the top of serialize.hpp.
///
/// A layer type L describes itself with
/// ```
/// template <class H> static constexpr void fingerprint(H& h) noexcept {
///   h.text("conv1d");          // the kind of layer: never the same as another kind's
///   h.u64(input_size); ...     // every compile-time setting that changes what is stored
///   ctnn::detail::fingerprint_activation<activation>(h);  // if it has an activation
/// }
/// ```
/// where `h.text(s)` hashes a length-prefixed string and `h.u64(v)` a little-endian u64.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <string_view>

#include <ctnn/activation.hpp>

namespace ctnn {

namespace detail {

/// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3), fed with bytes, u64
/// little-endian integers and length-prefixed text.
struct fnv1a64 {
  std::uint64_t hash = 0xcbf29ce484222325u;
  constexpr void byte(std::uint8_t b) noexcept {
    hash ^= b;
    hash *= 0x100000001b3u;
  }
  constexpr void u64(std::uint64_t v) noexcept {
    for (int k = 0; k < 8; ++k) byte(static_cast<std::uint8_t>(v >> (8 * k)));
  }
  /// The length as a u64, then the bytes.
  constexpr void text(std::string_view s) noexcept {
    u64(s.size());
    for (const char c : s) byte(static_cast<std::uint8_t>(c));
  }
};

/// N/D in lowest terms with D > 0, as two's complement u64 bit patterns (no overflow for any
/// intmax_t pair with D != 0).
constexpr std::array<std::uint64_t, 2> reduced_fraction(std::intmax_t num, std::intmax_t den) noexcept {
  using U = std::uint64_t;
  const bool negative = (num < 0) != (den < 0) && num != 0;
  const U n = num < 0 ? U{0} - static_cast<U>(num) : static_cast<U>(num);
  const U d = den < 0 ? U{0} - static_cast<U>(den) : static_cast<U>(den);
  U a = n, b = d;
  while (b != 0) {
    const U r = a % b;
    a = b;
    b = r;
  }
  const U g = a == 0 ? U{1} : a;
  const U rn = n / g, rd = n == 0 ? U{1} : d / g;
  return {negative ? U{0} - rn : rn, rd};
}

template <class A>
concept named_activation = requires {
  { A::name } -> std::convertible_to<std::string_view>;
};

/// What a fingerprint is written into: FNV-1a, or anything else with the same two members.
template <class H>
concept fingerprint_hasher = requires(H& h, std::string_view s, std::uint64_t v) {
  h.text(s);
  h.u64(v);
};

}  // namespace detail

/// What of activation A goes into the topology fingerprint: its `name` and its integer
/// parameters. The primary template takes `A::name` and no parameters; leaky_relu and elu add
/// their slope / alpha as a reduced fraction. Specialise it for a user-defined activation that
/// has template parameters (otherwise two instances would get the same fingerprint).
template <class A>
struct activation_fingerprint {
  static_assert(detail::named_activation<A>,
                "ctnn::activation_fingerprint<A>: saving a network needs every activation to have "
                "`static constexpr std::string_view name` (or a specialisation of "
                "ctnn::activation_fingerprint)");
  static constexpr std::string_view name = [] {
    if constexpr (detail::named_activation<A>) return std::string_view(A::name);
    else return std::string_view{};
  }();
  static constexpr std::array<std::uint64_t, 0> parameters{};
};

template <std::intmax_t Num, std::intmax_t Den>
struct activation_fingerprint<leaky_relu<Num, Den>> {
  static constexpr std::string_view name = leaky_relu<Num, Den>::name;
  static constexpr std::array<std::uint64_t, 2> parameters = detail::reduced_fraction(Num, Den);
};

template <std::intmax_t Num, std::intmax_t Den>
struct activation_fingerprint<elu<Num, Den>> {
  static constexpr std::string_view name = elu<Num, Den>::name;
  static constexpr std::array<std::uint64_t, 2> parameters = detail::reduced_fraction(Num, Den);
};

namespace detail {

/// Activation A's part of a fingerprint: its name (length-prefixed), the number K of its
/// integer parameters, then the K parameters (ctnn::activation_fingerprint).
template <class A, fingerprint_hasher H>
constexpr void fingerprint_activation(H& h) noexcept {
  using fp = activation_fingerprint<A>;
  h.text(fp::name);
  h.u64(fp::parameters.size());
  for (const std::uint64_t p : fp::parameters) h.u64(p);
}

}  // namespace detail

}  // namespace ctnn
