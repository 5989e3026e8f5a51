// SPDX-License-Identifier: MIT
/// @file batch.hpp Defines batched execution: ctnn::batch_trace (the working memory of a tile of
/// B samples, sized at compile time), ctnn::forward_batch, ctnn::loss_and_output_delta_batch and
/// ctnn::backward_batch, the matrix-matrix form of the forward and backward passes that
/// ctnn::train_batch (and so ctnn::fit) uses for mini-batches.
///
/// Why batches are faster
/// ----------------------
/// One sample makes every layer a matrix-vector product: each weight is loaded once and used
/// once. B samples make it a matrix-matrix product: each weight, once in a register, serves all B
/// samples, and the samples fill the vector registers (a tile is stored feature-major, value i of
/// sample s at [i * B + s], so one vector load brings the same feature of several samples).
///
/// Same numbers as one sample at a time
/// ------------------------------------
/// Every kernel adds in the order documented in layers/dense_kernels.hpp, which is the order of the
/// one-sample kernels, and every activation, loss and derivative is the same per-element
/// formula. So a batch gives, bit for bit, the outputs, losses and accumulated gradients that
/// per-sample execution gives (tests/unit/batch.cpp checks it, also in constant expressions),
/// whatever the tile size B, the vector width of the target and the optimisation level.
/// Consequence: ctnn::fit trains to the same bits with any CTNN_BATCH_TILE, on a desktop with
/// AVX-512 and on a Cortex-M without SIMD.
///
/// Tiles
/// -----
/// A batch of n samples (a run-time number, fit_options::batch_size) is processed in tiles of
/// B = ctnn::batch_tile samples (compile time: CTNN_BATCH_TILE, default 16 where the target has
/// SIMD, 1 otherwise; 1 turns batched execution off). The last tile of a batch may be partial;
/// its unused lanes are zero and never reach a result. Working memory: `sizeof(batch_trace<Net,
/// B>)` (ctnn::batch_trace_bytes), part of ctnn::training_workspace (workspace.hpp): on the
/// stack of train_batch, or wherever the caller keeps its workspace; never the heap.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/backward.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/detail/tiles.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/math.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>

/// Samples per tile of batched training (ctnn::batch_tile). Define it before including ctnn to
/// trade stack for speed; 1 disables the batched path (results are the same bits either way).
#ifndef CTNN_BATCH_TILE
#  define CTNN_BATCH_TILE (::ctnn::detail::simd_bytes == 0 ? 1 : ::ctnn::detail::simd_bytes >= 64 ? 32 : 16)
#endif

namespace ctnn {

/// Samples per tile used by ctnn::train_batch and ctnn::fit (CTNN_BATCH_TILE).
inline constexpr std::size_t batch_tile = CTNN_BATCH_TILE;
static_assert(batch_tile >= 1, "CTNN_BATCH_TILE must be at least 1");

/// Identity sample order (sample k of the data set is the k-th sample loaded).
struct in_order {
  constexpr std::size_t operator()(std::size_t k) const noexcept { return k; }
};

namespace detail {
template <class Net>
inline constexpr std::size_t value_count = [] {
  std::size_t n = 0;
  for (std::size_t I = 0; I < Net::layer_count; ++I) n += Net::widths[I + 1];
  return n;
}();
template <class Net>
inline constexpr std::size_t widest = [] {
  std::size_t m = 0;
  for (std::size_t w : Net::widths) m = w > m ? w : m;
  return m;
}();
}  // namespace detail

/// The working memory of a batched forward and backward pass over up to B samples of a network
/// of type Net, all sized at compile time: the inputs, every layer's z and a (what ctnn::trace
/// holds for one sample), the targets and the backward pass's scratch.
///
/// Layout (feature-major): value i of sample s of a block of N values per sample is at
/// `[i * B + s]`. `input_at(i, s)`, `z<I>(j, s)`, `a<I>(j, s)` read it.
///
/// Members have no initialisers on purpose: train_batch fills what it reads, and a
/// default-initialised batch_trace costs nothing. Write `ctnn::batch_trace<Net, B> t{}` for a
/// zeroed one (e.g. in a constant expression).
/// @tparam Net a ctnn::network  @tparam B samples per tile (>= 1)
template <class Net, std::size_t B>
struct batch_trace {
  static_assert(B >= 1, "ctnn::batch_trace<Net, B>: a tile holds at least one sample");
  using network_type = Net;
  using value_type = typename Net::value_type;
  static constexpr std::size_t tile = B;
  /// Samples the kernels process together; they process whole groups of this many.
  static constexpr std::size_t sample_block = detail::sample_block<value_type, B>;
  /// dL/dz of the output layer for the tile, feature-major.
  using output_block = std::array<value_type, Net::output_size * B>;

