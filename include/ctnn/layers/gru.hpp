// SPDX-License-Identifier: MIT
/// @file layers/gru.hpp Defines the gated recurrent unit layer: the specification a user writes
/// (ctnn::gru) and the concrete ctnn::Layer and ctnn::StreamingLayer it becomes
/// (ctnn::gru_layer), with its trace (ctnn::gru_trace) and its streaming state (ctnn::gru_state).
///
/// The equations and the gate order are PyTorch's nn.GRU, so that its weights load without
/// reordering (r: reset, z: update, n: candidate; sigma: the logistic sigmoid):
///
///     r  = sigma(W_ir x + b_ir + W_hr h + b_hr)
///     z  = sigma(W_iz x + b_iz + W_hz h + b_hz)
///     n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
///     h' = (1 - z) * n + z * h
///
/// The layer reads a window shape<Time, Features> and writes the hidden state after every step,
/// shape<Time, Hidden>, starting from h = 0.
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
#include <ctnn/layer.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>
#include <ctnn/spelling.hpp>

namespace ctnn {

/// What one window of a GRU layer recorded for backpropagation through time: per step t (row t
/// of Hidden values each) the gates r, z, n, the term hn = W_hn h_{t-1} + b_hn, and the next
/// hidden state h_t (the layer's output).
template <class T, std::size_t Time, std::size_t Hidden>
struct gru_trace {
  std::array<T, Time * Hidden> r{};
  std::array<T, Time * Hidden> z{};
  std::array<T, Time * Hidden> n{};
  std::array<T, Time * Hidden> hn{};
  std::array<T, Time * Hidden> h{};
  constexpr const std::array<T, Time * Hidden>& output() const noexcept { return h; }
  friend constexpr bool operator==(const gru_trace&, const gru_trace&) = default;
};

/// The memory a streaming GRU carries from one step to the next: its hidden state.
template <class T, std::size_t Hidden>
struct gru_state {
  std::array<T, Hidden> h{};
  /// false once a NaN or an infinity got into the state (it stays until the state is reset).
  constexpr bool all_finite() const noexcept {
    bool ok = true;
    for (const T& v : h) ok = ok && math::isfinite(v);
    return ok;
  }
  friend constexpr bool operator==(const gru_state&, const gru_state&) = default;
};

/// The concrete GRU layer inside a network (a ctnn::Layer and a ctnn::StreamingLayer).
///
/// Storage (PyTorch's state_dict names, order and layouts; rows in gate blocks r, z, n):
/// `weight_ih[g * Hidden + j][i]` (3 Hidden rows of Features), `weight_hh[g * Hidden + j][k]`
/// (3 Hidden rows of Hidden), `bias_ih[g * Hidden + j]`, `bias_hh[g * Hidden + j]`, gate g = 0
/// (r), 1 (z), 2 (n). Flat order: weight_ih row by row, weight_hh row by row, bias_ih, bias_hh.
/// @tparam T the element type  @tparam Time steps in a window  @tparam Features inputs per step
/// @tparam Hidden the hidden state's size
template <Scalar T, std::size_t Time, std::size_t Features, std::size_t Hidden>
struct gru_layer {
  using value_type = T;
  using input_shape = shape<Time, Features>;
  using output_shape = shape<Time, Hidden>;
  using trace_type = gru_trace<T, Time, Hidden>;
  using state_type = gru_state<T, Hidden>;
  static constexpr std::string_view kind = "gru";
  static constexpr std::string_view header = "<ctnn/layers/gru.hpp>";
  static constexpr std::size_t time_steps = Time;
  static constexpr std::size_t feature_count = Features;
  static constexpr std::size_t hidden_size = Hidden;
  static constexpr std::size_t gate_rows = 3 * Hidden;
  static constexpr std::size_t parameter_count = gate_rows * (Features + Hidden + 2);
  /// The matrix-vector products of every step (3 Hidden x (Features + Hidden)); the gates'
  /// element-wise work is not counted.
  static constexpr std::size_t forward_macs = Time * gate_rows * (Features + Hidden);
  static constexpr std::size_t fan_in = Features;
  static constexpr std::size_t fan_out = Hidden;

