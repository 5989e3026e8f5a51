// SPDX-License-Identifier: MIT
/// @file layers/conv1d.hpp Defines the 1-D convolution layer over a time x channels window: the
/// specification a user writes (ctnn::conv1d, with ctnn::padding) and the concrete ctnn::Layer it
/// becomes (ctnn::conv1d_layer), which also streams one time step at a time (ctnn::StreamingLayer)
/// when Stride is 1 and the padding is causal or valid.
///
/// The arithmetic is PyTorch's nn.Conv1d (a cross-correlation), with time and channels swapped to
/// ctnn's row-major time x channels layout (PyTorch holds (batch, channels, time)):
///
///     y[t][o] = Act(bias[o] + sum_i sum_k weight[o][i][k] * x[t*Stride + k*Dilation - left][i])
///
/// with x = 0 outside [0, Time). `left` is 0 (valid), Dilation*(Kernel-1) (causal: y[t] reads
/// x[<= t] only) or Dilation*(Kernel-1)/2 (same: PyTorch's padding='same' split, the odd one on
/// the right). OutTime = floor((Time + left + right - Dilation*(Kernel-1) - 1) / Stride) + 1.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctnn/activation.hpp>
#include <ctnn/detail/dot_rows.hpp>
#include <ctnn/math.hpp>
#include <ctnn/fingerprint.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>
#include <ctnn/spelling.hpp>
#include <span>
#include <string_view>
#include <type_traits>

