// SPDX-License-Identifier: MIT
/// @file init.hpp Defines the weight initialisers (zeros, constant, uniform, normal, Xavier/Glorot,
/// He, LeCun, orthogonal, by_activation), the ctnn::Initializer concept, ctnn::init, and LSUV
/// (layer-sequential unit-variance initialisation, ctnn::lsuv).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/detail/static_for.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/math.hpp>
#include <ctnn/network.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/scalar.hpp>
#include <ctnn/shape.hpp>

namespace ctnn {

// ---------------------------------------------------------------------------------------------
// The concept and the entry point
// ---------------------------------------------------------------------------------------------

/// `I` can initialise a layer of type `Layer` (a ctnn::Layer): `init(layer, gen)` is valid on a
/// const I and noexcept.
template <class I, class Layer>
concept LayerInitializer = requires(const I& init, Layer& layer, rng& gen) {
  { init(layer, gen) } noexcept;
};

/// A weight initialiser: a copyable function object that sets one layer's parameters from a
/// ctnn::rng. It is called once per layer, layer 0 first. Every built-in one draws each weight
/// tensor (ctnn::tensor_role::weight, visited with the layer's `for_each_tensor`) row by row
/// with that tensor's fan_in and fan_out (a dense layer: In and Out), and sets the bias tensors
/// to zero unless it says otherwise, so a given seed gives the same network everywhere.
///
/// Writing one (through the layer protocol, so it serves every layer kind; for a dense layer
/// one may also write its members directly):
/// ```
/// struct small_uniform {
///   double limit = 0.01;
///   template <class Layer>
///   constexpr void operator()(Layer& layer, ctnn::rng& gen) const noexcept {
///     using T = typename Layer::value_type;
///     Layer::for_each_tensor([&](const ctnn::tensor_info& info, auto& tensor) {
///       auto set = [&](T& v) {
///         v = info.role == ctnn::tensor_role::weight ? gen.uniform(T(-limit), T(limit)) : T(0);
///       };
///       ctnn::detail::for_each_element(set, tensor);
///     }, layer);
///   }
/// };
/// static_assert(ctnn::Initializer<small_uniform>);
/// ctnn::init(net, small_uniform{}, gen);
/// ```
/// The concept checks the call on a float and a double layer; ctnn::init checks it on every layer
/// of the actual network.
template <class I>
concept Initializer = std::copy_constructible<I> &&
                      LayerInitializer<I, dense_layer<float, 3, 2, relu>> &&
                      LayerInitializer<I, dense_layer<double, 2, 3, tanh>>;

/// Initialises every layer of `net` (a ctnn::network, or any ctnn::parameters) with
/// `initializer(layer, gen)`, layer 0 first. constexpr: a network can be initialised at compile
/// time and gets exactly the weights it gets at run time from the same seed.
/// ```
/// ctnn::rng gen{42};
/// ctnn::init(net, ctnn::xavier_uniform{}, gen);
/// ```
template <class Net, class Init>
constexpr void init(Net& net, const Init& initializer, rng& gen) noexcept {
  detail::static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using layer_t = std::remove_cvref_t<decltype(net.template layer<I>())>;
    constexpr bool ok = LayerInitializer<Init, layer_t>;
    static_assert(ok,
                  "ctnn::init(net, initializer, gen): the initializer must be callable as "
                  "`initializer(layer, gen)` on a const object, noexcept, for every layer "
                  "(see ctnn::Initializer)");
    if constexpr (ok) initializer(net.template layer<I>(), gen);
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the initialisers
// ---------------------------------------------------------------------------------------------

namespace detail {

/// A hyper-parameter (kept as double so that `xavier_uniform{}` needs no template argument)
/// converted to the layer's element type by number_traits<T>::from_double (for float: integer
/// operations only, the bits of static_cast<float>; no double arithmetic).
template <class T>
constexpr T hyper(double v) noexcept {
  return ctnn::from_double<T>(v);
}

/// The arithmetic a spread (limit or standard deviation) is computed in from the fans: the
/// layer's element type in extended precision (a double-word float for float layers, so the
/// result rounds to the bits the former double computation gave; plain T otherwise).
template <class T>
using spread_t = extended<T>;

/// f(info, tensor) for each parameter tensor of `layer` whose role is `role`, in flat order.
template <tensor_role Role, class Layer, class F>
constexpr void for_each_tensor_of(Layer& layer, F&& f) noexcept {
  Layer::for_each_tensor(
      [&f](const auto& info, auto& tensor) {
        using I = std::remove_cvref_t<decltype(info)>;
        if constexpr (std::is_same_v<I, tensor_info>) {
          if (info.role == Role) f(info, tensor);
        } else if constexpr (I::role == Role) {  // a ctnn::tensor_tag: skipped at compile time
          f(info, tensor);
        }
      },
      layer);
}

/// v = f() for every element of every tensor of `layer` whose role is `Role`, row by row.
template <tensor_role Role, class Layer, class F>
constexpr void draw(Layer& layer, F&& f) noexcept {
  for_each_tensor_of<Role>(layer, [&f](const tensor_info& info, auto& tensor) {
    auto set = [&](auto& v) { v = f(info); };
    for_each_element(set, tensor);
  });
}

template <class Layer>
constexpr void zero_bias(Layer& layer) noexcept {
  using T = typename Layer::value_type;
  draw<tensor_role::bias>(layer, [](const tensor_info&) { return T(0); });
}

/// A tensor's spread, `scale(fans(fan_in, fan_out), fan_in, fan_out)`: `fans` depends on the
/// fans alone (a capture-less lambda), so for a ctnn::tensor_tag it is a constant computed by
/// the compiler, and only `scale` (the initialiser's run-time gain) runs on the device.
template <class T, class Info, class Fans, class Scale>
constexpr T spread(const Info& info, Fans fans, Scale scale) noexcept {
  using X = spread_t<T>;
  if constexpr (std::is_same_v<Info, tensor_info>) {
    const X fi(static_cast<T>(info.fan_in)), fo(static_cast<T>(info.fan_out));
    return scale(fans(fi, fo), fi, fo).value();
  } else {
    constexpr X fi(static_cast<T>(Info::fan_in)), fo(static_cast<T>(Info::fan_out));
    constexpr X fixed = Fans{}(fi, fo);
    return scale(fixed, fi, fo).value();
  }
}

/// The spread is the fan part as it is.
struct unscaled {
  template <class X>
  constexpr X operator()(X fans, X, X) const noexcept {
    return fans;
  }
};

/// Every weight ~ U(-l, l) with l = spread(...) per tensor, b = 0.
template <class Layer, class Fans, class Scale = unscaled>
constexpr void uniform_symmetric(Layer& layer, rng& gen, Fans fans, Scale scale = {}) noexcept {
  using T = typename Layer::value_type;
  for_each_tensor_of<tensor_role::weight>(layer, [&](const auto& info, auto& tensor) {
    const T l = spread<T>(info, fans, scale);
    auto set = [&](T& w) { w = gen.uniform(-l, l); };
    for_each_element(set, tensor);
  });
  zero_bias(layer);
}

/// Every weight ~ N(mean, sd^2) with sd = spread(...) per tensor, b = 0.
template <class Layer, class Fans, class Scale = unscaled>
constexpr void normal_weights(Layer& layer, rng& gen, double mean, Fans fans, Scale scale = {}) noexcept {
  using T = typename Layer::value_type;
  for_each_tensor_of<tensor_role::weight>(layer, [&](const auto& info, auto& tensor) {
    const T m = hyper<T>(mean);
    const T sd = spread<T>(info, fans, scale);
    auto set = [&](T& w) { w = gen.normal(m, sd); };
    for_each_element(set, tensor);
  });
  zero_bias(layer);
}

/// A spread that does not depend on the fans.
struct fixed_spread {
  double value;
  template <class X>
  constexpr X operator()(X, X, X) const noexcept {
    return X::from_double(value);
  }
};
/// No fan part (a spread that fixed_spread gives).
struct no_fans {
  template <class X>
  constexpr X operator()(X, X) const noexcept {
    return X(0);
  }
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Fixed-distribution initialisers
// ---------------------------------------------------------------------------------------------

/// W = 0, b = 0. (A network of zeros cannot break symmetry: every unit of a layer learns the
/// same thing. Useful for tests and for the last layer of some architectures.)
struct zeros {
  template <class Layer>
  constexpr void operator()(Layer& layer, rng&) const noexcept {
    using T = typename Layer::value_type;
    detail::draw<tensor_role::weight>(layer, [](const tensor_info&) { return T(0); });
    detail::zero_bias(layer);
  }
};

/// W = value, b = bias (0 unless given). Draws nothing from the generator.
struct constant {
  double value = 0.0;
  double bias = 0.0;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng&) const noexcept {
    using T = typename Layer::value_type;
    const T v = detail::hyper<T>(value), c = detail::hyper<T>(bias);
    detail::draw<tensor_role::weight>(layer, [v](const tensor_info&) { return v; });
    detail::draw<tensor_role::bias>(layer, [c](const tensor_info&) { return c; });
  }
};

/// W ~ U(a, b) ("small random values"; the defaults are Keras' RandomUniform), b = 0.
/// Needs a < b.
struct uniform {
  double a = -0.05;
  double b = 0.05;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    using T = typename Layer::value_type;
    const T lo = detail::hyper<T>(a), hi = detail::hyper<T>(b);
    detail::draw<tensor_role::weight>(layer, [&](const tensor_info&) { return gen.uniform(lo, hi); });
    detail::zero_bias(layer);
  }
};

/// W ~ N(mean, stddev^2) (defaults: Keras' RandomNormal, 0 and 0.05), b = 0.
struct normal {
  double mean = 0.0;
  double stddev = 0.05;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    detail::normal_weights(layer, gen, mean, detail::no_fans{}, detail::fixed_spread{stddev});
  }
};

// ---------------------------------------------------------------------------------------------
// Variance-scaling initialisers (fan_in = In, fan_out = Out of the dense layer)
// ---------------------------------------------------------------------------------------------

/// Xavier/Glorot uniform (X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
/// feedforward neural networks", AISTATS 2010): W ~ U(-l, l), l = gain sqrt(6 / (fan_in +
/// fan_out)), so Var(W) = gain^2 * 2 / (fan_in + fan_out). b = 0. For tanh, sigmoid, softmax,
/// identity.
struct xavier_uniform {
  double gain = 1.0;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    const double g = gain;
    detail::uniform_symmetric(layer, gen,
        [](auto fan_in, auto fan_out) { return detail::sqrt(decltype(fan_in)(6) / (fan_in + fan_out)); },
        [g](auto fans, auto, auto) { return decltype(fans)::from_double(g) * fans; });
  }
};

