// SPDX-License-Identifier: MIT
/// @file loss.hpp Defines the loss functions (ctnn::mse, mae, huber, binary_cross_entropy,
/// categorical_cross_entropy), the ctnn::Loss concept, and ctnn::loss_and_output_delta, the one
/// call the training loop makes per sample (the loss value and dL/dz of the output layer).
///
/// ## What a loss computes, and how it is reduced
/// Notation: `y` is the target, `y'` the prediction (the network's output), both of length n =
/// the number of outputs. Every loss here gives the loss of ONE sample, reduced over the n outputs
/// as follows (the notes' formulas, with the notes' n read as the number of outputs):
///
/// | loss                        | per-sample value                                      | notes  |
/// |-----------------------------|-------------------------------------------------------|--------|
/// | mse                         | 1/n sum_i (y_i - y'_i)^2                              | MSE    |
/// | mae                         | 1/n sum_i abs(y_i - y'_i)                             |        |
/// | huber (delta)               | 1/n sum_i h(y'_i - y_i), h(d) = d^2/2 if abs(d) <= delta, else delta (abs(d) - delta/2) | |
/// | binary_cross_entropy        | 1/n sum_i -[y_i ln y'_i + (1 - y_i) ln(1 - y'_i)]     |        |
/// | categorical_cross_entropy   | -sum_i y_i ln y'_i   (a SUM over the classes)         | CEE    |
///
/// Over a batch the training loop takes the mean over the samples. Together these are PyTorch's
/// default `reduction='mean'`: MSELoss, L1Loss, HuberLoss and BCELoss average over all elements
/// (samples x outputs); CrossEntropyLoss sums over the classes and averages over the batch. So a
/// ctnn loss on a batch equals the corresponding PyTorch loss on the same batch.
/// `gradient()` is the gradient of exactly this per-sample value with respect to y'.
///
/// ## Output layers (pairing rules, checked at compile time)
/// A loss states which output activations it may follow (`accepts_output<Act>`):
/// - categorical_cross_entropy needs ctnn::softmax (its log needs probabilities summing to 1);
/// - binary_cross_entropy needs ctnn::sigmoid (its logs need every output in (0, 1));
/// - mse, mae, huber accept every activation (regression on any range; after softmax, MSE is the
///   Brier score, a legitimate choice).
/// ctnn::loss_and_output_delta static_asserts the rule with a message naming the loss and rule.
///
/// ## Fused, numerically stable forms
/// When the pairing is present, loss_and_output_delta works from the output layer's
/// pre-activation z (the logits) instead of its probabilities, chosen at compile time:
/// - softmax + categorical cross-entropy: value = sum_j y_j (logsumexp(z) - z_j), evaluated as
///   sum_j y_j ((m - z_j) + ln sum_k e^{z_k - m}) with m = max z (no cancellation, also for
///   large logits), dL/dz = softmax(z) sum(y) - y (= y' - y for one-hot or probability targets);
/// - sigmoid + binary cross-entropy: value = 1/n sum_i [max(z_i, 0) - z_i y_i + ln(1 + e^-abs(z_i))],
///   dL/dz_i = (sigmoid(z_i) - y_i) / n.
/// Both stay exact and finite for any finite logits (e.g. abs(z) = 1e4), where the
/// probability forms saturate.
///
/// ## Clamping of the probability forms
/// Called on probabilities (`value`, `gradient`), binary and categorical cross-entropy clamp the
/// argument of every log to [eps, 1], eps = ctnn::log_epsilon<T> (1e-7 for float, 1e-15 for double
/// and wider), and divide by the clamped value in the gradient. A prediction of exactly 0 or 1
/// therefore gives a large but finite loss (at most -ln eps: 16.1 for float, 34.5 for double) and
/// a finite gradient, never inf or NaN.
///
/// ## One implementation for one sample and for a batch: the block form
/// A batch is stored feature-major: value j of sample s at `p[j * stride + s]`. Every built-in
/// loss is written ONCE, as functions over a block of S samples of that layout (S fixed at
/// compile time); one sample is the block S = 1, stride = 1, and ctnn::train_batch calls the
/// same functions on a tile of B samples with S = detail::sample_block<T, B> and stride = B.
/// So per-sample and batched training compute every loss and every dL/dz with the same code,
/// and add the per-sample losses in the same order: the same bits. A user-defined loss may
/// provide the same (ctnn::BlockLoss, ctnn::BlockFusedLoss):
/// ```
///   template <ctnn::Scalar T, std::size_t N, std::size_t S>   // value[s] = loss of sample s
///   constexpr void value_block(const T* pred, const T* target, T* value,
///                              std::size_t stride) const noexcept;
///   template <ctnn::Scalar T, std::size_t N, std::size_t S>   // dL/dpred of those values
///   constexpr void gradient_block(const T* pred, const T* target, T* dL_dpred,
///                                 std::size_t stride) const noexcept;
///   template <ctnn::Scalar T, std::size_t N, std::size_t S>   // optional: fused after Act
///   constexpr void fused_value_and_delta_block(Act, const T* z, const T* target, T* dL_dz,
///                                              T* value, std::size_t stride) const noexcept;
/// ```
/// `value` holds S contiguous values (one per sample); every other array is `[j * stride + s]`,
/// s in [0, S). Outputs never overlap inputs (they may be `CTNN_DETAIL_RESTRICT`-qualified, as the
/// built-ins' are). Sample s's results must depend only on sample s, through the same operations
/// whatever S is: one accumulator per sample (`T acc[S] = {}`), loops `for j { for s < S }` (the
/// inner one is what vectorises), and the value summed over j in one fixed order. The per-sample
/// members the concepts require can then forward to the block: `ctnn::value_from_block(*this,
/// pred, target)`, `ctnn::gradient_from_block(...)`, `ctnn::fused_value_and_delta_from_block(...)`.
/// Whenever the block form is present, loss_and_output_delta and loss_value call it too (S = 1).
/// A loss without it keeps working unchanged: the batched path then calls its per-sample members
/// one sample at a time (same bits, slower). Activations have the same block form
/// (activation.hpp).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <limits>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/backward.hpp>
#include <ctnn/detail/tiles.hpp>
#include <ctnn/math.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/network.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

