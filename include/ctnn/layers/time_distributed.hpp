// SPDX-License-Identifier: MIT
/// @file layers/time_distributed.hpp Defines ctnn::time_distributed, a vector layer (such as
/// ctnn::dense) applied to every time step of a sequence with the same parameters, and its
/// concrete ctnn::time_distributed_layer.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include <ctnn/detail/shape_checks.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>

namespace ctnn {

/// The concrete ctnn::Layer of ctnn::time_distributed: shape<Time, In> -> shape<Time, Out>,
/// y_t = inner(x_t) for every step t with one set of parameters (the inner layer's tensors).
/// The parameter gradient is the sum over the steps, added in time order.
template <Layer Inner, std::size_t Time>
struct time_distributed_layer {
  using value_type = typename Inner::value_type;
  using T = value_type;
  using inner_type = Inner;
  static constexpr std::size_t In = Inner::input_shape::size, Out = Inner::output_shape::size;
  using input_shape = shape<Time, In>;
  using output_shape = shape<Time, Out>;
  using state_type = no_state;
  static constexpr std::string_view kind = "time_distributed";
  static constexpr std::string_view header = "<ctnn/layers/time_distributed.hpp>";
  static constexpr std::size_t parameter_count = Inner::parameter_count;
  static constexpr std::size_t forward_macs = Time * Inner::forward_macs;
  static constexpr std::size_t fan_in = Inner::fan_in, fan_out = Inner::fan_out;

  Inner inner{};  ///< the layer applied at every step

  /// Every step's inner trace, and the outputs side by side (what the next layer reads).
  struct trace_type {
    std::array<typename Inner::trace_type, Time> steps{};
    std::array<T, Time * Out> y{};
    constexpr const std::array<T, Time * Out>& output() const noexcept { return y; }
    friend constexpr bool operator==(const trace_type&, const trace_type&) = default;
  };

  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&& f, Ls&... ls) noexcept {
    Inner::for_each_tensor(f, ls.inner...);
  }

  constexpr void forward(std::span<const T, Time * In> x, std::span<T, Time * Out> y) const noexcept {
    for (std::size_t t = 0; t < Time; ++t)
      inner.forward(std::span<const T, In>(x.data() + t * In, In), std::span<T, Out>(y.data() + t * Out, Out));
  }
  constexpr void forward(std::span<const T, Time * In> x, trace_type& tr) const noexcept {
    for (std::size_t t = 0; t < Time; ++t) {
      inner.forward(std::span<const T, In>(x.data() + t * In, In), tr.steps[t]);
      const auto& yt = tr.steps[t].output();
      for (std::size_t j = 0; j < Out; ++j) tr.y[t * Out + j] = yt[j];
    }
  }
  /// Each step's backward in time order: its parameter gradient is added (the first step
  /// overwrites when `overwrite`), its dL/dx_t written.
  constexpr void backward(std::span<const T, Time * In> x, const trace_type& tr,
                          std::span<const T, Time * Out> dy, time_distributed_layer* g,
                          bool overwrite, T* dx) const noexcept {
    for (std::size_t t = 0; t < Time; ++t)
      inner.backward(std::span<const T, In>(x.data() + t * In, In), tr.steps[t],
                     std::span<const T, Out>(dy.data() + t * Out, Out),
                     g == nullptr ? nullptr : &g->inner, overwrite && t == 0,
                     dx == nullptr ? nullptr : dx + t * In);
  }
  constexpr void jvp(const trace_type& tr, std::span<const T, Time * In> dx,
                     std::span<T, Time * Out> dy) const noexcept {
    for (std::size_t t = 0; t < Time; ++t)
      inner.jvp(tr.steps[t], std::span<const T, In>(dx.data() + t * In, In),
                std::span<T, Out>(dy.data() + t * Out, Out));
  }
  /// One time step: the inner layer on x_t.
  constexpr void step(std::span<const T, In> x, state_type&, std::span<T, Out> y) const noexcept {
    inner.forward(x, y);
  }

  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);  // not Time: nothing here depends on the window length
    Inner::fingerprint(h);
  }
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept {
    out("ctnn::time_distributed<");
    Inner::spell(out);
    out(">");
  }

  friend constexpr bool operator==(const time_distributed_layer&, const time_distributed_layer&) = default;
};

/// A vector layer applied to every step of a sequence: `gru<16>, time_distributed<dense<1>>`
/// maps each step's hidden state to one output (a sequence-to-sequence model).
template <class Spec>
struct time_distributed {
  template <class T, class InShape>
  using layer = time_distributed_layer<
      typename Spec::template layer<T, shape<detail::channels_of<InShape>>>, detail::time_of<InShape>>;

  template <std::size_t Index, class InShape, std::size_t LayerCount>
  static consteval bool check() {
    static_assert(detail::sequence_input_at_layer<Index, InShape::rank>::ok,
                  "ctnn::time_distributed<Layer>: reads a sequence, shape<Time, Channels>, and "
                  "applies Layer to every step; the previous layer's output is a vector (see "
                  "<layer, rank> in sequence_input_at_layer)");
    static_assert(Spec::template check<Index, shape<detail::channels_of<InShape>>, LayerCount>());
    static_assert(std::is_same_v<typename layer<float, InShape>::inner_type::state_type, no_state>,
                  "ctnn::time_distributed<Layer>: Layer must keep no state between calls");
    return true;
  }
};

}  // namespace ctnn
