// SPDX-License-Identifier: MIT
/// @file finite.hpp Defines ctnn::check_finite, ctnn::first_non_finite and ctnn::all_finite,
/// and documents what a network does with NaN and infinite numbers.
///
/// Bad numbers at run time
/// =======================
/// ctnn never traps, never branches on a NaN and never hides one on purpose; it computes IEEE-754
/// arithmetic as written. What that means for `net.forward(x)`:
///
/// * A NaN in the input x makes every pre-activation of the first layer NaN
///   (`z_j = sum_i w_ji x_i + bias_j`, and `0 * NaN = NaN`). From there on NaN propagates through
///   identity, sigmoid, tanh, relu, leaky_relu, elu, softplus, gelu and softmax (each maps NaN
///   to NaN; relu is written `!(z <= 0) ? z : 0` for that reason, as PyTorch's relu), so the
///   whole output is NaN: bad input is never hidden behind ordinary-looking numbers.
/// * An infinite input gives `0 * inf = NaN` wherever a weight is exactly 0, and `inf - inf = NaN`
///   where weights of both signs meet it; otherwise it reaches z as +-inf. There sigmoid (1 at
///   +inf, 0 at -inf), tanh (+-1), softplus(-inf) = 0, elu(-inf) = -alpha and relu(-inf) = 0
///   saturate to finite values; identity, relu(+inf), leaky_relu, softplus(+inf) and elu(+inf)
///   keep the infinity; gelu(-inf) and a softmax with a +inf entry give NaN. The output can
///   therefore be NaN, infinite, or finite but meaningless.
/// * Finite inputs can still overflow to +-inf in W x + b with huge weights; the activations
///   themselves never overflow (ctnn::math evaluates sigmoid, tanh, softplus and softmax in forms
///   that cannot overflow).
///
/// So: an output is trustworthy only when the input is finite, the parameters are finite
/// (check_finite) and the output is finite (all_finite). Training refuses bad data up front
/// (ctnn::fit returns status::non_finite_data with report.bad_sample and changes nothing), and
/// a non-finite loss or gradient during training gives status::diverged with the last good
/// parameters restored. ctnn::load refuses a blob holding NaN or infinity
/// (status::non_finite_value) and ctnn::save will not write one.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include <ctnn/layer.hpp>
#include <ctnn/math.hpp>
#include <ctnn/network.hpp>
#include <ctnn/parameters.hpp>
#include <ctnn/status.hpp>

namespace ctnn {

/// Flat index (ctnn::parameters order) of the first parameter that is NaN or infinite, or
/// `parameter_count` when all are finite. Works on anything with the shape of a network's
/// parameters: a network, ctnn::gradients, an optimiser's moments.
template <class P>
  requires requires { std::remove_cvref_t<P>::parameter_count; }
[[nodiscard]] constexpr std::size_t first_non_finite(const P& p) noexcept {
  using T = typename std::remove_cvref_t<P>::value_type;
  constexpr std::size_t n = std::remove_cvref_t<P>::parameter_count;
  std::size_t k = 0, first = n;
  for_each_parameter(
      [&](const T& v) {
        if (first == n && !math::isfinite(v)) first = k;
        ++k;
      },
      p);
  return first;
}

/// status::ok when every parameter of `p` (a network, gradients, optimiser moments) is finite,
/// status::non_finite_value when one is NaN or infinite (first_non_finite says which).
[[nodiscard]] constexpr status check_finite(const auto& p) noexcept
  requires requires { first_non_finite(p); }
{
  return first_non_finite(p) == std::remove_cvref_t<decltype(p)>::parameter_count
             ? status::ok
             : status::non_finite_value;
}

/// true when every element of v is finite (neither NaN nor infinite). For checking an input
/// before forward, or an output after it.
template <class T, std::size_t N>
[[nodiscard]] constexpr bool all_finite(std::span<const T, N> v) noexcept {
  bool ok = true;
  for (const T& x : v) ok = ok && math::isfinite(x);
  return ok;
}

/// The same for a std::array (a network's input_type / output_type; nested for a window of
/// time x channels).
template <class T, std::size_t N>
[[nodiscard]] constexpr bool all_finite(const std::array<T, N>& v) noexcept {
  if constexpr (detail::is_std_array<T>::value) {
    bool ok = true;
    for (const T& row : v) ok = ok && all_finite(row);
    return ok;
  } else {
    return all_finite(std::span<const T, N>(v));
  }
}

/// true when everything a stream remembers (ctnn::network::state_type) is finite. A NaN or an
/// infinity fed to net.step reaches the state of a recurrent layer and stays there, so every
/// later output is NaN: check the input (all_finite(x_t)) or the state, and reset it.
template <std::size_t... I, class... S>
[[nodiscard]] constexpr bool all_finite(const detail::state_list<std::index_sequence<I...>, S...>& state) noexcept {
  auto one = [](const auto& s) {
    if constexpr (requires { s.all_finite(); }) return s.all_finite();
    else return true;  // ctnn::no_state, or a state with nothing numeric to check
  };
  return (one(detail::state_at<I>(state)) && ...);
}

/// status::ok when the stream state is finite, status::non_finite_value otherwise (then
/// Net::reset(state) starts afresh).
template <std::size_t... I, class... S>
[[nodiscard]] constexpr status check_finite(const detail::state_list<std::index_sequence<I...>, S...>& state) noexcept {
  return all_finite(state) ? status::ok : status::non_finite_value;
}

}  // namespace ctnn
