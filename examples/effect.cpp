// SPDX-License-Identifier: MIT
// effect: a small recurrent network learns an audio effect with memory, then runs it in real
// time, one sample at a time. The effect (examples/common/signal.hpp) is a one-pole low-pass
// filter at 1 kHz followed by tanh saturation (a crude "warm overdrive"), at 48 kHz. The network
// is trained on windows of a generated signal with ctnn::fit, then streamed with net.step over a
// different, held-out signal of several seconds, as a plug-in would run it.
// Read it top to bottom: the network, the loss, the data, training, streaming, then main.
//
// Usage: effect [--seed N] [--seeds K] [--smoke]
//   (nothing)   one full run: progress per epoch, then the error-to-signal ratio (ESR) on the
//               held-out signal and the speed of one step; the exit code says whether the ESR
//               reaches the target below
//   --seeds K   K full runs (seeds N..N+K-1), one line each, and the mean ESR
//   --smoke     a short run for ctest (a looser target)
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <span>
#include <vector>

#include <ctnn/ctnn.hpp>

#include "common/options.hpp"
#include "common/signal.hpp"

// 1. The network: a window of `window` samples (time) x 1 channel (mono audio) goes into a GRU
//    with 8 hidden units (PyTorch's nn.GRU equations); the same dense layer (no activation) then
//    turns the 8 hidden units into one output sample at every time step. 273 parameters.
//    Trained on windows; streamed one sample at a time with net.step (same weights, same type).
constexpr std::size_t window = 128;  // samples per training window (2.7 ms)
constexpr std::size_t warmup = 32;   // of which the first ones are left out of the loss
using net_t = ctnn::network<float,
                            ctnn::input<window, 1>,
                            ctnn::gru<8>,
                            ctnn::time_distributed<ctnn::dense<1>>>;
using window_t = net_t::input_type;    // window x 1 samples
using target_t = net_t::output_type;   // window x 1 samples

// 2. The loss: mean squared error over a window, except its first `warmup` samples. Every
//    training window starts the GRU from a zero state, while the real effect has been running
//    before the window began; the first samples (4 time constants of the filter) let the
//    network's state catch up, and the loss judges only what comes after. A loss is any small
//    struct with value, gradient and accepts_output (see the ctnn::Loss concept in ctnn/loss.hpp).
struct warmed_up_mse {
  std::size_t warmup = 0;

  template <class Act>
  static constexpr bool accepts_output = true;

  // (1 / (N - warmup)) * sum over j >= warmup of (pred_j - target_j)^2
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const std::array<T, N>& pred, const std::array<T, N>& target) const noexcept {
    T sum = T(0);
    for (std::size_t j = warmup; j < N; ++j) sum += (pred[j] - target[j]) * (pred[j] - target[j]);
    return sum / static_cast<T>(N - warmup);
  }

  // dL/dpred_j = 2 (pred_j - target_j) / (N - warmup) after the warm-up, 0 during it.
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& pred, const std::array<T, N>& target,
                          std::array<T, N>& dL_dpred) const noexcept {
    for (std::size_t j = 0; j < N; ++j)
      dL_dpred[j] = j < warmup ? T(0) : T(2) * (pred[j] - target[j]) / static_cast<T>(N - warmup);
  }
};
static_assert(ctnn::Loss<warmed_up_mse, float, window>);

// 3. The recipe and the targets: ESR = sum (y - y_hat)^2 / sum y^2 over the held-out signal must
//    stay under 1 % (the smoke run: 10 %).
struct recipe {
  double train_seconds;   // length of the generated training signal
  double test_seconds;    // length of the held-out signal
  std::size_t epochs;
  std::size_t batch_size;  // windows per optimiser step
  double target_esr;
};
constexpr recipe full_run{.train_seconds = 10.0, .test_seconds = 10.0, .epochs = 10, .batch_size = 32, .target_esr = 0.01};
constexpr recipe smoke_run{.train_seconds = 0.5, .test_seconds = 0.5, .epochs = 3, .batch_size = 8, .target_esr = 0.10};
constexpr std::size_t hop = window / 2;  // training windows overlap by half
constexpr float learning_rate = 0.01f;

// 4. Training data: cut the input signal x and the effect's output y (computed over the whole
//    signal, so y carries the filter's memory across window borders) into windows.
void cut_into_windows(const std::vector<float>& x, const std::vector<float>& y,
                      std::vector<window_t>& xs, std::vector<target_t>& ys) {
  for (std::size_t start = 0; start + window <= x.size(); start += hop) {
    window_t xw{};
    target_t yw{};
    for (std::size_t t = 0; t < window; ++t) {
      xw[t][0] = x[start + t];
      yw[t][0] = y[start + t];
    }
    xs.push_back(xw);
    ys.push_back(yw);
  }
}

struct result {
  double esr = 1.0;
  double ns_per_step = 0.0;
  bool trained = false;
};

