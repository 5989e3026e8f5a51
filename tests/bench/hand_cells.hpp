// SPDX-License-Identifier: MIT
// hand_cells.hpp: the hand-written std::array baseline of the sequence benchmarks
// (sequence_bench.cpp): one streaming step of a GRU or LSTM cell with a dense 1-output head, and
// of a stack of dilated causal conv1d layers, written the way hand.hpp writes its MLP:
// - weights stored input-major (W[i][row], the 3H / 4H gate rows or the output channels
//   innermost), so that every matrix-vector product runs over contiguous rows and vectorises
//   without reassociation;
// - activations from <cmath> (std::tanh, std::exp);
// - the recurrent state updated in place.
// The equations and gate orders are PyTorch's (GRU: r, z, n; LSTM: i, f, g, o), as in ctnn, and
// each cell loads its weights from the ctnn layer so that all three implementations compute the
// same function.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace hand_seq {

inline float sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }

/// w_ih[i][row] = weight_ih[row][i], w_hh[k][row] = weight_hh[row][k] (input-major copies).
template <class Layer, std::size_t G, std::size_t F, std::size_t H>
void load_gates(const Layer& l, std::array<std::array<float, G>, F>& w_ih,
                std::array<std::array<float, G>, H>& w_hh) {
  for (std::size_t r = 0; r < G; ++r) {
    for (std::size_t i = 0; i < F; ++i) w_ih[i][r] = l.weight_ih[r][i];
    for (std::size_t k = 0; k < H; ++k) w_hh[k][r] = l.weight_hh[r][k];
  }
}

/// GRU<Hidden> over Features inputs, then a dense 1 (identity) on h.
template <std::size_t Features, std::size_t Hidden>
struct gru {
  static constexpr std::size_t F = Features, H = Hidden, G = 3 * Hidden;
  alignas(64) std::array<std::array<float, G>, F> w_ih{};  // w_ih[i][row]
  alignas(64) std::array<std::array<float, G>, H> w_hh{};  // w_hh[k][row]
  alignas(64) std::array<float, G> b_ih{}, b_hh{};
  alignas(64) std::array<float, H> w_out{};
  float b_out = 0.f;
  alignas(64) std::array<float, H> h{};

  template <class Net>
  void assign(const Net& net) {  // layer 0 gru, 1 last_step, 2 dense
    load_gates(net.template layer<0>(), w_ih, w_hh);
    b_ih = net.template layer<0>().bias_ih;
    b_hh = net.template layer<0>().bias_hh;
    w_out = net.template layer<2>().W[0];
    b_out = net.template layer<2>().b[0];
  }
  void reset() { h = {}; }

  float step(const float* x) {
    std::array<float, G> gi = b_ih, gh = b_hh;
    for (std::size_t i = 0; i < F; ++i)
      for (std::size_t r = 0; r < G; ++r) gi[r] += w_ih[i][r] * x[i];
    for (std::size_t k = 0; k < H; ++k)
      for (std::size_t r = 0; r < G; ++r) gh[r] += w_hh[k][r] * h[k];
    float y = b_out;
    for (std::size_t j = 0; j < H; ++j) {
      const float r = sigmoid(gi[j] + gh[j]);
      const float z = sigmoid(gi[H + j] + gh[H + j]);
      const float n = std::tanh(gi[2 * H + j] + r * gh[2 * H + j]);
      h[j] = (1.f - z) * n + z * h[j];
      y += w_out[j] * h[j];
    }
    return y;
  }
};

/// LSTM<Hidden> over Features inputs, then a dense 1 (identity) on h.
template <std::size_t Features, std::size_t Hidden>
struct lstm {
  static constexpr std::size_t F = Features, H = Hidden, G = 4 * Hidden;
  alignas(64) std::array<std::array<float, G>, F> w_ih{};
  alignas(64) std::array<std::array<float, G>, H> w_hh{};
  alignas(64) std::array<float, G> bias{};  // b_ih + b_hh
  alignas(64) std::array<float, H> w_out{};
  float b_out = 0.f;
  alignas(64) std::array<float, H> h{}, c{};

