// SPDX-License-Identifier: MIT
/// @file layers/lstm.hpp Defines the long short-term memory layer: the specification a user
/// writes (ctnn::lstm) and the concrete ctnn::Layer and ctnn::StreamingLayer it becomes
/// (ctnn::lstm_layer), with its trace (ctnn::lstm_trace) and streaming state (ctnn::lstm_state).
///
/// The equations and tensors are PyTorch's nn.LSTM (one layer, batch_first), so a state_dict
/// loads without reordering. With gate blocks in the order i, f, g, o (H rows each):
/// ```
/// i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f = sigmoid(W_if x + b_if + W_hf h + b_hf)
/// g = tanh   (W_ig x + b_ig + W_hg h + b_hg)     o = sigmoid(W_io x + b_io + W_ho h + b_ho)
/// c' = f * c + i * g                             h' = o * tanh(c')
/// ```
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <ctnn/activation.hpp>
#include <ctnn/detail/dot_rows.hpp>
#include <ctnn/math.hpp>
#include <ctnn/detail/tiles.hpp>
#include <ctnn/fingerprint.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>
#include <ctnn/spelling.hpp>

namespace ctnn {

/// What an LSTM carries from one time step to the next: the hidden state h and the cell state c.
template <class T, std::size_t Hidden>
struct lstm_state {
  std::array<T, Hidden> h{};
  std::array<T, Hidden> c{};
  /// false once a NaN or an infinity got into the state (it stays until the state is reset).
  constexpr bool all_finite() const noexcept {
    bool ok = true;
    for (std::size_t j = 0; j < Hidden; ++j) ok = ok && math::isfinite(h[j]) && math::isfinite(c[j]);
    return ok;
  }
  friend constexpr bool operator==(const lstm_state&, const lstm_state&) = default;
};

/// Per-step record of an LSTM's forward pass over a window, what backpropagation through time
/// reads: the gate activations i, f, g, o, the cell state c, tanh(c) and the output h, each
/// `Time * Hidden` values, step t's at [t * Hidden, (t + 1) * Hidden).
template <class T, std::size_t Time, std::size_t Hidden>
struct lstm_trace {
  static constexpr std::size_t size = Time * Hidden;
  std::array<T, size> i{};
  std::array<T, size> f{};
  std::array<T, size> g{};
  std::array<T, size> o{};
  std::array<T, size> c{};
  std::array<T, size> tanh_c{};
  std::array<T, size> h{};  ///< the layer's output: h after every step
  constexpr const std::array<T, size>& output() const noexcept { return h; }
  friend constexpr bool operator==(const lstm_trace&, const lstm_trace&) = default;
};

/// The concrete LSTM layer inside a network (a ctnn::Layer and a ctnn::StreamingLayer).
///
/// Input shape<Time, Features>, output shape<Time, Hidden> (h after every step). `forward` runs
/// the window from a zero state; `step` runs one time step from a carried ctnn::lstm_state, and
/// both go through the same cell code, so streaming a window gives the same bits.
///
/// Tensors, in flat order (PyTorch's state_dict order and layouts): `weight_ih` (4 Hidden rows of
/// Features: the i, f, g, o blocks), `weight_hh` (4 Hidden rows of Hidden), `bias_ih` and
/// `bias_hh` (4 Hidden each).
/// @tparam T the element type  @tparam Time steps in a window  @tparam Features inputs per step
/// @tparam Hidden units (the width of h and c)
template <Scalar T, std::size_t Time, std::size_t Features, std::size_t Hidden>
struct lstm_layer {
  static constexpr std::size_t F = Features, H = Hidden, G = 4 * Hidden;
  using value_type = T;
  using input_shape = shape<Time, Features>;
  using output_shape = shape<Time, Hidden>;
  using trace_type = lstm_trace<T, Time, Hidden>;
  using state_type = lstm_state<T, Hidden>;
  static constexpr std::string_view kind = "lstm";
  static constexpr std::string_view header = "<ctnn/layers/lstm.hpp>";
  static constexpr std::size_t parameter_count = G * F + G * H + 2 * G;
  /// The gate pre-activations (4 Hidden dot products of Features + Hidden) and the cell's three
  /// products per unit (f c, i g, o tanh(c)), for every step of the window.
  static constexpr std::size_t forward_macs = Time * (G * (F + H) + 3 * H);
  static constexpr std::size_t fan_in = Features;
  static constexpr std::size_t fan_out = Hidden;

