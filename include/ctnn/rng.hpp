// SPDX-License-Identifier: MIT
/// @file rng.hpp Defines ctnn::rng, a constexpr, seedable pseudo-random number generator that gives
/// the same sequence on every platform and at compile time, and ctnn::shuffle (Fisher-Yates).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include <ctnn/math.hpp>
#include <ctnn/number_traits.hpp>
#include <ctnn/scalar.hpp>

namespace ctnn {

/// A deterministic pseudo-random number generator: xoshiro128** 1.1, seeded through SplitMix64.
///
/// - **Generator.** xoshiro128** by D. Blackman and S. Vigna, "Scrambled linear pseudorandom
///   number generators", ACM TOMS 47(4), 2021; reference code
///   https://prng.di.unimi.it/xoshiro128starstar.c (version 1.1: the scrambler reads `s[1]`).
///   128 bits of state in four 32-bit words, period 2^128 - 1. Every step uses only 32-bit
///   shifts, xors, rotations and two multiplications by small constants (5 and 9), so it is exact
///   and fast on a Cortex-M0 (which has no 64-bit multiply) and gives the same numbers on every
///   platform and in constant evaluation.
/// - **Seeding.** The 64-bit seed goes through SplitMix64 (G. Steele, D. Lea, C. Flood, "Fast
///   splittable pseudorandom number generators", OOPSLA 2014; code
///   https://prng.di.unimi.it/splitmix64.c), as the xoshiro authors recommend. Two SplitMix64
///   outputs z1, z2 give the state `{low32(z1), high32(z1), low32(z2), high32(z2)}`.
///   SplitMix64's output function is a bijection, so two consecutive outputs differ and the state
///   is never all zero. Seeding runs once and uses 64-bit arithmetic (a library call on a
///   Cortex-M0); drawing numbers does not.
/// - **Reproducibility.** Same seed, same sequence, bit for bit: at compile time, at run time, on
///   any target. The floating-point helpers (uniform, normal) are reproducible as far as
///   ctnn::math is (normal uses math::log and math::sqrt) and given IEEE float/double arithmetic
///   without contraction (-ffp-contract=off).
///
/// It models std::uniform_random_bit_generator, so it also drives `<random>` distributions and
/// std::shuffle (those are not constexpr and not reproducible across standard libraries: prefer
/// the members below).
///
/// ```
/// ctnn::rng gen{42};
/// float w = gen.uniform(-0.5f, 0.5f);
/// double g = gen.normal(0.0, 1.0);
/// std::uint32_t k = gen.below(10);   // 0..9
/// ```
class rng {
 public:
  using result_type = std::uint32_t;
  using state_type = std::array<std::uint32_t, 4>;

  /// Seeds the state through SplitMix64 (see the class comment).
  constexpr explicit rng(std::uint64_t seed) noexcept {
    std::uint64_t x = seed;
    const std::uint64_t z1 = splitmix64(x);
    const std::uint64_t z2 = splitmix64(x);
    s_[0] = static_cast<std::uint32_t>(z1);
    s_[1] = static_cast<std::uint32_t>(z1 >> 32);
    s_[2] = static_cast<std::uint32_t>(z2);
    s_[3] = static_cast<std::uint32_t>(z2 >> 32);
  }

  /// A generator resumed from a state saved with state(). The all-zero state is a fixed point of
  /// xoshiro (it would only ever give 0), so it is replaced by the state of `rng{0}`.
  [[nodiscard]] static constexpr rng from_state(const state_type& s) noexcept {
    rng r{0};
    if ((s[0] | s[1] | s[2] | s[3]) != 0) r.s_ = s;
    return r;
  }

  /// The 128-bit state, e.g. to checkpoint a training run and resume it with from_state().
  [[nodiscard]] constexpr const state_type& state() const noexcept { return s_; }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// The next 32 random bits (one xoshiro128** step).
  constexpr result_type next_u32() noexcept {
    const std::uint32_t result = rotl(s_[1] * 5u, 7) * 9u;
    const std::uint32_t t = s_[1] << 9;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 11);
    return result;
  }

  /// Same as next_u32() (std::uniform_random_bit_generator).
  constexpr result_type operator()() noexcept { return next_u32(); }

  /// A uniform value in [0, 1) on an exact grid, independent of rounding mode and platform:
  /// - float: the top 24 bits of one draw times 2^-24 (every multiple of 2^-24 in [0, 1));
  /// - double and long double: 53 bits from two draws, `(hi * 2^26 + lo) * 2^-53` with hi the top
  ///   27 bits of the first draw and lo the top 26 bits of the second (the res53 construction);
  /// - any other ctnn::Scalar (e.g. fixed point): the top 15 bits of one draw, `T(k) / T(32768)`.
  template <Scalar T>
  [[nodiscard]] constexpr T uniform() noexcept {
    if constexpr (std::is_same_v<T, float>) {
      return static_cast<float>(next_u32() >> 8) * 0x1p-24f;
    } else if constexpr (number_traits<T>::is_iec559) {
      const std::uint32_t hi = next_u32() >> 5;
      const std::uint32_t lo = next_u32() >> 6;
      return static_cast<T>((static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) *
                            0x1p-53);
    } else {
      return T(static_cast<int>(next_u32() >> 17)) / T(32768);
    }
  }

