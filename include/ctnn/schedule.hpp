// SPDX-License-Identifier: MIT
/// @file schedule.hpp Defines the learning-rate schedules (ctnn::constant_lr, step_decay,
/// exponential_decay, cosine_decay, linear_warmup) and the ctnn::LearningRateSchedule concept.
///
/// A schedule maps the base learning rate (the optimiser's `learning_rate`) and the step number
/// `t` (in ctnn::fit, the epoch index counted from 0) to the learning rate of that step:
/// `lr = schedule(base_lr, t)`. Schedules are stateless closed forms, so a resumed training run
/// only needs `t`. They follow the closed forms of PyTorch's `torch.optim.lr_scheduler` classes
/// of the same meaning (`last_epoch` = t). The hyper-parameters are stored as `double`; the
/// factors are computed in detail::extended<T> (PyTorch computes them as Python floats, i.e.
/// doubles: for a float network extended<float> is a double-word float that rounds to the same
/// bits, with no double arithmetic; plain T otherwise) and the result in T.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include <ctnn/number_traits.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

namespace detail {

/// x^n for an integer n >= 0 by binary exponentiation (exact for n <= 2), in the arithmetic X
/// (detail::extended<T>: a double-word float for a float network, plain T otherwise).
template <class X>
constexpr X schedule_pow(X x, std::size_t n) noexcept {
  return integer_power(x, static_cast<std::uint64_t>(n));
}

/// pi in the arithmetic X.
template <class X>
constexpr X pi_in() noexcept {
  return X::from_double(3.141592653589793238462643383279502884);
}

/// cos(x) for |x| <= pi/4: Taylor series to x^22 in Horner form (error below 1 ulp).
template <class X>
constexpr X cos_kernel(X x) noexcept {
  const X x2 = x * x;
  X c = X(1);
  for (int k = 11; k >= 1; --k) c = X(1) - x2 / X(static_cast<decltype(x.hi)>((2 * k - 1) * (2 * k))) * c;
  return c;
}

/// sin(x) for |x| <= pi/4: Taylor series to x^23 in Horner form.
template <class X>
constexpr X sin_kernel(X x) noexcept {
  const X x2 = x * x;
  X s = X(1);
  for (int k = 11; k >= 1; --k) s = X(1) - x2 / X(static_cast<decltype(x.hi)>((2 * k) * (2 * k + 1))) * s;
  return x * s;
}

/// cos(pi n / d) for d > 0, constexpr, in the arithmetic X (by default: double, as
/// extended<double>). The angle is reduced with exact integer arithmetic
/// (period 2d, symmetries about pi and pi/2, then sin(pi/2 - x) above pi/4), so the only
/// rounding before the kernel is that of `pi * n' / d'`; the result is within a few ulp of
/// std::cos(pi * n / d) (and exact at the multiples of pi/2).
template <class X = extended<double>>
constexpr X cos_pi_in(std::size_t n, std::size_t d) noexcept {
  using E = decltype(X().hi);
  constexpr std::size_t max = static_cast<std::size_t>(-1);
  std::size_t s = d > max / 2 ? n : n % (2 * d);  // now s < 2d: angle in [0, 2 pi)
  if (s > d) s = d - (s - d);                      // cos(2 pi - x) = cos(x): angle in [0, pi]
  bool negative = false;
  if (s > d - s) {                                 // cos(pi - x) = -cos(x): angle in [0, pi/2]
    s = d - s;
    negative = true;
  }
  X r;
  if (s == 0) {
    r = X(1);
  } else if (2 * s == d) {
    return X(E(0));
  } else if (2 * s > d - 2 * s) {  // 4s > d: angle in (pi/4, pi/2): cos(x) = sin(pi/2 - x) = sin(pi (d - 2s) / (2d))
    r = sin_kernel(pi_in<X>() * X(static_cast<E>(d - 2 * s)) / (X(E(2)) * X(static_cast<E>(d))));
  } else {
    r = cos_kernel(pi_in<X>() * X(static_cast<E>(s)) / X(static_cast<E>(d)));
  }
  return negative ? -r : r;
}

/// cos(pi n / d) in double (the function the tests compare with std::cos).
constexpr double cos_pi(std::size_t n, std::size_t d) noexcept {
  return cos_pi_in<extended<double>>(n, d).value();
}

}  // namespace detail

/// A learning-rate schedule for element type T: `s(base_lr, t)` returns the rate of step t
/// (counted from 0) as a T. It should be `constexpr`, `noexcept` and cheap (ctnn::fit calls it
/// once per epoch). To write one's own:
/// ```
/// struct halve_every_100 {
///   template <ctnn::Scalar T>
///   constexpr T operator()(T base_lr, std::size_t t) const noexcept {
///     T lr = base_lr;
///     for (std::size_t k = 0; k < t / 100; ++k) lr = lr / T(2);
///     return lr;
///   }
/// };
/// static_assert(ctnn::LearningRateSchedule<halve_every_100, float>);
/// ```
template <class S, class T = double>
concept LearningRateSchedule =
    Scalar<T> && std::copyable<S> && requires(const S& s, T base_lr, std::size_t t) {
      { s(base_lr, t) } -> std::same_as<T>;
    };