/// Xavier/Glorot normal: W ~ N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)). b = 0.
/// Not truncated (PyTorch's xavier_normal_, not Keras' truncated variant).
struct xavier_normal {
  double gain = 1.0;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    const double g = gain;
    detail::normal_weights(layer, gen, 0.0,
        [](auto fan_in, auto fan_out) { return detail::sqrt(decltype(fan_in)(2) / (fan_in + fan_out)); },
        [g](auto fans, auto, auto) { return decltype(fans)::from_double(g) * fans; });
  }
};

/// He/Kaiming uniform (K. He et al., "Delving deep into rectifiers", ICCV 2015), fan_in mode:
/// W ~ U(-l, l), l = sqrt(6 / ((1 + a^2) fan_in)) with a = negative_slope (0: ReLU, giving
/// l = sqrt(6 / fan_in); PyTorch's kaiming_uniform_(a)). Var(W) = 2 / ((1 + a^2) fan_in). b = 0.
struct he_uniform {
  double negative_slope = 0.0;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    const double a = negative_slope;
    // a = 0 (ReLU): (1 + a^2) fan_in is fan_in exactly, so the compiler's sqrt(6 / fan_in) has the bits
    detail::uniform_symmetric(layer, gen,
        [](auto fan_in, auto) { return detail::sqrt(decltype(fan_in)(6) / fan_in); },
        [a](auto fans, auto fan_in, auto) {
          using X = decltype(fans);
          if (a == 0.0) return fans;
          const X a2 = X::from_double(a) * X::from_double(a);
          return detail::sqrt(X(6) / ((X(1) + a2) * fan_in));
        });
  }
};

