// SPDX-License-Identifier: MIT
/// @file requirements.hpp Defines the concepts that ctnn's entry points (fit, train_batch,
/// evaluate, accuracy) are constrained by: ctnn::Optimizer (optimizer.hpp), ctnn::RowsOf, ctnn::LossFor (which
/// pairs a loss with a network's output), and the one-sentence diagnostics for calls that do
/// not satisfy them (ctnn::Network is in network.hpp: init, save and load use it too).
///
/// A call that does not satisfy them is answered by a diagnostic overload of the entry point
/// with one `static_assert` and one ctnn sentence (what is wrong and what to write instead),
/// instead of "no matching function for call to fit" and a page of candidates.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>

#include <ctnn/backward.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>

namespace ctnn {

namespace detail {
/// false, but only once T is known (for static_assert in a diagnostic overload).
template <class...>
inline constexpr bool always_false = false;
}  // namespace detail

/// A loss that fits Net's output (its size, element type and output activation).
template <class L, class Net>
concept LossFor = Network<Net> && Loss<L, typename Net::value_type, Net::output_size> &&
                  static_cast<bool>(L::template accepts_output<output_activation_t<Net>>);

/// Data that a span of rows of type Row can view: a std::array, std::vector, C array or span of
/// exactly Row (the element type and the width must match; nothing is converted).
template <class Data, class Row>
concept RowsOf = std::convertible_to<const Data&, std::span<const Row>>;

}  // namespace ctnn

namespace ctnn::detail {

/// Every argument of a training or evaluation call is what it must be (Opt = void: no optimiser
/// in the call).
template <class Net, class Xs, class Ys, class L, class Opt>
consteval bool training_arguments_ok() {
  if constexpr (!Network<Net>) {
    return false;
  } else {
    using T = typename Net::value_type;
    bool ok = RowsOf<Xs, typename Net::input_type> && RowsOf<Ys, typename Net::output_type>;
    if constexpr (!std::is_void_v<L>) ok = ok && Loss<L, T, Net::output_size>;
    if constexpr (!std::is_void_v<Opt>) ok = ok && Optimizer<Opt, Net>;
    return ok;
  }
}

/// The diagnostics of a call that training_arguments_ok refuses: one static_assert each.
template <class Net, class Xs, class Ys, class L, class Opt>
constexpr void diagnose_training_arguments() noexcept {
  static_assert(Network<Net>,
                "ctnn::fit / train_batch / evaluate / accuracy: net must be a ctnn::network");
  if constexpr (Network<Net>) {
    static_assert(RowsOf<Xs, typename Net::input_type>,
                  "ctnn::fit / train_batch / evaluate / accuracy: X must hold rows of the "
                  "network's input_type (std::array<value_type, input_size>, in any contiguous "
                  "range); these rows have another width or element type");
    static_assert(RowsOf<Ys, typename Net::output_type>,
                  "ctnn::fit / train_batch / evaluate / accuracy: Y must hold rows of the "
                  "network's output_type (std::array<value_type, output_size>); these targets "
                  "have another width or element type");
    if constexpr (!std::is_void_v<L>)
      static_assert(Loss<L, typename Net::value_type, Net::output_size>,
                    "ctnn::fit / train_batch / evaluate: loss must be a ctnn loss such as "
                    "ctnn::mse{} or ctnn::categorical_cross_entropy{} (see ctnn::Loss)");
    if constexpr (!std::is_void_v<Opt>)
      static_assert(Optimizer<Opt, Net>,
                    "ctnn::fit / train_batch: opt must be a ctnn optimiser such as "
                    "ctnn::adam{0.01f} or ctnn::sgd{0.1f}, not a number or another object (see "
                    "ctnn::Optimizer)");
  }
}

}  // namespace ctnn::detail