  /// Offset of layer I's block (Net::widths[I + 1] * B values) in z and a.
  template <std::size_t I>
  static constexpr std::size_t layer_offset = [] {
    std::size_t o = 0;
    for (std::size_t k = 0; k < I; ++k) o += Net::widths[k + 1];
    return o * B;
  }();

  std::size_t count;                                                ///< samples held (<= B)
  std::array<std::size_t, B> sample;                                ///< their indices in the data
  std::array<value_type, Net::input_size * B> input;                ///< x, feature-major
  std::array<value_type, Net::input_size * B> input_rows;           ///< x, sample-major
  std::array<value_type, detail::value_count<Net> * B> z;           ///< every layer's z
  std::array<value_type, detail::value_count<Net> * B> a;           ///< every layer's a = f(z)
  std::array<value_type, Net::output_size * B> target;              ///< targets, feature-major
  std::array<value_type, detail::widest<Net> * B> delta;            ///< dL/dz of a layer
  std::array<value_type, detail::widest<Net> * B> upstream;         ///< dL/da of a layer
  std::array<value_type, detail::widest<Net> * B> rows;             ///< a layer input, sample-major

  /// Samples the kernels process: count rounded up to whole sample vectors.
  constexpr std::size_t active() const noexcept {
    const std::size_t v = sample_block;
    return (count + v - 1) / v * v;
  }

  /// Loads samples X[order(first)] .. X[order(last - 1)] (at most B); lanes up to active() are
  /// zero-filled.
  template <class Order = in_order>
  constexpr void load(std::span<const typename Net::input_type> X, std::size_t first,
                      std::size_t last, const Order& order = {}) noexcept {
    count = last - first <= B ? last - first : B;
    for (std::size_t s = 0; s < count; ++s) {
      sample[s] = order(first + s);
      const auto& x = X[sample[s]];
      for (std::size_t i = 0; i < Net::input_size; ++i) {
        input[i * B + s] = x[i];
        input_rows[s * Net::input_size + i] = x[i];
      }
    }
    const std::size_t end = active();
    for (std::size_t s = count; s < end; ++s) {
      sample[s] = 0;
      for (std::size_t i = 0; i < Net::input_size; ++i) input[i * B + s] = value_type(0);
    }
  }

  /// Loads X[0 .. X.size()) (at most B samples).
  constexpr void load(std::span<const typename Net::input_type> X) noexcept {
    load(X, 0, X.size(), in_order{});
  }

  constexpr value_type input_at(std::size_t i, std::size_t s) const noexcept {
    return input[i * B + s];
  }
  template <std::size_t I>
  constexpr value_type z_at(std::size_t j, std::size_t s) const noexcept {
    return z[layer_offset<I> + j * B + s];
  }
  template <std::size_t I>
  constexpr value_type a_at(std::size_t j, std::size_t s) const noexcept {
    return a[layer_offset<I> + j * B + s];
  }

