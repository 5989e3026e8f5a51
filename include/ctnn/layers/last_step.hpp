// SPDX-License-Identifier: MIT
/// @file layers/last_step.hpp Defines ctnn::last_step, the reduction of a sequence to its last
/// time step (a recurrent layer's final output into a dense head), and ctnn::last_step_layer.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include <ctnn/detail/shape_checks.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>

namespace ctnn {

/// The concrete ctnn::Layer of ctnn::last_step: shape<Time, Channels> -> shape<Channels>,
/// y = x[Time - 1]. No parameters. Streaming, every step's output is "the last step so far":
/// y_t = x_t.
template <Scalar T, std::size_t Time, std::size_t Channels>
struct last_step_layer {
  using value_type = T;
  using input_shape = shape<Time, Channels>;
  using output_shape = shape<Channels>;
  using state_type = no_state;
  static constexpr std::string_view kind = "last_step";
  static constexpr std::string_view header = "<ctnn/layers/last_step.hpp>";
  static constexpr std::size_t parameter_count = 0, forward_macs = 0;
  static constexpr std::size_t fan_in = 1, fan_out = 1;
  static constexpr std::size_t offset = (Time - 1) * Channels;  // where the last step starts

  /// The output (the last step) is all a backward pass needs.
  struct trace_type {
    std::array<T, Channels> y{};
    constexpr const std::array<T, Channels>& output() const noexcept { return y; }
    friend constexpr bool operator==(const trace_type&, const trace_type&) = default;
  };

  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&&, Ls&...) noexcept {}

  constexpr void forward(std::span<const T, Time * Channels> x, std::span<T, Channels> y) const noexcept {
    for (std::size_t c = 0; c < Channels; ++c) y[c] = x[offset + c];
  }
  constexpr void forward(std::span<const T, Time * Channels> x, trace_type& t) const noexcept {
    forward(x, std::span<T, Channels>(t.y));
  }
  /// dL/dx is dL/dy at the last step and zero before it.
  constexpr void backward(std::span<const T, Time * Channels>, const trace_type&,
                          std::span<const T, Channels> dy, last_step_layer*, bool,
                          T* dx) const noexcept {
    if (dx == nullptr) return;
    for (std::size_t k = 0; k < offset; ++k) dx[k] = T(0);
    for (std::size_t c = 0; c < Channels; ++c) dx[offset + c] = dy[c];
  }
  constexpr void jvp(const trace_type&, std::span<const T, Time * Channels> dx,
                     std::span<T, Channels> dy) const noexcept {
    forward(dx, dy);
  }
  constexpr void step(std::span<const T, Channels> x, state_type&, std::span<T, Channels> y) const noexcept {
    for (std::size_t c = 0; c < Channels; ++c) y[c] = x[c];
  }

  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);  // not Time: nothing here depends on the window length
    h.u64(Channels);
  }
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept { out("ctnn::last_step"); }

  friend constexpr bool operator==(const last_step_layer&, const last_step_layer&) = default;
};

/// The last time step of a sequence: `gru<16>, last_step, dense<10, softmax>` reads a window
/// and classifies it by the recurrent layer's final output.
struct last_step {
  template <class T, class InShape>
  using layer = last_step_layer<T, detail::time_of<InShape>, detail::channels_of<InShape>>;

  template <std::size_t Index, class InShape, std::size_t LayerCount>
  static consteval bool check() {
    static_assert(detail::sequence_input_at_layer<Index, InShape::rank>::ok,
                  "ctnn::last_step: reads a sequence, shape<Time, Channels>; the previous layer's "
                  "output is a vector (see <layer, rank> in sequence_input_at_layer)");
    return true;
  }
};

}  // namespace ctnn