  std::array<std::array<T, F>, G> weight_ih{};  ///< weight_ih[r][k]: input k -> gate row r
  std::array<std::array<T, H>, G> weight_hh{};  ///< weight_hh[r][j]: previous h_j -> gate row r
  std::array<T, G> bias_ih{};
  std::array<T, G> bias_hh{};

  /// f(info, ls.weight_ih...), then weight_hh, bias_ih, bias_hh: the flat order. The fans are
  /// those of one gate block (Features or Hidden in, Hidden out), as PyTorch's are per block.
  template <class Fn, class... Ls>
  static constexpr void for_each_tensor(Fn&& f, Ls&... ls) noexcept {
    f(tensor_tag<tensor_role::weight, F, H>{"weight_ih"}, ls.weight_ih...);
    f(tensor_tag<tensor_role::weight, H, H>{"weight_hh"}, ls.weight_hh...);
    f(tensor_tag<tensor_role::bias, F, H>{"bias_ih"}, ls.bias_ih...);
    f(tensor_tag<tensor_role::bias, H, H>{"bias_hh"}, ls.bias_hh...);
  }

  /// One cell update, the one piece of code behind `forward` and `step`: from x (Features
  /// values), h_prev and c_prev (Hidden each), writes the gates, c, tanh(c) and h (Hidden each;
  /// none of them may overlap an input). Pre-activation of gate row r, in this order:
  /// (weight_ih[r] . x + bias_ih[r]) + (weight_hh[r] . h_prev + bias_hh[r]).
  ///
  /// Written for speed as contiguous passes rather than one loop per unit: the 4 Hidden
  /// pre-activations first (the dot products eight rows at a time, detail::dot_rows), then each
  /// activation over a whole block (i and f together: 2 Hidden sigmoids in one loop), so that
  /// the compiler vectorises the branch-free sigmoid and tanh across units. Every value goes through the same operations as a loop per unit would (only
  /// the order in which units are visited differs), so the bits are the same.
  constexpr void cell(const T* x, const T* h_prev, const T* c_prev, T* gi, T* gf, T* gg, T* go,
                      T* c, T* tanh_c, T* h) const noexcept {
    std::array<T, G> a{}, a_h{};  // weight_ih x, weight_hh h_prev, then a = pre-activations
    detail::dot_rows(weight_ih, x, a.data());
    detail::dot_rows(weight_hh, h_prev, a_h.data());
    for (std::size_t r = 0; r < G; ++r) a[r] = (a[r] + bias_ih[r]) + (a_h[r] + bias_hh[r]);
    std::array<T, G> act{};  // i, f, g, o
    for (std::size_t r = 0; r < 2 * H; ++r) act[r] = sigmoid::value(a[r]);
    for (std::size_t r = 2 * H; r < 3 * H; ++r) act[r] = tanh::value(a[r]);
    for (std::size_t r = 3 * H; r < G; ++r) act[r] = sigmoid::value(a[r]);
    std::array<T, H> cc{}, tc{};
    for (std::size_t j = 0; j < H; ++j) cc[j] = act[H + j] * c_prev[j] + act[j] * act[2 * H + j];
    for (std::size_t j = 0; j < H; ++j) tc[j] = tanh::value(cc[j]);
    // One loop per output array: each is a plain vector copy (one loop writing all of them
    // would stay scalar, since the arrays could overlap as far as the compiler knows).
    for (std::size_t j = 0; j < H; ++j) h[j] = act[3 * H + j] * tc[j];
    for (std::size_t j = 0; j < H; ++j) gi[j] = act[j];
    for (std::size_t j = 0; j < H; ++j) gf[j] = act[H + j];
    for (std::size_t j = 0; j < H; ++j) gg[j] = act[2 * H + j];
    for (std::size_t j = 0; j < H; ++j) go[j] = act[3 * H + j];
    for (std::size_t j = 0; j < H; ++j) c[j] = cc[j];
    for (std::size_t j = 0; j < H; ++j) tanh_c[j] = tc[j];
  }

