// SPDX-License-Identifier: MIT
/// @file optimizer.hpp Defines the optimisers (ctnn::gradient_descent, sgd, adam, adamw, rmsprop,
/// adagrad), their compile-time-sized state, gradient clipping by global norm and the
/// ctnn::Optimizer concept for writing one's own.
///
/// Every optimiser follows the update rule of the PyTorch optimiser of the same name (PyTorch 2.x,
/// `foreach=False`, `maximize=False`, `differentiable=False`), in the same order of operations, so
/// that a run can be compared with PyTorch number for number. Each formula is written out below
/// in PyTorch's notation: `theta` a parameter, `g` its gradient (dLoss/dtheta, from
/// ctnn::backward), `gamma` the learning rate of this step, `t` the step number counted from 1.
///
/// Numbers: the per-element arithmetic runs in the network's element type `V`; the per-step
/// scalars (bias corrections, step size, ...) are computed in the wider of the optimiser's `T`
/// and `V` (ctnn::number_traits decides; `V` for a non-IEEE type such as fixed point), in
/// detail::extended precision, and then rounded to `V`. PyTorch computes them as Python floats
/// (doubles): for a float network with float hyper-parameters (`ctnn::adam{0.01f}`) extended is
/// a double-word float, which rounds to the bits the double computation gave (see
/// number_traits.hpp) without any double arithmetic, so a float firmware links no soft-double
/// routine. Hyper-parameters may still be `double` for a `float` network (`ctnn::adam{0.01}`):
/// the scalars are then computed in double, as asked.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <ctnn/backward.hpp>
#include <ctnn/math.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

namespace detail {

/// The type the per-step scalars of an optimiser with hyper-parameters of type T are computed in,
/// for a network of element type V: the wider of T and V when both are IEEE types (by
/// number_traits), V otherwise (e.g. a fixed-point network). Never wider than asked: float
/// hyper-parameters on a float network give float (computed in detail::extended<float>).
template <class T, class V>
struct optimizer_coefficient {
  using type = V;
};
template <class T, class V>
  requires(number_traits<T>::is_iec559 && number_traits<V>::is_iec559)
struct optimizer_coefficient<T, V> {
  using type = std::conditional_t<(number_traits<T>::digits > number_traits<V>::digits), T, V>;
};
template <class T, class V>
using optimizer_coefficient_t = typename optimizer_coefficient<T, V>::type;

/// x^n for an integer n >= 0 by binary exponentiation (at most 2 log2(n) roundings; exact for
/// n <= 2). Used for the bias corrections `1 - beta^t`.
template <class C>
constexpr C optimizer_pow(C x, std::uint64_t n) noexcept {
  return integer_power(x, n);
}

/// f(std::bool_constant<b0>{}, std::bool_constant<b1>{}, ...): turns run-time flags that are
/// constant during one step into compile-time ones, so that the element-wise loops are branch
/// free (and vectorise).
template <bool... Done, class F>
constexpr void with_flags(F& f) noexcept {
  f(std::bool_constant<Done>{}...);
}
template <bool... Done, class F, class... Rest>
constexpr void with_flags(F& f, bool b, Rest... rest) noexcept {
  if (b)
    with_flags<Done..., true>(f, rest...);
  else
    with_flags<Done..., false>(f, rest...);
}

/// PyTorch's lerp(start, end, weight) = start + weight (end - start) for |weight| < 0.5, else
/// end - (end - start)(1 - weight); `one_minus_weight` is `1 - weight` in V.
template <bool SmallWeight, class V>
constexpr V lerp(V start, V end, V weight, V one_minus_weight) noexcept {
  if constexpr (SmallWeight)
    return start + weight * (end - start);
  else
    return end - (end - start) * one_minus_weight;
}

}  // namespace detail

/// The optimiser state type of optimiser O for a network of type Net.
template <class O, class Net>
using optimizer_state_t = typename O::template state<Net>;

