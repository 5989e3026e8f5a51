// SPDX-License-Identifier: MIT
// networks.hpp: the four benchmark networks (float) in the three implementations: ctnn, the
// hand-written std::array MLP (hand.hpp) and Eigen 3.4 fixed-size matrices (eigen.hpp).
// N1 = 2-3-1 sigmoid, N2 = 16-32-32-4 tanh, N3 = 64-64-64-10 relu (every layer uses the named
// activation; loss MSE), N4 = 64-32-10 tanh + softmax (cross-entropy).
#pragma once

#include <ctnn/activation.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>

#include "eigen.hpp"
#include "hand.hpp"

namespace bench_nets {

using hand::act;

struct N1 {
  static constexpr const char* name = "N1";
  using ctnn_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                               ctnn::dense<1, ctnn::sigmoid>>;
  using loss_t = ctnn::mse;
  static constexpr hand::loss hloss = hand::loss::mse;
  using hand_t = hand::mlp<hloss, hand::layer<2, 3, act::sigmoid>, hand::layer<3, 1, act::sigmoid>>;
  template <int N>
  using eigen_t = eig::mlp<hloss, N, eig::layer<2, 3, act::sigmoid>, eig::layer<3, 1, act::sigmoid>>;
};
struct N2 {
  static constexpr const char* name = "N2";
  using ctnn_t = ctnn::network<float, ctnn::input<16>, ctnn::dense<32, ctnn::tanh>,
                               ctnn::dense<32, ctnn::tanh>, ctnn::dense<4, ctnn::tanh>>;
  using loss_t = ctnn::mse;
  static constexpr hand::loss hloss = hand::loss::mse;
  using hand_t = hand::mlp<hloss, hand::layer<16, 32, act::tanh>, hand::layer<32, 32, act::tanh>,
                           hand::layer<32, 4, act::tanh>>;
  template <int N>
  using eigen_t = eig::mlp<hloss, N, eig::layer<16, 32, act::tanh>, eig::layer<32, 32, act::tanh>,
                           eig::layer<32, 4, act::tanh>>;
};
struct N3 {
  static constexpr const char* name = "N3";
  using ctnn_t = ctnn::network<float, ctnn::input<64>, ctnn::dense<64, ctnn::relu>,
                               ctnn::dense<64, ctnn::relu>, ctnn::dense<10, ctnn::relu>>;
  using loss_t = ctnn::mse;
  static constexpr hand::loss hloss = hand::loss::mse;
  using hand_t = hand::mlp<hloss, hand::layer<64, 64, act::relu>, hand::layer<64, 64, act::relu>,
                           hand::layer<64, 10, act::relu>>;
  template <int N>
  using eigen_t = eig::mlp<hloss, N, eig::layer<64, 64, act::relu>, eig::layer<64, 64, act::relu>,
                           eig::layer<64, 10, act::relu>>;
};
struct N4 {
  static constexpr const char* name = "N4";
  using ctnn_t = ctnn::network<float, ctnn::input<64>, ctnn::dense<32, ctnn::tanh>,
                               ctnn::dense<10, ctnn::softmax>>;
  using loss_t = ctnn::cross_entropy;
  static constexpr hand::loss hloss = hand::loss::cross_entropy;
  using hand_t = hand::mlp<hloss, hand::layer<64, 32, act::tanh>, hand::layer<32, 10, act::softmax>>;
  template <int N>
  using eigen_t = eig::mlp<hloss, N, eig::layer<64, 32, act::tanh>, eig::layer<32, 10, act::softmax>>;
};

}  // namespace bench_nets