  /// The prediction for sample s (after forward_batch).
  constexpr typename Net::output_type output(std::size_t s) const noexcept {
    typename Net::output_type y{};
    constexpr std::size_t o = layer_offset<Net::layer_count - 1>;
    for (std::size_t j = 0; j < Net::output_size; ++j) y[j] = a[o + j * B + s];
    return y;
  }
};

/// Bytes of working memory of one tile (part of ctnn::training_bytes).
template <class Net, std::size_t B = batch_tile>
inline constexpr std::size_t batch_trace_bytes =
    sizeof(batch_trace<Net, B>) + sizeof(typename batch_trace<Net, B>::output_block);

namespace detail {

/// The forward pass over the loaded samples; the output layer's activation only when asked
/// (a fused loss works from the output layer's z).
template <bool OutputActivation, class Net, std::size_t B>
constexpr void forward_batch(const Net& net, batch_trace<Net, B>& t) noexcept {
  using T = typename Net::value_type;
  using trace_t = batch_trace<Net, B>;
  constexpr std::size_t L = Net::layer_count;
  const std::size_t active = t.active();
  static_for<L>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    const T* src = I == 0 ? t.input.data() : t.a.data() + trace_t::template layer_offset<I == 0 ? 0 : I - 1>;
    T* z = t.z.data() + trace_t::template layer_offset<I>;
    T* a = t.a.data() + trace_t::template layer_offset<I>;
    net.template layer<I>().template forward_tile<B>(src, z, a, active, I + 1 < L || OutputActivation);
  });
}

/// The output activation's loss has a fused form (from z).
template <class Loss, class Net>
inline constexpr bool fused_loss =
    FusedLoss<Loss, output_activation_t<Net>, typename Net::value_type, Net::output_size>;

}  // namespace detail

/// The forward pass for the samples loaded into `t` (t.load): every layer's z and a, each value
/// bit-identical to what net.forward(x, trace) computes for that sample alone.
template <class Net, std::size_t B>
constexpr void forward_batch(const Net& net, batch_trace<Net, B>& t) noexcept {
  detail::forward_batch<true>(net, t);
}

/// Predictions for many inputs, in tiles of B samples: Y[s] = net.forward(X[s]), bit for bit,
/// for s < min(X.size(), Y.size()). `t` is the working memory.
template <class Net, std::size_t B>
constexpr void forward_batch(const Net& net, std::span<const typename Net::input_type> X,
                             std::span<typename Net::output_type> Y,
                             batch_trace<Net, B>& t) noexcept {
  const std::size_t n = X.size() < Y.size() ? X.size() : Y.size();
  for (std::size_t first = 0; first < n; first += B) {
    const std::size_t last = first + B < n ? first + B : n;
    t.load(X, first, last);
    detail::forward_batch<true>(net, t);
    for (std::size_t s = 0; s < t.count; ++s) Y[first + s] = t.output(s);
  }
}

/// The loss of every sample of the tile and dL/dz of the output layer (feature-major, zero in
/// unused lanes), exactly as ctnn::loss_and_output_delta computes them one sample at a time
/// (the fused form when the loss has one). Each sample's loss is added to `total` in sample
/// order. Targets are Y[t.sample[s]]. Call after forward_batch (or the training forward pass,
/// which leaves the output activation out when the loss is fused).
template <class L, class Net, std::size_t B>
constexpr void loss_and_output_delta_batch(const L& loss, batch_trace<Net, B>& t,
                                           std::span<const typename Net::output_type> Y,
                                           typename Net::value_type& total,
                                           typename batch_trace<Net, B>::output_block& dL_dz) noexcept {
  using T = typename Net::value_type;
  using act = output_activation_t<Net>;
  constexpr std::size_t N = Net::output_size;
  constexpr std::size_t o = batch_trace<Net, B>::template layer_offset<Net::layer_count - 1>;
  if constexpr (detail::check_loss_for<L, Net>()) {
    const std::size_t active = t.active();
    for (std::size_t s = 0; s < active; ++s)
      for (std::size_t j = 0; j < N; ++j) t.target[j * B + s] = s < t.count ? Y[t.sample[s]][j] : T(0);
    detail::loss_and_output_delta_tile<act, L, T, N, B>(loss, t.z.data() + o, t.a.data() + o,
                                                        t.target.data(), dL_dz.data(), t.count,
                                                        active, total);
    for (std::size_t s = t.count; s < active; ++s)
      for (std::size_t j = 0; j < N; ++j) dL_dz[j * B + s] = T(0);
  }
}