  std::array<std::array<T, Features>, gate_rows> weight_ih{};  ///< W_ir, W_iz, W_in stacked
  std::array<std::array<T, Hidden>, gate_rows> weight_hh{};    ///< W_hr, W_hz, W_hn stacked
  std::array<T, gate_rows> bias_ih{};                          ///< b_ir, b_iz, b_in
  std::array<T, gate_rows> bias_hh{};                          ///< b_hr, b_hz, b_hn

  /// f(info, ls.tensor...) for weight_ih, weight_hh, bias_ih, bias_hh (PyTorch's state_dict
  /// order). Fans are those of one gate block: Features (or Hidden) inputs to Hidden units.
  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&& f, Ls&... ls) noexcept {
    f(tensor_tag<tensor_role::weight, Features, Hidden>{"weight_ih"}, ls.weight_ih...);
    f(tensor_tag<tensor_role::weight, Hidden, Hidden>{"weight_hh"}, ls.weight_hh...);
    f(tensor_tag<tensor_role::bias, Features, Hidden>{"bias_ih"}, ls.bias_ih...);
    f(tensor_tag<tensor_role::bias, Hidden, Hidden>{"bias_hh"}, ls.bias_hh...);
  }

  /// One cell update, the only place the forward equations are written (forward, the traced
  /// forward and step all call it, so they give the same bits): from x (Features values) and
  /// h_prev (Hidden) writes r, z, n, hn = W_hn h_prev + b_hn and h_next (Hidden each). h_next must
  /// not overlap h_prev.
  ///
  /// Written for speed as a few contiguous passes rather than one loop per unit: the 3 Hidden
  /// gate rows of both sides first (a_i = W_ih x + b_ih, a_h = W_hh h + b_hh, each row one
  /// fixed-order dot product, computed eight rows at a time by detail::dot_rows), then each activation over a whole block (r and z together: 2
  /// Hidden logistic sigmoids in one loop), so that the compiler vectorises the branch-free
  /// sigmoid and tanh across units. Every value goes through the same operations as a loop per
  /// unit would (only the order in which units are visited differs), so the bits are the same.
  constexpr void cell(const T* x, const T* h_prev, T* r, T* z, T* n, T* hn, T* h_next) const noexcept {
    std::array<T, gate_rows> a_i{}, a_h{};
    detail::dot_rows(weight_ih, x, a_i.data());  // a_i[k] = input_term(k, x), the same bits
    detail::dot_rows(weight_hh, h_prev, a_h.data());
    for (std::size_t k = 0; k < gate_rows; ++k) a_i[k] += bias_ih[k];
    for (std::size_t k = 0; k < gate_rows; ++k) a_h[k] += bias_hh[k];
    std::array<T, 2 * Hidden> rz{};  // r then z
    for (std::size_t k = 0; k < 2 * Hidden; ++k) rz[k] = sigmoid::value(a_i[k] + a_h[k]);
    std::array<T, Hidden> nn{};
    for (std::size_t j = 0; j < Hidden; ++j)
      nn[j] = tanh::value(a_i[2 * Hidden + j] + rz[j] * a_h[2 * Hidden + j]);
    // One loop per output array: each is a plain vector loop (one loop writing all of them
    // would stay scalar, since the arrays could overlap as far as the compiler knows).
    for (std::size_t j = 0; j < Hidden; ++j)
      h_next[j] = (T(1) - rz[Hidden + j]) * nn[j] + rz[Hidden + j] * h_prev[j];
    for (std::size_t j = 0; j < Hidden; ++j) r[j] = rz[j];
    for (std::size_t j = 0; j < Hidden; ++j) z[j] = rz[Hidden + j];
    for (std::size_t j = 0; j < Hidden; ++j) n[j] = nn[j];
    for (std::size_t j = 0; j < Hidden; ++j) hn[j] = a_h[2 * Hidden + j];
  }

