// SPDX-License-Identifier: MIT
// toy_layers.hpp: three test-only layer kinds written against the ctnn::Layer protocol alone
// (<ctnn/layer.hpp>), to show that a layer kind plugs into the network, training, init,
// save/load and export without touching the library. They use 2-D shapes (time x channels):
//   toy::channel_scale  y[t][c] = s[c] x[t][c]      (one weight tensor "s" of Channels values)
//   toy::reverse_time   y[t][c] = x[Time-1-t][c]    (no parameters)
//   toy::flatten        y = x as one vector          (no parameters; any input shape)
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include <ctnn/layer.hpp>
#include <ctnn/shape.hpp>

namespace toy {

/// A trace that holds the layer's output (all these layers need for backward besides x).
template <class T, std::size_t N>
struct output_trace {
  std::array<T, N> y{};
  constexpr const std::array<T, N>& output() const noexcept { return y; }
  friend constexpr bool operator==(const output_trace&, const output_trace&) = default;
};

/// Reads the dimensions of a rank-2 shape, (1, size) for anything else, so that a spec resolves
/// to a well-formed layer even when its rule (rank 2) fails.
template <class S>
struct time_channels {
  static constexpr std::size_t time = 1, channels = S::size;
};
template <std::size_t Time, std::size_t C>
struct time_channels<ctnn::shape<Time, C>> {
  static constexpr std::size_t time = Time, channels = C;
};

template <class T, std::size_t Time, std::size_t C>
struct channel_scale_layer {
  using value_type = T;
  using input_shape = ctnn::shape<Time, C>;
  using output_shape = ctnn::shape<Time, C>;
  using trace_type = output_trace<T, Time * C>;
  using state_type = ctnn::no_state;
  static constexpr std::string_view kind = "toy.channel_scale";
  static constexpr std::size_t parameter_count = C;
  static constexpr std::size_t forward_macs = Time * C;
  static constexpr std::size_t fan_in = 1, fan_out = 1;

  std::array<T, C> s{};

  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&& f, Ls&... ls) noexcept {
    f(ctnn::tensor_info{"s", ctnn::tensor_role::weight, 1, 1}, ls.s...);
  }
  constexpr void forward(std::span<const T, Time * C> x, std::span<T, Time * C> y) const noexcept {
    for (std::size_t t = 0; t < Time; ++t)
      for (std::size_t c = 0; c < C; ++c) y[t * C + c] = s[c] * x[t * C + c];
  }
  constexpr void forward(std::span<const T, Time * C> x, trace_type& tr) const noexcept {
    forward(x, std::span<T, Time * C>(tr.y));
  }
  // dL/ds[c] = sum_t dL/dy[t][c] x[t][c];  dL/dx[t][c] = s[c] dL/dy[t][c]
  constexpr void backward(std::span<const T, Time * C> x, const trace_type&,
                          std::span<const T, Time * C> dy, channel_scale_layer* g, bool overwrite,
                          T* dx) const noexcept {
    if (g != nullptr) {
      for (std::size_t c = 0; c < C; ++c) {
        T sum = overwrite ? T(0) : g->s[c];
        for (std::size_t t = 0; t < Time; ++t) sum += dy[t * C + c] * x[t * C + c];
        g->s[c] = sum;
      }
    }
    if (dx != nullptr)
      for (std::size_t t = 0; t < Time; ++t)
        for (std::size_t c = 0; c < C; ++c) dx[t * C + c] = s[c] * dy[t * C + c];
  }
  constexpr void jvp(const trace_type&, std::span<const T, Time * C> dx,
                     std::span<T, Time * C> dy) const noexcept {
    forward(dx, dy);
  }
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);
    h.u64(Time);
    h.u64(C);
  }
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept { out("toy::channel_scale"); }
  friend constexpr bool operator==(const channel_scale_layer&, const channel_scale_layer&) = default;
};

