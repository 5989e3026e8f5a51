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
/// - softmax + categorical cross-entropy: value = sum_j y_j (logsumexp(z) - z_j)
///   (= logsumexp(z) sum(y) - sum_j y_j z_j), dL/dz = softmax(z) sum(y) - y (= y' - y for one-hot
///   or probability targets);
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
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <limits>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/backward.hpp>
#include <ctnn/math.hpp>
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
/// value and gradient must be noexcept (the training loop is). Hyper-parameters are data members
/// (e.g. ctnn::huber::delta). A loss that breaks its own accepts_output rule in
/// loss_and_output_delta gets a generic static_assert naming Loss::accepts_output.
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

/// The lower clamp of the cross-entropies' log argument: 1e-7 for float (and any type with at
/// most float's 24-bit mantissa), 1e-15 for double and wider. Specialise it for a custom Scalar.
template <class T>
inline constexpr T log_epsilon =
    std::numeric_limits<T>::digits > 24 ? T(1e-15) : T(1e-7);

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

/// Mean squared error (notes: `MSE = 1/n sum_i (y_i - y'_i)^2`, n = outputs; PyTorch MSELoss).
/// dL/dy'_i = 2 (y'_i - y_i) / n. Accepts every output activation.
struct mse {
  template <class Act>
  static constexpr bool accepts_output = true;

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) {
      const T d = pred[i] - target[i];
      s += d * d;
    }
    return s * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    const T k = T(2) * detail::inverse_count<T, N>();
    for (std::size_t i = 0; i < N; ++i) dL_dpred[i] = k * (pred[i] - target[i]);
  }
};

/// Mean absolute error `1/n sum_i abs(y_i - y'_i)` (PyTorch L1Loss).
/// dL/dy'_i = sign(y'_i - y_i) / n, with sign(0) = 0 (as PyTorch). Accepts every output activation.
struct mae {
  template <class Act>
  static constexpr bool accepts_output = true;

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) s += math::abs(pred[i] - target[i]);
    return s * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    const T k = detail::inverse_count<T, N>();
    for (std::size_t i = 0; i < N; ++i) {
      const T d = pred[i] - target[i];
      dL_dpred[i] = d > T(0) ? k : (d < T(0) ? -k : T(0));
    }
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

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    const T dl = static_cast<T>(delta);
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) {
      const T a = math::abs(pred[i] - target[i]);
      s += a <= dl ? T(0.5) * a * a : dl * (a - T(0.5) * dl);
    }
    return s * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    const T dl = static_cast<T>(delta);
    const T k = detail::inverse_count<T, N>();
    for (std::size_t i = 0; i < N; ++i) {
      const T d = pred[i] - target[i];
      dL_dpred[i] = k * (d > dl ? dl : (d < -dl ? -dl : d));
    }
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

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) {
      const T p = detail::clamp_probability(pred[i]);
      const T q = detail::clamp_probability(T(1) - pred[i]);
      s -= target[i] * math::log(p) + (T(1) - target[i]) * math::log(q);
    }
    return s * detail::inverse_count<T, N>();
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    const T k = detail::inverse_count<T, N>();
    for (std::size_t i = 0; i < N; ++i) {
      const T p = detail::clamp_probability(pred[i]);
      const T q = detail::clamp_probability(T(1) - pred[i]);
      dL_dpred[i] = k * ((T(1) - target[i]) / q - target[i] / p);
    }
  }

  /// The fused form after ctnn::sigmoid, from the logits z (see above).
  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T fused_value_and_delta(sigmoid, const std::array<T, N>& z,
                                                  const std::array<T, N>& target,
                                                  std::array<T, N>& dL_dz) const noexcept {
    const T k = detail::inverse_count<T, N>();
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i) {
      const T pos = z[i] > T(0) ? z[i] : T(0);
      s += pos - z[i] * target[i] + math::log1p(math::exp(-math::abs(z[i])));
      dL_dz[i] = k * (math::sigmoid(z[i]) - target[i]);
    }
    return s * k;
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

  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T value(const std::array<T, N>& pred,
                                  const std::array<T, N>& target) const noexcept {
    T s = T(0);
    for (std::size_t i = 0; i < N; ++i)
      s -= target[i] * math::log(detail::clamp_probability(pred[i]));
    return s;
  }

  template <Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    for (std::size_t i = 0; i < N; ++i)
      dL_dpred[i] = -target[i] / detail::clamp_probability(pred[i]);
  }

  /// The fused form after ctnn::softmax, from the logits z: logsumexp(z) = m + ln sum_j e^{z_j - m}
  /// with m = max z (never overflows), and softmax(z)_j = e^{z_j - m} / sum_k e^{z_k - m} from the
  /// same exponentials.
  template <Scalar T, std::size_t N>
  [[nodiscard]] constexpr T fused_value_and_delta(softmax, const std::array<T, N>& z,
                                                  const std::array<T, N>& target,
                                                  std::array<T, N>& dL_dz) const noexcept {
    static_assert(N > 0, "ctnn: a loss needs at least one output");
    T m = z[0];
    for (std::size_t j = 1; j < N; ++j) m = z[j] > m ? z[j] : m;
    T sum_e = T(0);
    for (std::size_t j = 0; j < N; ++j) {
      dL_dz[j] = math::exp(z[j] - m);  // e_j, turned into dL/dz below
      sum_e += dL_dz[j];
    }
    const T lse = m + math::log(sum_e);
    T s = T(0), sum_y = T(0);
    for (std::size_t j = 0; j < N; ++j) {
      s += target[j] * (lse - z[j]);  // each term >= 0 for y >= 0: no cancellation
      sum_y += target[j];
    }
    const T k = sum_y / sum_e;
    for (std::size_t j = 0; j < N; ++j) dL_dz[j] = dL_dz[j] * k - target[j];
    return s;
  }
};

/// Short names: `ctnn::cross_entropy`, `ctnn::bce`.
using cross_entropy = categorical_cross_entropy;
using bce = binary_cross_entropy;

// ---------------------------------------------------------------------------------------------
// The entry points the training loop uses
// ---------------------------------------------------------------------------------------------

/// The activation of a network's output layer.
template <class Net>
using output_activation_t = typename Net::template layer_type<Net::layer_count - 1>::activation;

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
  } else if constexpr (FusedLoss<L, act, T, N>) {
    return loss.fused_value_and_delta(act{}, t.template layer<Net::layer_count - 1>().z, target,
                                      dL_dz);
  } else {
    typename Net::output_type dL_dy{};
    loss.gradient(t.output(), target, dL_dy);
    dL_dz = output_delta(t, dL_dy);
    return loss.value(t.output(), target);
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
  } else if constexpr (FusedLoss<L, act, T, N>) {
    const trace<Net> t = net.traced(x);
    typename Net::output_type unused{};
    return loss.fused_value_and_delta(act{}, t.template layer<Net::layer_count - 1>().z, target,
                                      unused);
  } else {
    return loss.value(net.forward(x), target);
  }
}

}  // namespace ctnn