  /// One time step (streaming): reads x_t, advances `s` and writes h into y_t.
  constexpr void step(std::span<const T, F> x_t, state_type& s, std::span<T, H> y_t) const noexcept {
    std::array<T, H> gi{}, gf{}, gg{}, go{}, c{}, tc{};
    cell(x_t.data(), s.h.data(), s.c.data(), gi.data(), gf.data(), gg.data(), go.data(), c.data(),
         tc.data(), y_t.data());
    s.c = c;
    for (std::size_t j = 0; j < H; ++j) s.h[j] = y_t[j];
  }

  /// h after every step of the window, from a zero state.
  constexpr void forward(std::span<const T, Time * F> x, std::span<T, Time * H> y) const noexcept {
    state_type s{};
    for (std::size_t t = 0; t < Time; ++t)
      step(std::span<const T, F>(x.data() + t * F, F), s, std::span<T, H>(y.data() + t * H, H));
  }

  /// The forward pass that records every step (the same cell code, the same bits).
  constexpr void forward(std::span<const T, Time * F> x, trace_type& tr) const noexcept {
    const std::array<T, H> zero{};
    for (std::size_t t = 0; t < Time; ++t) {
      const std::size_t at = t * H;
      const T* h_prev = t == 0 ? zero.data() : tr.h.data() + at - H;
      const T* c_prev = t == 0 ? zero.data() : tr.c.data() + at - H;
      cell(x.data() + t * F, h_prev, c_prev, tr.i.data() + at, tr.f.data() + at, tr.g.data() + at,
           tr.o.data() + at, tr.c.data() + at, tr.tanh_c.data() + at, tr.h.data() + at);
    }
  }

  /// Backpropagation through time over the window. dy holds dL/dh_t for every step t. Going
  /// back from the last step, with dh = dy_t + (dL/dh_t through step t+1) and dc likewise:
  /// ```
  /// do = dh tanh(c)           dc += dh o (1 - tanh(c)^2)
  /// di = dc g    df = dc c_prev    dg = dc i       dc_prev = dc f
  /// dz = [di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)]   (the 4 Hidden gate rows)
  /// dW_ih += dz x_t^T   dW_hh += dz h_prev^T   db_ih += dz   db_hh += dz
  /// dx_t = W_ih^T dz    dh_prev = W_hh^T dz
  /// ```
  /// Gradients are added into *gr (cleared first with `overwrite`); dL/dx is written into dx.
  /// gr or dx may be nullptr.
  constexpr void backward(std::span<const T, Time * F> x, const trace_type& tr,
                          std::span<const T, Time * H> dy, lstm_layer* gr, bool overwrite,
                          T* dx) const noexcept {
    if (gr != nullptr && overwrite) *gr = lstm_layer{};
    const std::array<T, H> zero{};
    std::array<T, H> dh_next{}, dc_next{};
    std::array<T, G> dz{};
    for (std::size_t step_back = 0; step_back < Time; ++step_back) {
      const std::size_t t = Time - 1 - step_back, at = t * H;
      const T* h_prev = t == 0 ? zero.data() : tr.h.data() + at - H;
      const T* c_prev = t == 0 ? zero.data() : tr.c.data() + at - H;
      for (std::size_t j = 0; j < H; ++j) {
        const T i = tr.i[at + j], f = tr.f[at + j], g = tr.g[at + j], o = tr.o[at + j];
        const T tc = tr.tanh_c[at + j];
        const T dh = dy[at + j] + dh_next[j];
        const T dc = dh * o * tanh::derivative(tc, tc) + dc_next[j];
        dz[j] = dc * g * sigmoid::derivative(i, i);
        dz[H + j] = dc * c_prev[j] * sigmoid::derivative(f, f);
        dz[2 * H + j] = dc * i * tanh::derivative(g, g);
        dz[3 * H + j] = dh * tc * sigmoid::derivative(o, o);
        dc_next[j] = dc * f;
      }
      const T* x_t = x.data() + t * F;
      if (gr != nullptr) accumulate_gradients(dz, x_t, h_prev, *gr);
      if (dx != nullptr) transpose_times<F>(weight_ih, dz, dx + t * F);
      transpose_times<H>(weight_hh, dz, dh_next.data());
    }
  }

