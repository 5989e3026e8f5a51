// SPDX-License-Identifier: MIT
/// @file layers/dense.hpp Defines the fully-connected layer: the specification a user writes
/// (ctnn::dense, ctnn::dense_from) and the concrete ctnn::Layer it becomes (ctnn::dense_layer),
/// with its per-sample and batched kernels.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/detail/shape_checks.hpp>
#include <ctnn/fingerprint.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/layers/dense_kernels.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>
#include <ctnn/spelling.hpp>

namespace ctnn {

/// Per-sample record of a dense layer's forward pass: z = W x + b and a = f(z).
template <class T, std::size_t N>
struct layer_trace {
  std::array<T, N> z{};
  std::array<T, N> a{};
  constexpr const std::array<T, N>& output() const noexcept { return a; }
  friend constexpr bool operator==(const layer_trace&, const layer_trace&) = default;
};

/// The concrete dense layer inside a network (a ctnn::Layer): its parameters and kernels.
///
/// Storage: `W[j][i]` (Out rows of In) and `b[j]`. `W[j][i]` is the notes' `w_{i,j}`: the weight
/// from input i to unit j (notes: `x_j^{l+1} = f(sum_i w_{i,j}^l x_i^l + b_j^l)`).
/// Flat order (ctnn::network::flat): W row by row (W[0][0..In-1], W[1][...], ...), then b.
/// @tparam T the element type  @tparam In inputs  @tparam Out units  @tparam Act activation
template <Scalar T, std::size_t In, std::size_t Out, Activation Act>
struct dense_layer {
  using value_type = T;
  using activation = Act;
  using input_shape = shape<In>;
  using output_shape = shape<Out>;
  using trace_type = layer_trace<T, Out>;
  using state_type = no_state;
  static constexpr std::string_view kind = "dense";
  static constexpr std::size_t input_size = In;
  static constexpr std::size_t output_size = Out;
  static constexpr std::size_t weight_count = In * Out;
  static constexpr std::size_t parameter_count = In * Out + Out;
  static constexpr std::size_t forward_macs = In * Out;
  static constexpr std::size_t fan_in = In;
  static constexpr std::size_t fan_out = Out;
  using input_type = std::array<T, In>;
  using output_type = std::array<T, Out>;
  using weights_type = std::array<std::array<T, In>, Out>;
  using bias_type = std::array<T, Out>;

  weights_type W{};  ///< W[j][i]: input i -> unit j
  bias_type b{};     ///< b[j]: bias of unit j

  /// f(info, ls.W...), then f(info, ls.b...), for same-typed layers (parameters, gradients,
  /// moments): the flat order.
  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&& f, Ls&... ls) noexcept {
    f(tensor_tag<tensor_role::weight, In, Out>{"W"}, ls.W...);
    f(tensor_tag<tensor_role::bias, In, Out>{"b"}, ls.b...);
  }

  /// z = W x + b (the pre-activation).
  constexpr void affine(std::span<const T, In> x, std::span<T, Out> z) const noexcept {
    detail::affine<T, In, Out>(W, b, x, z);
  }

  /// a = Act(W x + b), written into `out` (which may be the z buffer of a trace, or scratch).
  constexpr void forward(std::span<const T, In> x, std::span<T, Out> out) const noexcept {
    affine(x, out);
    detail::activate_in_place<Act>(out);
  }

  /// The forward pass that records z and a.
  constexpr void forward(std::span<const T, In> x, trace_type& t) const noexcept {
    affine(x, std::span<T, Out>(t.z));
    t.a = t.z;
    detail::activate_in_place<Act>(std::span<T, Out>(t.a));
  }

