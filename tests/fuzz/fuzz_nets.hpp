// SPDX-License-Identifier: MIT
// tests/fuzz: the network and optimiser types the fuzz targets exercise, shared with the seed
// corpus generator (make_corpus.cpp). An input's first byte selects the kind (byte % kinds).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctnn/ctnn.hpp>
#include <ctnn/finite.hpp>
#include <ctnn/serialize.hpp>

namespace fuzz {

// fuzz_load: what a blob is loaded into.
using net0 = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>, ctnn::dense<1, ctnn::sigmoid>>;
using net1 = ctnn::network<double, ctnn::input<3>, ctnn::dense<4, ctnn::relu>,
                           ctnn::dense<4, ctnn::leaky_relu<1, 10>>, ctnn::dense<3, ctnn::softmax>>;
using net2 = ctnn::network<float, ctnn::input<4>, ctnn::dense<5, ctnn::gelu>, ctnn::dense<3, ctnn::elu<3, 2>>,
                           ctnn::dense<2, ctnn::softplus>, ctnn::dense<1, ctnn::tanh>>;
using opt3 = ctnn::adam<float>;    // kind 3: a net0 checkpoint with Adam state
using opt4 = ctnn::sgd<double>;    // kind 4: a net1 checkpoint with SGD momentum
inline constexpr std::size_t load_kinds = 5;

// fuzz_train: what is trained on hostile bytes (no relu, so a NaN input must reach every output).
using train_net = ctnn::network<float, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>, ctnn::dense<2, ctnn::sigmoid>>;
inline constexpr std::size_t train_samples = 4;
/// Bytes a train input needs: selector, options byte, parameters, inputs, targets (floats).
inline constexpr std::size_t train_bytes =
    2 + 4 * (train_net::parameter_count + train_samples * (train_net::input_size + train_net::output_size));

template <class Net>
Net seeded(std::uint64_t seed) {
  Net n;
  ctnn::rng gen{seed};
  ctnn::init(n, ctnn::xavier_uniform{}, gen);
  return n;
}

/// Rewrites the CRC-32 of a blob as its version says (1: over the payload; any other version:
/// over header bytes 0..19 and the payload), over the payload length the header states; does
/// nothing when the buffer is shorter than that. So mutations reach the checks after the CRC.
inline void fix_crc(std::span<std::byte> blob) {
  constexpr std::size_t header = ctnn::serial_header_size, at = ctnn::serial_crc_offset;
  if (blob.size() < header) return;
  std::uint32_t len = 0;
  for (std::size_t k = 0; k < 4; ++k) len |= static_cast<std::uint32_t>(blob[16 + k]) << (8 * k);
  if (len > blob.size() - header) return;
  const std::span<const std::byte> all(blob);
  const bool v1 = blob[4] == std::byte{1} && blob[5] == std::byte{0};
  const std::uint32_t crc = v1 ? ctnn::crc32(all.subspan(header, len))
                               : ctnn::crc32(all.subspan(header, len), ctnn::crc32(all.first(at)));
  for (std::size_t k = 0; k < 4; ++k) blob[at + k] = static_cast<std::byte>((crc >> (8 * k)) & 0xFFu);
}

}  // namespace fuzz