  /// Forward-mode tangent through time, from a zero tangent state: with dz = W_ih dx_t +
  /// W_hh dh_prev, di = i(1-i) dz_i, df = f(1-f) dz_f, dg = (1-g^2) dz_g, do = o(1-o) dz_o:
  /// dc = df c_prev + f dc_prev + di g + i dg, dh = do tanh(c) + o (1 - tanh(c)^2) dc.
  constexpr void jvp(const trace_type& tr, std::span<const T, Time * F> dx,
                     std::span<T, Time * H> dy) const noexcept {
    const std::array<T, H> zero{};
    std::array<T, H> dc{};
    for (std::size_t t = 0; t < Time; ++t) {
      const std::size_t at = t * H;
      const T* c_prev = t == 0 ? zero.data() : tr.c.data() + at - H;
      const T* dh_prev = t == 0 ? zero.data() : dy.data() + at - H;
      const T* dx_t = dx.data() + t * F;
      for (std::size_t j = 0; j < H; ++j) {
        const T i = tr.i[at + j], f = tr.f[at + j], g = tr.g[at + j], o = tr.o[at + j];
        const T tc = tr.tanh_c[at + j];
        const T di = sigmoid::derivative(i, i) * tangent(j, dx_t, dh_prev);
        const T df = sigmoid::derivative(f, f) * tangent(H + j, dx_t, dh_prev);
        const T dg = tanh::derivative(g, g) * tangent(2 * H + j, dx_t, dh_prev);
        const T d_o = sigmoid::derivative(o, o) * tangent(3 * H + j, dx_t, dh_prev);
        dc[j] = df * c_prev[j] + f * dc[j] + di * g + i * dg;
        dy[at + j] = d_o * tc + o * tanh::derivative(tc, tc) * dc[j];
      }
    }
  }

  /// Kind and configuration for the saved format's topology fingerprint. Not the window length:
  /// the weights do not depend on it (trained on windows, they load into a streaming network).
  template <class Hasher>
  static constexpr void fingerprint(Hasher& h) noexcept {
    h.text(kind);
    h.u64(F);
    h.u64(H);
  }

  /// The specification a user writes for this layer: `ctnn::lstm<Hidden>`.
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept {
    out("ctnn::lstm<");
    out(detail::decimal(static_cast<std::intmax_t>(H)).view());
    out(">");
  }

  friend constexpr bool operator==(const lstm_layer&, const lstm_layer&) = default;

