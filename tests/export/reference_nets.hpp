// SPDX-License-Identifier: MIT
// tests/export: the networks that generate.cpp exports and check.cpp compares against, built by
// the same deterministic code in both programs (seeded initialisation, then a little training).
#pragma once

#include <array>
#include <cstddef>
#include <limits>

#include <ctnn/ctnn.hpp>

namespace export_test {

// Spelled exactly as ctnn::export_header spells types, so check.cpp can require std::is_same.
using net_a = ctnn::network<float, ctnn::input<4>, ctnn::dense<8, ctnn::tanh>,
                            ctnn::dense<6, ctnn::leaky_relu<1, 100>>, ctnn::dense<3, ctnn::softmax>>;
using net_b = ctnn::network<double, ctnn::input<3>, ctnn::dense<5, ctnn::elu<1, 1>>,
                            ctnn::dense<4, ctnn::gelu>, ctnn::dense<4, ctnn::softplus>,
                            ctnn::dense<3, ctnn::relu>, ctnn::dense<2, ctnn::identity>,
                            ctnn::dense<1, ctnn::sigmoid>>;
using net_c = ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::identity>>;

/// A deterministic input: sample k of a pseudo-random stream in [-2, 2).
template <class Net>
constexpr typename Net::input_type sample_input(std::size_t k) {
  using T = typename Net::value_type;
  ctnn::rng gen{1000 + k};
  typename Net::input_type x{};
  for (auto& v : x) v = T(4) * static_cast<T>(gen.next_u32() >> 8) / T(1u << 24) - T(2);
  return x;
}

/// Initialise, then train a few epochs on a synthetic regression/classification task, so the
/// exported values are ordinary "trained" numbers with full mantissas.
template <class Net>
Net make_trained(std::uint64_t seed) {
  using T = typename Net::value_type;
  Net net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  constexpr std::size_t n = 32;
  std::array<typename Net::input_type, n> X{};
  std::array<typename Net::output_type, n> Y{};
  for (std::size_t k = 0; k < n; ++k) {
    X[k] = sample_input<Net>(k);
    T s = T(0);
    for (const T v : X[k]) s += v;
    for (std::size_t j = 0; j < Net::output_size; ++j)
      Y[k][j] = Net::output_size == 1 ? (s > T(0) ? T(1) : T(0))
                                      : (j == k % Net::output_size ? T(1) : T(0));
  }
  (void)ctnn::fit(net, X, Y, ctnn::mse{}, ctnn::adam<T>{T(0.01)},
                  {.epochs = 25, .batch_size = 8, .shuffle_seed = seed});
  return net;
}

inline net_a make_a() { return make_trained<net_a>(11); }
inline net_b make_b() { return make_trained<net_b>(12); }

/// Corner values: signed zero, subnormals, the extremes of float.
inline net_c make_c() {
  using L = std::numeric_limits<float>;
  return net_c(net_c::flat_type{-0.0f, L::denorm_min(), L::max(), L::min(), L::lowest(),
                                -L::denorm_min() * 5.0f, 0.1f, -1.0f / 3.0f});
}

}  // namespace export_test