/// What ctnn::fit and ctnn::train_batch need from an optimiser. To write one's own:
///
/// ```
/// /// sign gradient descent: theta <- theta - gamma sign(g)
/// template <ctnn::Scalar T>
/// struct sign_descent {
///   T learning_rate = T(0.01);                    // read by ctnn::fit (the schedule's base rate)
///   template <class Net>
///   struct state { std::uint64_t step = 0; };     // trivially copyable, zero when value-initialised
///   template <class Net>
///   constexpr void step(Net& net, const ctnn::gradients<Net>& g, state<Net>& s,
///                       typename Net::value_type lr) const noexcept {
///     using V = typename Net::value_type;
///     ctnn::for_each_parameter([lr](V& p, const V& d) {
///       p -= lr * V((d > V(0)) - (d < V(0)));
///     }, net, g);
///     ++s.step;
///   }
/// };
/// static_assert(ctnn::Optimizer<sign_descent<float>, my_net>);
/// ```
/// Requirements: a member `learning_rate` (the base rate that schedules scale), a member
/// template `state<Net>` that is default-constructible and trivially copyable (ctnn::fit keeps
/// a snapshot of it to roll back a diverged epoch; it can be saved to resume training), and a
/// `const` member `step(net, gradients, state, lr)` callable with `lr` of the network's element
/// type, which applies one update with that (scheduled) learning rate.
template <class O, class Net>
concept Optimizer =
    requires { typename O::template state<Net>; } &&
    std::default_initializable<typename O::template state<Net>> &&
    std::is_trivially_copyable_v<typename O::template state<Net>> &&
    requires(const O& o, Net& net, const gradients<Net>& g, typename O::template state<Net>& s,
             typename Net::value_type lr) {
      static_cast<typename Net::value_type>(o.learning_rate);
      o.step(net, g, s, lr);
    };

/// Plain gradient descent, the notes' update rule:
/// `w(k+1) = w(k) - eta dLoss/dw`, `b(k+1) = b(k) - eta dLoss/db` (eta: the learning rate).
/// Whether it is batch, stochastic or mini-batch gradient descent depends only on how many
/// samples the gradient was averaged over (ctnn::fit_options::batch_size).
/// @tparam T type of the hyper-parameters (normally the network's element type)
template <Scalar T = double>
struct gradient_descent {
  /// Its step is p <- p - lr g, so training may fuse one sample's step with its backward pass.
  static constexpr bool plain_descent() noexcept { return true; }
  /// The saved format's view of the state (ctnn::optimizer_state_layout): its name (part of
  /// the fingerprint) and its parameter sets in a fixed order.
  static constexpr std::string_view state_name = "gradient_descent";
  static constexpr std::size_t state_set_count = 0;
  template <class S, class F>
  static constexpr void for_each_state_set(S&, F&&) noexcept {}
  using value_type = T;
  T learning_rate = literal<T>(0.001);  ///< eta

  /// Only a step counter: plain gradient descent keeps no memory between steps.
  template <class Net>
  struct state {
    std::uint64_t step = 0;  ///< updates applied so far
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  template <class Net>
  using state_type = state<Net>;

  /// `theta <- theta - lr g`.
  template <class Net>
  constexpr void step(Net& net, const gradients<Net>& g, state<Net>& s,
                      detail::optimizer_coefficient_t<T, typename Net::value_type> lr)
      const noexcept {
    using V = typename Net::value_type;
    const V eta = static_cast<V>(lr);
    for_each_parameter([eta](V& p, const V& d) { p = p - eta * d; }, net, g);
    ++s.step;
  }
  friend constexpr bool operator==(const gradient_descent&, const gradient_descent&) = default;
};
template <Scalar T>
gradient_descent(T) -> gradient_descent<T>;

/// Stochastic gradient descent with momentum, exactly PyTorch's `torch.optim.SGD` (mu =
/// momentum, tau = dampening, lambda = weight_decay):
/// ```
/// g_t = g_t + lambda theta_{t-1}                        (if lambda != 0)
/// b_t = g_t                                             (t = 1)
/// b_t = mu b_{t-1} + (1 - tau) g_t                      (t > 1)         } if mu != 0
/// g_t = g_t + mu b_t  (nesterov)   or   g_t = b_t  (otherwise)          }
/// theta_t = theta_{t-1} - gamma g_t
/// ```
/// PyTorch requires dampening == 0 with nesterov; ctnn applies the formulas as written.
/// The state holds the momentum buffer even when momentum is 0 (use gradient_descent to save it).
template <Scalar T = double>
struct sgd {
  /// Without momentum and weight decay its step is p <- p - lr g (training may then fuse one
  /// sample's step with its backward pass).
  constexpr bool plain_descent() const noexcept { return momentum == T(0) && weight_decay == T(0); }
  static constexpr std::string_view state_name = "sgd";
  static constexpr std::size_t state_set_count = 1;
  template <class S, class F>
  static constexpr void for_each_state_set(S& s, F&& f) noexcept { f(s.momentum_buffer); }
  using value_type = T;
  T learning_rate = literal<T>(0.001);  ///< gamma (PyTorch's default 1e-3)
  T momentum = T(0);           ///< mu
  bool nesterov = false;       ///< Nesterov momentum
  T weight_decay = T(0);       ///< lambda: L2 penalty, added to the gradient
  T dampening = T(0);          ///< tau