template <class T, std::size_t Time, std::size_t C>
struct reverse_time_layer {
  using value_type = T;
  using input_shape = ctnn::shape<Time, C>;
  using output_shape = ctnn::shape<Time, C>;
  using trace_type = output_trace<T, Time * C>;
  using state_type = ctnn::no_state;
  static constexpr std::string_view kind = "toy.reverse_time";
  static constexpr std::size_t parameter_count = 0, forward_macs = 0, fan_in = 1, fan_out = 1;

  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&&, Ls&...) noexcept {}
  constexpr void forward(std::span<const T, Time * C> x, std::span<T, Time * C> y) const noexcept {
    for (std::size_t t = 0; t < Time; ++t)
      for (std::size_t c = 0; c < C; ++c) y[t * C + c] = x[(Time - 1 - t) * C + c];
  }
  constexpr void forward(std::span<const T, Time * C> x, trace_type& tr) const noexcept {
    forward(x, std::span<T, Time * C>(tr.y));
  }
  constexpr void backward(std::span<const T, Time * C>, const trace_type&,
                          std::span<const T, Time * C> dy, reverse_time_layer*, bool,
                          T* dx) const noexcept {
    if (dx != nullptr)
      for (std::size_t t = 0; t < Time; ++t)
        for (std::size_t c = 0; c < C; ++c) dx[(Time - 1 - t) * C + c] = dy[t * C + c];
  }
  constexpr void jvp(const trace_type&, std::span<const T, Time * C> dx,
                     std::span<T, Time * C> dy) const noexcept {
    forward(dx, dy);
  }
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);
    h.u64(Time);
    h.u64(C);
  }
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept { out("toy::reverse_time"); }
  friend constexpr bool operator==(const reverse_time_layer&, const reverse_time_layer&) = default;
};

template <class T, class InShape>
struct flatten_layer {
  static constexpr std::size_t N = InShape::size;
  using value_type = T;
  using input_shape = InShape;
  using output_shape = ctnn::shape<N>;
  using trace_type = output_trace<T, N>;
  using state_type = ctnn::no_state;
  static constexpr std::string_view kind = "toy.flatten";
  static constexpr std::size_t parameter_count = 0, forward_macs = 0, fan_in = 1, fan_out = 1;

  template <class F, class... Ls>
  static constexpr void for_each_tensor(F&&, Ls&...) noexcept {}
  constexpr void forward(std::span<const T, N> x, std::span<T, N> y) const noexcept {
    for (std::size_t i = 0; i < N; ++i) y[i] = x[i];
  }
  constexpr void forward(std::span<const T, N> x, trace_type& tr) const noexcept {
    forward(x, std::span<T, N>(tr.y));
  }
  constexpr void backward(std::span<const T, N>, const trace_type&, std::span<const T, N> dy,
                          flatten_layer*, bool, T* dx) const noexcept {
    if (dx != nullptr)
      for (std::size_t i = 0; i < N; ++i) dx[i] = dy[i];
  }
  constexpr void jvp(const trace_type&, std::span<const T, N> dx, std::span<T, N> dy) const noexcept {
    forward(dx, dy);
  }
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text(kind);
    h.u64(N);
  }
  template <class Sink>
  static constexpr void spell(Sink& out) noexcept { out("toy::flatten"); }
  friend constexpr bool operator==(const flatten_layer&, const flatten_layer&) = default;
};

/// <layer, rank of its input>
template <std::size_t Layer, std::size_t Rank>
struct time_channels_input_at_layer {
  static constexpr bool ok = Rank == 2;
};

// ---- the specifications a user writes ----

struct channel_scale {
  template <class T, class In>
  using layer = channel_scale_layer<T, time_channels<In>::time, time_channels<In>::channels>;
  template <std::size_t I, class In, std::size_t Count>
  static consteval bool check() {
    static_assert(time_channels_input_at_layer<I, In::rank>::ok,
                  "toy::channel_scale: needs a time x channels input, shape<Time, Channels>");
    return true;
  }
};

struct reverse_time {
  template <class T, class In>
  using layer = reverse_time_layer<T, time_channels<In>::time, time_channels<In>::channels>;
  template <std::size_t I, class In, std::size_t Count>
  static consteval bool check() {
    static_assert(time_channels_input_at_layer<I, In::rank>::ok,
                  "toy::reverse_time: needs a time x channels input, shape<Time, Channels>");
    return true;
  }
};

struct flatten {
  template <class T, class In>
  using layer = flatten_layer<T, In>;
  template <std::size_t, class, std::size_t>
  static consteval bool check() { return true; }
};

}  // namespace toy
