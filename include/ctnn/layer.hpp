// SPDX-License-Identifier: MIT
/// @file layer.hpp Defines the layer protocol: ctnn::Layer (what every concrete layer kind
/// implements, and the only way the network, training, initialisation, saving and export reach
/// a layer), ctnn::LayerSpec (what a user writes in a network type) and ctnn::input.
///
/// The protocol
/// ============
/// A network is a list of concrete layers. Each concrete layer type `L` is its own parameter
/// storage (a network, its gradients and an optimiser's moments are all lists of `L`), and
/// provides, with `T = L::value_type`, `In = L::input_shape::size`, `Out = L::output_shape::size`:
///
/// | member                                   | what it is                                                 |
/// |------------------------------------------|------------------------------------------------------------|
/// | `value_type`                             | the element type                                           |
/// | `input_shape`, `output_shape`            | ctnn::shape of what it reads and writes (vector or time x channels); values are exchanged as contiguous row-major runs |
/// | `kind`                                   | `std::string_view` tag of the layer kind ("dense", ...)    |
/// | `parameter_count`, `forward_macs`        | parameters; multiply-accumulates of one forward call       |
/// | `fan_in`, `fan_out`                      | what variance-scaling initialisers divide by               |
/// | `for_each_tensor(f, ls...)` (static)     | `f(info, ls.tensor...)` (info: a ctnn::tensor_tag, or a run-time ctnn::tensor_info) for each named parameter tensor, in flat order, over same-typed layers (a network, its gradients, moments): init, optimisers, save/load, export, gradient storage all go through it |
/// | `forward(x, y)`                          | y = layer(x) for one sample (spans of In and Out values)   |
/// | `trace_type`, `forward(x, trace)`        | the forward pass that records what backward needs; `trace.output()` is y |
/// | `backward(x, trace, dy, grads, overwrite, dx)` | from dL/dy: adds dL/dparameters into `*grads` (unless it is nullptr; `overwrite`: replace instead of add), writes dL/dx into `dx` (unless nullptr) |
/// | `jvp(trace, dx, dy)`                     | forward-mode tangent: dy = (dy/dx) dx                      |
/// | `state_type`                             | memory carried between calls (recurrent layers, streaming convolution); ctnn::no_state for a stateless layer |
/// | `fingerprint(h)` (static)                | its kind and configuration into a hasher (`h.text(sv)`, `h.u64(v)`): the saved format's topology check; what the parameters depend on, not the window length (weights trained on windows load into a streaming network with a shorter window) |
/// | `spell(out)` (static)                    | its C++ spelling as a user writes it (`ctnn::dense<3, ctnn::sigmoid>`), for exported headers |
///
/// Optional, for export: `static constexpr std::string_view header = "<ctnn/layers/gru.hpp>";`
/// what an exported header includes for this layer kind (once; layers in <ctnn/network.hpp>
/// need none).
///
/// Optional, for streaming (ctnn::network::step): a layer that can run one time step at a time
/// provides `step(x_t, state, y_t)` (const, noexcept): it reads the values of one time step
/// (`step_width<input_shape>`: the Channels of a time x channels shape, all of a vector), updates
/// `state` and writes one time step of its output. Running a window step by step from a
/// value-initialised (zero) state gives the same bits as `forward` on the window. A stateless
/// layer from vector to vector streams through its `forward` and needs no `step`. A state that
/// holds numbers provides `constexpr bool all_finite() const noexcept` (ctnn::check_finite on a
/// network's state asks every layer's).
///
/// Optional, for speed: a layer may also provide the batched tile kernels of ctnn::batch_trace
/// (`forward_tile`, `backward_tile`; see layers/dense.hpp). A network whose layers all provide
/// them trains mini-batches as matrix-matrix work; otherwise one sample at a time (same bits).
///
/// A user writes layer *specifications* (ctnn::LayerSpec): `dense<Out, Act>` names no element
/// type and no input size; the network resolves each spec against the previous layer's output
/// shape with `Spec::layer<T, InputShape>` and lets the spec check its own shape rules with
/// `Spec::check<Index, InputShape, LayerCount>()` (each failing rule one static_assert with a
/// ctnn message). Adding a layer kind is one header under layers/ with a spec and a concrete
/// layer (see the README, "Adding a layer").
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>

