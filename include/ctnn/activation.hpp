// SPDX-License-Identifier: MIT
/// @file activation.hpp Defines the activation functions (identity, sigmoid, tanh, relu,
/// leaky_relu, elu, softplus, gelu, softmax), the ctnn::Activation concept and the block form
/// (ctnn::BlockActivation) through which one sample and a tile of samples run the same code.
///
/// ## One implementation for one sample and for a batch: the block form
/// A batch is stored feature-major: value j of sample s at `p[j * stride + s]`. A *block* is S
/// samples of that layout, S fixed at compile time. One sample alone is the block S = 1,
/// stride = 1 (a plain array of N values); inside a tile of B samples, ctnn::train_batch calls the
/// same function with S = the samples the kernels process together (detail::sample_block) and
/// stride = B. Because both call the same code, per-sample and batched results are the same bits.
///
/// - An **element-wise** activation needs nothing more: its `value` and `derivative` ARE the one
///   implementation, called in plain loops that vectorise across samples.
/// - A **vector** activation (softmax, or a user type with `apply`/`vjp`/`jvp`) runs a tile one
///   sample at a time (gather, `apply`, scatter) unless it also provides the block form:
///   ```
///   template <ctnn::Scalar T, std::size_t N, std::size_t S>   // a = f(z) for S samples
///   static constexpr void apply_block(const T* z, T* a, std::size_t stride) noexcept;
///   template <ctnn::Scalar T, std::size_t N, std::size_t S>   // out = J^T g for S samples
///   static constexpr void vjp_block(const T* z, const T* a, const T* g, T* out,
///                                   std::size_t stride) noexcept;
///   ```
///   Value j of sample s is at `[j * stride + s]`, s in [0, S), in every array; the output
///   arrays never overlap the inputs (they may be `CTNN_DETAIL_RESTRICT`-qualified, as
///   ctnn::softmax's are). Rules that keep one sample and a tile bit-identical: sample s's results
///   depend only on sample s's values, through the same operations in the same order whatever S
///   is (keep one accumulator per sample, `T acc[S]`, and loop `for j { for s < S { ... } }`:
///   the inner loop is what the compiler vectorises). When present, the block form is used on
///   BOTH paths (detail::activate_in_place and detail::activation_vjp call it with S = 1), so the
///   span members can simply forward to it; `jvp` stays a per-sample member. See ctnn::softmax.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <ctnn/detail/tiles.hpp>
#include <ctnn/math.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/scalar.hpp>

// The built-in activations' value() and derivative() are always inlined into the loops that
// call them (when optimising for speed): their bodies hold the whole inlined ctnn::math function,
// too big for g++'s -O2 inliner, and a loop that calls a function does not vectorise (measured
// at -O2 with g++ 12: a 32-unit tanh layer ran as 32 scalar calls).
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#  define CTNN_DETAIL_ACTIVATION_INLINE [[gnu::always_inline]] inline
#else
#  define CTNN_DETAIL_ACTIVATION_INLINE inline
#endif

