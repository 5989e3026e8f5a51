// SPDX-License-Identifier: MIT
// Tests for <ctnn/workspace.hpp>: ctnn::training_bytes is the size of ctnn::training_workspace,
// which is exactly the working memory fit and train_batch use (the trace, the gradients, the
// batch tile and its output delta, the network and optimiser-state snapshots: nothing more, up
// to alignment padding); fit and train_batch give the same bits with and without a workspace,
// with any tile size, from a dirty workspace and in constant expressions; and given a workspace,
// fit keeps no large buffer on its stack (measured on a painted thread stack).
#include <ctnn/init.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>
#include <ctnn/workspace.hpp>

#include <pthread.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

namespace {

/// A network with Xavier-uniform weights (ctnn::init) from ctnn::rng{seed}.
template <class Net>
constexpr Net make_net(std::uint64_t seed) {
  Net net{};
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  return net;
}

/// n samples drawn from ctnn::rng{seed}: inputs in [-2, 2), one-hot targets (several outputs)
/// or targets in [0, 1) (one output).
template <class Net>
struct samples {
  using T = typename Net::value_type;
  std::vector<typename Net::input_type> X;
  std::vector<typename Net::output_type> Y;
  samples(std::size_t n, std::uint64_t seed) : X(n), Y(n) {
    ctnn::rng gen{seed};
    for (std::size_t s = 0; s < n; ++s) {
      for (auto& v : X[s]) v = gen.uniform(T(-2), T(2));
      Y[s] = {};
      if constexpr (Net::output_size == 1) Y[s][0] = gen.template uniform<T>();
      else Y[s][gen.next_u32() % Net::output_size] = T(1);
    }
  }
  std::span<const typename Net::input_type> xs() const { return X; }
  std::span<const typename Net::output_type> ys() const { return Y; }
};

/// Networks: every parameter bit for bit (operator== would call +0 and -0 equal). Other types
/// (optimiser states, gradients): operator== of the values, as their padding bytes (e.g. 13
/// floats and a 64-bit step counter) need not survive a copy.
template <class A>
bool same_bytes(const A& a, const A& b) {
  if constexpr (requires { A::parameter_count; a[0]; }) {
    bool same = true;
    for (std::size_t k = 0; k < A::parameter_count; ++k)
      same = same && std::memcmp(&a[k], &b[k], sizeof(a[k])) == 0;
    return same;
  } else {
    return a == b;
  }
}

using xor_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                              ctnn::dense<1, ctnn::sigmoid>>;
using digits_net = ctnn::network<float, ctnn::input<64>, ctnn::dense<32, ctnn::relu>,
                                 ctnn::dense<10, ctnn::softmax>>;
using deep_net = ctnn::network<double, ctnn::input<8>, ctnn::dense<16, ctnn::tanh>,
                               ctnn::dense<12, ctnn::relu>, ctnn::dense<4, ctnn::softmax>>;

/// Everything ctnn::fit and ctnn::train_batch work in, listed from the real types: the bytes
/// a workspace must hold (it may add alignment padding only).
template <class Net, class Opt, std::size_t Tile>
constexpr std::size_t component_bytes() {
  std::size_t n = sizeof(ctnn::gradients<Net>) + sizeof(typename Net::trace_type) +
                  sizeof(typename Net::output_type) + sizeof(Net) +
                  sizeof(typename Opt::template state<Net>);
  if constexpr (Tile > 0) n += ctnn::batch_trace_bytes<Net, Tile>;
  return n;
}

template <class Net, class Opt, std::size_t BatchSize>
void check_accounting() {
  using ws_t = ctnn::training_workspace<Net, Opt, BatchSize>;
  constexpr std::size_t b = BatchSize < ctnn::batch_tile ? BatchSize : ctnn::batch_tile;
  constexpr std::size_t tile = (ctnn::batch_tile > 1 && b > 1) ? b : 0;
  STATIC_REQUIRE(ws_t::tile == tile);
  STATIC_REQUIRE(ctnn::training_bytes<Net, Opt, BatchSize> == sizeof(ws_t));
  constexpr std::size_t parts = component_bytes<Net, Opt, tile>();
  // A member added to the workspace (or a component that grew) fails here until it is listed
  // in component_bytes; padding is less than one alignment unit per member.
  STATIC_REQUIRE(sizeof(ws_t) >= parts);
  STATIC_REQUIRE(sizeof(ws_t) < parts + 4 * alignof(ws_t));
  STATIC_REQUIRE(std::is_trivially_copyable_v<ws_t>);
  STATIC_REQUIRE(std::is_aggregate_v<ws_t>);
}

}  // namespace