/// The same rate at every step: `lr(t) = base_lr`. (Not PyTorch's ConstantLR, which multiplies
/// by a factor for the first iterations; this is "no scheduler".)
struct constant_lr {
  template <Scalar T>
  constexpr T operator()(T base_lr, std::size_t) const noexcept {
    return base_lr;
  }
  friend constexpr bool operator==(const constant_lr&, const constant_lr&) = default;
};

/// Multiply by gamma every step_size steps, PyTorch's StepLR:
/// `lr(t) = base_lr * gamma^floor(t / step_size)`. step_size == 0 means no decay.
struct step_decay {
  std::size_t step_size = 1;  ///< steps between two decays
  double gamma = 0.1;         ///< factor (PyTorch's default 0.1)

  template <Scalar T>
  constexpr T operator()(T base_lr, std::size_t t) const noexcept {
    if (step_size == 0) return base_lr;
    using X = detail::extended<T>;
    return base_lr * detail::schedule_pow(X::from_double(gamma), t / step_size).value();
  }
  friend constexpr bool operator==(const step_decay&, const step_decay&) = default;
};

/// Multiply by gamma every step, PyTorch's ExponentialLR: `lr(t) = base_lr * gamma^t`.
struct exponential_decay {
  double gamma = 1.0;  ///< factor per step (PyTorch has no default; 1 is "no decay")

  template <Scalar T>
  constexpr T operator()(T base_lr, std::size_t t) const noexcept {
    using X = detail::extended<T>;
    return base_lr * detail::schedule_pow(X::from_double(gamma), t).value();
  }
  friend constexpr bool operator==(const exponential_decay&, const exponential_decay&) = default;
};

/// Half a cosine from base_lr down to eta_min = min_lr_ratio * base_lr over total_steps steps,
/// the closed form of PyTorch's CosineAnnealingLR (T_max = total_steps):
/// `lr(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi t / total_steps)) / 2`.
/// lr(0) = base_lr, lr(total_steps) = eta_min; like PyTorch's, the formula is not clamped, so
/// past total_steps the rate follows the cosine back up (period 2 total_steps). Choose
/// total_steps >= the number of epochs to avoid that. total_steps == 0 means no decay.
struct cosine_decay {
  std::size_t total_steps = 1;  ///< T_max
  double min_lr_ratio = 0.0;    ///< eta_min / base_lr

  template <Scalar T>
  constexpr T operator()(T base_lr, std::size_t t) const noexcept {
    if (total_steps == 0) return base_lr;
    using X = detail::extended<T>;
    const T eta_min = base_lr * ctnn::from_double<T>(min_lr_ratio);
    const X c = detail::cos_pi_in<X>(t, total_steps);
    return eta_min + (base_lr - eta_min) * (X(T(1)) + c).value() / T(2);
  }
  friend constexpr bool operator==(const cosine_decay&, const cosine_decay&) = default;
};

/// A linear warm-up of warmup_steps steps, then the Inner schedule started afresh:
/// ```
/// lr(t) = base_lr * (t + 1) / warmup_steps        for t <  warmup_steps
/// lr(t) = inner(base_lr, t - warmup_steps)        for t >= warmup_steps
/// ```
/// So the rate climbs base_lr/W, 2 base_lr/W, ..., base_lr (at t = W - 1) and the inner schedule
/// sees step 0 at t = W. In PyTorch terms: SequentialLR of LinearLR(start_factor = 1/W,
/// end_factor = 1, total_iters = W - 1) and the inner scheduler, milestones = [W].
/// warmup_steps == 0 is the inner schedule alone. `linear_warmup{5, ctnn::cosine_decay{95}}`.
template <LearningRateSchedule Inner = constant_lr>
struct linear_warmup {
  std::size_t warmup_steps = 0;  ///< W
  Inner inner{};                 ///< the schedule after the warm-up

  template <Scalar T>
  constexpr T operator()(T base_lr, std::size_t t) const noexcept {
    if (t < warmup_steps)
      return base_lr * (detail::extended<T>(static_cast<T>(t + 1)) /
                        detail::extended<T>(static_cast<T>(warmup_steps)))
                           .value();
    return inner(base_lr, t - warmup_steps);
  }
  friend constexpr bool operator==(const linear_warmup&, const linear_warmup&) = default;
};
linear_warmup(std::size_t) -> linear_warmup<constant_lr>;
template <class Inner>
linear_warmup(std::size_t, Inner) -> linear_warmup<Inner>;

}  // namespace ctnn