  /// Backpropagation through the layer. From dL/da (or, with FromPreactivation, dL/dz: a loss
  /// fused with the activation), dL/dz = f'(z) (.) dL/da; then dL/dW = dL/dz x^T and dL/db =
  /// dL/dz into *g (added, or with `overwrite` the bits of clearing first), and dL/dx = W^T dL/dz
  /// into dx. g or dx may be nullptr.
  template <bool FromPreactivation = false>
  constexpr void backward(std::span<const T, In> x, const trace_type& t, std::span<const T, Out> dy,
                          dense_layer* g, bool overwrite, T* dx) const noexcept {
    std::array<T, Out> dz;  // written before it is read
    std::span<const T, Out> d = dy;
    if constexpr (!FromPreactivation) {
      detail::activation_vjp<Act, T, Out>(std::span<const T, Out>(t.z), std::span<const T, Out>(t.a),
                                          dy, std::span<T, Out>(dz));
      d = std::span<const T, Out>(dz);
    }
    if (g != nullptr) {
      if (overwrite) detail::accumulate_outer<T, In, Out, true>(g->W, g->b, d, x);
      else detail::accumulate_outer<T, In, Out, false>(g->W, g->b, d, x);
    }
    if (dx != nullptr) detail::transpose_times<T, In, Out>(W, d, std::span<T, In>(dx, In));
  }

  /// Forward-mode tangent: dz = W dx, then da = J_f dz.
  constexpr void jvp(const trace_type& t, std::span<const T, In> dx, std::span<T, Out> da) const noexcept {
    std::array<T, Out> dz;  // written before it is read
    detail::times<T, In, Out>(W, dx, std::span<T, Out>(dz));
    detail::activation_jvp<Act, T, Out>(std::span<const T, Out>(t.z), std::span<const T, Out>(t.a),
                                        std::span<const T, Out>(dz), da);
  }

  // ---- batched tiles (ctnn::batch_trace): B samples, feature-major, value j of sample s at
  // [j * B + s]; the same additions in the same order as the per-sample kernels ----

  /// Z = W X + b and, with `activate`, A = f(Z), for the samples [0, active).
  template <std::size_t B>
  constexpr void forward_tile(const T* x, T* z, T* a, std::size_t active, bool activate) const noexcept {
    detail::affine_batch<T, In, Out, B>(W, b, x, z, active);
    if (activate) detail::activate_batch<Act, T, Out, B>(z, a, active);
  }

  /// dZ = f'(Z) (.) dA (unless FromPreactivation: dy is dZ), then dW += dZ X^T and db += dZ over
  /// the samples [0, count) in order (x_rows: the input, sample-major), and dX = W^T dZ (feature
  /// major) unless dx is nullptr. `scratch` holds Out * B values.
  template <std::size_t B, bool FromPreactivation>
  constexpr void backward_tile(const T* x_rows, const T* z, const T* a, const T* dy, T* scratch,
                               dense_layer& g, bool overwrite, T* dx, std::size_t count,
                               std::size_t active) const noexcept {
    const T* d = dy;
    if constexpr (!FromPreactivation) {
      detail::activation_vjp_batch<Act, T, Out, B>(z, a, dy, scratch, active);
      d = scratch;
    }
    detail::accumulate_outer_batch<T, In, Out, B>(g.W, g.b, d, x_rows, count, overwrite);
    if (dx != nullptr) detail::transpose_times_batch<T, In, Out, B>(W, d, dx, active);
  }

  // ---- one sample, plain gradient descent fused with the gradient (detail::train_sample_descent) ----

  /// dL/dz from dL/da through the activation (f'(z) (.) dL/da for an element-wise one).
  static constexpr void preactivation_gradient(const trace_type& t, std::span<const T, Out> da,
                                               std::span<T, Out> dz) noexcept {
    detail::activation_vjp<Act, T, Out>(std::span<const T, Out>(t.z), std::span<const T, Out>(t.a),
                                        da, dz);
  }
  /// dL/dx from dL/dz (W^T dL/dz).
  constexpr void input_gradient(std::span<const T, Out> dz, std::span<T, In> dx) const noexcept {
    detail::transpose_times<T, In, Out>(W, dz, dx);
  }
  /// The squared norm of the rank-one gradient dz x^T, dz: ||dz||^2 (||x||^2 + 1).
  static constexpr T rank_one_norm2(const T* dz, const T* x) noexcept {
    return detail::dot<T, Out>(dz, dz) * (detail::dot<T, In>(x, x) + T(1));
  }
  /// g = dz x^T (the bits of clear() and backward), then p <- p - eta g.
  constexpr void descend(const T* dz, const T* x, dense_layer& g, T eta) noexcept {
    detail::descend_outer<T, In, Out>(W, b, g.W, g.b, dz, x, eta);
  }
  /// g = dz x^T only.
  static constexpr void outer(const T* dz, std::span<const T, In> x, dense_layer& g) noexcept {
    detail::accumulate_outer<T, In, Out, true>(g.W, g.b, std::span<const T, Out>(dz, Out), x);
  }