  template <class Net>
  struct state {
    typename Net::parameters_type momentum_buffer{};  ///< b (PyTorch's "momentum_buffer")
    std::uint64_t step = 0;                           ///< updates applied so far
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  template <class Net>
  using state_type = state<Net>;

  template <class Net>
  constexpr void step(Net& net, const gradients<Net>& g, state<Net>& s,
                      detail::optimizer_coefficient_t<T, typename Net::value_type> lr)
      const noexcept {
    using V = typename Net::value_type;
    const V eta = static_cast<V>(lr), mu = static_cast<V>(momentum),
            lambda = static_cast<V>(weight_decay);
    // b = mu_b b + c_g g: on the first step (mu_b, c_g) = (0, 1) gives b = g (PyTorch clones g).
    const bool first = s.step == 0;
    using C = detail::optimizer_coefficient_t<T, V>;
    const V mu_b = first ? V(0) : mu,
            c_g = first ? V(1) : static_cast<V>(C(1) - static_cast<C>(dampening));
    auto run = [&](auto decay, auto with_momentum, auto nest) {
      for_each_parameter(
          [=](V& p, const V& d, V& b) {
            V grad = d;
            if constexpr (decltype(decay)::value) grad = grad + lambda * p;
            if constexpr (decltype(with_momentum)::value) {
              b = b * mu_b + c_g * grad;
              if constexpr (decltype(nest)::value)
                grad = grad + mu * b;
              else
                grad = b;
            }
            p = p - eta * grad;
          },
          net, g, s.momentum_buffer);
    };
    detail::with_flags(run, weight_decay != T(0), momentum != T(0), nesterov);
    ++s.step;
  }
  friend constexpr bool operator==(const sgd&, const sgd&) = default;
};
template <Scalar T, class... Rest>
sgd(T, Rest...) -> sgd<T>;

namespace detail {

/// The shared Adam / AdamW state.
template <class Net>
struct adam_moments {
  typename Net::parameters_type m{};  ///< first moment (PyTorch's "exp_avg")
  typename Net::parameters_type v{};  ///< second moment (PyTorch's "exp_avg_sq")
  std::uint64_t step = 0;             ///< t: updates applied so far
  friend constexpr bool operator==(const adam_moments&, const adam_moments&) = default;
};

/// One Adam step. `l2` is Adam's weight decay (added to the gradient), `decoupled` AdamW's
/// (theta <- theta (1 - gamma lambda)); the other is 0.
template <class C, class Net, class State>
constexpr void adam_step(Net& net, const gradients<Net>& g, State& s, C lr, C beta1, C beta2,
                         C epsilon, C l2, C decoupled) noexcept {
  using V = typename Net::value_type;
  using X = extended<C>;  // C, or a double-word C where C is narrower than double
  const std::uint64_t t = s.step + 1;
  const X bias_correction1 = X(C(1)) - optimizer_pow(X(beta1), t);
  const X bias_correction2 = X(C(1)) - optimizer_pow(X(beta2), t);
  const C step_size = (X(lr) / bias_correction1).value();
  const C bias_correction2_sqrt = detail::sqrt(bias_correction2).value();
  const C w1 = C(1) - beta1;
  const V weight1 = static_cast<V>(w1), one_minus_weight1 = V(1) - weight1;
  const V b2 = static_cast<V>(beta2), c2 = static_cast<V>(C(1) - beta2);
  const V bc2s = static_cast<V>(bias_correction2_sqrt), eps = static_cast<V>(epsilon);
  const V neg_step_size = static_cast<V>(-step_size);
  const V lambda = static_cast<V>(l2),
          shrink = static_cast<V>((X(C(1)) - X::two_prod(lr, decoupled)).value());
  auto run = [&](auto small_weight, auto with_l2, auto with_decoupled) {
    for_each_parameter(
        [=](V& p, const V& d, V& m, V& v) {
          V grad = d;
          if constexpr (decltype(with_l2)::value) grad = grad + lambda * p;
          if constexpr (decltype(with_decoupled)::value) p = p * shrink;
          m = lerp<decltype(small_weight)::value>(m, grad, weight1, one_minus_weight1);
          v = v * b2 + c2 * grad * grad;
          const V denom = math::sqrt(v) / bc2s + eps;
          p = p + neg_step_size * m / denom;
        },
        net, g, s.m, s.v);
  };
  with_flags(run, (w1 < C(0) ? -w1 : w1) < literal<C>(0.5), l2 != C(0), decoupled != C(0));
  s.step = t;
}

}  // namespace detail

/// Adam, exactly PyTorch's `torch.optim.Adam` (amsgrad=False), lambda = weight_decay an L2
/// penalty added to the gradient:
/// ```
/// g_t = g_t + lambda theta_{t-1}                         (if lambda != 0)
/// m_t = lerp(m_{t-1}, g_t, 1 - beta1)                    (= beta1 m_{t-1} + (1 - beta1) g_t)
/// v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
/// theta_t = theta_{t-1} - (gamma / (1 - beta1^t)) m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)
/// ```
template <Scalar T = double>
struct adam {
  static constexpr std::string_view state_name = "adam";
  static constexpr std::size_t state_set_count = 2;
  template <class S, class F>
  static constexpr void for_each_state_set(S& s, F&& f) noexcept {
    f(s.m);
    f(s.v);
  }
  using value_type = T;
  T learning_rate = literal<T>(0.001);                ///< gamma (PyTorch's default 1e-3)
  T beta1 = literal<T>(0.9);                          ///< first-moment decay
  T beta2 = literal<T>(0.999);                        ///< second-moment decay
  T epsilon = literal<T>(1e-8);          ///< added to the denominator
  T weight_decay = T(0);                     ///< lambda: L2 penalty, added to the gradient