namespace ctnn {

// ---------------------------------------------------------------------------------------------
// The two kinds of activation
// ---------------------------------------------------------------------------------------------

/// An element-wise activation `a_j = f(z_j)`. Its Jacobian is diagonal, so it only has to give
/// f and f'. A user-defined one is any type with
/// ```
///   static constexpr bool elementwise = true;
///   template <ctnn::Scalar T> static constexpr T value(T z) noexcept;         // f(z)
///   template <ctnn::Scalar T> static constexpr T derivative(T z, T a) noexcept; // f'(z), a = f(z)
/// ```
/// and optionally `static constexpr std::string_view name` (used in the topology fingerprint
/// of saved networks).
/// (`a` is passed because many derivatives are cheapest in terms of the output: sigmoid's
/// f' = a (1 - a), tanh's f' = 1 - a^2.)
template <class A>
concept ElementwiseActivation = requires { requires A::elementwise == true; } &&
                                requires(float f, double d) {
                                  { A::value(f) } -> std::same_as<float>;
                                  { A::value(d) } -> std::same_as<double>;
                                  { A::derivative(f, f) } -> std::same_as<float>;
                                  { A::derivative(d, d) } -> std::same_as<double>;
                                };

/// A vector-valued activation `a = f(z)` whose Jacobian is full (softmax). A user-defined one is
/// any type with
/// ```
///   static constexpr bool elementwise = false;
///   static constexpr bool output_only = true/false;   // may it only be the last layer?
///   template <Scalar T, std::size_t N>
///   static constexpr void apply(std::span<T, N> za) noexcept;        // in place: z -> a
///   template <Scalar T, std::size_t N>                                // out = J^T g (vector-Jacobian)
///   static constexpr void vjp(std::span<const T, N> z, std::span<const T, N> a,
///                             std::span<const T, N> g, std::span<T, N> out) noexcept;
///   template <Scalar T, std::size_t N>                                // out = J v (Jacobian-vector)
///   static constexpr void jvp(std::span<const T, N> z, std::span<const T, N> a,
///                             std::span<const T, N> v, std::span<T, N> out) noexcept;
/// ```
/// where J is the Jacobian `J[j][k] = da_j / dz_k`.
template <class A>
concept VectorActivation =
    requires { requires A::elementwise == false; } &&
    requires { { A::output_only } -> std::convertible_to<bool>; } &&
    requires(std::span<float, 2> m, std::span<const float, 2> c, std::span<double, 2> md,
             std::span<const double, 2> cd) {
      A::apply(m);
      A::apply(md);
      A::vjp(c, c, c, m);
      A::vjp(cd, cd, cd, md);
      A::jvp(c, c, c, m);
      A::jvp(cd, cd, cd, md);
    };

/// Anything usable as a layer's activation.
template <class A>
concept Activation = ElementwiseActivation<A> || VectorActivation<A>;

/// An activation that also provides the block form (see the top of this file): `apply_block`
/// and `vjp_block` over S samples laid out `[j * stride + s]`. Used, when present, by the
/// per-sample and by the batched passes alike.
template <class A>
concept BlockActivation =
    Activation<A> && requires(const float* c, float* m, const double* cd, double* md,
                              std::size_t stride) {
      A::template apply_block<float, 2, 1>(c, m, stride);
      A::template apply_block<double, 2, 4>(cd, md, stride);
      A::template vjp_block<float, 2, 1>(c, c, c, m, stride);
      A::template vjp_block<double, 2, 4>(cd, cd, cd, md, stride);
    };

// ---------------------------------------------------------------------------------------------
// Element-wise activations
// ---------------------------------------------------------------------------------------------

/// f(z) = z.
struct identity {
  static constexpr std::string_view name = "identity";
  static constexpr bool elementwise = true;
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept { return z; }
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T, T) noexcept { return T(1); }
};

/// Logistic sigmoid f(z) = 1 / (1 + e^-z); f' = a (1 - a). Evaluated via e^-|z| so it never
/// overflows (ctnn::math::sigmoid).
struct sigmoid {
  static constexpr std::string_view name = "sigmoid";
  static constexpr bool elementwise = true;
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept { return math::sigmoid(z); }
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T, T a) noexcept { return a * (T(1) - a); }
};

/// Hyperbolic tangent; f' = 1 - a^2.
struct tanh {
  static constexpr std::string_view name = "tanh";
  static constexpr bool elementwise = true;
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept { return math::tanh(z); }
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T, T a) noexcept { return T(1) - a * a; }
};

/// Rectified linear unit f(z) = max(0, z); f'(z) = 1 for z > 0, else 0 (0 at z = 0 by convention,
/// as in PyTorch). NaN maps to NaN (written `!(z <= 0)`), so bad input is never hidden.
struct relu {
  static constexpr std::string_view name = "relu";
  static constexpr bool elementwise = true;
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept { return !(z <= T(0)) ? z : T(0); }
  template <Scalar T> CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T z, T) noexcept {
    return z > T(0) ? T(1) : T(0);
  }
};