  /// The hidden state after every step of the window x, from h = 0.
  constexpr void forward(std::span<const T, Time * Features> x,
                         std::span<T, Time * Hidden> y) const noexcept {
    std::array<T, Hidden> r{}, z{}, n{}, hn{};
    const std::array<T, Hidden> zero{};
    for (std::size_t t = 0; t < Time; ++t)
      cell(x.data() + t * Features, t == 0 ? zero.data() : y.data() + (t - 1) * Hidden, r.data(),
           z.data(), n.data(), hn.data(), y.data() + t * Hidden);
  }

  /// The forward pass that records the gates of every step.
  constexpr void forward(std::span<const T, Time * Features> x, trace_type& tr) const noexcept {
    const std::array<T, Hidden> zero{};
    for (std::size_t t = 0; t < Time; ++t) {
      const std::size_t o = t * Hidden;
      cell(x.data() + t * Features, t == 0 ? zero.data() : tr.h.data() + o - Hidden,
           tr.r.data() + o, tr.z.data() + o, tr.n.data() + o, tr.hn.data() + o, tr.h.data() + o);
    }
  }

  /// One time step for streaming: reads x_t, advances state.h, writes the updated state into y_t.
  constexpr void step(std::span<const T, Features> x_t, state_type& state,
                      std::span<T, Hidden> y_t) const noexcept {
    std::array<T, Hidden> r{}, z{}, n{}, hn{};
    const std::array<T, Hidden> h_prev = state.h;
    cell(x_t.data(), h_prev.data(), r.data(), z.data(), n.data(), hn.data(), y_t.data());
    for (std::size_t j = 0; j < Hidden; ++j) state.h[j] = y_t[j];
  }

  /// Backpropagation through time over the window. dy holds dL/dh_t for every step; the
  /// gradient g_t of the loss with respect to h_t is dy_t plus what flows back from step t+1.
  /// Per step, with a_r, a_z, a_n the pre-activations (a_n = W_in x + b_in + r hn):
  ///   dn = g (1 - z),  dz = g (h_{t-1} - n),  da_n = dn (1 - n^2),
  ///   da_r = da_n hn r (1 - r),  da_z = dz z (1 - z);
  /// the input side's pre-activation gradient is (da_r, da_z, da_n), the hidden side's
  /// (da_r, da_z, da_n r). Then dW_ih += d_i x_t^T, db_ih += d_i, dW_hh += d_h h_{t-1}^T,
  /// db_hh += d_h (into *g, cleared first with `overwrite`), dx_t = W_ih^T d_i and
  /// g_{t-1} = dy_{t-1} + g z + W_hh^T d_h. g or dx may be nullptr.
  constexpr void backward(std::span<const T, Time * Features> x, const trace_type& tr,
                          std::span<const T, Time * Hidden> dy, gru_layer* g, bool overwrite,
                          T* dx) const noexcept {
    if (g != nullptr && overwrite) *g = gru_layer{};
    if (g == nullptr && dx == nullptr) return;
    const std::array<T, Hidden> zero{};
    std::array<T, Hidden> carry{};  // dL/dh_t through the steps after t (0 after the last)
    std::array<T, gate_rows> d_i{}, d_h{};
    for (std::size_t t = Time; t-- > 0;) {
      const std::size_t o = t * Hidden;
      const T* h_prev = t == 0 ? zero.data() : tr.h.data() + o - Hidden;
      for (std::size_t j = 0; j < Hidden; ++j) {
        const T r = tr.r[o + j], z = tr.z[o + j], n = tr.n[o + j];
        const T grad_h = dy[o + j] + carry[j];
        const T da_n = grad_h * (T(1) - z) * tanh::derivative(n, n);
        const T da_r = da_n * tr.hn[o + j] * sigmoid::derivative(r, r);
        const T da_z = grad_h * (h_prev[j] - n) * sigmoid::derivative(z, z);
        d_i[j] = da_r;
        d_i[Hidden + j] = da_z;
        d_i[2 * Hidden + j] = da_n;
        d_h[j] = da_r;
        d_h[Hidden + j] = da_z;
        d_h[2 * Hidden + j] = da_n * r;
        carry[j] = grad_h * z;
      }
      const T* x_t = x.data() + t * Features;
      if (g != nullptr) {
        add_outer(g->weight_ih, g->bias_ih, d_i, x_t);
        add_outer(g->weight_hh, g->bias_hh, d_h, h_prev);
      }
      if (dx != nullptr) transpose_times(weight_ih, d_i, dx + t * Features, nullptr);
      if (t > 0) transpose_times(weight_hh, d_h, carry.data(), carry.data());
    }
  }

