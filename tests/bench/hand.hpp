// SPDX-License-Identifier: MIT
// hand.hpp: the hand-written baseline of the benchmarks. A small multilayer perceptron in plain
// C++ over std::array, written the way a careful engineer writes it without a library:
// - weights stored input-major, W[i][j] (input i -> unit j), so that the forward loop runs over
//   the units innermost, contiguously, and vectorises without reassociation;
// - accumulators in local arrays (no aliasing between input and output);
// - activations from <cmath> (std::tanh, std::exp), the natural choice;
// - one training step on one sample updates the weights in place during backpropagation
//   (no gradient buffer); a mini-batch accumulates gradients, then updates once.
// Everything is a template over the layer sizes so that the compiler sees constant trip counts.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <utility>

namespace hand {

enum class act { identity, sigmoid, tanh, relu, softmax };

template <act A>
inline float f(float z) {
  if constexpr (A == act::sigmoid) return 1.f / (1.f + std::exp(-z));
  else if constexpr (A == act::tanh) return std::tanh(z);
  else if constexpr (A == act::relu) return z > 0.f ? z : 0.f;
  else return z;
}

/// f'(z) from z and a = f(z)
template <act A>
inline float df(float z, float a) {
  if constexpr (A == act::sigmoid) return a * (1.f - a);
  else if constexpr (A == act::tanh) return 1.f - a * a;
  else if constexpr (A == act::relu) return z > 0.f ? 1.f : 0.f;
  else return 1.f;
}

template <std::size_t In, std::size_t Out, act A>
struct layer {
  static constexpr std::size_t in = In, out = Out;
  static constexpr act activation = A;
  alignas(64) std::array<std::array<float, Out>, In> W{};  // W[i][j]
  alignas(64) std::array<float, Out> b{};

  /// z = W^T x + b, a = f(z)
  void forward(const float* x, float* z, float* a) const {
    std::array<float, Out> acc = b;
    for (std::size_t i = 0; i < In; ++i) {
      const float xi = x[i];
      for (std::size_t j = 0; j < Out; ++j) acc[j] += W[i][j] * xi;
    }
    if constexpr (A == act::softmax) {
      float m = acc[0];
      for (std::size_t j = 1; j < Out; ++j) m = std::max(m, acc[j]);
      float sum = 0.f;
      for (std::size_t j = 0; j < Out; ++j) {
        z[j] = acc[j];
        a[j] = std::exp(acc[j] - m);
        sum += a[j];
      }
      const float inv = 1.f / sum;
      for (std::size_t j = 0; j < Out; ++j) a[j] *= inv;
    } else {
      for (std::size_t j = 0; j < Out; ++j) {
        z[j] = acc[j];
        a[j] = f<A>(acc[j]);
      }
    }
  }

  /// dx = W d (dL/dx from dL/dz of this layer)
  void back(const float* d, float* dx) const {
    for (std::size_t i = 0; i < In; ++i) {
      float s = 0.f;
      for (std::size_t j = 0; j < Out; ++j) s += W[i][j] * d[j];
      dx[i] = s;
    }
  }

  /// W -= lr x d^T, b -= lr d (one sample, in place)
  void update(const float* x, const float* d, float lr) {
    for (std::size_t i = 0; i < In; ++i) {
      const float g = lr * x[i];
      for (std::size_t j = 0; j < Out; ++j) W[i][j] -= g * d[j];
    }
    for (std::size_t j = 0; j < Out; ++j) b[j] -= lr * d[j];
  }
};

/// Gradient buffer of a layer.
template <class L>
struct grad {
  alignas(64) std::array<std::array<float, L::out>, L::in> W{};
  alignas(64) std::array<float, L::out> b{};
  void clear() { *this = grad{}; }
  void add(const float* x, const float* d) {
    for (std::size_t i = 0; i < L::in; ++i) {
      const float xi = x[i];
      for (std::size_t j = 0; j < L::out; ++j) W[i][j] += xi * d[j];
    }
    for (std::size_t j = 0; j < L::out; ++j) b[j] += d[j];
  }
  void apply(L& l, float scale) const {  // l -= scale * g
    for (std::size_t i = 0; i < L::in; ++i)
      for (std::size_t j = 0; j < L::out; ++j) l.W[i][j] -= scale * W[i][j];
    for (std::size_t j = 0; j < L::out; ++j) l.b[j] -= scale * b[j];
  }
};

enum class loss { mse, cross_entropy };

/// A chain of layers; Loss is MSE (mean over outputs) or softmax cross-entropy (fused).
template <loss Loss, class... Ls>
struct mlp {
  static constexpr std::size_t L = sizeof...(Ls);
  using layers_t = std::tuple<Ls...>;
  template <std::size_t I>
  using layer_t = std::tuple_element_t<I, layers_t>;
  static constexpr std::size_t in = layer_t<0>::in, out = layer_t<L - 1>::out;
  static constexpr std::size_t widest = std::max({Ls::out...});

