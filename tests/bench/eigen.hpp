// SPDX-License-Identifier: MIT
// eigen.hpp: the Eigen 3.4 baseline of the benchmarks. The same multilayer perceptron as
// hand.hpp with Eigen fixed-size matrices: one sample is a column vector, a mini-batch of N
// samples an In x N matrix, so a batch is a matrix-matrix product (Eigen's GEMM kernels) and
// activations use Eigen's vectorised tanh / logistic / exp.
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include <Eigen/Core>

#include "hand.hpp"  // hand::act, hand::loss

namespace eig {

using hand::act;
using hand::loss;

template <act A, class Z, class Out>
inline void activate(const Eigen::MatrixBase<Z>& z, Eigen::MatrixBase<Out>& a) {
  if constexpr (A == act::sigmoid) a.derived() = z.array().logistic().matrix();
  else if constexpr (A == act::tanh) a.derived() = z.array().tanh().matrix();
  else if constexpr (A == act::relu) a.derived() = z.cwiseMax(0.f);
  else if constexpr (A == act::softmax) {
    a.derived() = (z.rowwise() - z.colwise().maxCoeff()).array().exp().matrix();
    a.derived().array().rowwise() /= a.colwise().sum().array();
  } else a.derived() = z;
}

/// f'(z) (.) g
template <act A, class Z, class Aa, class G>
inline auto vjp(const Z& z, const Aa& a, const G& g) {
  if constexpr (A == act::sigmoid) return (g.array() * a.array() * (1.f - a.array())).matrix().eval();
  else if constexpr (A == act::tanh) return (g.array() * (1.f - a.array().square())).matrix().eval();
  else if constexpr (A == act::relu)
    return (g.array() * (z.array() > 0.f).template cast<float>()).matrix().eval();
  else return g.eval();
}

template <int In, int Out, act A>
struct layer {
  static constexpr int in = In, out = Out;
  static constexpr act activation = A;
  Eigen::Matrix<float, Out, In> W = Eigen::Matrix<float, Out, In>::Zero();
  Eigen::Matrix<float, Out, 1> b = Eigen::Matrix<float, Out, 1>::Zero();
};

/// N: samples per pass (columns), 1 for one sample.
template <loss Loss, int N, class... Ls>
struct mlp {
  static constexpr std::size_t L = sizeof...(Ls);
  using layers_t = std::tuple<Ls...>;
  template <std::size_t I>
  using layer_t = std::tuple_element_t<I, layers_t>;
  static constexpr int in = layer_t<0>::in, out = layer_t<L - 1>::out;
  using input_t = Eigen::Matrix<float, in, N>;
  using output_t = Eigen::Matrix<float, out, N>;

  layers_t layers;
  std::tuple<Eigen::Matrix<float, Ls::out, N>...> zs, as, ds;
  std::tuple<Eigen::Matrix<float, Ls::out, Ls::in>...> gW;
  std::tuple<Eigen::Matrix<float, Ls::out, 1>...> gb;

  template <std::size_t I>
  const auto& input_of(const input_t& x) const {
    if constexpr (I == 0) return x;
    else return std::get<I - 1>(as);
  }

  void forward(const input_t& x) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            const auto& l = std::get<I>(layers);
            auto& z = std::get<I>(zs);
            z.noalias() = l.W * input_of<I>(x);
            z.colwise() += l.b;
            activate<layer_t<I>::activation>(z, std::get<I>(as));
          }(),
          ...);
    }(std::make_index_sequence<L>{});
  }

  const auto& output() const { return std::get<L - 1>(as); }

  /// dL/dz of the output layer into ds<L-1>, columns >= n zeroed; returns the summed loss.
  float output_delta(const output_t& y, int n = N) {
    const auto& a = std::get<L - 1>(as);
    const auto& z = std::get<L - 1>(zs);
    auto& d = std::get<L - 1>(ds);
    float l = 0.f;
    if constexpr (Loss == loss::cross_entropy) {
      d = a - y;
      l = -(y.array() * a.array().max(1e-7f).log()).leftCols(n).sum();
    } else {
      constexpr act A = layer_t<L - 1>::activation;
      const auto e = (a - y).eval();
      l = e.leftCols(n).squaredNorm() / static_cast<float>(out);
      d = vjp<A>(z, a, (2.f / static_cast<float>(out)) * e);
    }
    if (n < N) d.rightCols(N - n).setZero();
    return l;
  }

  /// Backpropagation. Update: SGD step in place with the gradient of the summed loss times
  /// `scale` (lr for one sample, lr / n for a batch).
  void backward_update(const input_t& x, float scale) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            constexpr std::size_t I = L - 1 - K;
            auto& l = std::get<I>(layers);
            const auto& d = std::get<I>(ds);
            if constexpr (I > 0) {
              constexpr std::size_t J = I == 0 ? 0 : I - 1;
              const auto up = (l.W.transpose() * d).eval();  // before the update
              std::get<J>(ds) = vjp<layer_t<J>::activation>(std::get<J>(zs), std::get<J>(as), up);
            }
            if constexpr (N == 1) {
              l.W.noalias() -= (scale * d) * input_of<I>(x).transpose();
              l.b.noalias() -= scale * d;
            } else {
              auto& gw = std::get<I>(gW);
              gw.noalias() = d * input_of<I>(x).transpose();
              std::get<I>(gb) = d.rowwise().sum();
              l.W.noalias() -= scale * gw;
              l.b.noalias() -= scale * std::get<I>(gb);
            }
          }(),
          ...);
    }(std::make_index_sequence<L>{});
  }

  float train_step(const input_t& x, const output_t& y, float lr, int n = N) {
    forward(x);
    const float l = output_delta(y, n);
    backward_update(x, N == 1 ? lr : lr / static_cast<float>(n));
    return l;
  }

  template <class Flat>
  void assign(const Flat& p) {
    std::size_t k = 0;
    std::apply(
        [&](auto&... l) {
          (
              [&](auto& ly) {
                using LT = std::remove_reference_t<decltype(ly)>;
                for (int j = 0; j < LT::out; ++j)
                  for (int i = 0; i < LT::in; ++i) ly.W(j, i) = p[k++];
                for (int j = 0; j < LT::out; ++j) ly.b(j) = p[k++];
              }(l),
              ...);
        },
        layers);
  }
};

}  // namespace eig