// 5. One run: generate, train, stream, measure.
result train_and_stream(const recipe& r, std::uint64_t seed, bool verbose) {
  // 5a. Two different signals: the seed's own for training, another one (seed + 1000) held out.
  example::lowpass_saturation effect;
  const std::vector<float> x_train = example::test_signal(r.train_seconds, seed);
  const std::vector<float> y_train = effect.process(x_train);
  const std::vector<float> x_test = example::test_signal(r.test_seconds, seed + 1000);
  const std::vector<float> y_test = effect.process(x_test);
  std::vector<window_t> xs;
  std::vector<target_t> ys;
  cut_into_windows(x_train, y_train, xs, ys);

  // 5b. Train: Xavier/Glorot-uniform initial weights, Adam with a cosine decay of the learning
  //     rate to 0, gradient clipping at norm 1 (recurrent networks occasionally see a large
  //     gradient), mini-batches of windows in a fresh random order every epoch.
  net_t net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::by_activation{}, gen);
  const ctnn::adam<float> opt{.learning_rate = learning_rate};
  const warmed_up_mse loss{warmup};
  const auto start = std::chrono::steady_clock::now();
  const ctnn::fit_report report = ctnn::fit(
      net, std::span<const window_t>(xs), std::span<const target_t>(ys), loss, opt,
      ctnn::fit_options<ctnn::cosine_decay>{.epochs = r.epochs,
                                            .batch_size = r.batch_size,
                                            .shuffle_seed = seed,
                                            .clip_norm = 1.0,
                                            .schedule = ctnn::cosine_decay{.total_steps = r.epochs}},
      [&](const ctnn::epoch_info& e) {
        if (!verbose) return;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("epoch %3zu/%zu  loss %.3e  (lr %.4f)  %6.1f s\n", e.epoch + 1, e.epochs, e.loss,
                    e.learning_rate, seconds);
        std::fflush(stdout);
      });
  result out;
  if (!report) {
    std::printf("training failed: %s\n", ctnn::message(report.status));
    return out;
  }
  out.trained = true;

  // 5c. Stream: the held-out signal goes through net.step one sample at a time, from a zero
  //     state (the effect also started from silence), as an audio callback would run it. The
  //     state is a few floats on the stack (net_t::state_bytes); nothing is allocated per sample.
  //     The pass is timed in processor time (std::clock: the time this program ran, not the
  //     time it waited while other programs used the core), and repeated (from a fresh state,
  //     same output) so that the pass is long enough for the clock's resolution.
  std::vector<float> y_hat(x_test.size());
  constexpr int passes = 3;
  const std::clock_t c0 = std::clock();
  for (int pass = 0; pass < passes; ++pass) {
    net_t::state_type state{};
    for (std::size_t n = 0; n < x_test.size(); ++n) y_hat[n] = net.step({x_test[n]}, state)[0];
  }
  const std::clock_t c1 = std::clock();
  const double seconds = static_cast<double>(c1 - c0) / CLOCKS_PER_SEC;
  out.ns_per_step = 1e9 * seconds / (passes * static_cast<double>(x_test.size()));

  // 5d. Error-to-signal ratio: the energy of the error relative to the energy of the target.
  double error = 0.0, energy = 0.0;
  for (std::size_t n = 0; n < y_test.size(); ++n) {
    const double d = static_cast<double>(y_test[n]) - static_cast<double>(y_hat[n]);
    error += d * d;
    energy += static_cast<double>(y_test[n]) * static_cast<double>(y_test[n]);
  }
  out.esr = error / energy;
  return out;
}

// 6. How the figures are printed: ESR in percent, and the speed of one step relative to the
//    time one sample lasts at 48 kHz (20.8 microseconds).
void print_result(const result& r) {
  const double sample_ns = 1e9 / example::sample_rate;
  std::printf("ESR %.3f %%  (%.1f dB)   one step %.0f ns = %.0fx faster than real time at 48 kHz\n",
              100.0 * r.esr, 10.0 * std::log10(r.esr), r.ns_per_step, sample_ns / r.ns_per_step);
}

int main(int argc, char** argv) {
  const auto options = example::parse_options(argc, argv);
  if (!options) return 2;
  const recipe& r = options->smoke ? smoke_run : full_run;
  std::printf("effect: one-pole low-pass at %.0f Hz + tanh(%.0f x) at %.0f Hz; network window %zu x 1 -> "
              "gru<8> -> time_distributed<dense<1>> (%zu parameters, %zu bytes of state)\n",
              example::lowpass_saturation{}.cutoff_hz, example::lowpass_saturation{}.drive,
              example::sample_rate, window, net_t::parameter_count, net_t::state_bytes);
  std::printf("training on %.1f s of generated signal (%zu-sample windows, hop %zu, the first %zu "
              "out of the loss), %zu epochs; streaming %.1f s of another signal\n",
              r.train_seconds, window, hop, warmup, r.epochs, r.test_seconds);

  // 7. One run with progress, or several seeds and their mean ESR.
  if (options->seeds == 1) {
    const result res = train_and_stream(r, options->seed, true);
    if (!res.trained) return 1;
    print_result(res);
    const bool met = res.esr < r.target_esr;
    std::printf("target ESR < %.0f %%: %s\n", 100.0 * r.target_esr, met ? "met" : "NOT met");
    return met ? 0 : 1;
  }
  double sum = 0.0;
  bool all_trained = true;
  for (std::uint64_t seed = options->seed; seed < options->seed + options->seeds; ++seed) {
    const result res = train_and_stream(r, seed, false);
    all_trained = all_trained && res.trained;
    std::printf("seed %2llu: ", static_cast<unsigned long long>(seed));
    print_result(res);
    sum += res.esr;
  }
  const double mean = sum / static_cast<double>(options->seeds);
  const bool met = all_trained && mean < r.target_esr;
  std::printf("mean ESR over %zu seeds %.3f %% (target < %.0f %%: %s)\n", options->seeds, 100.0 * mean,
              100.0 * r.target_esr, met ? "met" : "NOT met");
  return met ? 0 : 1;
}