// ---------------------------------------------------------------------------------------------
// The concept
// ---------------------------------------------------------------------------------------------

/// A loss for predictions and targets of type std::array<T, N>. A user-defined loss is any
/// (small, copyable) type with
/// ```
///   template <ctnn::Scalar T, std::size_t N>          // the per-sample loss
///   constexpr T value(const std::array<T, N>& pred, const std::array<T, N>& target) const noexcept;
///   template <ctnn::Scalar T, std::size_t N>          // dL/dpred of that value
///   constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
///                           std::array<T, N>& dL_dpred) const noexcept;
///   template <class Act>                              // may it follow output activation Act?
///   static constexpr bool accepts_output = true;
/// ```
/// Optionally, for a fused form after output activation Act (see ctnn::FusedLoss):
/// ```
///   template <ctnn::Scalar T, std::size_t N>          // value from the logits z, and dL/dz
///   constexpr T fused_value_and_delta(Act, const std::array<T, N>& z,
///       const std::array<T, N>& target, std::array<T, N>& dL_dz) const noexcept;
/// ```
/// and optionally the block form (ctnn::BlockLoss, ctnn::BlockFusedLoss; see the top of this
/// file), which gives the fast batched path. value and gradient must be noexcept (the training
/// loop is). Hyper-parameters are data members (e.g. ctnn::huber::delta). A loss that breaks its
/// own accepts_output rule in loss_and_output_delta gets a generic static_assert naming
/// Loss::accepts_output.
template <class L, class T, std::size_t N>
concept Loss = Scalar<T> && std::copy_constructible<L> &&
               requires(const L& l, const std::array<T, N>& pred, const std::array<T, N>& target,
                        std::array<T, N>& dL_dpred) {
                 { l.value(pred, target) } noexcept -> std::same_as<T>;
                 { l.gradient(pred, target, dL_dpred) } noexcept;
                 { L::template accepts_output<identity> } -> std::convertible_to<bool>;
               };

/// L has a fused form after output activation Act: `l.fused_value_and_delta(Act{}, z, y, dL_dz)`
/// returns the loss from the output layer's pre-activation z and writes dL/dz.
template <class L, class Act, class T, std::size_t N>
concept FusedLoss = Loss<L, T, N> &&
                    requires(const L& l, const std::array<T, N>& z, const std::array<T, N>& target,
                             std::array<T, N>& dL_dz) {
                      { l.fused_value_and_delta(Act{}, z, target, dL_dz) } noexcept
                          -> std::same_as<T>;
                    };