  /// Forward-mode tangent through time: with u_i = W_ih dx_t and u_h = W_hh dh_{t-1} (dh_{-1} = 0),
  ///   dr = r (1 - r) (u_i,r + u_h,r),  dz = z (1 - z) (u_i,z + u_h,z),
  ///   dn = (1 - n^2) (u_i,n + dr hn + r u_h,n),
  ///   dh_t = (1 - z) dn + dz (h_{t-1} - n) + z dh_{t-1}.
  constexpr void jvp(const trace_type& tr, std::span<const T, Time * Features> dx,
                     std::span<T, Time * Hidden> dy) const noexcept {
    const std::array<T, Hidden> zero{};
    std::array<T, gate_rows> u_i{}, u_h{};
    for (std::size_t t = 0; t < Time; ++t) {
      const std::size_t o = t * Hidden;
      const T* h_prev = t == 0 ? zero.data() : tr.h.data() + o - Hidden;
      const T* dh_prev = t == 0 ? zero.data() : dy.data() + o - Hidden;
      for (std::size_t k = 0; k < gate_rows; ++k) {
        u_i[k] = detail::dot<T, Features>(weight_ih[k].data(), dx.data() + t * Features);
        u_h[k] = detail::dot<T, Hidden>(weight_hh[k].data(), dh_prev);
      }
      for (std::size_t j = 0; j < Hidden; ++j) {
        const T r = tr.r[o + j], z = tr.z[o + j], n = tr.n[o + j];
        const T dr = sigmoid::derivative(r, r) * (u_i[j] + u_h[j]);
        const T dz = sigmoid::derivative(z, z) * (u_i[Hidden + j] + u_h[Hidden + j]);
        const T dn = tanh::derivative(n, n) *
                     (u_i[2 * Hidden + j] + dr * tr.hn[o + j] + r * u_h[2 * Hidden + j]);
        dy[o + j] = (T(1) - z) * dn + dz * (h_prev[j] - n) + z * dh_prev[j];
      }
    }
  }

  /// Kind and configuration for the saved format's topology fingerprint: Features and Hidden,
  /// not Time (the weights do not depend on the window length, so a GRU trained on windows of
  /// one length loads into a network that reads another, or streams).
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);
    h.u64(Features);
    h.u64(Hidden);
  }

  /// The specification a user writes for this layer: `ctnn::gru<Hidden>`.
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept {
    out("ctnn::gru<");
    out(detail::decimal(static_cast<std::intmax_t>(Hidden)).view());
    out(">");
  }

  friend constexpr bool operator==(const gru_layer&, const gru_layer&) = default;

 private:
  /// Row k of W_ih x + b_ih.
  constexpr T input_term(std::size_t k, const T* x) const noexcept {
    return detail::dot<T, Features>(weight_ih[k].data(), x) + bias_ih[k];
  }
  /// Row k of W_hh h + b_hh.
  constexpr T hidden_term(std::size_t k, const T* h) const noexcept {
    return detail::dot<T, Hidden>(weight_hh[k].data(), h) + bias_hh[k];
  }
  /// weight[k][i] += d[k] v[i], bias[k] += d[k].
  template <std::size_t N>
  static constexpr void add_outer(std::array<std::array<T, N>, gate_rows>& weight,
                                  std::array<T, gate_rows>& bias, const std::array<T, gate_rows>& d,
                                  const T* v) noexcept {
    for (std::size_t k = 0; k < gate_rows; ++k) {
      for (std::size_t i = 0; i < N; ++i) weight[k][i] += d[k] * v[i];
      bias[k] += d[k];
    }
  }
  /// out[i] = (start ? start[i] : 0) + sum_k weight[k][i] d[k], k upward (rows read contiguously).
  /// out may be start.
  template <std::size_t N>
  static constexpr void transpose_times(const std::array<std::array<T, N>, gate_rows>& weight,
                                        const std::array<T, gate_rows>& d, T* out,
                                        const T* start) noexcept {
    std::array<T, N> acc{};
    if (start != nullptr)
      for (std::size_t i = 0; i < N; ++i) acc[i] = start[i];
    for (std::size_t k = 0; k < gate_rows; ++k)
      for (std::size_t i = 0; i < N; ++i) acc[i] += weight[k][i] * d[k];
    for (std::size_t i = 0; i < N; ++i) out[i] = acc[i];
  }
};

