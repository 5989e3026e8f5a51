// SPDX-License-Identifier: MIT
// sequence_bench.cpp: the speed of ctnn's sequence layers against a hand-written std::array
// implementation (hand_cells.hpp) and Eigen 3.4 fixed-size matrices (eigen_cells.hpp), in the
// same binary and run (Google Benchmark, CPU time).
//
// Networks (float, one input per step, a dense 1-output head on the last step):
//   gruH   input<32, 1> -> gru<H> -> last_step -> dense<1>             H = 8, 16, 32
//   lstmH  input<32, 1> -> lstm<H> -> last_step -> dense<1>            H = 8, 16, 32
//   conv   input<32, 1> -> conv1d<8, 3, tanh, d, 1, causal> for d = 1, 2, 4 -> last_step -> dense<1>
// Rows:
//   s  one streaming step, y_t from x_t with the state carried    (ctnn: net.step(x_t, state))
//   t  one training step (SGD, MSE) on one 32-step window, backpropagation through time
//                                                                  (ctnn: train_batch on 1 window;
//                                                                   ctnn only)
// After the runs it prints the table: ns per step (median over --benchmark_repetitions), ctnn /
// Eigen, ctnn / hand, and how many times faster than real time at 48 kHz one stream runs
// (20833 ns / ns per step).
// Before the runs it streams 256 steps through the three implementations of each network and
// exits with status 1 if their outputs differ by more than 1e-4 (they must compute the same
// function for the comparison to mean anything).
//
//   bench_seq.<config> [google benchmark flags] [--smoke]
//   bench_seq.<config> --piece=NAME --calls=N   (N calls of one step, inside piece_NAME, for
//                                                callgrind --toggle-collect=piece_NAME; --list
//                                                lists the names)
// Instruction counts: valgrind 3.19 does not run AVX-512 code, so count on an AVX2 build, e.g.
//   g++ -std=c++20 -O3 -march=x86-64-v3 -ffp-contract=off -DNDEBUG -Iinclude
//       -I/usr/include/eigen3 tests/bench/sequence_bench.cpp -lbenchmark -lpthread -o seq_avx2
//   valgrind --tool=callgrind --toggle-collect=piece_gru32_ctnn ./seq_avx2 --piece=gru32_ctnn --calls=2000
// (instructions per step = the "summary:" count / calls).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>

#include "eigen_cells.hpp"
#include "hand_cells.hpp"

#ifndef CTNN_BENCH_CONFIG
#  define CTNN_BENCH_CONFIG "unnamed"
#endif