  template <class Net>
  struct state : detail::adam_moments<Net> {
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  template <class Net>
  using state_type = state<Net>;

  template <class Net>
  constexpr void step(Net& net, const gradients<Net>& g, state<Net>& s,
                      detail::optimizer_coefficient_t<T, typename Net::value_type> lr)
      const noexcept {
    using C = detail::optimizer_coefficient_t<T, typename Net::value_type>;
    detail::adam_step<C>(net, g, s, lr, static_cast<C>(beta1), static_cast<C>(beta2),
                         static_cast<C>(epsilon), static_cast<C>(weight_decay), C(0));
  }
  friend constexpr bool operator==(const adam&, const adam&) = default;
};
template <Scalar T, class... Rest>
adam(T, Rest...) -> adam<T>;

/// AdamW, exactly PyTorch's `torch.optim.AdamW` (amsgrad=False): Adam with decoupled weight
/// decay, applied to the parameter before the Adam update and not seen by the moments:
/// ```
/// theta_{t-1} = theta_{t-1} (1 - gamma lambda)
/// m_t, v_t and the update as in ctnn::adam (with lambda = 0 there)
/// ```
template <Scalar T = double>
struct adamw {
  static constexpr std::string_view state_name = "adamw";
  static constexpr std::size_t state_set_count = 2;
  template <class S, class F>
  static constexpr void for_each_state_set(S& s, F&& f) noexcept {
    f(s.m);
    f(s.v);
  }
  using value_type = T;
  T learning_rate = literal<T>(0.001);                ///< gamma (PyTorch's default 1e-3)
  T beta1 = literal<T>(0.9);                          ///< first-moment decay
  T beta2 = literal<T>(0.999);                        ///< second-moment decay
  T epsilon = literal<T>(1e-8);          ///< added to the denominator
  T weight_decay = literal<T>(0.01);                  ///< lambda: decoupled decay (PyTorch's default 1e-2)

