// SPDX-License-Identifier: MIT
// eigen_cells.hpp: the Eigen 3.4 baseline of the sequence benchmarks (sequence_bench.cpp): the
// same cells as hand_cells.hpp with fixed-size matrices: the stacked gate rows (3H for a GRU, 4H
// for an LSTM) as one matrix-vector product per side, Eigen's vectorised logistic and tanh
// (`.array().logistic()`, `.array().tanh()`) on whole gate blocks, and, for the conv1d stack, the
// receptive field gathered into a patch and multiplied by a Channels x (InChannels * Kernel)
// matrix. Weights are loaded from the ctnn layers (PyTorch's layouts) so that all three
// implementations compute the same function.
#pragma once

#include <cstddef>

#include <Eigen/Core>

namespace eigen_seq {

template <int Rows, int Cols>
using mat = Eigen::Matrix<float, Rows, Cols>;
template <int Rows>
using vec = Eigen::Matrix<float, Rows, 1>;

/// The dense 1-output head: its one weight row and bias.
template <class Dense, int N>
void head(const Dense& d, vec<N>& w, float& b) {
  for (int k = 0; k < N; ++k) w(k) = d.W[0][static_cast<std::size_t>(k)];
  b = d.b[0];
}

/// The stacked gate matrices of a ctnn gru or lstm layer (PyTorch's row-major weight_ih,
/// weight_hh) into Eigen's matrices.
template <class Layer, int G, int F, int H>
void load_gates(const Layer& l, mat<G, F>& w_ih, mat<G, H>& w_hh) {
  for (int r = 0; r < G; ++r) {
    const auto ur = static_cast<std::size_t>(r);
    for (int i = 0; i < F; ++i) w_ih(r, i) = l.weight_ih[ur][static_cast<std::size_t>(i)];
    for (int k = 0; k < H; ++k) w_hh(r, k) = l.weight_hh[ur][static_cast<std::size_t>(k)];
  }
}

/// GRU<H> over F inputs, then a dense 1 (identity) on h.
template <int F, int H>
struct gru {
  static constexpr int G = 3 * H;
  mat<G, F> w_ih = mat<G, F>::Zero();
  mat<G, H> w_hh = mat<G, H>::Zero();
  vec<G> b_ih = vec<G>::Zero(), b_hh = vec<G>::Zero();
  vec<H> w_out = vec<H>::Zero();
  float b_out = 0.f;
  vec<H> h = vec<H>::Zero();
  vec<G> gi, gh;

  template <class Net>
  void assign(const Net& net) {  // layer 0 gru, 1 last_step, 2 dense
    const auto& c = net.template layer<0>();
    load_gates(c, w_ih, w_hh);
    for (int r = 0; r < G; ++r) {
      b_ih(r) = c.bias_ih[static_cast<std::size_t>(r)];
      b_hh(r) = c.bias_hh[static_cast<std::size_t>(r)];
    }
    head(net.template layer<2>(), w_out, b_out);
  }
  void reset() { h.setZero(); }

  float step(const vec<F>& x) {
    gi.noalias() = w_ih * x;
    gi += b_ih;
    gh.noalias() = w_hh * h;
    gh += b_hh;
    const auto r = (gi.template head<H>() + gh.template head<H>()).array().logistic().eval();
    const auto z = (gi.template segment<H>(H) + gh.template segment<H>(H)).array().logistic().eval();
    const auto n = (gi.template tail<H>().array() + r * gh.template tail<H>().array()).tanh().eval();
    h = ((1.f - z) * n + z * h.array()).matrix();
    return w_out.dot(h) + b_out;
  }
};

/// LSTM<H> over F inputs, then a dense 1 (identity) on h.
template <int F, int H>
struct lstm {
  static constexpr int G = 4 * H;
  mat<G, F> w_ih = mat<G, F>::Zero();
  mat<G, H> w_hh = mat<G, H>::Zero();
  vec<G> bias = vec<G>::Zero();  // b_ih + b_hh
  vec<H> w_out = vec<H>::Zero();
  float b_out = 0.f;
  vec<H> h = vec<H>::Zero(), c = vec<H>::Zero();
  vec<G> a;

  template <class Net>
  void assign(const Net& net) {  // layer 0 lstm, 1 last_step, 2 dense
    const auto& l = net.template layer<0>();
    load_gates(l, w_ih, w_hh);
    for (std::size_t r = 0; r < static_cast<std::size_t>(G); ++r)
      bias(static_cast<int>(r)) = l.bias_ih[r] + l.bias_hh[r];
    head(net.template layer<2>(), w_out, b_out);
  }
  void reset() { h.setZero(), c.setZero(); }

  float step(const vec<F>& x) {
    a.noalias() = w_ih * x;
    a.noalias() += w_hh * h;
    a += bias;
    const auto i = a.template head<H>().array().logistic().eval();
    const auto f = a.template segment<H>(H).array().logistic().eval();
    const auto g = a.template segment<H>(2 * H).array().tanh().eval();
    const auto o = a.template tail<H>().array().logistic().eval();
    c = (f * c.array() + i * g).matrix();
    h = (o * c.array().tanh()).matrix();
    return w_out.dot(h) + b_out;
  }
};

/// One causal conv1d layer (Kernel taps, Dilation apart, tanh), streamed from a ring of the last
/// Dilation * (Kernel - 1) inputs (one column each).
template <int In, int Out, int Kernel, int Dilation>
struct conv_layer {
  static constexpr int reach = Dilation * (Kernel - 1);
  mat<Out, In * Kernel> w = mat<Out, In * Kernel>::Zero();  // column k * In + i
  vec<Out> b = vec<Out>::Zero();
  mat<In, reach> ring = mat<In, reach>::Zero();
  int pos = 0;
  vec<In * Kernel> patch;

  template <class L>
  void assign(const L& l) {
    for (int o = 0; o < Out; ++o) {
      const auto uo = static_cast<std::size_t>(o);
      for (int i = 0; i < In; ++i)
        for (int k = 0; k < Kernel; ++k)
          w(o, k * In + i) = l.weight[uo][static_cast<std::size_t>(i * Kernel + k)];
      b(o) = l.bias[uo];
    }
  }
  void reset() { ring.setZero(), pos = 0; }

  void step(const vec<In>& x, vec<Out>& y) {
    for (int k = 0; k < Kernel - 1; ++k)
      patch.template segment<In>(k * In) = ring.col((pos + reach - (Kernel - 1 - k) * Dilation) % reach);
    patch.template tail<In>() = x;
    y = (w * patch + b).array().tanh().matrix();
    ring.col(pos) = x;
    pos = (pos + 1) % reach;
  }
};

/// 1 input -> conv(C, K, d=1) -> conv(C, K, d=2) -> conv(C, K, d=4) -> dense 1 on the last step.
template <int C, int K>
struct conv_stack {
  conv_layer<1, C, K, 1> l0;
  conv_layer<C, C, K, 2> l1;
  conv_layer<C, C, K, 4> l2;
  vec<C> w_out = vec<C>::Zero();
  float b_out = 0.f;
  vec<C> a, b;

  template <class Net>
  void assign(const Net& net) {
    l0.assign(net.template layer<0>());
    l1.assign(net.template layer<1>());
    l2.assign(net.template layer<2>());
    head(net.template layer<4>(), w_out, b_out);
  }
  void reset() { l0.reset(), l1.reset(), l2.reset(); }

  float step(const vec<1>& x) {
    l0.step(x, a);
    l1.step(a, b);
    l2.step(b, a);
    return w_out.dot(a) + b_out;
  }
};

}  // namespace eigen_seq