/// He/Kaiming normal, fan_in mode: W ~ N(0, std^2), std = sqrt(2 / ((1 + a^2) fan_in))
/// (a = 0: sqrt(2 / fan_in)). b = 0. Not truncated (PyTorch's kaiming_normal_).
struct he_normal {
  double negative_slope = 0.0;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    const double a = negative_slope;
    // a = 0 (ReLU): (1 + a^2) fan_in is fan_in exactly, so the compiler's sqrt(2 / fan_in) has the bits
    detail::normal_weights(layer, gen, 0.0,
        [](auto fan_in, auto) { return detail::sqrt(decltype(fan_in)(2) / fan_in); },
        [a](auto fans, auto fan_in, auto) {
          using X = decltype(fans);
          if (a == 0.0) return fans;
          const X a2 = X::from_double(a) * X::from_double(a);
          return detail::sqrt(X(2) / ((X(1) + a2) * fan_in));
        });
  }
};

/// LeCun uniform (Y. LeCun et al., "Efficient BackProp", 1998): W ~ U(-l, l),
/// l = sqrt(3 / fan_in), so Var(W) = 1 / fan_in. b = 0.
struct lecun_uniform {
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    detail::uniform_symmetric(layer, gen,
                              [](auto fan_in, auto) {
                                return detail::sqrt(decltype(fan_in)(3) / fan_in);
                              });
  }
};