namespace ctnn {

/// Where a convolution's window sits relative to its input (PyTorch's padding, with zeros).
/// - `valid`: no padding; OutTime = Time - Dilation*(Kernel-1) (Stride 1).
/// - `causal`: Dilation*(Kernel-1) zeros on the left; y[t] reads x[<= t]; OutTime = Time (Stride
/// 1).
/// - `same`: Dilation*(Kernel-1) zeros split as PyTorch's padding='same' does (the extra one on
///   the right); OutTime = Time; needs Stride 1, as in PyTorch.
enum class padding : std::uint8_t { valid, causal, same };

namespace detail {

// -------- the diagnostic types: the compiler prints their arguments when a rule fails --------

/// <layer, rank of its input shape>
template <std::size_t Layer, std::size_t Rank>
struct conv1d_sequence_input_at_layer {
  static constexpr bool ok = Rank == 2;
};
/// Which conv1d template parameter a rule is about (conv1d_positive_at_layer).
enum class conv1d_parameter : std::uint8_t { channels, kernel, dilation, stride };
/// <layer, which parameter, its value>
template <std::size_t Layer, conv1d_parameter Which, std::size_t Value>
struct conv1d_positive_at_layer {
  static constexpr bool ok = Value != 0;
};
/// <layer, Time of the window, the dilated kernel Dilation*(Kernel-1)+1>
template <std::size_t Layer, std::size_t Time, std::size_t DilatedKernel>
struct conv1d_kernel_fits_at_layer {
  static constexpr bool ok = DilatedKernel <= Time;
};
/// <layer, Stride>
template <std::size_t Layer, std::size_t Stride>
struct conv1d_same_stride_at_layer {
  static constexpr bool ok = Stride == 1;
};
/// <layer>
template <std::size_t Layer, bool IsElementwise>
struct conv1d_elementwise_activation_at_layer {
  static constexpr bool ok = IsElementwise;
};

/// (Time, Channels) of a rank-2 shape; (1, size) for anything else, so that the spec resolves
/// to a well-formed layer while its rank rule reports the mistake.
template <class S>
struct conv1d_time_channels {
  static constexpr std::size_t time = 1, channels = S::size;
};
template <std::size_t Time, std::size_t Channels>
struct conv1d_time_channels<shape<Time, Channels>> {
  static constexpr std::size_t time = Time, channels = Channels;
};

/// The streaming memory of a causal or valid conv1d: the last Steps input steps of Width values
/// each, in a ring; `position` is the slot of the oldest one (the next to be overwritten).
template <class T, std::size_t Steps, std::size_t Width>
struct conv1d_ring {
  std::array<T, Steps * Width> buffer{};
  std::size_t position = 0;
  /// false while a NaN or an infinity is among the remembered inputs (it leaves the ring after
  /// Steps more steps, or at a reset).
  constexpr bool all_finite() const noexcept {
    bool ok = true;
    for (const T& v : buffer) ok = ok && math::isfinite(v);
    return ok;
  }
  friend constexpr bool operator==(const conv1d_ring&, const conv1d_ring&) = default;
};

}  // namespace detail

/// The concrete 1-D convolution inside a network (a ctnn::Layer; a ctnn::StreamingLayer when
/// Stride == 1 and Padding is causal or valid). See the top of this header for the formula.
///
/// Storage: `weight[o][i * Kernel + k]` (PyTorch's Conv1d.weight[o][i][k], Channels x InChannels
/// x Kernel, with its two trailing dimensions held as one row, as torch.nn.init treats them) and
/// `bias[o]`. Flat order: weight row by row (o, then i, then k), then bias.
///
/// How it computes (one fixed order, so forward, step and constant evaluation give the same
/// bits): for each output step t, the receptive field is gathered into a patch laid out like a
/// weight row (patch[i * Kernel + k] = x[t*Stride + k*Dilation - left][i], zero outside the
/// window); then z[t][o] = bias[o] + detail::dot(weight[o], patch), a contiguous dot product.
///
/// Streaming (`step`, Stride 1, causal or valid): the state keeps the last Dilation*(Kernel-1)
/// input steps; `step(x_t, state, y_t)` gathers the same patch from them and x_t and writes the
/// causal output for the newest step. From a zero state, step t gives the bits of the causal
/// forward's y[t] on the window; for valid padding, once the ring has filled (t >=
/// Dilation*(Kernel-1)), step t gives the bits of the valid forward's y[t - Dilation*(Kernel-1)]
/// (earlier steps are outputs over the zeros the state starts with).
///
/// @tparam T element type  @tparam Time input steps  @tparam InChannels input channels
/// @tparam Channels output channels  @tparam Kernel taps  @tparam Act element-wise activation
/// @tparam Dilation tap spacing  @tparam Stride output step spacing  @tparam Padding ctnn::padding
template <Scalar T, std::size_t Time, std::size_t InChannels, std::size_t Channels,
          std::size_t Kernel, ElementwiseActivation Act, std::size_t Dilation, std::size_t Stride,
          padding Padding>
struct conv1d_layer {
  static constexpr std::size_t time = Time, input_channels = InChannels, channels = Channels;
  static constexpr std::size_t kernel = Kernel, dilation = Dilation, stride = Stride;
  static constexpr padding padding_mode = Padding;
  /// Dilation*(Kernel-1): how far back (causal) the first tap reaches.
  static constexpr std::size_t reach = Dilation * (Kernel - 1);
  /// Zeros before the window.
  static constexpr std::size_t left = Padding == padding::causal ? reach
                                      : Padding == padding::same ? reach / 2
                                                                 : 0;
  /// Zeros after the window.
  static constexpr std::size_t right = Padding == padding::same ? reach - reach / 2 : 0;
  /// Output steps (1 when the kernel does not fit, a rule the spec reports).
  static constexpr std::size_t output_time = Time + left + right > reach
                                                 ? (Time + left + right - reach - 1) / Stride + 1
                                                 : 1;
  /// Values of one patch (one weight row).
  static constexpr std::size_t patch_size = InChannels * Kernel;
  static constexpr bool streams = Stride == 1 && Padding != padding::same;

  using value_type = T;
  using activation = Act;
  using input_shape = shape<Time, InChannels>;
  using output_shape = shape<output_time, Channels>;
  static constexpr std::size_t input_size = Time * InChannels;
  static constexpr std::size_t output_size = output_time * Channels;
  using trace_type = layer_trace<T, output_size>;
  using state_type =
      std::conditional_t<streams, detail::conv1d_ring<T, reach, InChannels>, no_state>;
  static constexpr std::string_view kind = "conv1d";
  static constexpr std::string_view header = "<ctnn/layers/conv1d.hpp>";
  static constexpr std::size_t parameter_count = Channels * patch_size + Channels;
  /// Every tap of every output, padding zeros included (what the patch form computes).
  static constexpr std::size_t forward_macs = output_time * Channels * patch_size;
  static constexpr std::size_t fan_in = InChannels * Kernel;  // torch: size(1) * receptive field
  static constexpr std::size_t fan_out = Channels * Kernel;   // torch: size(0) * receptive field