/// L also has the block form of value and gradient (`value_block`, `gradient_block`: S samples
/// laid out `[j * stride + s]`; see the top of this file). Then the per-sample and the batched
/// passes both call it.
template <class L, class T, std::size_t N>
concept BlockLoss = Loss<L, T, N> &&
                    requires(const L& l, const T* c, T* m, std::size_t stride) {
                      { l.template value_block<T, N, 1>(c, c, m, stride) } noexcept;
                      { l.template gradient_block<T, N, 1>(c, c, m, stride) } noexcept;
                    };

/// L's fused form after Act also comes as a block (`fused_value_and_delta_block`).
template <class L, class Act, class T, std::size_t N>
concept BlockFusedLoss =
    FusedLoss<L, Act, T, N> && requires(const L& l, const T* c, T* m, std::size_t stride) {
      { l.template fused_value_and_delta_block<T, N, 1>(Act{}, c, c, m, m, stride) } noexcept;
    };

/// The lower clamp of the cross-entropies' log argument: 1e-7 for float (and any IEEE type with
/// at most float's 24-bit mantissa), 1e-15 for double and wider, number_traits<T>::epsilon() for
/// any other type (e.g. fixed point, where 1e-7 would be 0). Specialise it for a custom Scalar.
template <class T>
inline constexpr T log_epsilon =
    !number_traits<T>::is_iec559 ? number_traits<T>::epsilon()
    : number_traits<T>::digits > 24 ? literal<T>(1e-15)
                                    : literal<T>(1e-7);

// ---------------------------------------------------------------------------------------------
// The per-sample members of a loss written in block form (S = 1, stride 1)
// ---------------------------------------------------------------------------------------------

/// `loss.value(pred, target)` through `loss.value_block`.
template <class L, Scalar T, std::size_t N>
constexpr T value_from_block(const L& loss, const std::array<T, N>& pred,
                             const std::array<T, N>& target) noexcept {
  T v[1] = {};
  loss.template value_block<T, N, 1>(pred.data(), target.data(), v, 1);
  return v[0];
}

/// `loss.gradient(pred, target, dL_dpred)` through `loss.gradient_block`.
template <class L, Scalar T, std::size_t N>
constexpr void gradient_from_block(const L& loss, const std::array<T, N>& pred,
                                   const std::array<T, N>& target,
                                   std::array<T, N>& dL_dpred) noexcept {
  loss.template gradient_block<T, N, 1>(pred.data(), target.data(), dL_dpred.data(), 1);
}

/// `loss.fused_value_and_delta(act, z, target, dL_dz)` through
/// `loss.fused_value_and_delta_block`.
template <class L, class Act, Scalar T, std::size_t N>
constexpr T fused_value_and_delta_from_block(const L& loss, Act act, const std::array<T, N>& z,
                                             const std::array<T, N>& target,
                                             std::array<T, N>& dL_dz) noexcept {
  T v[1] = {};
  loss.template fused_value_and_delta_block<T, N, 1>(act, z.data(), target.data(), dL_dz.data(),
                                                     v, 1);
  return v[0];
}

namespace detail {

template <class T, std::size_t N>
constexpr T inverse_count() noexcept {
  static_assert(N > 0, "ctnn: a loss needs at least one output");
  return T(1) / static_cast<T>(N);
}

/// p clamped to [eps, 1] (NaN stays NaN).
template <class T>
constexpr T clamp_probability(T p) noexcept {
  const T eps = log_epsilon<T>;
  return p < eps ? eps : (T(1) < p ? T(1) : p);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Regression losses
// ---------------------------------------------------------------------------------------------
// Every built-in loss is written once, in the block form; value, gradient and
// fused_value_and_delta are that code for one sample.

/// Mean squared error (notes: `MSE = 1/n sum_i (y_i - y'_i)^2`, n = outputs; PyTorch MSELoss).
/// dL/dy'_i = 2 (y'_i - y_i) / n. Accepts every output activation.
struct mse {
  template <class Act>
  static constexpr bool accepts_output = true;

  /// value[s] = (sum_j (y'_j - y_j)^2 from j = 0) * (1/n).
  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void value_block(const T* CTNN_DETAIL_RESTRICT pred, const T* CTNN_DETAIL_RESTRICT target,
                             T* CTNN_DETAIL_RESTRICT value, std::size_t stride) const noexcept {
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const T d = pred[j * stride + s] - target[j * stride + s];
        acc[s] += d * d;
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s] * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void gradient_block(const T* CTNN_DETAIL_RESTRICT pred,
                                const T* CTNN_DETAIL_RESTRICT target,
                                T* CTNN_DETAIL_RESTRICT dL_dpred, std::size_t stride) const noexcept {
    const T k = T(2) * detail::inverse_count<T, N>();
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        dL_dpred[i] = k * (pred[i] - target[i]);
      }
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    return value_from_block(*this, pred, target);
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    gradient_from_block(*this, pred, target, dL_dpred);
  }
};

/// Mean absolute error `1/n sum_i abs(y_i - y'_i)` (PyTorch L1Loss).
/// dL/dy'_i = sign(y'_i - y_i) / n, with sign(0) = 0 (as PyTorch). Accepts every output activation.
struct mae {
  template <class Act>
  static constexpr bool accepts_output = true;

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void value_block(const T* CTNN_DETAIL_RESTRICT pred, const T* CTNN_DETAIL_RESTRICT target,
                             T* CTNN_DETAIL_RESTRICT value, std::size_t stride) const noexcept {
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s)
        acc[s] += math::abs(pred[j * stride + s] - target[j * stride + s]);
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s] * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void gradient_block(const T* CTNN_DETAIL_RESTRICT pred,
                                const T* CTNN_DETAIL_RESTRICT target,
                                T* CTNN_DETAIL_RESTRICT dL_dpred, std::size_t stride) const noexcept {
    const T k = detail::inverse_count<T, N>();
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        const T d = pred[i] - target[i];
        dL_dpred[i] = d > T(0) ? k : (d < T(0) ? -k : T(0));
      }
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    return value_from_block(*this, pred, target);
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    gradient_from_block(*this, pred, target, dL_dpred);
  }
};