namespace ctnn {

/// The network's input: one sample is a ctnn::shape<Dims...> (`input<N>`: N features;
/// `input<Time, Channels>`: a window of Time steps). First entry of every ctnn::network.
template <std::size_t... Dims>
struct input {
  using shape = ctnn::shape<Dims...>;
  static constexpr std::size_t size = shape::size;
};

/// What a parameter tensor is for: initialisers draw `weight` tensors and zero `bias` tensors.
enum class tensor_role : std::uint8_t { weight, bias };

/// The name and role of one parameter tensor, passed to ctnn::Layer's `for_each_tensor`.
struct tensor_info {
  std::string_view name;  ///< as the layer's member is called (dense: "W", "b")
  tensor_role role;
  std::size_t fan_in;   ///< inputs that feed one output through this tensor
  std::size_t fan_out;  ///< outputs one input feeds through this tensor
};

/// A tensor_info whose role and fans are known at compile time (what the built-in layers pass
/// to `for_each_tensor`'s visitor): an initialiser then instantiates nothing for the tensors
/// whose role it skips. It converts to tensor_info, so a visitor may take either.
template <tensor_role Role, std::size_t FanIn, std::size_t FanOut>
struct tensor_tag {
  /// From a string literal: its length comes from the type, never from strlen at run time.
  template <std::size_t N>
  constexpr tensor_tag(const char (&literal)[N]) noexcept : name(literal, N - 1) {}
  std::string_view name;
  static constexpr tensor_role role = Role;
  static constexpr std::size_t fan_in = FanIn;
  static constexpr std::size_t fan_out = FanOut;
  constexpr operator tensor_info() const noexcept { return {name, Role, FanIn, FanOut}; }
};

/// The state of a layer that keeps no memory between calls.
struct no_state {
  friend constexpr bool operator==(no_state, no_state) noexcept { return true; }
};

namespace detail {
/// A visitor that accepts any tensors (for the concept check).
struct tensor_probe {
  template <class... A>
  constexpr void operator()(const tensor_info&, A&...) const noexcept {}
};
/// A hasher that accepts anything (for the concept check).
struct fingerprint_probe {
  constexpr void text(std::string_view) noexcept {}
  constexpr void u64(std::uint64_t) noexcept {}
};
/// A text sink that accepts anything (for the concept check).
struct spelling_probe {
  constexpr void operator()(std::string_view) noexcept {}
};
}  // namespace detail

/// A concrete layer kind: see the protocol table at the top of this header.
template <class L>
concept Layer =
    std::is_trivially_copyable_v<L> && std::default_initializable<L> &&
    std::equality_comparable<L> &&
    requires {
      typename L::value_type;
      typename L::input_shape;
      typename L::output_shape;
      typename L::trace_type;
      typename L::state_type;
      { L::kind } -> std::convertible_to<std::string_view>;
      { L::parameter_count } -> std::convertible_to<std::size_t>;
      { L::forward_macs } -> std::convertible_to<std::size_t>;
      { L::fan_in } -> std::convertible_to<std::size_t>;
      { L::fan_out } -> std::convertible_to<std::size_t>;
    } &&
    Scalar<typename L::value_type> && std::is_trivially_copyable_v<typename L::state_type> &&
    requires(const L& cl, L& l, typename L::trace_type& t, const typename L::trace_type& ct,
             std::span<const typename L::value_type, L::input_shape::size> x,
             std::span<typename L::value_type, L::input_shape::size> dx,
             std::span<const typename L::value_type, L::output_shape::size> dy,
             std::span<typename L::value_type, L::output_shape::size> y,
             detail::tensor_probe visit, detail::fingerprint_probe h, detail::spelling_probe out) {
      cl.forward(x, y);
      cl.forward(x, t);
      { ct.output() } -> std::convertible_to<std::span<const typename L::value_type, L::output_shape::size>>;
      cl.backward(x, ct, dy, &l, true, dx.data());
      cl.jvp(ct, std::span<const typename L::value_type, L::input_shape::size>(dx), y);
      L::for_each_tensor(visit, l);
      L::fingerprint(h);
      L::spell(out);
    };

/// Values in one time step of a shape: Channels for shape<Time, Channels>, all of a vector.
template <class Shape>
inline constexpr std::size_t step_width = Shape::rank >= 2 ? Shape::dims[Shape::rank - 1] : Shape::size;

/// A ctnn::Layer that runs one time step at a time (see "Optional, for streaming" above).
template <class L>
concept StreamingLayer =
    Layer<L> &&
    requires(const L& l, typename L::state_type& s,
             std::span<const typename L::value_type, step_width<typename L::input_shape>> x,
             std::span<typename L::value_type, step_width<typename L::output_shape>> y) {
      { l.step(x, s, y) } noexcept;
    };

/// A layer specification, as a user writes it in a network type: it turns into a concrete
/// ctnn::Layer once the element type and the previous layer's output shape are known.
template <class S>
concept LayerSpec = requires {
  typename S::template layer<float, shape<1>>;
  { S::template check<0, shape<1>, 1>() } -> std::same_as<bool>;
};

}  // namespace ctnn