  template <class Net>
  struct state : detail::adam_moments<Net> {
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  template <class Net>
  using state_type = state<Net>;

  template <class Net>
  constexpr void step(Net& net, const gradients<Net>& g, state<Net>& s,
                      detail::optimizer_coefficient_t<T, typename Net::value_type> lr)
      const noexcept {
    using C = detail::optimizer_coefficient_t<T, typename Net::value_type>;
    detail::adam_step<C>(net, g, s, lr, static_cast<C>(beta1), static_cast<C>(beta2),
                         static_cast<C>(epsilon), C(0), static_cast<C>(weight_decay));
  }
  friend constexpr bool operator==(const adamw&, const adamw&) = default;
};
template <Scalar T, class... Rest>
adamw(T, Rest...) -> adamw<T>;

/// RMSprop, exactly PyTorch's `torch.optim.RMSprop` (centered=False):
/// ```
/// g_t = g_t + lambda theta_{t-1}                         (if lambda != 0)
/// v_t = alpha v_{t-1} + (1 - alpha) g_t^2
/// b_t = mu b_{t-1} + g_t / (sqrt(v_t) + eps),  theta_t = theta_{t-1} - gamma b_t   (mu != 0)
/// theta_t = theta_{t-1} - gamma g_t / (sqrt(v_t) + eps)                             (mu == 0)
/// ```
template <Scalar T = double>
struct rmsprop {
  static constexpr std::string_view state_name = "rmsprop";
  static constexpr std::size_t state_set_count = 2;
  template <class S, class F>
  static constexpr void for_each_state_set(S& s, F&& f) noexcept {
    f(s.square_avg);
    f(s.momentum_buffer);
  }
  using value_type = T;
  T learning_rate = literal<T>(0.01);          ///< gamma (PyTorch's default 1e-2)
  T alpha = literal<T>(0.99);                  ///< smoothing constant of the squared-gradient average
  T epsilon = literal<T>(1e-8);   ///< added to the denominator
  T momentum = T(0);                  ///< mu
  T weight_decay = T(0);              ///< lambda: L2 penalty, added to the gradient

  template <class Net>
  struct state {
    typename Net::parameters_type square_avg{};       ///< v (PyTorch's "square_avg")
    typename Net::parameters_type momentum_buffer{};  ///< b (PyTorch's "momentum_buffer")
    std::uint64_t step = 0;                           ///< updates applied so far
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  template <class Net>
  using state_type = state<Net>;

  template <class Net>
  constexpr void step(Net& net, const gradients<Net>& g, state<Net>& s,
                      detail::optimizer_coefficient_t<T, typename Net::value_type> lr)
      const noexcept {
    using V = typename Net::value_type;
    using C = detail::optimizer_coefficient_t<T, V>;
    const V eta = static_cast<V>(lr), neg_eta = -eta, a = static_cast<V>(alpha),
            c = static_cast<V>(C(1) - static_cast<C>(alpha)), eps = static_cast<V>(epsilon),
            mu = static_cast<V>(momentum), lambda = static_cast<V>(weight_decay);
    auto run = [&](auto decay, auto with_momentum) {
      for_each_parameter(
          [=](V& p, const V& d, V& v, V& b) {
            V grad = d;
            if constexpr (decltype(decay)::value) grad = grad + lambda * p;
            v = v * a + c * grad * grad;
            const V avg = math::sqrt(v) + eps;
            if constexpr (decltype(with_momentum)::value) {
              b = b * mu + grad / avg;
              p = p - eta * b;
            } else {
              p = p + neg_eta * grad / avg;
            }
          },
          net, g, s.square_avg, s.momentum_buffer);
    };
    detail::with_flags(run, weight_decay != T(0), momentum > T(0));
    ++s.step;
  }
  friend constexpr bool operator==(const rmsprop&, const rmsprop&) = default;
};
template <Scalar T, class... Rest>
rmsprop(T, Rest...) -> rmsprop<T>;

/// Adagrad, exactly PyTorch's `torch.optim.Adagrad` (initial_accumulator_value = 0):
/// ```
/// g_t = g_t + lambda theta_{t-1}                         (if lambda != 0)
/// gamma_t = gamma / (1 + (t - 1) eta)                    (eta = lr_decay, 0 by default)
/// s_t = s_{t-1} + g_t^2
/// theta_t = theta_{t-1} - gamma_t g_t / (sqrt(s_t) + eps)
/// ```
template <Scalar T = double>
struct adagrad {
  static constexpr std::string_view state_name = "adagrad";
  static constexpr std::size_t state_set_count = 1;
  template <class S, class F>
  static constexpr void for_each_state_set(S& s, F&& f) noexcept { f(s.sum); }
  using value_type = T;
  T learning_rate = literal<T>(0.01);           ///< gamma (PyTorch's default 1e-2)
  T epsilon = literal<T>(1e-10);   ///< added to the denominator
  T weight_decay = T(0);               ///< lambda: L2 penalty, added to the gradient
  T lr_decay = T(0);                   ///< eta (PyTorch's lr_decay)