/// Huber loss (PyTorch HuberLoss): with d_i = y'_i - y_i,
/// `1/n sum_i h(d_i)`, h(d) = d^2 / 2 for abs(d) <= delta, delta (abs(d) - delta / 2) beyond:
/// quadratic near 0, linear (robust to outliers) far out. dL/dy'_i = clamp(d_i, -delta, delta) / n.
/// `delta` must be > 0 (default 1). Accepts every output activation.
///
/// `ctnn::huber{}` is huber<double> with delta 1; `ctnn::huber{0.5f}` is huber<float>. Either
/// works with float and double networks (delta is converted to the network's type).
/// @tparam D the type delta is stored in
template <Scalar D = double>
struct huber {
  D delta = D(1);  ///< where the loss turns from quadratic to linear (> 0)

  template <class Act>
  static constexpr bool accepts_output = true;

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void value_block(const T* CTNN_DETAIL_RESTRICT pred, const T* CTNN_DETAIL_RESTRICT target,
                             T* CTNN_DETAIL_RESTRICT value, std::size_t stride) const noexcept {
    const T dl = number_cast<T>(delta);
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const T a = math::abs(pred[j * stride + s] - target[j * stride + s]);
        acc[s] += a <= dl ? literal<T>(0.5) * a * a : dl * (a - literal<T>(0.5) * dl);
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s] * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void gradient_block(const T* CTNN_DETAIL_RESTRICT pred,
                                const T* CTNN_DETAIL_RESTRICT target,
                                T* CTNN_DETAIL_RESTRICT dL_dpred, std::size_t stride) const noexcept {
    const T dl = number_cast<T>(delta);
    const T k = detail::inverse_count<T, N>();
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        const T d = pred[i] - target[i];
        dL_dpred[i] = k * (d > dl ? dl : (d < -dl ? -dl : d));
      }
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    return value_from_block(*this, pred, target);
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    gradient_from_block(*this, pred, target, dL_dpred);
  }

  friend constexpr bool operator==(const huber&, const huber&) = default;
};

/// `ctnn::huber{0.5f}` -> huber<float>, `ctnn::huber{0.5}` -> huber<double> (explicit, because
/// clang 14 has no aggregate deduction).
template <Scalar D>
huber(D) -> huber<D>;

// ---------------------------------------------------------------------------------------------
// Classification losses
// ---------------------------------------------------------------------------------------------

