// SPDX-License-Identifier: MIT
// xor_model.hpp: the XOR problem of the firmware examples, in one place so that the compiler
// (constexpr), the host (tests/firmware/xor_bit_identity.cpp) and every Cortex-M target run
// exactly the same training: same network, data, seed, initialisation, loss, optimiser, epochs.
//
// A 2-3-1 sigmoid network, Xavier-uniform weights from ctnn::rng{seed}, binary cross-entropy,
// batch gradient descent (all 4 samples per step, no shuffling), learning rate 6, 100 epochs.
// (Training at compile time costs about 4 s of g++ time for these 100 epochs, so the constexpr
// copy is computed once per target, in xor_compile_time.cpp.)
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>

namespace xor_model {

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                            ctnn::dense<1, ctnn::sigmoid>>;
using optimizer_t = ctnn::gradient_descent<float>;
using loss_t = ctnn::binary_cross_entropy;

inline constexpr std::array<net_t::input_type, 4> inputs{{{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}}};
inline constexpr std::array<net_t::output_type, 4> targets{{{0.f}, {1.f}, {1.f}, {0.f}}};

inline constexpr std::uint64_t seed = 7;
inline constexpr float learning_rate = 6.0f;
inline constexpr std::size_t epochs = 100;
inline constexpr ctnn::fit_options<> options{.epochs = epochs, .batch_size = 4, .shuffle = false};

/// The untrained network: Xavier-uniform weights drawn from ctnn::rng{s}, zero biases.
constexpr net_t initial(std::uint64_t s) noexcept {
  net_t net;
  ctnn::rng gen{s};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  return net;
}

/// `epochs` of batch gradient descent on the XOR truth table.
constexpr ctnn::fit_report train(net_t& net) noexcept {
  return ctnn::fit(net, inputs, targets, loss_t{}, optimizer_t{learning_rate}, options);
}

/// initial(s), trained.
constexpr net_t trained(std::uint64_t s) noexcept {
  net_t net = initial(s);
  train(net);
  return net;
}

/// True when every output is within 0.1 of its target.
constexpr bool learned(const net_t& net) noexcept {
  bool ok = true;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const float y = net.forward(inputs[k])[0];
    const float error = y > targets[k][0] ? y - targets[k][0] : targets[k][0] - y;
    ok = ok && error < 0.1f;
  }
  return ok;
}

/// Bit-for-bit equality of every parameter (operator== would call +0 and -0 equal).
constexpr bool identical(const net_t& a, const net_t& b) noexcept {
  bool same = true;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k)
    same = same && std::bit_cast<std::uint32_t>(a[k]) == std::bit_cast<std::uint32_t>(b[k]);
  return same;
}

/// The network trained by the compiler and its outputs on `inputs`, also computed by the
/// compiler (defined in xor_compile_time.cpp; stored in flash).
extern const net_t trained_at_compile_time;
extern const std::array<float, 4> outputs_at_compile_time;

}  // namespace xor_model