  /// The divergence check's sum of squares of this layer's values (optionally scaled first).
  template <bool Scaled>
  constexpr T scaled_sum_of_squares(T scale) noexcept {
    return detail::scaled_sum_of_squares<T, In, Out, Scaled>(W, b, scale);
  }

  /// Kind and configuration for the saved format's topology fingerprint.
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);
    h.u64(In);
    h.u64(Out);
    detail::fingerprint_activation<Act>(h);
  }

  /// The specification a user writes for this layer: `ctnn::dense<Out, Act>`.
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept {
    out("ctnn::dense<");
    out(detail::decimal(static_cast<std::intmax_t>(Out)).view());
    out(", ");
    activation_spelling<Act>::write(out);
    out(">");
  }

  friend constexpr bool operator==(const dense_layer&, const dense_layer&) = default;
};

/// A fully-connected layer of `Out` units with activation `Act`: a = Act(W x + b).
/// Its input size is deduced from the previous layer's output; write `dense<Out, Act, In>` (or
/// `dense_from<In, Out, Act>`) to state it, and the network checks it.
template <std::size_t Out, class Act = identity, std::size_t... In>
struct dense {
  static_assert(sizeof...(In) <= 1, "ctnn::dense<Out, Act, In>: at most one input size");
  static constexpr std::size_t output_size = Out;
  static constexpr bool input_stated = sizeof...(In) == 1;
  /// The stated input size (0 when it is deduced).
  static constexpr std::size_t declared_input_size = (std::size_t{0} + ... + In);
  using activation = Act;

  /// The concrete layer for element type T after a layer whose output is InShape. Well-formed
  /// even when a rule fails (an invalid activation becomes identity), so that a mistake gives one
  /// message, not a cascade.
  template <class T, class InShape>
  using layer = dense_layer<T, InShape::size, Out, std::conditional_t<Activation<Act>, Act, identity>>;

  /// The shape rules of layer number Index (from 0) of a network of LayerCount layers.
  template <std::size_t Index, class InShape, std::size_t LayerCount>
  static consteval bool check() {
    static_assert(detail::vector_input_at_layer<Index, InShape::rank>::ok,
                  "ctnn::dense<Out, Act>: a dense layer reads a vector, shape<N>; the previous "
                  "layer's output has more dimensions (see <layer, rank> in vector_input_at_layer)");
    static_assert(detail::layer_size_at_layer<Index, Out>::ok,
                  "ctnn::dense<Out, Act>: a layer needs Out > 0 (see <layer, Out> in layer_size_at_layer)");
    static_assert(!input_stated ||
                      detail::explicit_input_size_at_layer<Index, InShape::size, declared_input_size>::ok,
                  "ctnn::dense<Out, Act, In> / dense_from<In, Out, Act>: the explicit input "
                  "size In must equal the previous layer's output size (see <layer, previous "
                  "output size, declared In> in explicit_input_size_at_layer)");
    static_assert(detail::activation_at_layer<Index, Activation<Act>>::ok,
                  "ctnn::dense<Out, Act>: Act is not an activation. An element-wise activation "
                  "needs 'static constexpr bool elementwise = true' and 'template <Scalar T> static "
                  "constexpr T value(T)' and 'derivative(T z, T a)'; see ctnn::ElementwiseActivation "
                  "and ctnn::VectorActivation in <ctnn/activation.hpp> (see <layer, ...> in "
                  "activation_at_layer)");
    if constexpr (Activation<Act>) {
      static_assert(!detail::is_output_only<Act> || detail::softmax_at_layer<Index, LayerCount>::ok,
                    "ctnn::network: softmax (a vector-valued, output-only activation) may only be "
                    "used on the last layer (see <layer, layer_count> in softmax_at_layer)");
    }
    return true;
  }
};

/// The explicit form, sizes in reading order: `dense_from<In, Out, Act>` maps In inputs to Out units.
template <std::size_t In, std::size_t Out, class Act = identity>
using dense_from = dense<Out, Act, In>;

}  // namespace ctnn