/// LeCun normal: W ~ N(0, std^2), std = sqrt(1 / fan_in). b = 0. Not truncated.
struct lecun_normal {
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    detail::normal_weights(layer, gen, 0.0,
                           [](auto fan_in, auto) {
                             return detail::sqrt(decltype(fan_in)(1) / fan_in);
                           });
  }
};

// ---------------------------------------------------------------------------------------------
// Orthogonal
// ---------------------------------------------------------------------------------------------

/// A (semi-)orthogonal weight matrix times `gain` (A. Saxe et al., "Exact solutions to the
/// nonlinear dynamics of learning in deep linear neural networks", ICLR 2014), with PyTorch's
/// orthogonal_ semantics: W is Out x In; when Out <= In its rows are orthonormal (W W^T = I),
/// otherwise its columns are (W^T W = I). b = 0.
///
/// Method: fill W with N(0, 1) (row by row), then orthonormalise the rows (Out <= In) or the
/// columns (Out > In) in order with modified Gram-Schmidt, each vector projected twice
/// ("twice is enough": orthogonal to working precision even for float). This is QR with a
/// positive diagonal of R, so W is Haar-distributed, like PyTorch's sign-corrected QR. A vector
/// that vanishes after projection (probability zero) is redrawn. Costs O(In Out min(In, Out))
/// operations: keep orthogonal layers small in constant evaluation.
struct orthogonal {
  double gain = 1.0;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    detail::for_each_tensor_of<tensor_role::weight>(
        layer, [&](const tensor_info&, auto& weights) { orthonormal(weights, gen); });
    detail::zero_bias(layer);
  }

  /// One weight matrix M[rows][cols] (a vector counts as one row).
  template <class Matrix>
  constexpr void orthonormal(Matrix& M, rng& gen) const noexcept {
    using row_t = typename Matrix::value_type;
    constexpr bool matrix = detail::is_std_array<row_t>::value;
    using T = detail::innermost_t<Matrix>;
    constexpr std::size_t out = matrix ? std::tuple_size_v<Matrix> : 1;
    constexpr std::size_t in = detail::element_count<Matrix> / out;
    constexpr bool by_rows = out <= in;
    constexpr std::size_t count = by_rows ? out : in;    // vectors to orthonormalise
    constexpr std::size_t length = by_rows ? in : out;   // their length
    auto at = [&M](std::size_t v, std::size_t e) -> T& {
      const std::size_t r = by_rows ? v : e, c = by_rows ? e : v;
      if constexpr (matrix) return M[r][c];
      else return M[c];
    };
    auto draw_normal = [&gen](T& w) { w = gen.normal(T(0), T(1)); };
    detail::for_each_element(draw_normal, M);
    for (std::size_t v = 0; v < count; ++v) {
      for (int attempt = 0; attempt < 16; ++attempt) {
        for (int pass = 0; pass < 2; ++pass) {
          for (std::size_t k = 0; k < v; ++k) {
            T dot = T(0);
            for (std::size_t e = 0; e < length; ++e) dot += at(k, e) * at(v, e);
            for (std::size_t e = 0; e < length; ++e) at(v, e) -= dot * at(k, e);
          }
        }
        T norm2 = T(0);
        for (std::size_t e = 0; e < length; ++e) norm2 += at(v, e) * at(v, e);
        if (T(0) < norm2 && math::isfinite(norm2)) {
          const T inv = T(1) / math::sqrt(norm2);
          for (std::size_t e = 0; e < length; ++e) at(v, e) *= inv;
          break;
        }
        for (std::size_t e = 0; e < length; ++e) at(v, e) = gen.normal(T(0), T(1));
      }
    }
    const T g = detail::hyper<T>(gain);
    if (g != T(1)) {  // in T: no double comparison
      auto scale = [g](T& w) { w *= g; };
      detail::for_each_element(scale, M);
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Chosen per layer from the activation
// ---------------------------------------------------------------------------------------------

/// Which rule ctnn::by_activation uses for a layer whose activation is `Act`: He (`he = true`,
/// with `negative_slope` for leaky rectifiers) or Xavier/Glorot (`he = false`, the default).
/// Specialise it for your own activation:
/// ```
/// template <> struct ctnn::activation_init<my_swish> {
///   static constexpr bool he = true;
///   static constexpr double negative_slope = 0.0;
/// };
/// ```
template <class Act>
struct activation_init {
  static constexpr bool he = false;
  static constexpr double negative_slope = 0.0;
};
template <>
struct activation_init<relu> {
  static constexpr bool he = true;
  static constexpr double negative_slope = 0.0;
};
template <std::intmax_t Num, std::intmax_t Den>
struct activation_init<leaky_relu<Num, Den>> {
  static constexpr bool he = true;
  static constexpr double negative_slope = static_cast<double>(Num) / static_cast<double>(Den);
};
template <std::intmax_t Num, std::intmax_t Den>
struct activation_init<elu<Num, Den>> {
  static constexpr bool he = true;
  static constexpr double negative_slope = 0.0;
};

/// Uniform or normal variant, for ctnn::by_activation.
enum class init_distribution : std::uint8_t { uniform, normal };

/// The default initialiser: chosen per layer from the layer's activation type.
/// - relu, elu: He (he_uniform / he_normal); leaky_relu<N, D>: He with negative_slope = N/D;
/// - tanh, sigmoid, softmax, identity, softplus, gelu and anything else: Xavier/Glorot with
///   gain 1 (xavier_uniform / xavier_normal).
/// The uniform variants are the default (`distribution = init_distribution::uniform`): bounded
/// weights, no outliers, which suits small networks and fixed-point targets; ask for
/// `{.distribution = ctnn::init_distribution::normal}` for the normal ones. b = 0.
/// Customise the choice for an activation with ctnn::activation_init.
struct by_activation {
  init_distribution distribution = init_distribution::uniform;
  template <class Layer>
  constexpr void operator()(Layer& layer, rng& gen) const noexcept {
    using rule = activation_init<detail::activation_of_t<Layer>>;
    const bool normal_dist = distribution == init_distribution::normal;
    if constexpr (rule::he) {
      if (normal_dist) he_normal{rule::negative_slope}(layer, gen);
      else he_uniform{rule::negative_slope}(layer, gen);
    } else {
      if (normal_dist) xavier_normal{}(layer, gen);
      else xavier_uniform{}(layer, gen);
    }
  }
};

/// Initialises `net` with the default, ctnn::by_activation{}.
template <class Net>
constexpr void init(Net& net, rng& gen) noexcept {
  init(net, by_activation{}, gen);
}

// ---------------------------------------------------------------------------------------------
// LSUV
// ---------------------------------------------------------------------------------------------

/// Outcome of ctnn::lsuv.
enum class lsuv_status : std::uint8_t {
  ok = 0,
  empty_batch,    ///< no samples: the network was not touched
  non_finite,     ///< the batch holds NaN/infinity (network not touched), or a variance overflowed
                  ///< (the layers before the reported one are done)
  zero_variance,  ///< a layer's pre-activation is constant over the batch (e.g. an all-zero
                  ///< batch): it cannot be rescaled; the layers before it are done
};

/// A short English sentence for each lsuv_status (static storage).
constexpr const char* message(lsuv_status s) noexcept {
  switch (s) {
    case lsuv_status::ok: return "ok";
    case lsuv_status::empty_batch: return "LSUV needs at least one sample";
    case lsuv_status::non_finite: return "LSUV met NaN or infinity (in the batch or a variance)";
    case lsuv_status::zero_variance:
      return "LSUV: a layer's pre-activation has zero variance over the batch";
  }
  return "unknown status";
}

/// Options of ctnn::lsuv.
struct lsuv_options {
  double tolerance = 0.1;           ///< a layer is done when |Var(z) - 1| < tolerance
  std::size_t max_iterations = 10;  ///< rescalings per layer at most
  bool orthogonal_first = true;     ///< start from ctnn::orthogonal{} (as in the paper); false
                                    ///< keeps the current weights and biases
};

/// What ctnn::lsuv did, per layer I (entries of layers not reached stay 0).
template <class Net>
struct lsuv_report {
  using value_type = typename Net::value_type;
  static constexpr std::size_t layer_count = Net::layer_count;

  lsuv_status status = lsuv_status::ok;
  std::array<std::size_t, layer_count> iterations{};  ///< times W of layer I was rescaled
  std::array<value_type, layer_count> variance{};     ///< final Var(z) of layer I
  std::array<value_type, layer_count> mean{};         ///< final mean of z of layer I
  std::array<bool, layer_count> converged{};          ///< |variance - 1| < tolerance

  [[nodiscard]] constexpr bool ok() const noexcept { return status == lsuv_status::ok; }
};

namespace detail {

template <class T>
struct lsuv_moments {
  T mean{};
  T variance{};
};

/// Mean and population variance of layer I's pre-activation z over every unit and every sample
/// (Welford's one-pass update), running the batch through `net` one sample at a time.
template <std::size_t I, class Net>
constexpr lsuv_moments<typename Net::value_type> pre_activation_moments(
    const Net& net, std::span<const typename Net::input_type> batch,
    typename Net::trace_type& t) noexcept {
  using T = typename Net::value_type;
  T count = T(0), mean = T(0), m2 = T(0);
  for (const auto& x : batch) {
    net.forward(x, t);
    for (const T z : t.template layer<I>().z) {
      count += T(1);
      const T d = z - mean;
      mean += d / count;
      m2 += d * (z - mean);
    }
  }
  return {mean, m2 / count};
}

}  // namespace detail

/// Layer-sequential unit-variance initialisation (D. Mishkin, J. Matas, "All you need is a good
/// init", ICLR 2016), the data-driven "adaptive" initialisation:
/// 1. ctnn::orthogonal{} on every layer (unless `opts.orthogonal_first` is false);
/// 2. for layer I = 0 .. L-1: run the batch forward and compute the variance of layer I's
///    pre-activation z = W x + b over all samples and units; while |Var(z) - 1| >= tolerance and
///    fewer than max_iterations rescalings were done, W_I <- W_I / sqrt(Var(z)) and measure again.
///    (With zero biases z is linear in W_I, so one rescaling usually suffices.)
///
/// Never allocates: the batch is run one sample at a time through one ctnn::trace on the stack,
/// accumulating the moments with Welford's update (for float, batch size x units should stay
/// below 2^24). Validates first: an empty batch or one holding NaN/infinity leaves `net`
/// untouched. Draws from `gen` only for the orthogonal start.
template <class Net>
constexpr lsuv_report<Net> lsuv(Net& net, std::span<const typename Net::input_type> batch,
                                rng& gen, lsuv_options opts = {}) noexcept {
  using T = typename Net::value_type;
  lsuv_report<Net> report{};
  if (batch.empty()) {
    report.status = lsuv_status::empty_batch;
    return report;
  }
  for (const auto& x : batch)
    for (const T v : detail::flat_copy<T>(x))
      if (!math::isfinite(v)) {
        report.status = lsuv_status::non_finite;
        return report;
      }
  if (opts.orthogonal_first) init(net, orthogonal{}, gen);

  const T tol = detail::hyper<T>(opts.tolerance);
  typename Net::trace_type t{};
  bool stopped = false;
  detail::static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    // Layers that expose a pre-activation z (dense) are rescaled; others are left as they are.
    if constexpr (requires { t.template layer<I>().z; }) {
    if (stopped) return;
    auto& layer = net.template layer<I>();
    auto m = detail::pre_activation_moments<I>(net, batch, t);
    auto usable = [](const detail::lsuv_moments<T>& mm) {
      return math::isfinite(mm.mean) && math::isfinite(mm.variance) && T(0) < mm.variance;
    };
    auto done = [tol](const detail::lsuv_moments<T>& mm) {
      return math::abs(mm.variance - T(1)) < tol;
    };
    std::size_t it = 0;
    while (usable(m) && !done(m) && it < opts.max_iterations) {
      const T s = T(1) / math::sqrt(m.variance);
      detail::for_each_tensor_of<tensor_role::weight>(layer, [s](const tensor_info&, auto& W) {
        auto scale = [s](T& w) { w *= s; };
        detail::for_each_element(scale, W);
      });
      ++it;
      m = detail::pre_activation_moments<I>(net, batch, t);
    }
    report.iterations[I] = it;
    report.variance[I] = m.variance;
    report.mean[I] = m.mean;
    report.converged[I] = usable(m) && done(m);
    if (!math::isfinite(m.mean) || !math::isfinite(m.variance)) {
      report.status = lsuv_status::non_finite;
      stopped = true;
    } else if (!(T(0) < m.variance)) {
      report.status = lsuv_status::zero_variance;
      stopped = true;
    }
    }
  });
  return report;
}

namespace detail {
/// A network or a set of its parameters (ctnn::gradients, an optimiser's moments).
template <class P>
concept parameter_set = requires(P& p) {
  { P::layer_count } -> std::convertible_to<std::size_t>;
  typename P::value_type;
  p.template layer<0>();
};
}  // namespace detail

/// init called with something that is not a network: one ctnn sentence instead of "no matching
/// function".
template <class Net, class Init>
  requires(!detail::parameter_set<Net>)
constexpr void init(Net&, const Init&, rng&) noexcept {
  static_assert(detail::parameter_set<Net>,
                "ctnn::init(net, initializer, gen): net must be a ctnn::network (or a set of its "
                "parameters such as ctnn::gradients)");
}

}  // namespace ctnn