namespace detail {

/// backward_batch; with `overwrite`, the gradients' old values are taken as +0 instead of read
/// (the same bits as clearing them first, without the pass that clears).
template <class Net, std::size_t B>
constexpr void backward_batch(const Net& net, batch_trace<Net, B>& t,
                              const typename batch_trace<Net, B>::output_block& dL_dz,
                              gradients<Net>& g, bool overwrite) noexcept {
  using T = typename Net::value_type;
  using trace_t = batch_trace<Net, B>;
  constexpr std::size_t L = Net::layer_count;
  const std::size_t active = t.active();
  detail::static_for_reverse<L>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    constexpr std::size_t in = Net::widths[I];
    constexpr std::size_t here = trace_t::template layer_offset<I>;
    // Layer I reads dL/d(its output) from `upstream` (dL/dz of the output layer: dL_dz) and
    // writes dL/d(its input) back into `upstream` for layer I-1. Its input as contiguous rows:
    // the data set's own rows for layer 0, a sample-major copy of the layer below's a otherwise.
    const T* xs = t.input_rows.data();
    if constexpr (I > 0) {
      constexpr std::size_t below = trace_t::template layer_offset<I == 0 ? 0 : I - 1>;
      to_sample_major<T, in, B>(t.a.data() + below, t.rows.data(), t.count);
      xs = t.rows.data();
    }
    const T* dy = I + 1 == L ? dL_dz.data() : t.upstream.data();
    T* dx = I > 0 ? t.upstream.data() : nullptr;  // dy is consumed before dx is written
    net.template layer<I>().template backward_tile<B, I + 1 == L>(
        xs, t.z.data() + here, t.a.data() + here, dy, t.delta.data(), g.template layer<I>(),
        overwrite, dx, t.count, active);
  });
  g.samples = (overwrite ? 0 : g.samples) + t.count;
}

}  // namespace detail

/// Backpropagation for the tile: from dL/dz of the output layer (feature-major), adds dL/dW and
/// dL/db of every layer into `g` for the t.count samples in order (g.samples += t.count): the
/// very additions t.count calls of ctnn::backward_from_output_delta make. (dL/dx of the network
/// input is not computed: training does not need it.)
template <class Net, std::size_t B>
constexpr void backward_batch(const Net& net, batch_trace<Net, B>& t,
                              const typename batch_trace<Net, B>::output_block& dL_dz,
                              gradients<Net>& g) noexcept {
  detail::backward_batch(net, t, dL_dz, g, false);
}

