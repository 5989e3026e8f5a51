// SPDX-License-Identifier: MIT
// signal.hpp: the audio side of examples/effect.cpp: a test-signal generator (sums of sines with
// random frequencies and amplitudes, plus noise bursts, at 48 kHz) and the effect the network
// learns to imitate (a one-pole low-pass filter followed by tanh saturation). Everything is
// generated from a seed with ctnn::rng, so no data files are needed and a seed always gives the
// same signal. Examples may allocate (std::vector); ctnn never does.
#pragma once

#include <ctnn/rng.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

namespace example {

constexpr double sample_rate = 48000.0;  ///< samples per second

/// The effect: a one-pole low-pass filter, then tanh saturation with some drive.
///
///   lp[n] = lp[n-1] + a (x[n] - lp[n-1]),   a = 1 - exp(-2 pi fc / fs)
///   y[n]  = tanh(drive * lp[n])
///
/// (the one-pole filter is the exponential moving average; with fc = 1 kHz at fs = 48 kHz,
/// a = 0.123 and the filter forgets with a time constant of 1/a = 8 samples). The filter gives
/// the system a memory, the tanh makes it nonlinear: the output of a loud 200 Hz tone is
/// squashed, that of a 5 kHz tone mostly filtered away.
struct lowpass_saturation {
  double cutoff_hz = 1000.0;
  double drive = 3.0;
  double lp = 0.0;  ///< the filter's state: lp[n-1]

  double coefficient() const { return 1.0 - std::exp(-2.0 * std::numbers::pi * cutoff_hz / sample_rate); }

  /// One sample in, one sample out (updates the filter state).
  double process(double x) {
    lp += coefficient() * (x - lp);
    return std::tanh(drive * lp);
  }

  /// A whole signal, from a silent (zero) state.
  std::vector<float> process(const std::vector<float>& x) {
    lp = 0.0;
    std::vector<float> y(x.size());
    for (std::size_t n = 0; n < x.size(); ++n) y[n] = static_cast<float>(process(static_cast<double>(x[n])));
    return y;
  }
};

/// A test signal of `seconds` seconds at 48 kHz, made of segments of 50-250 ms. Each segment is
/// a sum of 1-4 sines (frequencies log-uniform between 40 Hz and 8 kHz, random phases), scaled
/// to a random peak level between 0.05 and 1; one segment in four also carries a burst of white
/// noise. Levels change from segment to segment, so the effect is seen everywhere between
/// almost linear (quiet) and saturated (loud).
inline std::vector<float> test_signal(double seconds, std::uint64_t seed) {
  ctnn::rng gen{seed};
  const std::size_t length = static_cast<std::size_t>(seconds * sample_rate);
  std::vector<float> x(length);
  constexpr double two_pi = 2.0 * std::numbers::pi;
  std::size_t n = 0;
  while (n < length) {
    const std::size_t segment = static_cast<std::size_t>(gen.uniform(0.05, 0.25) * sample_rate);
    const std::size_t sines = 1 + gen.below(4);
    double frequency[4] = {}, phase[4] = {}, amplitude[4] = {};
    double sum_of_amplitudes = 0.0;
    for (std::size_t k = 0; k < sines; ++k) {
      frequency[k] = 40.0 * std::pow(200.0, gen.uniform(0.0, 1.0));  // 40 Hz .. 8 kHz
      phase[k] = gen.uniform(0.0, two_pi);
      amplitude[k] = gen.uniform(0.1, 1.0);
      sum_of_amplitudes += amplitude[k];
    }
    const double level = gen.uniform(0.05, 1.0);
    const double noise = gen.below(4) == 0 ? gen.uniform(0.05, 0.5) : 0.0;
    for (std::size_t i = 0; i < segment && n < length; ++i, ++n) {
      const double t = static_cast<double>(i) / sample_rate;
      double v = 0.0;
      for (std::size_t k = 0; k < sines; ++k) v += amplitude[k] * std::sin(two_pi * frequency[k] * t + phase[k]);
      v *= level / sum_of_amplitudes;
      if (noise > 0.0) v += noise * gen.uniform(-1.0, 1.0);
      x[n] = static_cast<float>(v);
    }
  }
  return x;
}

}  // namespace example
