// SPDX-License-Identifier: MIT
/// @file layer.hpp Defines the layer specifications a user writes (ctnn::input, ctnn::dense,
/// ctnn::dense_from) and the concrete fully-connected layer ctnn::dense_layer they become.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <ctnn/activation.hpp>
#include <ctnn/detail/kernels.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

/// Marks "no explicit input size: take the previous layer's output size".
inline constexpr std::size_t deduce = 0;

/// The network's input: N features. First entry of every ctnn::network.
template <std::size_t N>
struct input {
  static constexpr std::size_t size = N;
};

/// A fully-connected layer of `Out` units with activation `Act`: a = Act(W x + b).
/// Its input size is deduced from the previous layer; give `In` (or use dense_from) to state it,
/// and the network checks it against the previous layer.
template <std::size_t Out, class Act = identity, std::size_t In = deduce>
struct dense {
  static constexpr std::size_t output_size = Out;
  static constexpr std::size_t declared_input_size = In;
  using activation = Act;
};

/// The explicit form, sizes in reading order: `dense_from<In, Out, Act>` maps In inputs to Out units.
template <std::size_t In, std::size_t Out, class Act = identity>
using dense_from = dense<Out, Act, In>;

/// The concrete dense layer inside a network: parameters and the per-layer kernels.
///
/// Storage: `W[j][i]` (Out rows of In) and `b[j]`. `W[j][i]` is the notes' `w_{i,j}`: the weight
/// from input i to unit j (notes: `x_j^{l+1} = f(sum_i w_{i,j}^l x_i^l + b_j^l)`).
/// Flat order (ctnn::network::flat): W row by row (W[0][0..In-1], W[1][...], ...), then b.
/// @tparam T the element type  @tparam In inputs  @tparam Out units  @tparam Act activation
template <Scalar T, std::size_t In, std::size_t Out, Activation Act>
struct dense_layer {
  using value_type = T;
  using activation = Act;
  static constexpr std::size_t input_size = In;
  static constexpr std::size_t output_size = Out;
  static constexpr std::size_t weight_count = In * Out;
  static constexpr std::size_t parameter_count = In * Out + Out;
  using input_type = std::array<T, In>;
  using output_type = std::array<T, Out>;
  using weights_type = std::array<std::array<T, In>, Out>;
  using bias_type = std::array<T, Out>;

  weights_type W{};  ///< W[j][i]: input i -> unit j
  bias_type b{};     ///< b[j]: bias of unit j

  /// z = W x + b (the pre-activation).
  constexpr void affine(std::span<const T, In> x, std::span<T, Out> z) const noexcept {
    detail::affine<T, In, Out>(W, b, x, z);
  }

  /// a = Act(W x + b), written into `out` (which may be the z buffer of a trace, or scratch).
  constexpr void forward(std::span<const T, In> x, std::span<T, Out> out) const noexcept {
    affine(x, out);
    detail::activate_in_place<Act>(out);
  }

  friend constexpr bool operator==(const dense_layer&, const dense_layer&) = default;
};

}  // namespace ctnn