  layers_t layers;
  std::tuple<grad<Ls>...> grads;
  // per-layer z and a of the last forward pass (what backpropagation needs)
  std::tuple<std::array<float, Ls::out>...> zs, as;

  template <std::size_t I>
  const float* input_of(const float* x) const {
    if constexpr (I == 0) return x;
    else return std::get<I - 1>(as).data();
  }

  /// Prediction only: two ping-pong buffers.
  void predict(const float* x, float* y) const {
    alignas(64) std::array<float, widest> buf[2], zbuf;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((std::get<I>(layers).forward(I == 0 ? x : buf[(I + 1) % 2].data(), zbuf.data(),
                                    I + 1 == L ? y : buf[I % 2].data())),
       ...);
    }(std::make_index_sequence<L>{});
  }

  void forward_cached(const float* x) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((std::get<I>(layers).forward(input_of<I>(x), std::get<I>(zs).data(),
                                    std::get<I>(as).data())),
       ...);
    }(std::make_index_sequence<L>{});
  }

  /// dL/dz of the output layer; returns the loss.
  float output_delta(const float* y, float* d) const {
    const auto& a = std::get<L - 1>(as);
    const auto& z = std::get<L - 1>(zs);
    float l = 0.f;
    if constexpr (Loss == loss::cross_entropy) {  // softmax output: dL/dz = a - y
      for (std::size_t j = 0; j < out; ++j) {
        d[j] = a[j] - y[j];
        l -= y[j] * std::log(std::max(a[j], 1e-7f));
      }
    } else {
      constexpr act A = layer_t<L - 1>::activation;
      const float k = 2.f / static_cast<float>(out);
      for (std::size_t j = 0; j < out; ++j) {
        const float e = a[j] - y[j];
        l += e * e;
        d[j] = k * e * df<A>(z[j], a[j]);
      }
      l /= static_cast<float>(out);
    }
    return l;
  }

  /// Backpropagation from dL/dz of the output layer. Update: true = SGD step in place
  /// (learning rate lr), false = accumulate into grads.
  template <bool Update>
  void backward(const float* x, float* d_out, float lr) {
    alignas(64) std::array<float, widest> d[2], dx;
    std::copy(d_out, d_out + out, d[(L - 1) % 2].data());
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            constexpr std::size_t I = L - 1 - K;
            auto& l = std::get<I>(layers);
            const float* dI = d[I % 2].data();
            if constexpr (I > 0) {
              l.back(dI, dx.data());  // before the update: uses the old weights
              using below = layer_t<I == 0 ? 0 : I - 1>;
              const auto& zb = std::get<I == 0 ? 0 : I - 1>(zs);
              const auto& ab = std::get<I == 0 ? 0 : I - 1>(as);
              float* dn = d[(I + 1) % 2].data();
              for (std::size_t i = 0; i < below::out; ++i)
                dn[i] = dx[i] * df<below::activation>(zb[i], ab[i]);
            }
            if constexpr (Update) l.update(input_of<I>(x), dI, lr);
            else std::get<I>(grads).add(input_of<I>(x), dI);
          }(),
          ...);
    }(std::make_index_sequence<L>{});
  }

  /// One SGD step on one sample.
  float train_step(const float* x, const float* y, float lr) {
    forward_cached(x);
    std::array<float, out> d;
    const float l = output_delta(y, d.data());
    backward<true>(x, d.data(), lr);
    return l;
  }

  /// One SGD step on the mean gradient of n samples X[idx[k]].
  template <class XS, class YS>
  float train_batch(const XS& X, const YS& Y, const std::size_t* idx, std::size_t n, float lr) {
    std::apply([](auto&... g) { (g.clear(), ...); }, grads);
    float total = 0.f;
    std::array<float, out> d;
    for (std::size_t k = 0; k < n; ++k) {
      const float* x = X[idx[k]].data();
      forward_cached(x);
      total += output_delta(Y[idx[k]].data(), d.data());
      backward<false>(x, d.data(), lr);
    }
    const float scale = lr / static_cast<float>(n);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::get<I>(grads).apply(std::get<I>(layers), scale), ...);
    }(std::make_index_sequence<L>{});
    return total;
  }

  /// Copies parameters from a ctnn-style flat order (per layer W[j][i] row by row, then b).
  template <class Flat>
  void assign(const Flat& p) {
    std::size_t k = 0;
    std::apply(
        [&](auto&... l) {
          (
              [&](auto& ly) {
                using LT = std::remove_reference_t<decltype(ly)>;
                for (std::size_t j = 0; j < LT::out; ++j)
                  for (std::size_t i = 0; i < LT::in; ++i) ly.W[i][j] = p[k++];
                for (std::size_t j = 0; j < LT::out; ++j) ly.b[j] = p[k++];
              }(l),
              ...);
        },
        layers);
  }
};

}  // namespace hand
