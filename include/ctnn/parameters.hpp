// SPDX-License-Identifier: MIT
/// @file parameters.hpp Defines ctnn::parameters, a set of arrays with a network's exact shape
/// (weights, gradients, optimiser moments all use it), its flat view and element-wise visits.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <ctnn/detail/static_for.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/shape.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

/// One concrete layer (a ctnn::Layer: its parameter tensors) per layer, in layer order, held in a
/// Boost.Hana tuple.
/// This is the storage of ctnn::network, of ctnn::gradients and of optimiser state.
///
/// Flat order (the order of `flat()`, of the constructor from a flat array and of the binary
/// format): layer 0's tensors in the order its `for_each_tensor` visits them, each row-major
/// (dense: its weight matrix row by row, then its biases), then layer 1's, and so on.
namespace detail {
/// f(l0[k], lr[k]...) for every parameter k of same-typed layers, in the layer's flat order (its
/// tensors in ctnn::Layer::for_each_tensor order, each row-major).
template <class F, class L0, class... Lr>
constexpr void visit_layer_parameters(F& f, L0& l0, Lr&... lr) noexcept {
  std::remove_cvref_t<L0>::for_each_tensor(
      [&f](const tensor_info&, auto&... tensors) { for_each_element(f, tensors...); }, l0, lr...);
}

/// Reference to element k (row-major) of a (nested) std::array.
template <class A>
constexpr auto* element_at(A& a, std::size_t k) noexcept {
  using E = std::remove_cv_t<typename A::value_type>;
  if constexpr (is_std_array<E>::value) {
    constexpr std::size_t inner = element_count<E>;
    return element_at(a[k / inner], k % inner);
  } else {
    return &a[k];
  }
}

/// True when A and B have the same layer count and, layer by layer, the same kind, shapes and
/// parameter count.
template <class A, class B>
consteval bool same_layer_shapes() {
  if constexpr (A::layer_count != B::layer_count) {
    return false;
  } else {
    bool same = true;
    static_for<A::layer_count>([&](auto I) {
      using LA = std::remove_cvref_t<decltype(std::declval<A&>().template layer<I()>())>;
      using LB = std::remove_cvref_t<decltype(std::declval<B&>().template layer<I()>())>;
      same = same && LA::kind == LB::kind && LA::parameter_count == LB::parameter_count &&
             std::is_same_v<typename LA::input_shape, typename LB::input_shape> &&
             std::is_same_v<typename LA::output_shape, typename LB::output_shape>;
    });
    return same;
  }
}
}  // namespace detail

/// f(p0[k], p1[k], ...) for every parameter k in flat order, over same-shaped parameter sets
/// (a network, its gradients, optimiser moments). Plain loops over each layer's contiguous
/// rows, so an inlined, branch-free f vectorises.
template <class F, class P0, class... Ps>
constexpr void for_each_parameter(F&& f, P0& p0, Ps&... ps) noexcept {
  constexpr std::size_t n = std::remove_cvref_t<P0>::layer_count;
  static_assert((detail::same_layer_shapes<std::remove_cvref_t<P0>, std::remove_cvref_t<Ps>>() &&
                 ...),
                "ctnn::for_each_parameter: every parameter set must have the same shape (the "
                "same layer count, and the same kind and shapes per layer)");
  detail::static_for<n>([&](auto I) {
    detail::visit_layer_parameters(f, p0.template layer<I()>(), ps.template layer<I()>()...);
  });
}

template <Scalar T, class... Ls>
class parameters {
 public:
  using value_type = T;
  using tuple_type = boost::hana::tuple<Ls...>;
  static constexpr std::size_t layer_count = sizeof...(Ls);
  static constexpr std::size_t parameter_count = (std::size_t{0} + ... + Ls::parameter_count);
  using flat_type = std::array<T, parameter_count>;

  /// All zero.
  constexpr parameters() noexcept = default;

  /// From a flat array in the documented order.
  constexpr explicit parameters(const flat_type& values) noexcept { assign(values); }

  /// Layer I (a ctnn::Layer).
  template <std::size_t I>
  constexpr auto& layer() noexcept {
    static_assert(I < layer_count, "ctnn: layer<I>() needs I < layer_count");
    return boost::hana::at_c<I>(layers_);
  }
  template <std::size_t I>
  constexpr const auto& layer() const noexcept {
    static_assert(I < layer_count, "ctnn: layer<I>() needs I < layer_count");
    return boost::hana::at_c<I>(layers_);
  }

  /// The Boost.Hana tuple of layers, for hana algorithms.
  constexpr tuple_type& layers() noexcept { return layers_; }
  constexpr const tuple_type& layers() const noexcept { return layers_; }

  /// Index of the first parameter of layer I in flat order.
  template <std::size_t I>
  static constexpr std::size_t layer_offset = [] {
    constexpr std::size_t counts[] = {Ls::parameter_count...};
    std::size_t o = 0;
    for (std::size_t k = 0; k < I; ++k) o += counts[k];
    return o;
  }();

  /// Copy of every parameter, in flat order.
  constexpr flat_type flat() const noexcept {
    flat_type out{};
    std::size_t k = 0;
    for_each_parameter([&](const T& p) { out[k++] = p; }, *this);
    return out;
  }

  /// Overwrite every parameter from a flat array.
  constexpr void assign(const flat_type& values) noexcept {
    std::size_t k = 0;
    for_each_parameter([&](T& p) { p = values[k++]; }, *this);
  }

  /// Set every parameter to `v` (zero by default).
  constexpr void fill(T v = T(0)) noexcept {
    for_each_parameter([v](T& p) { p = v; }, *this);
  }

  /// Reference to parameter k in flat order (k < parameter_count).
  constexpr T& operator[](std::size_t k) noexcept { return *locate(*this, k); }
  constexpr const T& operator[](std::size_t k) const noexcept { return *locate(*this, k); }
  static constexpr std::size_t size() noexcept { return parameter_count; }

  /// Equal when every parameter compares equal (so NaN != NaN, and +0 == -0).
  friend constexpr bool operator==(const parameters& x, const parameters& y) noexcept {
    bool same = true;
    for_each_parameter([&](const T& u, const T& v) { same = same && u == v; }, x, y);
    return same;
  }

  private:
  tuple_type layers_{};

  template <class Self>
  static constexpr auto locate(Self& self, std::size_t k) noexcept {
    using ptr = std::conditional_t<std::is_const_v<Self>, const T*, T*>;
    ptr result = nullptr;
    std::size_t offset = 0;
    boost::hana::for_each(self.layers_, [&](auto& l) {
      using L = std::remove_cvref_t<decltype(l)>;
      L::for_each_tensor(
          [&](const tensor_info&, auto& tensor) {
            constexpr std::size_t n = detail::element_count<std::remove_cvref_t<decltype(tensor)>>;
            if (result == nullptr && k < offset + n) result = detail::element_at(tensor, k - offset);
            offset += n;
          },
          l);
    });
    return result;
  }
};

}  // namespace ctnn