namespace detail {

/// Every parameter of a set (gradients) times `scale` when `scaled` (as gradients::scale does:
/// g *= scale), and the sum of squares of the results for the divergence check, layer by layer
/// in the order of detail::scaled_sum_of_squares, the layers' sums added in order. One pass
/// over the set, and it vectorises (a single running sum would be one long chain of dependent
/// additions).
template <class P>
constexpr typename P::value_type scale_and_sum_of_squares(P& p, typename P::value_type scale,
                                                          bool scaled) noexcept {
  using T = typename P::value_type;
  T sum = T(0);
  static_for<P::layer_count>([&](auto Ic) {
    auto& l = p.template layer<decltype(Ic)::value>();
    if constexpr (requires { l.template scaled_sum_of_squares<true>(scale); }) {
      sum += scaled ? l.template scaled_sum_of_squares<true>(scale)
                    : l.template scaled_sum_of_squares<false>(scale);
    } else {  // a layer without its own: scale, then one running sum in flat order
      T layer_sum = T(0);
      auto add = [&](T& v) {
        if (scaled) v *= scale;
        layer_sum += v * v;
      };
      visit_layer_parameters(add, l);
      sum += layer_sum;
    }
  });
  return sum;
}

/// The same sum of squares without scaling (a copy: the set itself is not written).
template <class P>
constexpr typename P::value_type sum_of_squares(const P& p) noexcept {
  P copy = p;
  return scale_and_sum_of_squares(copy, typename P::value_type(1), false);
}

/// ctnn::backward_from_output_delta for training: the same additions into `g` (or, with
/// `overwrite`, the bits of clearing g first without the pass that clears), without dL/dx of the
/// network input (which training does not use: one matrix-vector product less).
template <class Net>
constexpr void backward_sample(const Net& net, const trace<Net>& t,
                               const typename Net::output_type& dL_dz, gradients<Net>& g,
                               bool overwrite) noexcept {
  const auto delta = flat_copy<typename Net::value_type>(dL_dz);
  backprop<true>(net, t, delta.data(), &g, overwrite, nullptr);
}

template <class L>
concept descent_layer = requires(L& l, typename L::value_type* p) {
  l.descend(p, p, l, typename L::value_type(0));
};
template <class L>
concept tile_layer = requires(const L& l, typename L::value_type* p) {
  l.template forward_tile<1>(p, p, p, std::size_t{1}, true);
};
template <class List>
inline constexpr bool all_descent = false;
template <class... Ls>
inline constexpr bool all_descent<layer_list<Ls...>> = (descent_layer<Ls> && ...);
template <class List>
inline constexpr bool all_tile = false;
template <class... Ls>
inline constexpr bool all_tile<layer_list<Ls...>> = (tile_layer<Ls> && ...);

/// Every layer of Net has the kernels of the fused one-sample descent step (dense layers do).
template <class Net>
inline constexpr bool fusable_layers = all_descent<typename Net::layers>;
/// Every layer of Net has batched tile kernels (dense layers do).
template <class Net>
inline constexpr bool tileable_layers = all_tile<typename Net::layers>;

/// The optimiser's step is plain gradient descent, p <- p - eta g, so one sample's step can be
/// fused with its backward pass: the optimiser says so (`plain_descent()`: ctnn::gradient_descent,
/// ctnn::sgd without momentum and weight decay). The caller rules out gradient clipping.
template <class Opt>
constexpr bool fusable_step(const Opt& opt) noexcept {
  if constexpr (requires { { opt.plain_descent() } -> std::convertible_to<bool>; })
    return opt.plain_descent();
  else
    return false;
}

/// One training step on one sample with plain gradient descent (fusable_step), fused: forward,
/// loss, every layer's dL/dz (with the weights before the step), then per layer one pass that
/// writes the gradient into `g` (the bits of clear() + backward) and applies p <- p - eta g.
/// Divergence check before anything changes: the loss and sum_I ||delta_I||^2 (||x_I||^2 + 1),
/// the squared norm of this rank-one gradient (dot()'s order for each norm, layers in order),
/// must be finite; its being finite bounds every gradient entry far below overflow. When it is
/// not, `g` holds the gradient, the network and `state` are unchanged, and the return value is
/// not finite. Returns the sample's loss. `t` is working memory (the sample's trace).
template <class Net, class Loss, class State>
constexpr typename Net::value_type train_sample_descent(Net& net,
                                                        const typename Net::input_type& x,
                                                        const typename Net::output_type& y,
                                                        const Loss& loss, gradients<Net>& g,
                                                        State& state,
                                                        typename Net::value_type eta,
                                                        typename Net::trace_type& t) noexcept {
  using T = typename Net::value_type;
  using offsets = batch_trace<Net, 1>;
  constexpr std::size_t L = Net::layer_count;
  net.forward(x, t);
  typename Net::output_type out_delta{};
  const T value = loss_and_output_delta(loss, t, y, out_delta);
  std::array<T, value_count<Net>> delta{};  // dL/dz of every layer, at offsets::layer_offset<I>
  for (std::size_t j = 0; j < Net::output_size; ++j)
    delta[offsets::template layer_offset<L - 1> + j] = out_delta[j];
  static_for_reverse<L>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    if constexpr (I > 0) {
      constexpr std::size_t in = Net::widths[I], out = Net::widths[I + 1];
      std::array<T, in> up{};
      net.template layer<I>().input_gradient(
          std::span<const T, out>(delta.data() + offsets::template layer_offset<I>, out),
          std::span<T, in>(up));
      Net::template layer_type<I - 1>::preactivation_gradient(
          t.template layer<I - 1>(), std::span<const T, in>(up),
          std::span<T, in>(delta.data() + offsets::template layer_offset<I - 1>, in));
    }
  });
  T norm2 = T(0);
  static_for<L>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    const T* d = delta.data() + offsets::template layer_offset<I>;
    norm2 += Net::template layer_type<I>::rank_one_norm2(d, t.template layer_input<I>().data());
  });
  const bool ok = math::isfinite(value) && math::isfinite(norm2);
  static_for<L>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    constexpr std::size_t in = Net::widths[I];
    const T* d = delta.data() + offsets::template layer_offset<I>;
    const std::span<const T, in> xi(t.template layer_input<I>());
    auto& gl = g.template layer<I>();
    if (ok) net.template layer<I>().descend(d, xi.data(), gl, eta);
    else Net::template layer_type<I>::outer(d, xi, gl);
  });
  g.samples = 1;
  if (!ok) return value + norm2;
  ++state.step;
  return value;
}