/// Binary cross-entropy (PyTorch BCELoss), one independent yes/no probability per output:
/// `1/n sum_i -[y_i ln y'_i + (1 - y_i) ln(1 - y'_i)]`, targets in [0, 1].
/// dL/dy'_i = (-y_i / y'_i + (1 - y_i) / (1 - y'_i)) / n, with the log arguments and the
/// denominators clamped to [log_epsilon<T>, 1] (finite for y' = 0 or 1).
/// Needs a ctnn::sigmoid output layer; then the fused form on the logits z is used:
/// `1/n sum_i [max(z_i, 0) - z_i y_i + ln(1 + e^-abs(z_i))]`, dL/dz_i = (sigmoid(z_i) - y_i) / n
/// (PyTorch BCEWithLogitsLoss).
struct binary_cross_entropy {
  template <class Act>
  static constexpr bool accepts_output = std::is_same_v<Act, sigmoid>;

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void value_block(const T* CTNN_DETAIL_RESTRICT pred, const T* CTNN_DETAIL_RESTRICT target,
                             T* CTNN_DETAIL_RESTRICT value, std::size_t stride) const noexcept {
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        const T p = detail::clamp_probability(pred[i]);
        const T q = detail::clamp_probability(T(1) - pred[i]);
        acc[s] -= target[i] * math::log(p) + (T(1) - target[i]) * math::log(q);
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s] * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void gradient_block(const T* CTNN_DETAIL_RESTRICT pred,
                                const T* CTNN_DETAIL_RESTRICT target,
                                T* CTNN_DETAIL_RESTRICT dL_dpred, std::size_t stride) const noexcept {
    const T k = detail::inverse_count<T, N>();
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        const T p = detail::clamp_probability(pred[i]);
        const T q = detail::clamp_probability(T(1) - pred[i]);
        dL_dpred[i] = k * ((T(1) - target[i]) / q - target[i] / p);
      }
  }

  /// The fused form after ctnn::sigmoid, from the logits z (see above): value[s] = (sum_j
  /// [max(z_j, 0) - z_j y_j + ln(1 + e^-abs(z_j))] from j = 0) * (1/n).
  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void fused_value_and_delta_block(sigmoid, const T* CTNN_DETAIL_RESTRICT z,
                                             const T* CTNN_DETAIL_RESTRICT target,
                                             T* CTNN_DETAIL_RESTRICT dL_dz,
                                             T* CTNN_DETAIL_RESTRICT value,
                                             std::size_t stride) const noexcept {
    const T k = detail::inverse_count<T, N>();
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        const T pos = z[i] > T(0) ? z[i] : T(0);
        acc[s] += pos - z[i] * target[i] + math::log1p(math::exp(-math::abs(z[i])));
        dL_dz[i] = k * (math::sigmoid(z[i]) - target[i]);
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s] * k;
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    return value_from_block(*this, pred, target);
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    gradient_from_block(*this, pred, target, dL_dpred);
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T fused_value_and_delta(sigmoid act, const std::array<T, N>& z,
                                                  const std::array<T, N>& target,
                                                  std::array<T, N>& dL_dz) const noexcept {
    return fused_value_and_delta_from_block(*this, act, z, target, dL_dz);
  }
};

