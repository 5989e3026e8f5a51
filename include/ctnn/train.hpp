// SPDX-License-Identifier: MIT
/// @file train.hpp Defines the training loop: ctnn::train_batch (one gradient-descent step),
/// ctnn::fit (epochs of batch, stochastic or mini-batch gradient descent) and the evaluation
/// helpers ctnn::evaluate, ctnn::accuracy and ctnn::argmax. Their working memory is
/// ctnn::training_workspace (workspace.hpp), ctnn::training_bytes in size.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctnn/backward.hpp>
#include <ctnn/batch.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/math.hpp>
#include <ctnn/network.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/requirements.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/schedule.hpp>
#include <ctnn/status.hpp>
#include <ctnn/workspace.hpp>

namespace ctnn {

/// What ctnn::fit does. Designated initialisers read well: `{.epochs = 2000, .batch_size = 4}`.
/// The thresholds are stored as `double` whatever the network, so that one options object
/// serves every network; ctnn::fit converts them once to the element type T with
/// number_traits<T>::from_double (integer operations only for float) and compares in T, so a
/// float network does no double arithmetic.
/// @tparam Schedule the learning-rate schedule (ctnn::constant_lr unless given)
template <class Schedule = constant_lr>
struct fit_options {
  std::size_t epochs = 1;
  /// 1: stochastic gradient descent; the data set size (or more): batch gradient descent;
  /// anything between: mini-batch gradient descent (the notes' three variants).
  std::size_t batch_size = 1;
  /// Visit the samples in a fresh pseudo-random order every epoch.
  bool shuffle = true;
  std::uint64_t shuffle_seed = 0;
  /// Early stopping: stop when the epoch loss has not improved by more than `min_delta` for
  /// `patience` epochs (0: never).
  std::size_t patience = 0;
  double min_delta = 0.0;
  /// Clip the mean batch gradient to this global L2 norm (0: no clipping).
  double clip_norm = 0.0;
  Schedule schedule{};
};

/// Passed to the per-epoch callback. The numbers are the network's (T) values widened to double
/// with number_traits<T>::to_double (exact, integer-only for float), for printing and comparing.
struct epoch_info {
  std::size_t epoch = 0;       ///< 0-based index of the epoch that just ended
  std::size_t epochs = 0;      ///< epochs requested
  double loss = 0.0;           ///< mean loss over the epoch's samples (as they were trained on)
  double learning_rate = 0.0;  ///< the rate used in that epoch
};

/// What ctnn::fit returns (losses widened from T as in epoch_info).
struct fit_report {
  ctnn::status status = status::ok;
  std::size_t epochs_run = 0;      ///< epochs completed (and kept)
  double final_loss = 0.0;         ///< loss of the last completed epoch
  double best_loss = 0.0;          ///< lowest epoch loss seen
  std::size_t bad_sample = 0;      ///< for non_finite_data: index of the first bad sample
  constexpr explicit operator bool() const noexcept {
    return status == ctnn::status::ok || status == ctnn::status::stopped_by_callback ||
           status == ctnn::status::early_stopped;
  }
};

/// The default callback: never stops.
struct no_callback {
  constexpr bool operator()(const epoch_info&) const noexcept { return true; }
};

/// Index of the largest element (the first one on ties).
template <class T, std::size_t N>
constexpr std::size_t argmax(const std::array<T, N>& v) noexcept {
  std::size_t best = 0;
  for (std::size_t i = 1; i < N; ++i)
    if (v[best] < v[i]) best = i;
  return best;
}

namespace detail {

template <class A>
constexpr bool all_finite(const A& v) noexcept {
  bool ok = true;
  auto check = [&ok](const auto& x) { ok = ok && math::isfinite(x); };
  for_each_element(check, v);
  return ok;
}

/// A pseudo-random permutation of [0, n) that needs no memory: a 4-round Feistel network over
/// the smallest even number of bits that covers n, with cycle walking (apply again until the
/// value falls below n). Keys come from ctnn::rng, so each epoch gets a new order that is the
/// same on every platform and at compile time. This replaces an index array of n entries,
/// which would have to be sized at run time.
class permutation {
 public:
  constexpr permutation() noexcept = default;
  constexpr permutation(std::size_t n, rng& gen) noexcept : n_(n) {
    while ((std::size_t{1} << (2 * half_bits_)) < n_) ++half_bits_;
    for (auto& k : keys_) k = gen.next_u32();
  }
  constexpr std::size_t operator()(std::size_t i) const noexcept {
    std::uint64_t x = i;
    do { x = feistel(x); } while (x >= n_);
    return static_cast<std::size_t>(x);
  }

