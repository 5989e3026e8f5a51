// SPDX-License-Identifier: MIT
// tests/fuzz: the network and optimiser types the fuzz targets exercise, shared with the seed
// corpus generator (make_corpus.cpp). An input's first byte selects the kind (byte % kinds).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

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

}  // namespace fuzz