/// Categorical cross-entropy (notes: `CEE = -sum_i y_i ln y'_i`, summed over the classes; PyTorch
/// CrossEntropyLoss with probability targets, or one-hot targets for class indices).
/// dL/dy'_i = -y_i / y'_i, with the log argument and the denominator clamped to
/// [log_epsilon<T>, 1] (finite for y' = 0).
/// Needs a ctnn::softmax output layer; then the fused form on the logits z is used:
/// value = sum_j y_j (logsumexp(z) - z_j), dL/dz = softmax(z) sum(y) - y.
struct categorical_cross_entropy {
  template <class Act>
  static constexpr bool accepts_output = std::is_same_v<Act, softmax>;

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void value_block(const T* CTNN_DETAIL_RESTRICT pred, const T* CTNN_DETAIL_RESTRICT target,
                             T* CTNN_DETAIL_RESTRICT value, std::size_t stride) const noexcept {
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        acc[s] -= target[i] * math::log(detail::clamp_probability(pred[i]));
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s];
  }

  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void gradient_block(const T* CTNN_DETAIL_RESTRICT pred,
                                const T* CTNN_DETAIL_RESTRICT target,
                                T* CTNN_DETAIL_RESTRICT dL_dpred, std::size_t stride) const noexcept {
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        dL_dpred[i] = -target[i] / detail::clamp_probability(pred[i]);
      }
  }

  /// The fused form after ctnn::softmax, from the logits z. With m = max z and
  /// e_j = e^{z_j - m} (never overflows), logsumexp(z) - z_j = (m - z_j) + ln sum_k e_k: both
  /// terms are >= 0, so nothing cancels (logsumexp(z) - z_j itself loses the digits of m: up to
  /// 3e-5 relative in float at z = [1000, 1001, 1002]). value = sum_j y_j ((m - z_j) + ln sum_k e_k)
  /// from j = 0; dL/dz_j = e_j (sum(y) / sum_k e_k) - y_j, from the same exponentials.
  template <Scalar T, std::size_t N, std::size_t S>
  constexpr void fused_value_and_delta_block(softmax, const T* CTNN_DETAIL_RESTRICT z,
                                             const T* CTNN_DETAIL_RESTRICT target,
                                             T* CTNN_DETAIL_RESTRICT dL_dz,
                                             T* CTNN_DETAIL_RESTRICT value,
                                             std::size_t stride) const noexcept {
    static_assert(N > 0, "ctnn: a loss needs at least one output");
    T m[S] = {}, sum_e[S] = {}, log_sum[S] = {}, acc[S] = {}, sum_y[S] = {};
    for (std::size_t s = 0; s < S; ++s) m[s] = z[s];
    for (std::size_t j = 1; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const T v = z[j * stride + s];
        m[s] = v > m[s] ? v : m[s];
      }
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        const T e = math::exp(z[i] - m[s]);
        dL_dz[i] = e;  // e_j, turned into dL/dz below
        sum_e[s] += e;
      }
    for (std::size_t s = 0; s < S; ++s) log_sum[s] = math::log(sum_e[s]);
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        acc[s] += target[i] * ((m[s] - z[i]) + log_sum[s]);  // each term >= 0 for y >= 0
        sum_y[s] += target[i];
      }
    for (std::size_t s = 0; s < S; ++s) sum_y[s] = sum_y[s] / sum_e[s];  // the k of dL/dz
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        dL_dz[i] = dL_dz[i] * sum_y[s] - target[i];
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s];
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    return value_from_block(*this, pred, target);
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    gradient_from_block(*this, pred, target, dL_dpred);
  }

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T fused_value_and_delta(softmax act, const std::array<T, N>& z,
                                                  const std::array<T, N>& target,
                                                  std::array<T, N>& dL_dz) const noexcept {
    return fused_value_and_delta_from_block(*this, act, z, target, dL_dz);
  }
};

/// Short names: `ctnn::cross_entropy`, `ctnn::bce`.
using cross_entropy = categorical_cross_entropy;
using bce = binary_cross_entropy;

// ---------------------------------------------------------------------------------------------
// The entry points the training loop uses
// ---------------------------------------------------------------------------------------------

/// The activation of a network's output layer (ctnn::identity for a layer kind without one).
template <class Net>
using output_activation_t =
    detail::activation_of_t<typename Net::template layer_type<Net::layer_count - 1>>;

namespace detail {

/// The pairing rule, with a message naming the loss and the rule. True when it holds.
template <class L, class Act>
consteval bool check_loss_output() {
  constexpr bool ok = static_cast<bool>(L::template accepts_output<Act>);
  if constexpr (std::is_same_v<L, categorical_cross_entropy>) {
    static_assert(ok, "ctnn::categorical_cross_entropy needs a ctnn::softmax output layer: its "
                      "log needs probabilities that sum to 1");
  } else if constexpr (std::is_same_v<L, binary_cross_entropy>) {
    static_assert(ok, "ctnn::binary_cross_entropy needs a ctnn::sigmoid output layer: its logs "
                      "need every output to be a probability in (0, 1)");
  } else {
    static_assert(ok, "ctnn: this loss does not accept the output activation of the network "
                      "(Loss::accepts_output<output activation> is false)");
  }
  return ok;
}

template <class L, class Net>
consteval bool check_loss_for() {
  constexpr bool is_loss = Loss<L, typename Net::value_type, Net::output_size>;
  static_assert(is_loss, "ctnn: the loss type is not a ctnn::Loss<L, T, N> for the network's "
                         "value_type and output_size (it needs value, gradient and "
                         "accepts_output; see loss.hpp)");
  if constexpr (is_loss) return check_loss_output<L, output_activation_t<Net>>();
  else return false;
}

/// One sample's loss, gradient and fused form: the block form when the loss has one (the code
/// the batched path runs), else the per-sample member.
template <class L, class T, std::size_t N>
constexpr T value_of(const L& loss, const std::array<T, N>& pred,
                     const std::array<T, N>& target) noexcept {
  if constexpr (BlockLoss<L, T, N>) return value_from_block(loss, pred, target);
  else return loss.value(pred, target);
}

template <class L, class T, std::size_t N>
constexpr void gradient_of(const L& loss, const std::array<T, N>& pred,
                           const std::array<T, N>& target, std::array<T, N>& dL_dpred) noexcept {
  if constexpr (BlockLoss<L, T, N>) gradient_from_block(loss, pred, target, dL_dpred);
  else loss.gradient(pred, target, dL_dpred);
}

template <class Act, class L, class T, std::size_t N>
constexpr T fused_value_and_delta_of(const L& loss, const std::array<T, N>& z,
                                     const std::array<T, N>& target,
                                     std::array<T, N>& dL_dz) noexcept {
  if constexpr (BlockFusedLoss<L, Act, T, N>)
    return fused_value_and_delta_from_block(loss, Act{}, z, target, dL_dz);
  else return loss.fused_value_and_delta(Act{}, z, target, dL_dz);
}

}  // namespace detail