  std::array<std::array<T, patch_size>, Channels> weight{};  ///< weight[o][i * Kernel + k]
  std::array<T, Channels> bias{};                            ///< bias[o]

  /// f(info, ls.weight...), then f(info, ls.bias...): the flat order.
  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&& f, Ls&... ls) noexcept {
    f(tensor_tag<tensor_role::weight, fan_in, fan_out>{"weight"}, ls.weight...);
    f(tensor_tag<tensor_role::bias, fan_in, fan_out>{"bias"}, ls.bias...);
  }

  /// patch[i * Kernel + k] = src[t*Stride + k*Dilation - left][i] (0 outside the window).
  static constexpr void gather(const T* src, std::size_t t,
                               std::array<T, patch_size>& patch) noexcept {
    for (std::size_t k = 0; k < Kernel; ++k) {
      const std::size_t p = t * Stride + k * Dilation;  // position + left
      const bool inside = p >= left && p - left < Time;
      for (std::size_t i = 0; i < InChannels; ++i)
        patch[i * Kernel + k] = inside ? src[(p - left) * InChannels + i] : T(0);
    }
  }

  /// z[o] = bias[o] + weight[o] . patch for the Channels values of one output step.
  constexpr void affine(const std::array<T, patch_size>& patch, T* z) const noexcept {
    detail::dot_rows(weight, patch.data(), z);  // eight channels at a time, dot()'s bits
    for (std::size_t o = 0; o < Channels; ++o) z[o] = bias[o] + z[o];
  }

  /// z[t] = W * x + bias for every output step (the pre-activation).
  constexpr void convolve(std::span<const T, input_size> x,
                          std::span<T, output_size> z) const noexcept {
    std::array<T, patch_size> patch{};
    for (std::size_t t = 0; t < output_time; ++t) {
      gather(x.data(), t, patch);
      affine(patch, z.data() + t * Channels);
    }
  }

  /// y = Act(conv(x) + bias).
  constexpr void forward(std::span<const T, input_size> x,
                         std::span<T, output_size> y) const noexcept {
    convolve(x, y);
    detail::activate_in_place<Act>(y);
  }

  /// The forward pass that records z and a.
  constexpr void forward(std::span<const T, input_size> x, trace_type& tr) const noexcept {
    convolve(x, std::span<T, output_size>(tr.z));
    tr.a = tr.z;
    detail::activate_in_place<Act>(std::span<T, output_size>(tr.a));
  }

  /// Backpropagation. From dL/da (or, with FromPreactivation, dL/dz: a loss fused with the
  /// activation), dL/dz = f'(z) (.) dL/da; then, per output step t in order,
  /// dL/dweight[o] += dL/dz[t][o] patch_t and dL/dbias[o] += dL/dz[t][o] into *g (with
  /// `overwrite`: cleared first), and dL/dx[p][i] = sum over (t, o, k) with p = t*Stride +
  /// k*Dilation - left of weight[o][i][k] dL/dz[t][o] into dx. g or dx may be nullptr.
  template <bool FromPreactivation = false>
  constexpr void backward(std::span<const T, input_size> x, const trace_type& tr,
                          std::span<const T, output_size> dy, conv1d_layer* g, bool overwrite,
                          T* dx) const noexcept {
    std::array<T, output_size> dz;  // written before it is read
    std::span<const T, output_size> d = dy;
    if constexpr (!FromPreactivation) {
      detail::activation_vjp<Act, T, output_size>(std::span<const T, output_size>(tr.z),
                                                  std::span<const T, output_size>(tr.a), dy,
                                                  std::span<T, output_size>(dz));
      d = std::span<const T, output_size>(dz);
    }
    if (g != nullptr) {
      if (overwrite) {
        for (auto& row : g->weight) row.fill(T(0));
        g->bias.fill(T(0));
      }
      std::array<T, patch_size> patch{};
      for (std::size_t t = 0; t < output_time; ++t) {
        gather(x.data(), t, patch);
        for (std::size_t o = 0; o < Channels; ++o) {
          const T dzo = d[t * Channels + o];
          for (std::size_t j = 0; j < patch_size; ++j) g->weight[o][j] += dzo * patch[j];
          g->bias[o] += dzo;
        }
      }
    }
    if (dx != nullptr) {
      for (std::size_t j = 0; j < input_size; ++j) dx[j] = T(0);
      std::array<T, patch_size> back{};  // dL/dpatch of one output step: sum_o weight[o] dz[t][o]
      for (std::size_t t = 0; t < output_time; ++t) {
        back.fill(T(0));
        for (std::size_t o = 0; o < Channels; ++o) {
          const T dzo = d[t * Channels + o];
          for (std::size_t j = 0; j < patch_size; ++j) back[j] += weight[o][j] * dzo;
        }
        scatter(back, t, dx);
      }
    }
  }