/// Leaky ReLU f(z) = z for z > 0, else slope z, with slope = Num / Den fixed at compile time
/// (default 0.01, PyTorch's). A ratio, not a floating-point template argument, so that clang 14
/// accepts it.
template <std::intmax_t Num = 1, std::intmax_t Den = 100>
struct leaky_relu {
  static_assert(Den != 0, "ctnn::leaky_relu<Num, Den>: the slope Num/Den needs Den != 0");
  static constexpr bool elementwise = true;
  static constexpr std::string_view name = "leaky_relu";
  template <Scalar T> static constexpr T slope() noexcept { return T(Num) / T(Den); }
  template <Scalar T> CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept {
    return z > T(0) ? z : slope<T>() * z;
  }
  template <Scalar T> CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T z, T) noexcept {
    return z > T(0) ? T(1) : slope<T>();
  }
};

/// Exponential linear unit f(z) = z for z > 0, else alpha (e^z - 1), alpha = Num / Den
/// (default 1); for z <= 0, f'(z) = alpha e^z, computed as such (not as a + alpha, which cancels
/// for very negative z: 3.8e-6 relative error at z = -25 in double).
template <std::intmax_t Num = 1, std::intmax_t Den = 1>
struct elu {
  static_assert(Den != 0, "ctnn::elu<Num, Den>: alpha = Num/Den needs Den != 0");
  static constexpr bool elementwise = true;
  static constexpr std::string_view name = "elu";
  template <Scalar T> static constexpr T alpha() noexcept { return T(Num) / T(Den); }
  template <Scalar T> CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept {
    // expm1 of min(z, 0): the unused branch never overflows.
    const T neg = alpha<T>() * math::expm1(z > T(0) ? T(0) : z);
    return z > T(0) ? z : neg;
  }
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T z, T) noexcept {
    // e^min(z, 0): the unused branch never overflows.
    return z > T(0) ? T(1) : alpha<T>() * math::exp(z > T(0) ? T(0) : z);
  }
};

/// Softplus f(z) = ln(1 + e^z), a smooth ReLU; f'(z) = sigmoid(z).
struct softplus {
  static constexpr std::string_view name = "softplus";
  static constexpr bool elementwise = true;
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept { return math::softplus(z); }
  template <Scalar T>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T z, T) noexcept { return math::sigmoid(z); }
};

/// GELU, tanh form (Hendrycks & Gimpel; PyTorch's approximate="tanh"):
/// f(z) = z/2 (1 + tanh(u)), u = c (z + k z^3), c = sqrt(2/pi), k = 0.044715;
/// f'(z) = (1 + t)/2 + z/2 (1 - t^2) c (1 + 3 k z^2), t = tanh(u).
/// Evaluated through 1 + tanh(u) = 2 sigmoid(2u), i.e. with q = sigmoid(2u):
/// f(z) = z q, f'(z) = q + 2 z q (1 - q) c (1 + 3 k z^2) (1 - t^2 = 4 q (1 - q)). 1 + tanh(u)
/// itself cancels for negative z (30 % off at z = -5 in float); q keeps full relative accuracy.
struct gelu {
  static constexpr std::string_view name = "gelu";
  static constexpr bool elementwise = true;
  template <Scalar T> static constexpr T c() noexcept {
    return literal<T>(0.7978845608028653558798921198687637L);  // sqrt(2/pi)
  }
  template <Scalar T> static constexpr T k() noexcept { return literal<T>(0.044715L); }
  template <Scalar T> CTNN_DETAIL_ACTIVATION_INLINE static constexpr T value(T z) noexcept {
    const T q = math::sigmoid(T(2) * (c<T>() * (z + k<T>() * z * z * z)));
    return z * q;
  }
  template <Scalar T> CTNN_DETAIL_ACTIVATION_INLINE static constexpr T derivative(T z, T) noexcept {
    const T q = math::sigmoid(T(2) * (c<T>() * (z + k<T>() * z * z * z)));
    return q + T(2) * z * q * (T(1) - q) * c<T>() * (T(1) + T(3) * k<T>() * z * z);
  }
};