 private:
  /// Gate row r's tangent: weight_ih[r] . dx + weight_hh[r] . dh_prev.
  constexpr T tangent(std::size_t r, const T* dx, const T* dh_prev) const noexcept {
    return detail::dot<T, F>(weight_ih[r].data(), dx) + detail::dot<T, H>(weight_hh[r].data(), dh_prev);
  }
  /// out = M^T dz for a matrix of G rows of N (out: N values, overwritten).
  template <std::size_t N>
  static constexpr void transpose_times(const std::array<std::array<T, N>, G>& m,
                                        const std::array<T, G>& dz, T* out) noexcept {
    for (std::size_t k = 0; k < N; ++k) out[k] = T(0);
    for (std::size_t r = 0; r < G; ++r)
      for (std::size_t k = 0; k < N; ++k) out[k] += m[r][k] * dz[r];
  }
  /// One step's parameter gradients: dz x^T, dz h_prev^T, dz, dz (added).
  static constexpr void accumulate_gradients(const std::array<T, G>& dz, const T* x_t,
                                             const T* h_prev, lstm_layer& gr) noexcept {
    for (std::size_t r = 0; r < G; ++r) {
      for (std::size_t k = 0; k < F; ++k) gr.weight_ih[r][k] += dz[r] * x_t[k];
      for (std::size_t k = 0; k < H; ++k) gr.weight_hh[r][k] += dz[r] * h_prev[k];
      gr.bias_ih[r] += dz[r];
      gr.bias_hh[r] += dz[r];
    }
  }
};

namespace detail {

// -------- the diagnostic types of ctnn::lstm's rules: <layer index, ...numbers> --------

/// <layer, rank of its input shape>
template <std::size_t Layer, std::size_t Rank>
struct lstm_sequence_input_at_layer {
  static constexpr bool ok = Rank == 2;
};
/// <layer, Hidden>
template <std::size_t Layer, std::size_t Hidden>
struct lstm_hidden_size_at_layer {
  static constexpr bool ok = Hidden != 0;
};
/// <layer, previous layer's channels, the Features written in lstm<Hidden, Features>>
template <std::size_t Layer, std::size_t PreviousChannels, std::size_t DeclaredFeatures>
struct lstm_features_at_layer {
  static constexpr bool ok = PreviousChannels == DeclaredFeatures;
};

/// Time and Features of a shape<Time, Features>; (1, size) for any other shape, so that the
/// spec's layer alias stays well-formed when the rank rule fails.
template <class S>
struct lstm_dims {
  static constexpr std::size_t time = 1, features = S::size;
};
template <std::size_t Time, std::size_t Features>
struct lstm_dims<shape<Time, Features>> {
  static constexpr std::size_t time = Time, features = Features;
};

}  // namespace detail

/// An LSTM of `Hidden` units over a sequence shape<Time, Features>: outputs h after every step,
/// shape<Time, Hidden>. Features is deduced from the previous layer; write `lstm<Hidden,
/// Features>` to state it, and the network checks it.
template <std::size_t Hidden, std::size_t... Features>
struct lstm {
  static_assert(sizeof...(Features) <= 1, "ctnn::lstm<Hidden, Features>: at most one input width");
  static constexpr std::size_t hidden_size = Hidden;
  static constexpr bool features_stated = sizeof...(Features) == 1;
  /// The stated input width (0 when it is deduced).
  static constexpr std::size_t declared_features = (std::size_t{0} + ... + Features);

  /// The concrete layer for element type T after a layer whose output is InShape. Well-formed
  /// even when a rule fails (a non-sequence reads as one step, Hidden = 0 as 1), so that a
  /// mistake gives one message, not a cascade.
  template <class T, class InShape>
  using layer = lstm_layer<T, detail::lstm_dims<InShape>::time, detail::lstm_dims<InShape>::features,
                           (Hidden == 0 ? 1 : Hidden)>;

  /// The shape rules of layer number Index (from 0) of a network of LayerCount layers.
  template <std::size_t Index, class InShape, std::size_t LayerCount>
  static consteval bool check() {
    static_assert(detail::lstm_sequence_input_at_layer<Index, InShape::rank>::ok,
                  "ctnn::lstm<Hidden>: an LSTM reads a sequence, shape<Time, Features>; the "
                  "previous layer's output is not of rank 2 (see <layer, rank> in "
                  "lstm_sequence_input_at_layer)");
    static_assert(detail::lstm_hidden_size_at_layer<Index, Hidden>::ok,
                  "ctnn::lstm<Hidden>: an LSTM needs Hidden > 0 (see <layer, Hidden> in "
                  "lstm_hidden_size_at_layer)");
    static_assert(!features_stated || InShape::rank != 2 ||
                      detail::lstm_features_at_layer<Index, detail::lstm_dims<InShape>::features,
                                                     declared_features>::ok,
                  "ctnn::lstm<Hidden, Features>: the stated Features must equal the previous "
                  "layer's channels (see <layer, previous channels, declared Features> in "
                  "lstm_features_at_layer)");
    return true;
  }
};

}  // namespace ctnn