  /// Forward-mode tangent: dz = W * dx (the convolution without bias), then da = f'(z) dz.
  constexpr void jvp(const trace_type& tr, std::span<const T, input_size> dx,
                     std::span<T, output_size> da) const noexcept {
    std::array<T, output_size> dz;  // written before it is read
    std::array<T, patch_size> patch{};
    for (std::size_t t = 0; t < output_time; ++t) {
      gather(dx.data(), t, patch);
      for (std::size_t o = 0; o < Channels; ++o)
        dz[t * Channels + o] = detail::dot<T, patch_size>(weight[o].data(), patch.data());
    }
    detail::activation_jvp<Act, T, output_size>(std::span<const T, output_size>(tr.z),
                                                std::span<const T, output_size>(tr.a),
                                                std::span<const T, output_size>(dz), da);
  }

  /// One time step of the causal output (see the class comment): reads x_t (InChannels values),
  /// updates the ring of past inputs, writes y_t (Channels values). Bounded work, no heap.
  constexpr void step(std::span<const T, InChannels> x_t, state_type& state,
                      std::span<T, Channels> y_t) const noexcept requires streams {
    std::array<T, patch_size> patch{};
    for (std::size_t k = 0; k < Kernel; ++k) {
      // tap k reads the input lag = (Kernel-1-k)*Dilation steps back (lag 0: x_t)
      const std::size_t lag = (Kernel - 1 - k) * Dilation;
      const T* src = x_t.data();
      if constexpr (reach != 0) {
        if (lag != 0)
          src = state.buffer.data() + ((state.position + reach - lag) % reach) * InChannels;
      }
      for (std::size_t i = 0; i < InChannels; ++i) patch[i * Kernel + k] = src[i];
    }
    affine(patch, y_t.data());
    detail::activate_in_place<Act>(y_t);
    if constexpr (reach != 0) {
      for (std::size_t i = 0; i < InChannels; ++i)
        state.buffer[state.position * InChannels + i] = x_t[i];
      state.position = (state.position + 1) % reach;
    }
  }

  /// Kind and configuration for the saved format's topology fingerprint: every template
  /// parameter (the element type is recorded by the format itself).
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);  // not Time: the weights do not depend on the window length
    h.u64(InChannels);
    h.u64(Channels);
    h.u64(Kernel);
    detail::fingerprint_activation<Act>(h);
    h.u64(Dilation);
    h.u64(Stride);
    h.u64(static_cast<std::uint64_t>(Padding));
  }

  /// The specification a user writes for this layer, every argument spelt out:
  /// `ctnn::conv1d<8, 3, ctnn::tanh, 2, 1, ctnn::padding::causal>`.
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept {
    auto number = [&out](std::size_t v) {
      out(detail::decimal(static_cast<std::intmax_t>(v)).view());
    };
    out("ctnn::conv1d<");
    number(Channels);
    out(", ");
    number(Kernel);
    out(", ");
    activation_spelling<Act>::write(out);
    out(", ");
    number(Dilation);
    out(", ");
    number(Stride);
    out(Padding == padding::causal ? ", ctnn::padding::causal>"
        : Padding == padding::same ? ", ctnn::padding::same>"
                                   : ", ctnn::padding::valid>");
  }

  friend constexpr bool operator==(const conv1d_layer&, const conv1d_layer&) = default;

 private:
  /// dx[p][i] += back[i * Kernel + k] for the taps of output step t that fall inside the window.
  static constexpr void scatter(const std::array<T, patch_size>& back, std::size_t t,
                                T* dx) noexcept {
    for (std::size_t k = 0; k < Kernel; ++k) {
      const std::size_t p = t * Stride + k * Dilation;  // position + left
      if (p < left || p - left >= Time) continue;
      for (std::size_t i = 0; i < InChannels; ++i)
        dx[(p - left) * InChannels + i] += back[i * Kernel + k];
    }
  }
};