namespace {

constexpr std::size_t window = 32;
constexpr std::size_t pool = 4096;  // input values the streaming rows cycle through
constexpr float learning_rate = 0.01f;
constexpr double real_time_ns = 1e9 / 48000.0;  // one sample at 48 kHz

template <std::size_t H>
using gru_net = ctnn::network<float, ctnn::input<window, 1>, ctnn::gru<H>, ctnn::last_step,
                              ctnn::dense<1>>;
template <std::size_t H>
using lstm_net = ctnn::network<float, ctnn::input<window, 1>, ctnn::lstm<H>, ctnn::last_step,
                               ctnn::dense<1>>;
using conv_net = ctnn::network<
    float, ctnn::input<window, 1>, ctnn::conv1d<8, 3, ctnn::tanh, 1, 1, ctnn::padding::causal>,
    ctnn::conv1d<8, 3, ctnn::tanh, 2, 1, ctnn::padding::causal>,
    ctnn::conv1d<8, 3, ctnn::tanh, 4, 1, ctnn::padding::causal>, ctnn::last_step, ctnn::dense<1>>;

/// Xavier-uniform weights from seed 12345, the same for the three implementations.
template <class Net>
Net initial_net() {
  ctnn::rng gen{12345};
  Net net{};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  return net;
}

const std::vector<float>& inputs() {
  static const std::vector<float> x = [] {
    std::vector<float> v(pool);
    ctnn::rng gen{7};
    for (auto& e : v) e = gen.uniform(-1.f, 1.f);
    return v;
  }();
  return x;
}

// ---------------------------------------------------------------------------------------------
// The three implementations of each network, with the calls the rows time
// ---------------------------------------------------------------------------------------------

template <class Net>
struct ctnn_impl {
  Net net = initial_net<Net>();
  typename Net::state_type state{};
  std::size_t k = 0;
  float step() {
    const typename Net::step_input_type x{inputs()[k]};
    k = (k + 1) % pool;
    return net.step(x, state)[0];
  }
};

/// A hand-written or Eigen model (hand_cells.hpp, eigen_cells.hpp) with the weights of Net.
template <class Net, class Model>
struct model_impl {
  Model model;
  std::size_t k = 0;
  model_impl() { model.assign(initial_net<Net>()); }
  float step() {
    float y = 0;
    if constexpr (std::is_invocable_v<decltype(&Model::step), Model&, const float*>) {
      y = model.step(inputs().data() + k);
    } else {
      y = model.step(eigen_seq::vec<1>::Constant(inputs()[k]));
    }
    k = (k + 1) % pool;
    return y;
  }
};

/// The three implementations of one network: ctnn, hand-written, Eigen.
template <class Net, class Hand, class Eigen>
struct impl_set {
  using net = Net;
  using ctnn_t = ctnn_impl<Net>;
  using hand_t = model_impl<Net, Hand>;
  using eigen_t = model_impl<Net, Eigen>;
};
template <std::size_t H>
using gru_set = impl_set<gru_net<H>, hand_seq::gru<1, H>, eigen_seq::gru<1, static_cast<int>(H)>>;
template <std::size_t H>
using lstm_set = impl_set<lstm_net<H>, hand_seq::lstm<1, H>, eigen_seq::lstm<1, static_cast<int>(H)>>;
using conv_set = impl_set<conv_net, hand_seq::conv_stack<8, 3>, eigen_seq::conv_stack<8, 3>>;

/// Row t: one SGD step on one window (forward, backpropagation through time, update).
template <class Net>
struct train_impl {
  Net net = initial_net<Net>();
  std::vector<typename Net::input_type> X;
  std::vector<typename Net::output_type> Y;
  ctnn::sgd<float> opt{learning_rate};
  typename ctnn::sgd<float>::template state<Net> st{};
  ctnn::gradients<Net> g{};
  std::size_t k = 0;
  static constexpr std::size_t windows = 64;
  train_impl() : X(windows), Y(windows) {
    for (std::size_t w = 0; w < windows; ++w) {
      for (std::size_t t = 0; t < window; ++t) X[w][t][0] = inputs()[(w * window + t) % pool];
      Y[w][0] = 0.5f * X[w][window - 1][0];
    }
  }
  float train() {
    const float l = ctnn::train_batch(net, std::span<const typename Net::input_type>(X),
                                      std::span<const typename Net::output_type>(Y), ctnn::mse{}, opt,
                                      st, learning_rate, g, k, k + 1, ctnn::in_order{});
    k = (k + 1) % windows;
    return l;
  }
};

// ---------------------------------------------------------------------------------------------
// Agreement check: the three implementations compute the same function
// ---------------------------------------------------------------------------------------------

template <class Set>
double max_difference(const char* name) {
  auto c = std::make_unique<typename Set::ctnn_t>();
  auto h = std::make_unique<typename Set::hand_t>();
  auto e = std::make_unique<typename Set::eigen_t>();
  double worst = 0, scale = 0;
  for (int t = 0; t < 256; ++t) {
    const double yc = c->step(), yh = h->step(), ye = e->step();
    worst = std::max({worst, std::abs(yc - yh), std::abs(yc - ye)});
    scale = std::max(scale, std::abs(yc));
    if (!std::isfinite(yc) || !std::isfinite(yh) || !std::isfinite(ye)) worst = INFINITY;
  }
  std::printf("agreement %-7s max |ctnn - hand|, |ctnn - Eigen| over 256 steps: %.3g (outputs up "
              "to %.3g)\n", name, worst, scale);
  return worst;
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

template <class Impl>
void run_step(benchmark::State& state) {
  auto impl = std::make_unique<Impl>();
  for (auto _ : state) {
    float y = impl->step();
    benchmark::DoNotOptimize(y);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <class Net>
void run_train(benchmark::State& state) {
  auto impl = std::make_unique<train_impl<Net>>();
  for (auto _ : state) {
    float l = impl->train();
    benchmark::DoNotOptimize(l);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

const char* const set_names[] = {"gru8", "gru16", "gru32", "lstm8", "lstm16", "lstm32", "conv"};

template <class Set>
void register_set(const std::string& n) {
  benchmark::RegisterBenchmark(("s.step/" + n + "/ctnn").c_str(), run_step<typename Set::ctnn_t>);
  benchmark::RegisterBenchmark(("s.step/" + n + "/eigen").c_str(), run_step<typename Set::eigen_t>);
  benchmark::RegisterBenchmark(("s.step/" + n + "/hand").c_str(), run_step<typename Set::hand_t>);
  benchmark::RegisterBenchmark(("t.train/" + n + "/ctnn").c_str(), run_train<typename Set::net>)
      ->Unit(benchmark::kMicrosecond);
}

/// Calls f over each set with its name.
template <class F>
void for_each_set(F&& f) {
  f.template operator()<gru_set<8>>("gru8");
  f.template operator()<gru_set<16>>("gru16");
  f.template operator()<gru_set<32>>("gru32");
  f.template operator()<lstm_set<8>>("lstm8");
  f.template operator()<lstm_set<16>>("lstm16");
  f.template operator()<lstm_set<32>>("lstm32");
  f.template operator()<conv_set>("conv");
}

// ---------------------------------------------------------------------------------------------
// Pieces for callgrind: N steps inside one named, never-inlined function
// ---------------------------------------------------------------------------------------------

template <class Impl>
[[gnu::noinline]] float piece_loop(Impl& impl, std::size_t calls) {
  float s = 0;
  for (std::size_t i = 0; i < calls; ++i) s += impl.step();
  return s;
}
#define CTNN_SEQ_PIECE(NAME, SET)                                                      \
  [[gnu::noinline]] float piece_##NAME##_ctnn(std::size_t n) {                         \
    auto p = std::make_unique<SET::ctnn_t>();                                          \
    return piece_loop(*p, n);                                                          \
  }                                                                                    \
  [[gnu::noinline]] float piece_##NAME##_eigen(std::size_t n) {                        \
    auto p = std::make_unique<SET::eigen_t>();                                         \
    return piece_loop(*p, n);                                                          \
  }                                                                                    \
  [[gnu::noinline]] float piece_##NAME##_hand(std::size_t n) {                         \
    auto p = std::make_unique<SET::hand_t>();                                          \
    return piece_loop(*p, n);                                                          \
  }
CTNN_SEQ_PIECE(gru8, gru_set<8>)
CTNN_SEQ_PIECE(gru16, gru_set<16>)
CTNN_SEQ_PIECE(gru32, gru_set<32>)
CTNN_SEQ_PIECE(lstm8, lstm_set<8>)
CTNN_SEQ_PIECE(lstm16, lstm_set<16>)
CTNN_SEQ_PIECE(lstm32, lstm_set<32>)
CTNN_SEQ_PIECE(conv, conv_set)
#undef CTNN_SEQ_PIECE

using piece_fn = float (*)(std::size_t);
const std::map<std::string, piece_fn>& pieces() {
  static const std::map<std::string, piece_fn> m = {
#define CTNN_SEQ_ROW(NAME) \
  {#NAME "_ctnn", piece_##NAME##_ctnn}, {#NAME "_eigen", piece_##NAME##_eigen}, {#NAME "_hand", piece_##NAME##_hand}
      CTNN_SEQ_ROW(gru8),   CTNN_SEQ_ROW(gru16),  CTNN_SEQ_ROW(gru32), CTNN_SEQ_ROW(lstm8),
      CTNN_SEQ_ROW(lstm16), CTNN_SEQ_ROW(lstm32), CTNN_SEQ_ROW(conv)
#undef CTNN_SEQ_ROW
  };
  return m;
}

// ---------------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------------

class capture_reporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, std::pair<double, bool>> ns;  // name -> (CPU ns per iteration, median?)
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const bool is_median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Aggregate && !is_median) continue;
      auto& slot = ns[r.run_name.function_name];
      if (slot.second && !is_median) continue;  // keep the median once there is one
      slot = {r.GetAdjustedCPUTime() * benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                  benchmark::GetTimeUnitMultiplier(r.time_unit),
              is_median};
    }
  }
};