// ---------------------------------------------------------------------------------------------
// Vector activations
// ---------------------------------------------------------------------------------------------

/// Softmax a_j = e^{z_j} / sum_k e^{z_k}, computed as e^{z_j - max z} so it never overflows.
/// Jacobian J[j][k] = a_j (delta_jk - a_k) (symmetric), so J^T g = a * (g - <a, g>).
/// Allowed only on the output layer (a shape rule checked by ctnn::network).
/// Written once in the block form (apply_block, vjp_block); apply, vjp and jvp are that code for
/// one sample. The output spans must not overlap the inputs (apply works in place on a copy).
struct softmax {
  static constexpr std::string_view name = "softmax";
  static constexpr bool elementwise = false;
  static constexpr bool output_only = true;

  /// For each sample: m = max z (from j = 0), then e_j = e^(z_j - m) and their sum (from j = 0),
  /// then a_j = e_j * (1 / sum).
  template <Scalar T, std::size_t N, std::size_t S>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr void apply_block(const T* CTNN_DETAIL_RESTRICT z,
                                                                  T* CTNN_DETAIL_RESTRICT a,
                                                                  std::size_t stride) noexcept {
    static_assert(N > 0, "ctnn::softmax needs at least one output");
    T m[S] = {}, sum[S] = {};
    for (std::size_t s = 0; s < S; ++s) m[s] = z[s];
    for (std::size_t j = 1; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const T v = z[j * stride + s];
        m[s] = v > m[s] ? v : m[s];
      }
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const T e = math::exp(z[j * stride + s] - m[s]);
        a[j * stride + s] = e;
        sum[s] += e;
      }
    for (std::size_t s = 0; s < S; ++s) sum[s] = T(1) / sum[s];
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) a[j * stride + s] *= sum[s];
  }

  /// For each sample: <a, g> from k = 0, then out_j = a_j (g_j - <a, g>).
  template <Scalar T, std::size_t N, std::size_t S>
  CTNN_DETAIL_ACTIVATION_INLINE static constexpr void vjp_block(
      const T* CTNN_DETAIL_RESTRICT, const T* CTNN_DETAIL_RESTRICT a,
      const T* CTNN_DETAIL_RESTRICT g, T* CTNN_DETAIL_RESTRICT out, std::size_t stride) noexcept {
    T dot[S] = {};
    for (std::size_t k = 0; k < N; ++k)
      for (std::size_t s = 0; s < S; ++s) dot[s] += a[k * stride + s] * g[k * stride + s];
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        out[i] = a[i] * (g[i] - dot[s]);
      }
  }

  template <Scalar T, std::size_t N>
  static constexpr void apply(std::span<T, N> za) noexcept {
    std::array<T, N> z{};
    for (std::size_t j = 0; j < N; ++j) z[j] = za[j];
    apply_block<T, N, 1>(z.data(), za.data(), 1);
  }

  template <Scalar T, std::size_t N>
  static constexpr void vjp(std::span<const T, N> z, std::span<const T, N> a,
                            std::span<const T, N> g, std::span<T, N> out) noexcept {
    vjp_block<T, N, 1>(z.data(), a.data(), g.data(), out.data(), 1);
  }

  /// J is symmetric, so the Jacobian-vector product is the same formula.
  template <Scalar T, std::size_t N>
  static constexpr void jvp(std::span<const T, N> z, std::span<const T, N> a,
                            std::span<const T, N> v, std::span<T, N> out) noexcept {
    vjp_block<T, N, 1>(z.data(), a.data(), v.data(), out.data(), 1);
  }
};