/// A 1-D convolution of `Channels` output channels and `Kernel` taps over a time x channels
/// window (input<Time, InChannels> or a previous layer's shape<Time, InChannels>), PyTorch's
/// nn.Conv1d(InChannels, Channels, Kernel, stride=Stride, dilation=Dilation) with `Padding`
/// (causal: zeros on the left only). Act must be element-wise. See ctnn::conv1d_layer.
template <std::size_t Channels, std::size_t Kernel, class Act = identity, std::size_t Dilation = 1,
          std::size_t Stride = 1, padding Padding = padding::valid>
struct conv1d {
  using activation = Act;

  /// The concrete layer for element type T after a layer whose output is InShape. Well-formed
  /// even when a rule fails (a zero size becomes 1, a non-element-wise activation identity, a
  /// non-sequence input one step), so that a mistake gives one message, not a cascade.
  template <class T, class InShape>
  using layer = conv1d_layer<T, detail::conv1d_time_channels<InShape>::time,
                             detail::conv1d_time_channels<InShape>::channels,
                             (Channels == 0 ? 1 : Channels), (Kernel == 0 ? 1 : Kernel),
                             std::conditional_t<ElementwiseActivation<Act>, Act, identity>,
                             (Dilation == 0 ? 1 : Dilation), (Stride == 0 ? 1 : Stride), Padding>;

  /// The shape rules of layer number Index (from 0) of a network of LayerCount layers.
  template <std::size_t Index, class InShape, std::size_t LayerCount>
  static consteval bool check() {
    static_assert(detail::conv1d_sequence_input_at_layer<Index, InShape::rank>::ok,
                  "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>: a conv1d reads "
                  "a sequence, shape<Time, Channels> (see <layer, rank> in "
                  "conv1d_sequence_input_at_layer)");
    static_assert(
        detail::conv1d_positive_at_layer<Index, detail::conv1d_parameter::channels, Channels>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>: a conv1d needs "
        "Channels > 0 (see <layer, channels, Channels> in conv1d_positive_at_layer)");
    static_assert(
        detail::conv1d_positive_at_layer<Index, detail::conv1d_parameter::kernel, Kernel>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>: a conv1d needs "
        "Kernel > 0 (see <layer, kernel, Kernel> in conv1d_positive_at_layer)");
    static_assert(
        detail::conv1d_positive_at_layer<Index, detail::conv1d_parameter::dilation, Dilation>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>: a conv1d needs "
        "Dilation > 0 (see <layer, dilation, Dilation> in conv1d_positive_at_layer)");
    static_assert(
        detail::conv1d_positive_at_layer<Index, detail::conv1d_parameter::stride, Stride>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>: a conv1d needs "
        "Stride > 0 (see <layer, stride, Stride> in conv1d_positive_at_layer)");
    constexpr bool sized = InShape::rank == 2 && Kernel != 0 && Dilation != 0;
    static_assert(
        !sized || Padding != padding::valid ||
            detail::conv1d_kernel_fits_at_layer<Index, detail::conv1d_time_channels<InShape>::time,
                                                Dilation*(Kernel == 0 ? 0 : Kernel - 1) + 1>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, padding::valid>: kernel "
        "longer than the window: the dilated kernel Dilation*(Kernel-1)+1 must fit in "
        "Time steps (see <layer, Time, dilated kernel> in conv1d_kernel_fits_at_layer)");
    static_assert(
        Padding != padding::same || detail::conv1d_same_stride_at_layer<Index, Stride>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, padding::same>: same "
        "padding needs Stride 1, as in PyTorch (see <layer, Stride> in "
        "conv1d_same_stride_at_layer)");
    static_assert(
        detail::conv1d_elementwise_activation_at_layer<Index, ElementwiseActivation<Act>>::ok,
        "ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>: Act must be an "
        "element-wise activation (ctnn::ElementwiseActivation: tanh, relu, ...; not "
        "softmax) (see <layer, ...> in conv1d_elementwise_activation_at_layer)");
    return true;
  }
};

}  // namespace ctnn