 private:
  constexpr std::uint64_t feistel(std::uint64_t x) const noexcept {
    const std::uint64_t mask = (std::uint64_t{1} << half_bits_) - 1;
    std::uint64_t l = (x >> half_bits_) & mask, r = x & mask;
    for (std::uint32_t key : keys_) {
      const std::uint64_t f = mix(static_cast<std::uint32_t>(r) ^ key) & mask;
      const std::uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    return (l << half_bits_) | r;
  }
  static constexpr std::uint32_t mix(std::uint32_t h) noexcept {  // murmur3 finaliser
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
  }
  std::size_t n_ = 0;
  unsigned half_bits_ = 1;
  std::array<std::uint32_t, 4> keys_{};
};

}  // namespace detail

namespace detail {

/// ctnn::train_batch with its working memory (trace, output delta, batch tile) in `ws`.
template <class Net, class Loss, class Opt, class Order, std::size_t Tile>
constexpr typename Net::value_type train_step(
    Net& net, std::span<const typename Net::input_type> X,
    std::span<const typename Net::output_type> Y, const Loss& loss, const Opt& opt,
    typename Opt::template state<Net>& state, typename Net::value_type learning_rate,
    gradients<Net>& grads, step_workspace<Net, Tile>& ws, std::size_t first, std::size_t last,
    const Order& order, typename Net::value_type clip_norm) noexcept {
  using T = typename Net::value_type;
  // One sample with plain gradient descent: the step fused with the backward pass (batch.hpp).
  if constexpr (detail::fusable_layers<Net>) {
    if (last - first == 1 && !(clip_norm > T(0)) && detail::fusable_step(opt)) {
      const std::size_t s = order(first);
      return detail::train_sample_descent(net, X[s], Y[s], loss, grads, state, learning_rate,
                                          ws.trace);
    }
  }
  T total = T(0);
  // Several samples at run time: batched (matrix-matrix) execution in tiles of Tile samples
  // (batch.hpp). It gives the same bits as the per-sample loop below, which is what constant
  // evaluation runs (its cost then grows with the real sample count, not with the tile). Both
  // overwrite the gradients with the first sample's (the bits of clear() and then adding,
  // without a pass that clears).
  bool batched = false;
  if constexpr (Tile > 1) {
    if (last - first > 1 && !std::is_constant_evaluated()) {
      total = detail::accumulate_batch<Tile>(net, X, Y, loss, grads, first, last, order, true,
                                             ws.batch.trace, ws.batch.output_delta);
      batched = true;
    }
  }
  if (!batched) {  // one sample at a time; the first overwrites the gradients
    if (first == last) grads.clear();
    for (std::size_t k = first; k < last; ++k) {
      const std::size_t s = order(k);
      net.forward(X[s], ws.trace);
      total += loss_and_output_delta(loss, ws.trace, Y[s], ws.output_delta);
      detail::backward_sample(net, ws.trace, ws.output_delta, grads, k == first);
    }
  }
  // Mean over the batch (g *= 1/n; x 1 is exact, so it is skipped for one sample), and in the
  // same pass the divergence check's sum of squares of the gradient (in dot()'s lane order: a
  // single running sum over every parameter would be one long chain of dependent additions).
  const T squares = detail::scale_and_sum_of_squares(
      grads, T(1) / static_cast<T>(last - first), last - first != 1);
  if (!math::isfinite(total) || !math::isfinite(squares)) return total + squares;  // non-finite
  if (clip_norm > T(0)) clip_by_global_norm(grads, clip_norm);
  opt.step(net, grads, state, learning_rate);
  return total;
}

}  // namespace detail

/// One gradient-descent step on the samples `order(first) .. order(last - 1)` of (X, Y):
/// forward, loss, backward for each, the mean gradient, optional clipping, one optimiser step.
/// Returns the summed loss of the batch, or a non-finite value when the loss or the gradient
/// is not finite, in which case the network and the optimiser state are left unchanged.
///
/// Working memory: `ws` (its gradients receive the batch's mean gradient; its snapshots are not
/// used). Besides it, a few scalars of stack.
template <class Net, class Loss, class Opt, std::size_t BatchSize, class Order>
  requires Optimizer<Opt, Net>
constexpr typename Net::value_type train_batch(
    Net& net, std::span<const typename Net::input_type> X,
    std::span<const typename Net::output_type> Y, const Loss& loss, const Opt& opt,
    typename Opt::template state<Net>& state, typename Net::value_type learning_rate,
    training_workspace<Net, Opt, BatchSize>& ws, std::size_t first, std::size_t last,
    const Order& order, typename Net::value_type clip_norm = typename Net::value_type(0)) noexcept {
  return detail::train_step(net, X, Y, loss, opt, state, learning_rate, ws.grads, ws.step, first,
                            last, order, clip_norm);
}

/// The same with the caller's gradients (they receive the batch's mean gradient) and the rest
/// of the working memory (a trace and the batch tile: ctnn::training_bytes without the
/// gradients and snapshots) on this function's stack. Same bits as with a workspace.
template <class Net, class Loss, class Opt, class Order>
  requires Optimizer<Opt, Net>
constexpr typename Net::value_type train_batch(
    Net& net, std::span<const typename Net::input_type> X,
    std::span<const typename Net::output_type> Y, const Loss& loss, const Opt& opt,
    typename Opt::template state<Net>& state, typename Net::value_type learning_rate,
    gradients<Net>& grads, std::size_t first, std::size_t last, const Order& order,
    typename Net::value_type clip_norm = typename Net::value_type(0)) noexcept {
  step_workspace<Net, detail::workspace_tile<Net, batch_tile>> ws;  // written before it is read
  return detail::train_step(net, X, Y, loss, opt, state, learning_rate, grads, ws, first, last,
                            order, clip_norm);
}

/// Trains `net` on inputs X and targets Y (views, no copies) with `loss` and optimiser `opt`
/// whose state the caller keeps (so training can resume, e.g. after a power cut).
///
/// Guarantees: never allocates (its working memory is `ws`, ctnn::training_workspace: a trace,
/// the gradients, the batch tile, one snapshot of the network and of the optimiser state, all
/// sized at compile time; besides it, a few scalars of stack); data with a NaN or infinity is
/// refused before anything changes (status::non_finite_data, report.bad_sample); a non-finite
/// loss or gradient stops training with status::diverged and restores the network and state of
/// the last good epoch.
template <class Net, class Loss, class Opt, std::size_t BatchSize, class Schedule = constant_lr,
          class Callback = no_callback>
  requires Optimizer<Opt, Net>
constexpr fit_report fit(Net& net, std::span<const typename Net::input_type> X,
                         std::span<const typename Net::output_type> Y, const Loss& loss,
                         const Opt& opt, typename Opt::template state<Net>& state,
                         training_workspace<Net, Opt, BatchSize>& ws,
                         const fit_options<Schedule>& options = {},
                         Callback&& callback = {}) noexcept {
  using T = typename Net::value_type;
  fit_report report{};
  if (X.size() != Y.size()) return report.status = status::size_mismatch, report;
  if (X.empty()) return report.status = status::empty_dataset, report;
  if (options.batch_size == 0) return report.status = status::invalid_options, report;
  for (std::size_t s = 0; s < X.size(); ++s) {
    if (!detail::all_finite(X[s]) || !detail::all_finite(Y[s])) {
      report.status = status::non_finite_data;
      report.bad_sample = s;
      return report;
    }
  }

  const std::size_t n = X.size();
  const std::size_t batch = options.batch_size < n ? options.batch_size : n;
  rng gen{options.shuffle_seed};
  Net& good_net = ws.good_net;  // the last good epoch's parameters
  auto& good_state = ws.good_state;
  good_net = net;
  good_state = state;
  std::size_t since_best = 0;
  report.best_loss = 0.0;
  // The epoch bookkeeping runs in T: thresholds converted once, losses widened for the report.
  const T clip_norm = from_double<T>(options.clip_norm);
  const T min_delta = from_double<T>(options.min_delta);
  T best_loss = T(0);

  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    const T lr = static_cast<T>(options.schedule(static_cast<T>(opt.learning_rate), epoch));
    const detail::permutation perm =
        options.shuffle ? detail::permutation(n, gen) : detail::permutation{};
    auto order = [&](std::size_t k) { return options.shuffle ? perm(k) : k; };
    accumulator_t<T> sum = accumulator_t<T>(0);
    bool finite = true;
    for (std::size_t first = 0; first < n && finite; first += batch) {
      const std::size_t last = first + batch < n ? first + batch : n;
      const T l = train_batch(net, X, Y, loss, opt, state, lr, ws, first, last, order, clip_norm);
      finite = math::isfinite(l);
      sum += l;
    }
    if (!finite) {
      net = good_net;
      state = good_state;
      report.status = status::diverged;
      return report;
    }
    const T epoch_loss = static_cast<T>(sum / static_cast<accumulator_t<T>>(n));
    good_net = net;
    good_state = state;
    report.epochs_run = epoch + 1;
    report.final_loss = to_double(epoch_loss);
    if (epoch == 0 || epoch_loss < best_loss - min_delta) {
      best_loss = epoch_loss;
      since_best = 0;
    } else if (epoch_loss < best_loss) {
      best_loss = epoch_loss;
      ++since_best;
    } else {
      ++since_best;
    }
    report.best_loss = to_double(best_loss);
    const epoch_info info{epoch, options.epochs, report.final_loss, to_double(lr)};
    if constexpr (std::is_same_v<std::invoke_result_t<Callback&, const epoch_info&>, void>) {
      callback(info);
    } else if (!callback(info)) {
      report.status = status::stopped_by_callback;
      return report;
    }
    if (options.patience > 0 && since_best >= options.patience) {
      report.status = status::early_stopped;
      return report;
    }
  }
  return report;
}

/// The same with the working memory (ctnn::training_bytes) on this function's stack. Same bits
/// as with a workspace.
template <class Net, class Loss, class Opt, class Schedule = constant_lr,
          class Callback = no_callback>
  requires Optimizer<Opt, Net> && ctnn::Loss<Loss, typename Net::value_type, Net::output_size>
constexpr fit_report fit(Net& net, std::span<const typename Net::input_type> X,
                         std::span<const typename Net::output_type> Y, const Loss& loss,
                         const Opt& opt, typename Opt::template state<Net>& state,
                         const fit_options<Schedule>& options = {},
                         Callback&& callback = {}) noexcept {
  training_workspace<Net, Opt> ws;  // written before it is read
  return fit(net, X, Y, loss, opt, state, ws, options, static_cast<Callback&&>(callback));
}

/// The same, with a fresh optimiser state that lives only for this call.
template <class Net, class Loss, class Opt, class Schedule = constant_lr,
          class Callback = no_callback>
  requires Optimizer<Opt, Net> && ctnn::Loss<Loss, typename Net::value_type, Net::output_size>
constexpr fit_report fit(Net& net, std::span<const typename Net::input_type> X,
                         std::span<const typename Net::output_type> Y, const Loss& loss,
                         const Opt& opt, const fit_options<Schedule>& options = {},
                         Callback&& callback = {}) noexcept {
  typename Opt::template state<Net> state{};
  return fit(net, X, Y, loss, opt, state, options, static_cast<Callback&&>(callback));
}

/// A call of fit whose arguments are not what they must be: one ctnn sentence says which
/// (see ctnn/requirements.hpp), instead of "no matching function for call to fit".
template <class Net, class Xs, class Ys, class L, class Opt, class Schedule = constant_lr,
          class Callback = no_callback>
  requires(!detail::training_arguments_ok<Net, Xs, Ys, L, Opt>())
constexpr fit_report fit(Net&, const Xs&, const Ys&, const L&, const Opt&,
                         const fit_options<Schedule>& = {}, Callback&& = {}) noexcept {
  detail::diagnose_training_arguments<Net, Xs, Ys, L, Opt>();
  return {};
}

/// Mean loss and accuracy of a network over a data set.
struct evaluation {
  double loss = 0.0;
  double accuracy = 0.0;  ///< fraction of samples classified right (see ctnn::is_correct)
};

/// A prediction counts as right when its argmax equals the target's argmax (several outputs),
/// or when both are on the same side of 0.5 (one output: binary classification).
template <class T, std::size_t N>
constexpr bool is_correct(const std::array<T, N>& prediction, const std::array<T, N>& target) noexcept {
  if constexpr (N == 1) return (prediction[0] >= T(0.5)) == (target[0] >= T(0.5));
  else return argmax(prediction) == argmax(target);
}

/// Mean loss (ctnn's reductions) and accuracy over (X, Y); never allocates.
template <class Net, class Loss>
  requires ctnn::Loss<Loss, typename Net::value_type, Net::output_size>
constexpr evaluation evaluate(const Net& net, std::span<const typename Net::input_type> X,
                              std::span<const typename Net::output_type> Y,
                              const Loss& loss) noexcept {
  using T = typename Net::value_type;
  evaluation e{};
  if (X.empty() || X.size() != Y.size()) return e;
  T sum = T(0);
  std::size_t right = 0;
  typename Net::trace_type t{};
  typename Net::output_type delta{};
  for (std::size_t s = 0; s < X.size(); ++s) {
    net.forward(X[s], t);
    sum += loss_and_output_delta(loss, t, Y[s], delta);
    right += is_correct(t.output(), detail::flat_copy<T>(Y[s])) ? 1u : 0u;
  }
  e.loss = static_cast<double>(sum / static_cast<T>(X.size()));
  e.accuracy = static_cast<double>(right) / static_cast<double>(X.size());
  return e;
}

/// Fraction of samples classified right (see ctnn::is_correct).
template <Network Net>
constexpr double accuracy(const Net& net, std::span<const typename Net::input_type> X,
                          std::span<const typename Net::output_type> Y) noexcept {
  if (X.empty() || X.size() != Y.size()) return 0.0;
  std::size_t right = 0;
  for (std::size_t s = 0; s < X.size(); ++s) right += is_correct(net.forward(X[s]), Y[s]) ? 1u : 0u;
  return static_cast<double>(right) / static_cast<double>(X.size());
}

/// Calls of evaluate and accuracy whose arguments are not what they must be: one ctnn sentence
/// says which.
template <class Net, class Xs, class Ys, class L>
  requires(!detail::training_arguments_ok<Net, Xs, Ys, L, void>())
constexpr evaluation evaluate(const Net&, const Xs&, const Ys&, const L&) noexcept {
  detail::diagnose_training_arguments<Net, Xs, Ys, L, void>();
  return {};
}
template <class Net, class Xs, class Ys>
  requires(!detail::training_arguments_ok<Net, Xs, Ys, void, void>())
constexpr double accuracy(const Net&, const Xs&, const Ys&) noexcept {
  detail::diagnose_training_arguments<Net, Xs, Ys, void, void>();
  return 0.0;
}

}  // namespace ctnn