void print_summary(const capture_reporter& rep) {
  auto get = [&](const std::string& n) {
    auto it = rep.ns.find(n);
    return it == rep.ns.end() ? 0.0 : it->second.first;
  };
  std::printf("\n## ctnn sequence benchmark summary (%s)\n\n", CTNN_BENCH_CONFIG);
  std::printf("s: one streaming step (1 input, dense 1 head), CPU ns (median over repetitions when "
              "repeated); ratio < 1: ctnn faster; x real time: 20833 ns (one sample at 48 kHz) / "
              "ctnn ns.\n\n");
  std::printf("| net | ctnn ns | Eigen ns | hand ns | ctnn/Eigen | ctnn/hand | x real time @48k |\n");
  std::printf("|-----|--------:|---------:|--------:|-----------:|----------:|-----------------:|\n");
  for (const char* n : set_names) {
    const std::string base = std::string("s.step/") + n + "/";
    const double c = get(base + "ctnn"), e = get(base + "eigen"), h = get(base + "hand");
    if (c <= 0) continue;
    std::printf("| %s | %7.1f | %7.1f | %7.1f | %5.2f | %5.2f | %6.0f |\n", n, c, e, h,
                e > 0 ? c / e : 0.0, h > 0 ? c / h : 0.0, real_time_ns / c);
  }
  std::printf("\nt: one training step (SGD, MSE) on one %zu-step window, ctnn:\n\n", window);
  std::printf("| net | ns per window | ns per time step |\n|-----|--------:|--------:|\n");
  for (const char* n : set_names) {
    const double c = get(std::string("t.train/") + n + "/ctnn");
    if (c > 0) std::printf("| %s | %9.0f | %7.1f |\n", n, c, c / static_cast<double>(window));
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = false;
  std::string piece;
  std::size_t calls = 2000;
  std::vector<char*> kept;
  static char min_time[] = "--benchmark_min_time=0.001";
  static char reps[] = "--benchmark_repetitions=1";
  for (int i = 0; i < argc; ++i) {
    char* a = argv[i];
    if (std::strcmp(a, "--smoke") == 0) {
      smoke = true;
    } else if (std::strcmp(a, "--list") == 0) {
      for (const auto& [name, fn] : pieces()) std::printf("%s\n", name.c_str());
      return 0;
    } else if (std::strncmp(a, "--piece=", 8) == 0) {
      piece = a + 8;
    } else if (std::strncmp(a, "--calls=", 8) == 0) {
      calls = static_cast<std::size_t>(std::strtoull(a + 8, nullptr, 10));
    } else {
      kept.push_back(a);
    }
  }
  if (!piece.empty()) {
    auto it = pieces().find(piece);
    if (it == pieces().end()) {
      std::fprintf(stderr, "unknown piece %s (see --list)\n", piece.c_str());
      return 2;
    }
    volatile float sink = it->second(calls);
    (void)sink;
    return 0;
  }
  if (smoke) {
    kept.push_back(min_time);
    kept.push_back(reps);
  }
  int n = static_cast<int>(kept.size());
  benchmark::Initialize(&n, kept.data());
  if (benchmark::ReportUnrecognizedArguments(n, kept.data())) return 1;

  std::printf("config: %s; simd_bytes = %zu\n", CTNN_BENCH_CONFIG, ctnn::detail::simd_bytes);
  bool agree = true;
  for_each_set([&]<class Set>(const char* name) {
    if (!(max_difference<Set>(name) <= 1e-4)) agree = false;
    register_set<Set>(name);
  });
  if (!agree) {
    std::fprintf(stderr, "bench_seq: the implementations disagree (see above)\n");
    return 1;
  }
  capture_reporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  print_summary(rep);
  benchmark::Shutdown();
  return 0;
}