  template <class Net>
  struct state {
    typename Net::parameters_type sum{};  ///< s: sum of squared gradients (PyTorch's "sum")
    std::uint64_t step = 0;               ///< updates applied so far
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  template <class Net>
  using state_type = state<Net>;

  template <class Net>
  constexpr void step(Net& net, const gradients<Net>& g, state<Net>& s,
                      detail::optimizer_coefficient_t<T, typename Net::value_type> lr)
      const noexcept {
    using V = typename Net::value_type;
    using C = detail::optimizer_coefficient_t<T, V>;
    const std::uint64_t t = s.step + 1;
    using X = detail::extended<C>;
    const C clr =
        (X(lr) / (X(C(1)) + X::two_prod(static_cast<C>(t - 1), static_cast<C>(lr_decay)))).value();
    const V neg_clr = static_cast<V>(-clr), eps = static_cast<V>(epsilon),
            lambda = static_cast<V>(weight_decay);
    auto run = [&](auto decay) {
      for_each_parameter(
          [=](V& p, const V& d, V& sq) {
            V grad = d;
            if constexpr (decltype(decay)::value) grad = grad + lambda * p;
            sq = sq + grad * grad;
            const V std_dev = math::sqrt(sq) + eps;
            p = p + neg_clr * grad / std_dev;
          },
          net, g, s.sum);
    };
    detail::with_flags(run, weight_decay != T(0));
    s.step = t;
  }
  friend constexpr bool operator==(const adagrad&, const adagrad&) = default;
};
template <Scalar T, class... Rest>
adagrad(T, Rest...) -> adagrad<T>;

/// The L2 norm of all gradients taken as one vector, `sqrt(sum_k g_k^2)` (PyTorch's total_norm
/// in clip_grad_norm_ with norm_type = 2).
template <class Net>
constexpr typename Net::value_type global_norm(const gradients<Net>& g) noexcept {
  using V = typename Net::value_type;
  V sum = V(0);
  for_each_parameter([&sum](const V& d) { sum = sum + d * d; }, g);
  return math::sqrt(sum);
}

/// Gradient clipping with PyTorch's `clip_grad_norm_` semantics: with `norm = global_norm(g)`
/// and `c = max_norm / (norm + 1e-6)`, every gradient is multiplied by c when c < 1 (so a norm
/// above max_norm is brought to max_norm, up to PyTorch's 1e-6), and left alone otherwise.
/// Returns the norm before clipping. A non-finite norm leaves g unchanged (and is returned, so
/// the caller can detect divergence); PyTorch would scale by it.
template <class Net>
constexpr typename Net::value_type clip_by_global_norm(gradients<Net>& g,
                                                       typename Net::value_type max_norm) noexcept {
  using V = typename Net::value_type;
  const V norm = global_norm(g);
  if (!math::isfinite(norm)) return norm;
  const V coefficient = max_norm / (norm + literal<V>(1e-6));
  if (coefficient < V(1)) g.scale(coefficient);
  return norm;
}

}  // namespace ctnn