TEST_CASE("training_bytes is sizeof(training_workspace): trace, gradients, tile, snapshots",
          "[workspace]") {
  check_accounting<xor_net, ctnn::gradient_descent<float>, 4>();
  check_accounting<xor_net, ctnn::adam<float>, 1>();
  check_accounting<xor_net, ctnn::adam<float>, ctnn::batch_tile>();
  check_accounting<digits_net, ctnn::adam<float>, 1>();
  check_accounting<digits_net, ctnn::adam<float>, 3>();
  check_accounting<digits_net, ctnn::adam<float>, 8>();
  check_accounting<digits_net, ctnn::adam<float>, ctnn::batch_tile>();
  check_accounting<digits_net, ctnn::adam<float>, 1000>();
  check_accounting<deep_net, ctnn::sgd<double>, 16>();
  check_accounting<deep_net, ctnn::rmsprop<double>, 2>();
  // The defaulted form is the one fit without a workspace puts on its stack: the full tile.
  STATIC_REQUIRE(ctnn::training_bytes<digits_net, ctnn::adam<float>> ==
                 ctnn::training_bytes<digits_net, ctnn::adam<float>, ctnn::batch_tile>);
  if constexpr (ctnn::batch_tile > 1) {
    STATIC_REQUIRE(ctnn::training_bytes<digits_net, ctnn::adam<float>> >=
                   ctnn::batch_trace_bytes<digits_net> + 3 * sizeof(digits_net));
  }
  // digits 64-32-10 + Adam: gradients, network snapshot, two moment arrays (4 x 9640 bytes).
  STATIC_REQUIRE(ctnn::training_bytes<digits_net, ctnn::adam<float>, 1> >= 4 * 9640);
}

namespace {

template <class Net, class Opt, std::size_t BatchSize, class Loss>
void check_fit_same_bits(const Loss& loss, const Opt& opt, std::size_t n, std::size_t batch,
                         double clip_norm, std::uint64_t seed) {
  const samples<Net> d(n, seed);
  const ctnn::fit_options<> options{.epochs = 3, .batch_size = batch, .shuffle = true,
                                    .shuffle_seed = seed, .clip_norm = clip_norm};
  Net a = make_net<Net>(seed);
  Net b = a;
  typename Opt::template state<Net> sa{}, sb{};
  const ctnn::fit_report ra = ctnn::fit(a, d.xs(), d.ys(), loss, opt, sa, options);
  // A dirty workspace: every byte 0xff (NaN patterns) before fit; it must not matter.
  static ctnn::training_workspace<Net, Opt, BatchSize> ws;
  std::memset(static_cast<void*>(&ws), 0xff, sizeof ws);
  const ctnn::fit_report rb = ctnn::fit(b, d.xs(), d.ys(), loss, opt, sb, ws, options);
  CHECK(ra.status == rb.status);
  CHECK(ra.epochs_run == rb.epochs_run);
  CHECK(std::bit_cast<std::uint64_t>(ra.final_loss) == std::bit_cast<std::uint64_t>(rb.final_loss));
  CHECK(same_bytes(a, b));
  CHECK(same_bytes(sa, sb));
  CHECK(ra.epochs_run == 3);
}

}  // namespace

TEST_CASE("fit gives the same bits with and without a workspace, with any tile", "[workspace]") {
  const ctnn::categorical_cross_entropy cce{};
  for (std::size_t batch : {std::size_t{1}, std::size_t{3}, std::size_t{8}, std::size_t{37}, std::size_t{100}}) {
    CAPTURE(batch);
    check_fit_same_bits<digits_net, ctnn::adam<float>, ctnn::batch_tile>(cce, ctnn::adam<float>{0.01f}, 37, batch, 0.0, 1);
    check_fit_same_bits<digits_net, ctnn::adam<float>, 1>(cce, ctnn::adam<float>{0.01f}, 37, batch, 0.0, 2);
    check_fit_same_bits<digits_net, ctnn::adam<float>, 4>(cce, ctnn::adam<float>{0.01f}, 37, batch, 0.5, 3);
    check_fit_same_bits<digits_net, ctnn::gradient_descent<float>, 8>(cce, ctnn::gradient_descent<float>{0.1f}, 37, batch, 0.0, 4);
    check_fit_same_bits<xor_net, ctnn::sgd<float>, 2>(ctnn::binary_cross_entropy{}, ctnn::sgd<float>{0.5f, 0.9f, true}, 13, batch, 0.0, 5);
    check_fit_same_bits<deep_net, ctnn::rmsprop<double>, 16>(ctnn::categorical_cross_entropy{}, ctnn::rmsprop<double>{1e-3}, 29, batch, 1.0, 6);
  }
}

TEST_CASE("train_batch with a workspace equals train_batch with gradients", "[workspace]") {
  const samples<digits_net> d(40, 11);
  const ctnn::adam<float> opt{0.01f};
  digits_net a = make_net<digits_net>(12);
  digits_net b = a;
  ctnn::adam<float>::state<digits_net> sa{}, sb{};
  ctnn::gradients<digits_net> g{};
  static ctnn::training_workspace<digits_net, ctnn::adam<float>, 8> ws;
  std::memset(static_cast<void*>(&ws), 0xff, sizeof ws);
  for (auto [first, last] : {std::pair<std::size_t, std::size_t>{0, 1}, {1, 9}, {9, 40}, {5, 6}}) {
    const float la = ctnn::train_batch(a, d.xs(), d.ys(), ctnn::categorical_cross_entropy{}, opt,
                                       sa, 0.01f, g, first, last, ctnn::in_order{});
    const float lb = ctnn::train_batch(b, d.xs(), d.ys(), ctnn::categorical_cross_entropy{}, opt,
                                       sb, 0.01f, ws, first, last, ctnn::in_order{});
    CHECK(std::bit_cast<std::uint32_t>(la) == std::bit_cast<std::uint32_t>(lb));
    CHECK(same_bytes(g, ws.grads));
    CHECK(same_bytes(a, b));
    CHECK(same_bytes(sa, sb));
  }
}