  /// A uniform value in [a, b): `a + (b - a) u` with u = uniform<T>(). Should the product round
  /// up to exactly b (possible when (b - a) u is not representable), `a` is returned instead, so
  /// the result is always in [a, b). Needs a < b with b - a finite; returns `a` when !(a < b).
  template <Scalar T>
  [[nodiscard]] constexpr T uniform(T a, T b) noexcept {
    if (!(a < b)) return a;
    const T r = a + (b - a) * uniform<T>();
    return r < b ? r : a;
  }

  /// A normal (Gaussian) value with the given mean and standard deviation, by the Marsaglia polar
  /// method (G. Marsaglia, T. Bray, "A convenient method for generating normal variables",
  /// SIAM Review 6(3), 1964): draw u, v uniform in [-1, 1) until 0 < s = u^2 + v^2 < 1, then
  /// `u sqrt(-2 ln s / s)` is N(0, 1). Computed in T with ctnn::math::log and ctnn::math::sqrt, so
  /// it is the same at compile time and at run time.
  ///
  /// The second variate `v sqrt(-2 ln s / s)` is discarded, not cached: the generator's whole state
  /// stays its four 32-bit words (copyable, comparable, the same for every T), and the number of
  /// draws a call consumes depends only on the bits drawn. Expected cost: 4/pi (about 1.27)
  /// attempts of two uniforms, i.e. about 2.5 next_u32() calls for float and 5.1 for double.
  template <Scalar T>
  [[nodiscard]] constexpr T normal(T mean, T stddev) noexcept {
    for (;;) {
      const T u = T(2) * uniform<T>() - T(1);
      const T v = T(2) * uniform<T>() - T(1);
      const T s = u * u + v * v;
      if (T(0) < s && s < T(1)) return mean + stddev * (u * math::sqrt(T(-2) * math::log(s) / s));
    }
  }

  /// An unbiased integer in [0, n) (0 when n is 0 or 1), by bitmask rejection: keep the top
  /// ceil(log2 n) bits of a draw and retry while the value is >= n. Only 32-bit shifts and
  /// compares, no multiply or divide; at most 2 draws on average (fewer when n is near a power
  /// of two).
  [[nodiscard]] constexpr std::uint32_t below(std::uint32_t n) noexcept {
    if (n <= 1) return 0;
    const int shift = std::countl_zero(n - 1);
    for (;;) {
      const std::uint32_t r = next_u32() >> shift;
      if (r < n) return r;
    }
  }

  /// Like below(n) for a std::size_t bound (e.g. a container size). For n < 2^32 it is exactly
  /// below(n) (same draws, same result); above, it draws 64 bits (two draws: high word first).
  [[nodiscard]] constexpr std::size_t below_size(std::size_t n) noexcept {
    if constexpr (sizeof(std::size_t) > sizeof(std::uint32_t)) {
      if (n > std::numeric_limits<std::uint32_t>::max()) {
        const std::uint64_t n64 = n;
        const int shift = std::countl_zero(n64 - 1);
        for (;;) {
          const std::uint64_t hi = next_u32();
          const std::uint64_t r = ((hi << 32) | next_u32()) >> shift;
          if (r < n64) return static_cast<std::size_t>(r);
        }
      }
    }
    return below(static_cast<std::uint32_t>(n));
  }

  /// Advances the state as 2^64 calls to next_u32() would (128 steps): gives 2^64 non-overlapping
  /// subsequences, e.g. one per thread or per network trained from one seed.
  constexpr void jump() noexcept {
    constexpr state_type poly{0x8764000bu, 0xf542d2d3u, 0x6fa035c3u, 0x77f2db5bu};
    apply_jump(poly);
  }

  /// Advances the state as 2^96 calls to next_u32() would: 2^32 starting points, from each of
  /// which jump() gives 2^32 non-overlapping subsequences.
  constexpr void long_jump() noexcept {
    constexpr state_type poly{0xb523952eu, 0x0b6f099fu, 0xccf5a0efu, 0x1c580662u};
    apply_jump(poly);
  }

  friend constexpr bool operator==(const rng&, const rng&) = default;

 private:
  state_type s_{};

  static constexpr std::uint32_t rotl(std::uint32_t x, int k) noexcept {
    return (x << k) | (x >> (32 - k));
  }

  /// One SplitMix64 step: advances x by the golden gamma and returns the mixed value.
  static constexpr std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    x += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  /// The jump polynomial applied to the state (reference: xoshiro128starstar.c, jump()).
  constexpr void apply_jump(const state_type& poly) noexcept {
    state_type acc{};
    for (const std::uint32_t word : poly) {
      for (int b = 0; b < 32; ++b) {
        if ((word >> b) & 1u) {
          for (std::size_t k = 0; k < 4; ++k) acc[k] ^= s_[k];
        }
        (void)next_u32();
      }
    }
    s_ = acc;
  }
};

/// Shuffles `items` in place, uniformly over all orderings (Fisher-Yates, Durstenfeld's in-place
/// form, "Algorithm 235: Random permutation", CACM 7(7), 1964): for i = n-1 down to 1, swap
/// items[i] with items[j], j = gen.below_size(i + 1). Deterministic: same seed, same order, on
/// every platform and at compile time.
template <class T, std::size_t Extent>
constexpr void shuffle(std::span<T, Extent> items, rng& gen) noexcept {
  for (std::size_t i = items.size(); i > 1; --i) {
    const std::size_t j = gen.below_size(i);
    using std::swap;
    swap(items[i - 1], items[j]);
  }
}

/// Shuffles a std::array in place (see the std::span overload).
template <class T, std::size_t N>
constexpr void shuffle(std::array<T, N>& items, rng& gen) noexcept {
  shuffle(std::span<T, N>(items), gen);
}

}  // namespace ctnn