  template <class Net>
  void assign(const Net& net) {  // layer 0 lstm, 1 last_step, 2 dense
    const auto& l = net.template layer<0>();
    load_gates(l, w_ih, w_hh);
    for (std::size_t r = 0; r < G; ++r) bias[r] = l.bias_ih[r] + l.bias_hh[r];
    w_out = net.template layer<2>().W[0];
    b_out = net.template layer<2>().b[0];
  }
  void reset() { h = {}, c = {}; }

  float step(const float* x) {
    std::array<float, G> a = bias;
    for (std::size_t i = 0; i < F; ++i)
      for (std::size_t r = 0; r < G; ++r) a[r] += w_ih[i][r] * x[i];
    for (std::size_t k = 0; k < H; ++k)
      for (std::size_t r = 0; r < G; ++r) a[r] += w_hh[k][r] * h[k];
    float y = b_out;
    for (std::size_t j = 0; j < H; ++j) {
      const float i = sigmoid(a[j]), f = sigmoid(a[H + j]);
      const float g = std::tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j]);
      c[j] = f * c[j] + i * g;
      h[j] = o * std::tanh(c[j]);
      y += w_out[j] * h[j];
    }
    return y;
  }
};

/// One causal conv1d layer (Kernel taps, Dilation apart, tanh), streamed: a ring of the last
/// Dilation * (Kernel - 1) inputs.
template <std::size_t In, std::size_t Out, std::size_t Kernel, std::size_t Dilation>
struct conv_layer {
  static constexpr std::size_t reach = Dilation * (Kernel - 1);
  alignas(64) std::array<std::array<std::array<float, Out>, In>, Kernel> w{};  // w[k][i][o]
  alignas(64) std::array<float, Out> b{};
  std::array<std::array<float, In>, reach> ring{};
  std::size_t pos = 0;  // oldest slot

  template <class L>
  void assign(const L& l) {
    for (std::size_t o = 0; o < Out; ++o) {
      for (std::size_t i = 0; i < In; ++i)
        for (std::size_t k = 0; k < Kernel; ++k) w[k][i][o] = l.weight[o][i * Kernel + k];
      b[o] = l.bias[o];
    }
  }
  void reset() { ring = {}, pos = 0; }

  void step(const float* x, float* y) {
    std::array<float, Out> acc = b;
    for (std::size_t k = 0; k < Kernel; ++k) {
      const std::size_t lag = (Kernel - 1 - k) * Dilation;  // tap k reads lag steps back
      const float* src = lag == 0 ? x : ring[(pos + reach - lag) % reach].data();
      for (std::size_t i = 0; i < In; ++i)
        for (std::size_t o = 0; o < Out; ++o) acc[o] += w[k][i][o] * src[i];
    }
    for (std::size_t o = 0; o < Out; ++o) y[o] = std::tanh(acc[o]);
    for (std::size_t i = 0; i < In; ++i) ring[pos][i] = x[i];
    pos = (pos + 1) % reach;
  }
};

/// 1 input -> conv(C, K, d=1) -> conv(C, K, d=2) -> conv(C, K, d=4) -> dense 1 on the last step.
template <std::size_t C, std::size_t K>
struct conv_stack {
  conv_layer<1, C, K, 1> l0;
  conv_layer<C, C, K, 2> l1;
  conv_layer<C, C, K, 4> l2;
  alignas(64) std::array<float, C> w_out{};
  float b_out = 0.f;

  template <class Net>
  void assign(const Net& net) {  // layers 0-2 conv1d, 3 last_step, 4 dense
    l0.assign(net.template layer<0>()), l1.assign(net.template layer<1>()), l2.assign(net.template layer<2>());
    w_out = net.template layer<4>().W[0];
    b_out = net.template layer<4>().b[0];
  }
  void reset() { l0.reset(), l1.reset(), l2.reset(); }

  float step(const float* x) {
    std::array<float, C> a{}, b{};
    l0.step(x, a.data());
    l1.step(a.data(), b.data());
    l2.step(b.data(), a.data());
    float y = b_out;
    for (std::size_t k = 0; k < C; ++k) y += w_out[k] * a[k];
    return y;
  }
};

}  // namespace hand_seq