// ---------------------------------------------------------------------------------------------
// Uniform interface used by layers, the backward pass and the Jacobian
// ---------------------------------------------------------------------------------------------

/// Element j of the Jacobian of the activation, `da_j / dz_k`, as a full N x N matrix
/// (diagonal for element-wise activations). Mostly for tests and teaching; the backward pass
/// uses the products below instead.
template <Activation A, Scalar T, std::size_t N>
constexpr std::array<std::array<T, N>, N> activation_jacobian(const std::array<T, N>& z,
                                                              const std::array<T, N>& a) noexcept {
  std::array<std::array<T, N>, N> J{};
  if constexpr (ElementwiseActivation<A>) {
    for (std::size_t j = 0; j < N; ++j) J[j][j] = A::derivative(z[j], a[j]);
  } else {
    std::array<T, N> e{}, col{};
    for (std::size_t k = 0; k < N; ++k) {
      e = {};
      e[k] = T(1);
      A::jvp(std::span<const T, N>(z), std::span<const T, N>(a), std::span<const T, N>(e),
             std::span<T, N>(col));
      for (std::size_t j = 0; j < N; ++j) J[j][k] = col[j];
    }
  }
  return J;
}

namespace detail {

/// a = f(z) for one sample (z and a distinct): the block form when A has one (S = 1), else
/// A::value per element or A::apply.
template <Activation A, Scalar T, std::size_t N>
constexpr void activate(std::span<const T, N> z, std::span<T, N> a) noexcept {
  if constexpr (BlockActivation<A>) {
    A::template apply_block<T, N, 1>(z.data(), a.data(), 1);
  } else if constexpr (ElementwiseActivation<A>) {
    for (std::size_t j = 0; j < N; ++j) a[j] = A::value(z[j]);
  } else {
    for (std::size_t j = 0; j < N; ++j) a[j] = z[j];
    A::apply(a);
  }
}

/// z -> a in place (the same code as activate).
template <Activation A, Scalar T, std::size_t N>
constexpr void activate_in_place(std::span<T, N> za) noexcept {
  if constexpr (BlockActivation<A>) {
    std::array<T, N> z{};  // the block form reads z and writes a: never the same array
    for (std::size_t j = 0; j < N; ++j) z[j] = za[j];
    A::template apply_block<T, N, 1>(z.data(), za.data(), 1);
  } else if constexpr (ElementwiseActivation<A>) {
    for (std::size_t j = 0; j < N; ++j) za[j] = A::value(za[j]);
  } else {
    A::apply(za);
  }
}

/// out = J^T g, i.e. dL/dz from dL/da (the chain rule through the activation); out must not
/// overlap z, a or g.
template <Activation A, Scalar T, std::size_t N>
constexpr void activation_vjp(std::span<const T, N> z, std::span<const T, N> a,
                              std::span<const T, N> g, std::span<T, N> out) noexcept {
  if constexpr (BlockActivation<A>) {
    A::template vjp_block<T, N, 1>(z.data(), a.data(), g.data(), out.data(), 1);
  } else if constexpr (ElementwiseActivation<A>) {
    for (std::size_t j = 0; j < N; ++j) out[j] = A::derivative(z[j], a[j]) * g[j];
  } else {
    A::vjp(z, a, g, out);
  }
}

/// out = J v (forward-mode tangent through the activation).
template <Activation A, Scalar T, std::size_t N>
constexpr void activation_jvp(std::span<const T, N> z, std::span<const T, N> a,
                              std::span<const T, N> v, std::span<T, N> out) noexcept {
  if constexpr (ElementwiseActivation<A>) {
    for (std::size_t j = 0; j < N; ++j) out[j] = A::derivative(z[j], a[j]) * v[j];
  } else {
    A::jvp(z, a, v, out);
  }
}

/// a = f(z) over rows of N values for the samples [0, active) of a tile of B samples (value j of
/// sample s at [j * B + s]; active a multiple of sample_block<T, B>): the block form in blocks of
/// sample_block<T, B> samples, else A::value per element, else A::apply one sample at a time.
template <class Act, class T, std::size_t N, std::size_t B>
constexpr void activate_batch(const T* CTNN_DETAIL_RESTRICT z, T* CTNN_DETAIL_RESTRICT a,
                              std::size_t active) noexcept {
  if constexpr (BlockActivation<Act>) {
    constexpr std::size_t S = sample_block<T, B>;
    for (std::size_t s0 = 0; s0 < active; s0 += S)
      Act::template apply_block<T, N, S>(z + s0, a + s0, B);
  } else if constexpr (ElementwiseActivation<Act>) {
    if (active == B) {
      for (std::size_t k = 0; k < N * B; ++k) a[k] = Act::value(z[k]);
    } else {
      for (std::size_t j = 0; j < N; ++j)
        for (std::size_t s = 0; s < active; ++s) a[j * B + s] = Act::value(z[j * B + s]);
    }
  } else {  // a vector activation without the block form: one sample at a time
    for (std::size_t s = 0; s < active; ++s) {
      std::array<T, N> v{};
      for (std::size_t j = 0; j < N; ++j) v[j] = z[j * B + s];
      Act::apply(std::span<T, N>(v));
      for (std::size_t j = 0; j < N; ++j) a[j * B + s] = v[j];
    }
  }
}

/// out = J_f^T g (dL/dz from dL/da) over rows of N values for the samples [0, active) of a tile,
/// the same dispatch as activate_batch.
template <class Act, class T, std::size_t N, std::size_t B>
constexpr void activation_vjp_batch(const T* CTNN_DETAIL_RESTRICT z, const T* CTNN_DETAIL_RESTRICT a,
                                    const T* CTNN_DETAIL_RESTRICT g, T* CTNN_DETAIL_RESTRICT out,
                                    std::size_t active) noexcept {
  if constexpr (BlockActivation<Act>) {
    constexpr std::size_t S = sample_block<T, B>;
    for (std::size_t s0 = 0; s0 < active; s0 += S)
      Act::template vjp_block<T, N, S>(z + s0, a + s0, g + s0, out + s0, B);
  } else if constexpr (ElementwiseActivation<Act>) {
    if (active == B) {
      for (std::size_t k = 0; k < N * B; ++k) out[k] = Act::derivative(z[k], a[k]) * g[k];
    } else {
      for (std::size_t j = 0; j < N; ++j)
        for (std::size_t s = 0; s < active; ++s) {
          const std::size_t k = j * B + s;
          out[k] = Act::derivative(z[k], a[k]) * g[k];
        }
    }
  } else {
    for (std::size_t s = 0; s < active; ++s) {
      std::array<T, N> zs{}, as{}, gs{}, os{};
      for (std::size_t j = 0; j < N; ++j) {
        zs[j] = z[j * B + s];
        as[j] = a[j * B + s];
        gs[j] = g[j * B + s];
      }
      Act::vjp(std::span<const T, N>(zs), std::span<const T, N>(as), std::span<const T, N>(gs),
               std::span<T, N>(os));
      for (std::size_t j = 0; j < N; ++j) out[j * B + s] = os[j];
    }
  }
}

template <class A>
inline constexpr bool is_output_only = [] {
  if constexpr (VectorActivation<A>) return static_cast<bool>(A::output_only);
  else return false;
}();

}  // namespace detail
namespace detail {
/// A layer's activation: its `activation` member, or identity for a layer kind without one
/// (gru, last_step, ...: their output is what a loss sees).
template <class Layer>
struct activation_of {
  using type = identity;
};
template <class Layer>
  requires requires { typename Layer::activation; }
struct activation_of<Layer> {
  using type = typename Layer::activation;
};
template <class Layer>
using activation_of_t = typename activation_of<Layer>::type;
}  // namespace detail

}  // namespace ctnn