/// The loss of one sample from the trace of its forward pass, and dL/dz of the output layer
/// (what ctnn::backward_from_output_delta starts from). Uses the loss's fused form on the output
/// layer's z when it has one for the output activation (softmax + categorical cross-entropy,
/// sigmoid + binary cross-entropy); otherwise `loss.value(y', target)` and dL/dz = J_f^T
/// `loss.gradient(y', target)` (ctnn::output_delta). The pairing rule is a compile error.
/// ```
///   auto t = net.traced(x);
///   typename net_t::output_type dz{};
///   T l = ctnn::loss_and_output_delta(ctnn::mse{}, t, y, dz);
///   ctnn::backward_from_output_delta(net, t, dz, grads);
/// ```
template <class L, class Net>
constexpr typename Net::value_type loss_and_output_delta(const L& loss, const trace<Net>& t,
                                                         const typename Net::output_type& target,
                                                         typename Net::output_type& dL_dz) noexcept {
  using T = typename Net::value_type;
  constexpr std::size_t N = Net::output_size;
  using act = output_activation_t<Net>;
  if constexpr (!detail::check_loss_for<L, Net>()) {
    return T(0);
  } else if constexpr (Net::output_shape::rank > 1) {
    // A sequence output (time x channels): the loss sees its values in row-major order.
    const auto flat_target = detail::flat_copy<T>(target);
    std::array<T, N> g{};
    detail::gradient_of(loss, t.output(), flat_target, g);
    typename Net::output_type dL_dy{};
    detail::unflatten_from(g.data(), dL_dy);
    dL_dz = output_delta(t, dL_dy);
    return detail::value_of(loss, t.output(), flat_target);
  } else if constexpr (FusedLoss<L, act, T, N>) {
    return detail::fused_value_and_delta_of<act>(loss, t.template layer<Net::layer_count - 1>().z,
                                                 target, dL_dz);
  } else {
    typename Net::output_type dL_dy{};
    detail::gradient_of(loss, t.output(), target, dL_dy);
    dL_dz = output_delta(t, dL_dy);
    return detail::value_of(loss, t.output(), target);
  }
}

/// The loss of network `net` on one sample (x, target): the same value loss_and_output_delta
/// gives (fused form when present), for evaluation and gradient checks. The fused path keeps a
/// trace (it needs the output layer's z); the others only a forward pass.
template <class L, class Net>
constexpr typename Net::value_type loss_value(const L& loss, const Net& net,
                                              const typename Net::input_type& x,
                                              const typename Net::output_type& target) noexcept {
  using T = typename Net::value_type;
  constexpr std::size_t N = Net::output_size;
  using act = output_activation_t<Net>;
  if constexpr (!detail::check_loss_for<L, Net>()) {
    return T(0);
  } else if constexpr (Net::output_shape::rank > 1) {
    const trace<Net> t = net.traced(x);
    return detail::value_of(loss, t.output(), detail::flat_copy<T>(target));
  } else if constexpr (FusedLoss<L, act, T, N>) {
    const trace<Net> t = net.traced(x);
    typename Net::output_type unused{};
    return detail::fused_value_and_delta_of<act>(loss, t.template layer<Net::layer_count - 1>().z,
                                                 target, unused);
  } else {
    return detail::value_of(loss, net.forward(x), target);
  }
}