/// Forward, loss and backward for the samples order(first) .. order(last - 1) in tiles of B:
/// adds their gradients into `grads` (or, with `overwrite`, replaces them: the bits of
/// clear() followed by adding) and returns the summed loss, bit-identical to the per-sample
/// loop of ctnn::train_batch. `t` and `delta` are the tile's working memory (written before
/// they are read; ctnn::training_workspace holds them).
template <std::size_t B, class Net, class Loss, class Order>
constexpr typename Net::value_type accumulate_batch(
    const Net& net, std::span<const typename Net::input_type> X,
    std::span<const typename Net::output_type> Y, const Loss& loss, gradients<Net>& grads,
    std::size_t first, std::size_t last, const Order& order, bool overwrite,
    batch_trace<Net, B>& t, typename batch_trace<Net, B>::output_block& delta) noexcept {
  using T = typename Net::value_type;
  T total = T(0);
  for (std::size_t k = first; k < last; k += B) {
    const std::size_t end = last - k > B ? k + B : last;
    t.load(X, k, end, order);
    forward_batch<!fused_loss<Loss, Net>>(net, t);
    loss_and_output_delta_batch(loss, t, Y, total, delta);
    backward_batch(net, t, delta, grads, overwrite && k == first);
  }
  return total;
}

/// The same with the tile's working memory on this function's stack (batch_trace_bytes).
template <std::size_t B, class Net, class Loss, class Order>
constexpr typename Net::value_type accumulate_batch(const Net& net,
                                                    std::span<const typename Net::input_type> X,
                                                    std::span<const typename Net::output_type> Y,
                                                    const Loss& loss, gradients<Net>& grads,
                                                    std::size_t first, std::size_t last,
                                                    const Order& order,
                                                    bool overwrite = false) noexcept {
  batch_trace<Net, B> t;  // filled before it is read (see batch_trace)
  typename batch_trace<Net, B>::output_block delta;
  return accumulate_batch<B>(net, X, Y, loss, grads, first, last, order, overwrite, t, delta);
}

}  // namespace detail
}  // namespace ctnn