namespace {

constexpr std::array<xor_net::input_type, 4> xor_x{{{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}}};
constexpr std::array<xor_net::output_type, 4> xor_y{{{0.f}, {1.f}, {1.f}, {0.f}}};

template <bool Workspace>
constexpr xor_net xor_trained() {
  xor_net net = make_net<xor_net>(7);
  const ctnn::fit_options<> options{.epochs = 20, .batch_size = 2, .shuffle_seed = 3};
  ctnn::adam<float>::state<xor_net> state{};
  if constexpr (Workspace) {
    ctnn::training_workspace<xor_net, ctnn::adam<float>, 2> ws{};
    (void)ctnn::fit(net, xor_x, xor_y, ctnn::binary_cross_entropy{}, ctnn::adam<float>{0.1f},
                    state, ws, options);
  } else {
    (void)ctnn::fit(net, xor_x, xor_y, ctnn::binary_cross_entropy{}, ctnn::adam<float>{0.1f},
                    state, options);
  }
  return net;
}

}  // namespace

TEST_CASE("fit with a workspace in a constant expression: the run-time bits", "[workspace]") {
  constexpr xor_net at_compile_time = xor_trained<true>();
  STATIC_REQUIRE(at_compile_time == xor_trained<false>());
  const xor_net at_run_time = xor_trained<true>();
  CHECK(same_bytes(at_compile_time, at_run_time));
  CHECK(same_bytes(at_run_time, xor_trained<false>()));
}

// ---- stack: fit with a workspace keeps no large buffer in its frames --------------------------

namespace {

constexpr std::size_t probe_stack_size = std::size_t{1} << 20;
constexpr std::uint64_t paint = 0xC5A5C5A5C5A5C5A5ull;
alignas(4096) std::array<std::uint64_t, probe_stack_size / 8> probe_stack;

/// Runs `f` on a thread whose stack is probe_stack, painted first; returns the bytes of it that
/// were written (from the top: glibc's thread descriptor and TLS sit there too).
template <class F>
std::size_t stack_bytes_used(F& f) {
  probe_stack.fill(paint);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, probe_stack.data(), probe_stack_size);
  pthread_t thread;
  auto run = [](void* p) -> void* {
    (*static_cast<F*>(p))();
    return nullptr;
  };
  const bool started = pthread_create(&thread, &attr, run, &f) == 0;
  if (started) pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  if (!started) return 0;
  std::size_t i = 0;
  while (i < probe_stack.size() && probe_stack[i] == paint) ++i;
  return (probe_stack.size() - i) * sizeof(std::uint64_t);
}

}  // namespace

TEST_CASE("fit with a workspace keeps no large buffer on its stack", "[workspace]") {
  using opt_t = ctnn::adam<float>;
  static const samples<digits_net> d(64, 21);
  static digits_net net = make_net<digits_net>(22);
  static opt_t::state<digits_net> state{};
  static ctnn::training_workspace<digits_net, opt_t> ws;
  static ctnn::fit_report with{}, without{};
  const ctnn::fit_options<> options{.epochs = 1, .batch_size = 16};
  auto nothing = [] {};
  auto fit_with = [&] {
    with = ctnn::fit(net, d.xs(), d.ys(), ctnn::categorical_cross_entropy{}, opt_t{0.01f}, state,
                     ws, options);
  };
  auto fit_without = [&] {
    without = ctnn::fit(net, d.xs(), d.ys(), ctnn::categorical_cross_entropy{}, opt_t{0.01f},
                        state, options);
  };
  const std::size_t base = stack_bytes_used(nothing);
  const std::size_t used_with = stack_bytes_used(fit_with) - base;
  const std::size_t used_without = stack_bytes_used(fit_without) - base;
  constexpr std::size_t budget = ctnn::training_bytes<digits_net, opt_t>;
  INFO("training_bytes " << budget << ", fit's stack with a workspace " << used_with
                         << ", without " << used_without << " (thread start-up: " << base << ")");
  REQUIRE(base > 0);
  CHECK(static_cast<bool>(with));
  CHECK(static_cast<bool>(without));
  // Without a workspace, fit's frames hold one (and a step's frames).
  CHECK(used_without >= budget);
  // With one: scalars, pointers, small per-layer vectors (2.6 KB in a g++ -O0 build), even
  // unoptimised or with sanitizers; the tile, the gradients or a snapshot (10-40 KB each) kept
  // on the stack instead would show. (The trace, 0.6 KB, is caught by the firmware image
  // digits_training, which must train in a 4 KB stack.)
  CHECK(used_with < 8192);
  CHECK(used_with * 4 < budget);
}