namespace detail {

/// dL/da of the samples [0, active) of a tile (see loss_and_output_delta_tile) into g.
template <class L, class T, std::size_t N, std::size_t B>
constexpr void loss_gradient_tile(const L& loss, const T* CTNN_DETAIL_RESTRICT a,
                                  const T* CTNN_DETAIL_RESTRICT y, T* CTNN_DETAIL_RESTRICT g,
                                  std::size_t active) noexcept {
  if constexpr (BlockLoss<L, T, N>) {
    constexpr std::size_t S = sample_block<T, B>;
    for (std::size_t s0 = 0; s0 < active; s0 += S)
      loss.template gradient_block<T, N, S>(a + s0, y + s0, g + s0, B);
  } else {
    for (std::size_t s = 0; s < active; ++s) {
      std::array<T, N> as{}, ys{}, d{};
      for (std::size_t j = 0; j < N; ++j) {
        as[j] = a[j * B + s];
        ys[j] = y[j * B + s];
      }
      loss.gradient(as, ys, d);
      for (std::size_t j = 0; j < N; ++j) g[j * B + s] = d[j];
    }
  }
}

/// The loss and dL/dz of the output layer for a tile of B samples, feature-major (value j of
/// sample s at [j * B + s]): z, a and the targets y of the output layer for the samples
/// [0, active) (active a multiple of sample_block<T, B>); adds the losses of samples
/// [0, count) to `total` in sample order and writes dL/dz for the samples [0, active) (what the
/// unused lanes get is left to the caller). Exactly what loss_and_output_delta computes one
/// sample at a time: the same block form (in blocks of sample_block<T, B> samples) or the same
/// per-sample members. `a` is not read when the loss is fused after Act. Without the fused form,
/// dL/da is computed into dL_dz and multiplied by f' in place for an element-wise activation;
/// a vector activation (dL/dz = J^T dL/da) gets dL/da in an N * B scratch array on the stack.
template <class Act, class L, class T, std::size_t N, std::size_t B>
constexpr void loss_and_output_delta_tile(const L& loss, const T* CTNN_DETAIL_RESTRICT z,
                                          const T* CTNN_DETAIL_RESTRICT a,
                                          const T* CTNN_DETAIL_RESTRICT y,
                                          T* CTNN_DETAIL_RESTRICT dL_dz, std::size_t count,
                                          std::size_t active, T& total) noexcept {
  constexpr std::size_t S = sample_block<T, B>;
  // one sample gathered from the tile
  const auto gather = [](const T* p, std::size_t s) {
    std::array<T, N> v{};
    for (std::size_t j = 0; j < N; ++j) v[j] = p[j * B + s];
    return v;
  };
  if constexpr (FusedLoss<L, Act, T, N>) {
    if constexpr (BlockFusedLoss<L, Act, T, N>) {
      for (std::size_t s0 = 0; s0 < active; s0 += S) {
        T value[S] = {};
        loss.template fused_value_and_delta_block<T, N, S>(Act{}, z + s0, y + s0, dL_dz + s0,
                                                           value, B);
        for (std::size_t s = 0; s < S && s0 + s < count; ++s) total += value[s];
      }
    } else {
      for (std::size_t s = 0; s < count; ++s) {
        std::array<T, N> d{};
        total += loss.fused_value_and_delta(Act{}, gather(z, s), gather(y, s), d);
        for (std::size_t j = 0; j < N; ++j) dL_dz[j * B + s] = d[j];
      }
    }
  } else {
    // the losses, in sample order
    if constexpr (BlockLoss<L, T, N>) {
      for (std::size_t s0 = 0; s0 < active; s0 += S) {
        T value[S] = {};
        loss.template value_block<T, N, S>(a + s0, y + s0, value, B);
        for (std::size_t s = 0; s < S && s0 + s < count; ++s) total += value[s];
      }
    } else {
      for (std::size_t s = 0; s < count; ++s) total += loss.value(gather(a, s), gather(y, s));
    }
    if constexpr (ElementwiseActivation<Act> && !BlockActivation<Act>) {
      // dL/dz = f'(z) dL/da in place (activation_vjp's formula)
      loss_gradient_tile<L, T, N, B>(loss, a, y, dL_dz, active);
      if (active == B) {  // a constant trip count: vectorised also by g++ -O2's cost model
        for (std::size_t i = 0; i < N * B; ++i) dL_dz[i] = Act::derivative(z[i], a[i]) * dL_dz[i];
      } else {
        for (std::size_t j = 0; j < N; ++j)
          for (std::size_t s = 0; s < active; ++s) {
            const std::size_t i = j * B + s;
            dL_dz[i] = Act::derivative(z[i], a[i]) * dL_dz[i];
          }
      }
    } else {
      std::array<T, N * B> g{};
      loss_gradient_tile<L, T, N, B>(loss, a, y, g.data(), active);
      activation_vjp_batch<Act, T, N, B>(z, a, g.data(), dL_dz, active);
    }
  }
}

}  // namespace detail

}  // namespace ctnn
