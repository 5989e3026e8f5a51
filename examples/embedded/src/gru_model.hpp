// SPDX-License-Identifier: MIT
// gru_model.hpp: the streaming GRU of the firmware examples, in one place so that the compiler
// (constexpr), the host (tests/firmware/gru_stream_host.cpp) and every Cortex-M target run exactly
// the same stream: same network, weights, input signal and summary of the outputs.
//
// The network: one feature per time step -> GRU with 16 hidden units -> its newest hidden state
// -> one linear output, ctnn::network<float, input<1, 1>, gru<16>, last_step, dense<1>>. Its
// 929 weights are Xavier-uniform draws from ctnn::rng{seed} (zero biases), made by the compiler,
// so the committed seed fixes them. The signal is 256 samples of a sum of three sines, computed
// in float with integer phase reduction (no libm, no double), and the network runs over it one
// sample at a time with net.step(x_t, state), as firmware reading a sensor would.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include <ctnn/init.hpp>
#include <ctnn/layers/gru.hpp>
#include <ctnn/layers/last_step.hpp>
#include <ctnn/network.hpp>
#include <ctnn/rng.hpp>

namespace gru_model {

inline constexpr std::size_t hidden = 16;
using net_t =
    ctnn::network<float, ctnn::input<1, 1>, ctnn::gru<hidden>, ctnn::last_step, ctnn::dense<1>>;

inline constexpr std::uint64_t seed = 2024;
inline constexpr std::size_t samples = 256;

/// Every how many steps an output is printed in full (the others only reach the checksum).
inline constexpr std::size_t print_every = 32;
inline constexpr std::size_t printed = samples / print_every;

/// The network in flash: Xavier-uniform weights from ctnn::rng{seed}, zero biases.
constexpr net_t make() noexcept {
  net_t net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  return net;
}

/// sin(2 pi m / n) in float, for m < n. The phase is reduced exactly in integers, then to
/// [-pi/2, pi/2] by sin(pi - x) = sin(x), and the Taylor series to x^11 (Horner form) is summed
/// in a fixed order: the same bits in the compiler, on the host and on every target.
constexpr float sine_turn(std::uint32_t m, std::uint32_t n) noexcept {
  constexpr float pi = 3.14159265358979f;
  float x = 2.0f * pi * (static_cast<float>(m) / static_cast<float>(n));  // [0, 2 pi)
  if (x > pi) x -= 2.0f * pi;                                            // (-pi, pi]
  if (x > 0.5f * pi) x = pi - x;
  if (x < -0.5f * pi) x = -pi - x;
  const float x2 = x * x;
  float s = 1.0f;
  for (int k = 5; k >= 1; --k) s = 1.0f - x2 / static_cast<float>((2 * k) * (2 * k + 1)) * s;
  return x * s;
}

/// Sample t of the input signal:
/// 0.5 sin(2 pi t / 32) + 0.3 sin(2 pi 3t / 40) + 0.2 sin(2 pi 7t / 256).
constexpr net_t::step_input_type signal(std::size_t t) noexcept {
  const auto tt = static_cast<std::uint32_t>(t);
  const float a = 0.5f * sine_turn(tt % 32u, 32u);
  const float b = 0.3f * sine_turn((3u * tt) % 40u, 40u);
  const float c = 0.2f * sine_turn((7u * tt) % 256u, 256u);
  return {a + b + c};
}

/// The IEEE-754 bit pattern of a float.
constexpr std::uint32_t bits(float value) noexcept { return std::bit_cast<std::uint32_t>(value); }

/// 32-bit FNV-1a over the bytes of a float's bit pattern, low byte first (any endianness).
constexpr std::uint32_t fnv1a(std::uint32_t hash, float value) noexcept {
  const std::uint32_t b = bits(value);
  for (unsigned shift = 0; shift < 32; shift += 8) {
    hash ^= (b >> shift) & 0xFFu;
    hash *= 16777619u;
  }
  return hash;
}
inline constexpr std::uint32_t fnv1a_basis = 2166136261u;

/// What a stream leaves behind: every output's bits hashed, every `print_every`-th output, and
/// the hash of the hidden state after the last sample.
struct summary {
  std::uint32_t output_hash = fnv1a_basis;
  std::array<float, printed> outputs{};
  std::uint32_t state_hash = fnv1a_basis;
  float last = 0.0f;

  /// Bit-for-bit equality (operator== on floats would call +0 and -0 equal).
  friend constexpr bool identical(const summary& a, const summary& b) noexcept {
    bool same = a.output_hash == b.output_hash && a.state_hash == b.state_hash &&
                bits(a.last) == bits(b.last);
    for (std::size_t k = 0; k < printed; ++k)
      same = same && bits(a.outputs[k]) == bits(b.outputs[k]);
    return same;
  }
};

/// Adds the output of step t to the summary.
constexpr void record(summary& s, std::size_t t, float y) noexcept {
  s.output_hash = fnv1a(s.output_hash, y);
  if (t % print_every == print_every - 1) s.outputs[t / print_every] = y;
  s.last = y;
}

/// Adds the state after the last step to the summary.
constexpr void record_state(summary& s, const net_t::state_type& state) noexcept {
  for (const float h : ctnn::state_of<0>(state).h) s.state_hash = fnv1a(s.state_hash, h);
}

/// The whole stream, one net.step per sample, from `state` after net_t::reset(state).
constexpr summary stream(const net_t& net, net_t::state_type& state) noexcept {
  net_t::reset(state);
  summary s;
  for (std::size_t t = 0; t < samples; ++t) record(s, t, net.step(signal(t), state)[0]);
  record_state(s, state);
  return s;
}

/// The whole stream from a fresh state.
constexpr summary stream(const net_t& net) noexcept {
  net_t::state_type state{};
  return stream(net, state);
}

}  // namespace gru_model