namespace detail {

/// <layer, rank of its input shape>: a GRU reads shape<Time, Features>.
template <std::size_t Layer, std::size_t Rank>
struct gru_sequence_input_at_layer {
  static constexpr bool ok = Rank == 2;
};
/// <layer, Hidden>
template <std::size_t Layer, std::size_t Hidden>
struct gru_hidden_size_at_layer {
  static constexpr bool ok = Hidden != 0;
};
/// <layer, previous layer's channels, the Features written in gru<Hidden, Features>>
template <std::size_t Layer, std::size_t PreviousChannels, std::size_t DeclaredFeatures>
struct gru_features_at_layer {
  static constexpr bool ok = PreviousChannels == DeclaredFeatures;
};

/// Time and channels of a rank-2 shape; (1, size) for any other, so that the layer alias stays
/// well-formed when the rank rule fails.
template <class S>
struct gru_sequence_of {
  static constexpr std::size_t time = 1, channels = S::size;
};
template <std::size_t Time, std::size_t Channels>
struct gru_sequence_of<shape<Time, Channels>> {
  static constexpr std::size_t time = Time, channels = Channels;
};

}  // namespace detail

/// A GRU layer with a hidden state of `Hidden` values (PyTorch's nn.GRU, one layer, one
/// direction, batch_first): reads shape<Time, Features>, writes the hidden state after every step,
/// shape<Time, Hidden>. Features is deduced from the previous layer's output; write
/// `gru<Hidden, Features>` to state it, and the network checks it.
template <std::size_t Hidden, std::size_t... Features>
struct gru {
  static_assert(sizeof...(Features) <= 1, "ctnn::gru<Hidden, Features>: at most one input width");
  static constexpr std::size_t hidden_size = Hidden;
  static constexpr bool features_stated = sizeof...(Features) == 1;
  /// The stated input width (0 when it is deduced).
  static constexpr std::size_t declared_features = (std::size_t{0} + ... + Features);

  /// The concrete layer for element type T after a layer whose output is InShape (well-formed
  /// even when a rule fails, so that a mistake gives one message).
  template <class T, class InShape>
  using layer = gru_layer<T, detail::gru_sequence_of<InShape>::time,
                          detail::gru_sequence_of<InShape>::channels, Hidden>;

  /// The shape rules of layer number Index (from 0) of a network of LayerCount layers.
  template <std::size_t Index, class InShape, std::size_t LayerCount>
  static consteval bool check() {
    static_assert(detail::gru_sequence_input_at_layer<Index, InShape::rank>::ok,
                  "ctnn::gru<Hidden>: a GRU reads a sequence, shape<Time, Features> (an "
                  "input<Time, Features> or a layer with a time x channels output); the previous "
                  "layer's output has another rank (see <layer, rank> in "
                  "gru_sequence_input_at_layer)");
    static_assert(detail::gru_hidden_size_at_layer<Index, Hidden>::ok,
                  "ctnn::gru<Hidden>: a GRU needs Hidden > 0 (see <layer, Hidden> in "
                  "gru_hidden_size_at_layer)");
    static_assert(!features_stated || InShape::rank != 2 ||
                      detail::gru_features_at_layer<Index, detail::gru_sequence_of<InShape>::channels,
                                                    declared_features>::ok,
                  "ctnn::gru<Hidden, Features>: a GRU fed the wrong feature width: the stated "
                  "Features must equal the previous layer's channels (see <layer, previous "
                  "channels, declared Features> in gru_features_at_layer)");
    return true;
  }
};

}  // namespace ctnn
