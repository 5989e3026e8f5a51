// SPDX-License-Identifier: MIT
// bench.cpp: ctnn against a hand-written std::array implementation (hand.hpp) and Eigen 3.4
// fixed-size matrices (eigen.hpp), in the same binary and run (Google Benchmark).
//
// Networks (float, networks.hpp): N1 = 2-3-1 sigmoid, N2 = 16-32-32-4 tanh, N3 = 64-64-64-10 relu
// (all layers use the named activation; loss MSE), N4 = 64-32-10 tanh + softmax (cross-entropy).
// Rows:
//   a  forward latency, one sample                          (ctnn: net.forward(x))
//   b  one training step on one sample: forward, backward, SGD update
//                                                           (ctnn: train_batch on 1 sample)
//   c  per-sample cost of a batch-32 training step          (ctnn: train_batch on 32 samples)
//   e  per-sample cost of a batch-32 forward pass           (ctnn: forward_batch)
//   d  one epoch of N4 on the digits training set (1347 samples, batch 32, shuffled)
//                                                           (ctnn: fit, one epoch)
// After the runs it prints the ratio table (ctnn / hand, ctnn / Eigen; medians when
// --benchmark_repetitions > 1, CPU time), the fraction of the FLOP peak (32 single-precision
// FLOP per cycle, the cycle rate measured) reached on N3, and, for rows a and b, the median,
// 99.9th percentile and maximum latency over --worst_case_calls calls (default 10^6) timed
// one by one with std::chrono::steady_clock.
//
//   bench.<config> [google benchmark flags] [--smoke] [--worst_case_calls=N]
// --smoke: every benchmark once, briefly (what ctest runs).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#if defined(__SSE__) || defined(__x86_64__)
#  include <xmmintrin.h>
#endif

#include <ctnn/batch.hpp>
#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>

#include "../../examples/common/dataset.hpp"
#include "eigen.hpp"
#include "hand.hpp"
#include "networks.hpp"

#ifndef CTNN_BENCH_CONFIG
#  define CTNN_BENCH_CONFIG "unnamed"
#endif
#ifndef CTNN_BENCH_DIGITS
#  define CTNN_BENCH_DIGITS ""
#endif

namespace {

constexpr std::size_t batch = 32;
constexpr std::size_t pool = 256;  // distinct samples the per-sample rows cycle through

// ---------------------------------------------------------------------------------------------
// The four networks in the three implementations
// ---------------------------------------------------------------------------------------------

using namespace bench_nets;

/// Multiply-accumulates of one forward pass, and FLOP of one sample's training step counted as
/// 2 per multiply-add: forward (W x), dL/dW (delta x^T), dL/dx of every layer but the first.
template <class Net>
constexpr double forward_flop() {
  return 2.0 * static_cast<double>(Net::forward_macs);
}
template <class Net>
constexpr double training_flop() {
  const double first = static_cast<double>(Net::widths[0] * Net::widths[1]);
  return 2.0 * (3.0 * static_cast<double>(Net::forward_macs) - first);
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

template <class Net>
struct data {
  std::vector<typename Net::input_type> X;
  std::vector<typename Net::output_type> Y;
};

template <class S>
data<typename S::ctnn_t> random_data(std::size_t n, std::uint64_t seed) {
  using Net = typename S::ctnn_t;
  data<Net> d;
  d.X.resize(n);
  d.Y.resize(n);
  ctnn::rng gen{seed};
  for (auto& x : d.X)
    for (auto& v : x) v = gen.uniform(-1.f, 1.f);
  for (auto& y : d.Y) {
    y = {};
    if constexpr (std::is_same_v<typename S::loss_t, ctnn::cross_entropy>) {
      y[gen.next_u32() % Net::output_size] = 1.f;
    } else {
      for (auto& v : y) v = gen.uniform(0.1f, 0.9f) - (Net::output_size == 4 ? 0.5f : 0.f);
    }
  }
  return d;
}

/// The digits training set (features standardised with its own statistics, one-hot labels),
/// read with the examples' CSV reader (examples/common/dataset.hpp, Debian's libfccp-dev);
/// 1347 random samples if the file cannot be read.
data<N4::ctnn_t> digits(bool& real) {
  data<N4::ctnn_t> d;
  auto set = example::read_csv<64, 10>(CTNN_BENCH_DIGITS);
  real = set && set->size() > 0;
  if (!real) return random_data<N4>(1347, 3);
  example::standardiser<64>::fit(set->x).apply(set->x);
  d.X = std::move(set->x);
  d.Y = example::encode_targets<10>(set->label);
  return d;
}

template <class S>
typename S::ctnn_t initial_net() {
  typename S::ctnn_t net;
  ctnn::rng gen{12345};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  return net;
}

template <class E, class Net>
void to_eigen_in(typename E::input_t& m, const std::vector<typename Net::input_type>& X,
                 const std::size_t* idx, std::size_t n) {
  m.setZero();
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < Net::input_size; ++i)
      m(static_cast<int>(i), static_cast<int>(k)) = X[idx[k]][i];
}
template <class E, class Net>
void to_eigen_out(typename E::output_t& m, const std::vector<typename Net::output_type>& Y,
                  const std::size_t* idx, std::size_t n) {
  m.setZero();
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < Net::output_size; ++j)
      m(static_cast<int>(j), static_cast<int>(k)) = Y[idx[k]][j];
}

constexpr float learning_rate = 0.01f;

// ---------------------------------------------------------------------------------------------
// One object per (network, implementation) with the calls each row times
// ---------------------------------------------------------------------------------------------

template <class S>
struct ctnn_impl {
  using Net = typename S::ctnn_t;
  Net net = initial_net<S>();
  data<Net> d = random_data<S>(pool, 7);
  ctnn::sgd<float> opt{learning_rate};
  ctnn::sgd<float>::state<Net> st{};
  ctnn::gradients<Net> g{};
  ctnn::batch_trace<Net, ctnn::batch_tile> bt{};
  std::array<typename Net::output_type, batch> out{};
  std::size_t k = 0;

  void forward() {
    auto y = net.forward(d.X[k]);
    benchmark::DoNotOptimize(y);
    k = (k + 1) % pool;
  }
  void train1() {
    auto l = ctnn::train_batch(net, std::span<const typename Net::input_type>(d.X),
                               std::span<const typename Net::output_type>(d.Y), typename S::loss_t{},
                               opt, st, learning_rate, g, k, k + 1, ctnn::in_order{});
    benchmark::DoNotOptimize(l);
    k = (k + 1) % pool;
  }
  void train32() {
    auto l = ctnn::train_batch(net, std::span<const typename Net::input_type>(d.X),
                               std::span<const typename Net::output_type>(d.Y), typename S::loss_t{},
                               opt, st, learning_rate, g, k, k + batch, ctnn::in_order{});
    benchmark::DoNotOptimize(l);
    k = (k + batch) % pool;
  }
  void forward32() {
    ctnn::forward_batch(net, std::span<const typename Net::input_type>(d.X.data() + k, batch),
                        std::span<typename Net::output_type>(out), bt);
    benchmark::DoNotOptimize(out);
    k = (k + batch) % pool;
  }
};

template <class S>
struct hand_impl {
  using Net = typename S::ctnn_t;
  typename S::hand_t net;
  data<Net> d = random_data<S>(pool, 7);
  std::array<std::size_t, pool> idx{};
  std::array<typename Net::output_type, batch> out{};
  std::size_t k = 0;
  hand_impl() {
    net.assign(initial_net<S>().flat());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
  }
  void forward() {
    typename Net::output_type y;
    net.predict(d.X[k].data(), y.data());
    benchmark::DoNotOptimize(y);
    k = (k + 1) % pool;
  }
  void train1() {
    auto l = net.train_step(d.X[k].data(), d.Y[k].data(), learning_rate);
    benchmark::DoNotOptimize(l);
    k = (k + 1) % pool;
  }
  void train32() {
    auto l = net.train_batch(d.X, d.Y, idx.data() + k, batch, learning_rate);
    benchmark::DoNotOptimize(l);
    k = (k + batch) % pool;
  }
  void forward32() {
    for (std::size_t s = 0; s < batch; ++s) net.predict(d.X[k + s].data(), out[s].data());
    benchmark::DoNotOptimize(out);
    k = (k + batch) % pool;
  }
};

template <class S>
struct eigen_impl {
  using Net = typename S::ctnn_t;
  using E1 = typename S::template eigen_t<1>;
  using EB = typename S::template eigen_t<static_cast<int>(batch)>;
  std::unique_ptr<E1> one = std::make_unique<E1>();
  std::unique_ptr<EB> many = std::make_unique<EB>();
  data<Net> d = random_data<S>(pool, 7);
  std::array<std::size_t, pool> idx{};
  std::vector<typename E1::input_t> x1;
  std::vector<typename E1::output_t> y1;
  typename EB::input_t xb;
  typename EB::output_t yb;
  std::size_t k = 0;
  eigen_impl() {
    const auto flat = initial_net<S>().flat();
    one->assign(flat);
    many->assign(flat);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    x1.resize(pool);
    y1.resize(pool);
    for (std::size_t s = 0; s < pool; ++s) {
      to_eigen_in<E1, Net>(x1[s], d.X, &idx[s], 1);
      to_eigen_out<E1, Net>(y1[s], d.Y, &idx[s], 1);
    }
  }
  void forward() {
    one->forward(x1[k]);
    benchmark::DoNotOptimize(one->output().data());
    k = (k + 1) % pool;
  }
  void train1() {
    auto l = one->train_step(x1[k], y1[k], learning_rate);
    benchmark::DoNotOptimize(l);
    k = (k + 1) % pool;
  }
  void train32() {  // gathering the batch into matrices is part of the step
    to_eigen_in<EB, Net>(xb, d.X, idx.data() + k, batch);
    to_eigen_out<EB, Net>(yb, d.Y, idx.data() + k, batch);
    auto l = many->train_step(xb, yb, learning_rate);
    benchmark::DoNotOptimize(l);
    k = (k + batch) % pool;
  }
  void forward32() {
    to_eigen_in<EB, Net>(xb, d.X, idx.data() + k, batch);
    many->forward(xb);
    benchmark::DoNotOptimize(many->output().data());
    k = (k + batch) % pool;
  }
};

// ---------------------------------------------------------------------------------------------
// Row d: one digits epoch
// ---------------------------------------------------------------------------------------------

struct epoch_data {
  bool real = false;  // declared (so initialised) before d, which digits() fills in and sets it
  data<N4::ctnn_t> d;
  std::vector<std::size_t> perm;
  epoch_data() : d(digits(real)) {
    perm.resize(d.X.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    ctnn::rng gen{99};
    for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[gen.next_u32() % i]);
  }
};
epoch_data& digits_data() {
  static epoch_data e;
  return e;
}

void epoch_ctnn(benchmark::State& state) {
  auto& e = digits_data();
  auto net = initial_net<N4>();
  ctnn::sgd<float> opt{learning_rate};
  ctnn::sgd<float>::state<N4::ctnn_t> st{};
  std::uint64_t seed = 1;
  for (auto _ : state) {
    auto r = ctnn::fit(net, std::span<const N4::ctnn_t::input_type>(e.d.X),
                       std::span<const N4::ctnn_t::output_type>(e.d.Y), ctnn::cross_entropy{}, opt,
                       st, {.epochs = 1, .batch_size = batch, .shuffle = true, .shuffle_seed = seed++});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(e.d.X.size()));
}
void epoch_hand(benchmark::State& state) {
  auto& e = digits_data();
  auto net = std::make_unique<N4::hand_t>();
  net->assign(initial_net<N4>().flat());
  const std::size_t n = e.d.X.size();
  for (auto _ : state) {
    float l = 0;
    for (std::size_t first = 0; first < n; first += batch)
      l += net->train_batch(e.d.X, e.d.Y, e.perm.data() + first, std::min(batch, n - first),
                            learning_rate);
    benchmark::DoNotOptimize(l);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}
void epoch_eigen(benchmark::State& state) {
  auto& e = digits_data();
  using EB = N4::eigen_t<static_cast<int>(batch)>;
  auto net = std::make_unique<EB>();
  net->assign(initial_net<N4>().flat());
  auto xb = std::make_unique<EB::input_t>();
  auto yb = std::make_unique<EB::output_t>();
  const std::size_t n = e.d.X.size();
  for (auto _ : state) {
    float l = 0;
    for (std::size_t first = 0; first < n; first += batch) {
      const std::size_t m = std::min(batch, n - first);
      to_eigen_in<EB, N4::ctnn_t>(*xb, e.d.X, e.perm.data() + first, m);
      to_eigen_out<EB, N4::ctnn_t>(*yb, e.d.Y, e.perm.data() + first, m);
      l += net->train_step(*xb, *yb, learning_rate, static_cast<int>(m));
    }
    benchmark::DoNotOptimize(l);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

template <class Impl, void (Impl::*Call)(), std::size_t Items>
void run(benchmark::State& state) {
  auto impl = std::make_unique<Impl>();
  for (auto _ : state) ((*impl).*Call)();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(Items));
}

template <class S>
void register_network() {
  const std::string n = S::name;
  benchmark::RegisterBenchmark(("a.forward/" + n + "/ctnn").c_str(), run<ctnn_impl<S>, &ctnn_impl<S>::forward, 1>);
  benchmark::RegisterBenchmark(("a.forward/" + n + "/hand").c_str(), run<hand_impl<S>, &hand_impl<S>::forward, 1>);
  benchmark::RegisterBenchmark(("a.forward/" + n + "/eigen").c_str(), run<eigen_impl<S>, &eigen_impl<S>::forward, 1>);
  benchmark::RegisterBenchmark(("b.train1/" + n + "/ctnn").c_str(), run<ctnn_impl<S>, &ctnn_impl<S>::train1, 1>);
  benchmark::RegisterBenchmark(("b.train1/" + n + "/hand").c_str(), run<hand_impl<S>, &hand_impl<S>::train1, 1>);
  benchmark::RegisterBenchmark(("b.train1/" + n + "/eigen").c_str(), run<eigen_impl<S>, &eigen_impl<S>::train1, 1>);
  benchmark::RegisterBenchmark(("c.train32/" + n + "/ctnn").c_str(), run<ctnn_impl<S>, &ctnn_impl<S>::train32, batch>);
  benchmark::RegisterBenchmark(("c.train32/" + n + "/hand").c_str(), run<hand_impl<S>, &hand_impl<S>::train32, batch>);
  benchmark::RegisterBenchmark(("c.train32/" + n + "/eigen").c_str(), run<eigen_impl<S>, &eigen_impl<S>::train32, batch>);
  benchmark::RegisterBenchmark(("e.forward32/" + n + "/ctnn").c_str(), run<ctnn_impl<S>, &ctnn_impl<S>::forward32, batch>);
  benchmark::RegisterBenchmark(("e.forward32/" + n + "/hand").c_str(), run<hand_impl<S>, &hand_impl<S>::forward32, batch>);
  benchmark::RegisterBenchmark(("e.forward32/" + n + "/eigen").c_str(), run<eigen_impl<S>, &eigen_impl<S>::forward32, batch>);
}

// ---------------------------------------------------------------------------------------------
// Summary: ratios, FLOP peak, worst case
// ---------------------------------------------------------------------------------------------

struct result {
  double ns = 0;     // CPU time per iteration, ns
  double items = 1;  // samples per iteration
  bool median = false;
};

class capture_reporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, result> results;
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const bool is_median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Aggregate && !is_median) continue;
      std::string name = r.run_name.function_name;
      auto& slot = results[name];
      if (slot.median && !is_median) continue;  // keep the median once there is one
      const double per_iter_ns = r.GetAdjustedCPUTime() *
                                 benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                                 benchmark::GetTimeUnitMultiplier(r.time_unit);
      double items = 1;
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end() && r.GetAdjustedCPUTime() > 0) {
        // items/s * s/iteration
        items = it->second.value * (per_iter_ns * 1e-9);
        items = std::round(items);
        if (items < 1) items = 1;
      }
      slot = {per_iter_ns, items, is_median};
    }
  }
};

/// Thread CPU time in ns (what the minimum-of-bursts measurements below use: time the thread
/// was descheduled on a shared machine does not count).
double thread_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/// Cycles per second while this thread runs, measured: chains of dependent integer additions
/// (one cycle each), the fastest of many short bursts. (/proc/cpuinfo's "cpu MHz" is the
/// nominal rate; the core boosts above it.)
double measure_hz() {
#if defined(__x86_64__)
  double best = 0;
  for (int rep = 0; rep < 200; ++rep) {
    std::uint64_t x = 0;
    constexpr std::uint64_t iters = 10'000;  // x 10 additions: ~30 us
    const double t0 = thread_ns();
    for (std::uint64_t i = 0; i < iters; ++i)
      asm volatile(
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
          : "+r"(x));
    const double ns = thread_ns() - t0;
    if (ns > 0) best = std::max(best, static_cast<double>(iters * 10) / ns * 1e9);
    benchmark::DoNotOptimize(x);
  }
  return best;
#else
  return 0;
#endif
}

double cpuinfo_hz() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("cpu MHz", 0) == 0) return std::stod(line.substr(line.find(':') + 1)) * 1e6;
  return 0;
}

struct latency {
  double median = 0, p999 = 0, max = 0;
};

template <class F>
latency time_calls(F&& f, std::size_t calls) {
  std::vector<std::uint32_t> ns(calls);
  for (std::size_t i = 0; i < std::min<std::size_t>(calls, 10000); ++i) f();  // warm up
  for (std::size_t i = 0; i < calls; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    ns[i] = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
  std::sort(ns.begin(), ns.end());
  latency l;
  l.median = ns[calls / 2];
  l.p999 = ns[std::min(calls - 1, calls * 999 / 1000)];
  l.max = ns.back();
  return l;
}

template <class S>
void worst_case_rows(std::size_t calls) {
  auto c = std::make_unique<ctnn_impl<S>>();
  auto h = std::make_unique<hand_impl<S>>();
  auto e = std::make_unique<eigen_impl<S>>();
  const latency r[6] = {
      time_calls([&] { c->forward(); }, calls), time_calls([&] { h->forward(); }, calls),
      time_calls([&] { e->forward(); }, calls), time_calls([&] { c->train1(); }, calls),
      time_calls([&] { h->train1(); }, calls),  time_calls([&] { e->train1(); }, calls)};
  const char* rows[2] = {"a forward", "b train 1"};
  for (int row = 0; row < 2; ++row) {
    std::printf("| %-9s | %s |", rows[row], S::name);
    for (int i = 0; i < 3; ++i) {
      const latency& l = r[row * 3 + i];
      std::printf(" %6.0f / %6.0f / %7.0f |", l.median, l.p999, l.max);
    }
    std::printf("\n");
  }
}

void print_summary(const capture_reporter& rep, double hz, bool real_digits) {
  auto get = [&](const std::string& n) -> const result* {
    auto it = rep.results.find(n);
    return it == rep.results.end() ? nullptr : &it->second;
  };
  std::printf("\n## ctnn benchmark summary (%s)\n\n", CTNN_BENCH_CONFIG);
  std::printf("CPU time per sample in ns (median over repetitions when repeated); ratio < 1: ctnn faster.\n\n");
  std::printf("| row | net | ctnn ns | hand ns | Eigen ns | ctnn/hand | ctnn/Eigen |\n");
  std::printf("|-----|-----|--------:|--------:|---------:|----------:|-----------:|\n");
  const char* rows[] = {"a.forward", "b.train1", "c.train32", "e.forward32", "d.epoch"};
  const char* nets[] = {"N1", "N2", "N3", "N4"};
  for (const char* row : rows) {
    for (const char* net : nets) {
      const std::string base = std::string(row) + "/" + net + "/";
      const result* c = get(base + "ctnn");
      const result* h = get(base + "hand");
      const result* e = get(base + "eigen");
      if (!c) continue;
      auto per = [](const result* r) { return r ? r->ns / r->items : 0.0; };
      std::printf("| %s | %s | %8.1f | %8.1f | %8.1f | %6.2f | %6.2f |\n", row, net, per(c), per(h),
                  per(e), h ? per(c) / per(h) : 0.0, e ? per(c) / per(e) : 0.0);
    }
  }
  if (const result* c = get("d.epoch/N4/ctnn")) {
    const result* h = get("d.epoch/N4/hand");
    const result* e = get("d.epoch/N4/eigen");
    std::printf("\nd: one epoch of N4 on %s (%.0f samples, batch 32): ctnn %.3f ms, hand %.3f ms, "
                "Eigen %.3f ms\n",
                real_digits ? "examples/data/digits_train.csv" : "random data", c->items,
                c->ns * 1e-6, h ? h->ns * 1e-6 : 0.0, e ? e->ns * 1e-6 : 0.0);
  }
  if (hz > 0) {
    const double peak = 32.0 * hz;
    std::printf("\n### FLOP peak on N3 (32 SP FLOP/cycle at %.3f GHz measured = %.1f GFLOP/s)\n\n",
                hz * 1e-9, peak * 1e-9);
    std::printf("FLOP per sample: forward %.0f, training step %.0f (2 per multiply-add: W x, "
                "delta x^T, W^T delta except the first layer)\n\n",
                forward_flop<N3::ctnn_t>(), training_flop<N3::ctnn_t>());
    std::printf("| row | ctnn | hand | Eigen |\n|-----|-----:|-----:|------:|\n");
    struct row_def {
      const char* name;
      double flop;
    } defs[] = {{"a.forward", forward_flop<N3::ctnn_t>()},
                {"e.forward32", forward_flop<N3::ctnn_t>()},
                {"b.train1", training_flop<N3::ctnn_t>()},
                {"c.train32", training_flop<N3::ctnn_t>()}};
    for (const auto& d : defs) {
      std::printf("| %s |", d.name);
      for (const char* impl : {"ctnn", "hand", "eigen"}) {
        const result* r = get(std::string(d.name) + "/N3/" + impl);
        const double frac = r ? d.flop / (r->ns / r->items * 1e-9) / peak : 0.0;
        std::printf(" %5.1f %% |", 100.0 * frac);
      }
      std::printf("\n");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  bool smoke = false;
  std::size_t worst_calls = 1'000'000;
  std::vector<char*> kept;
  static char min_time[] = "--benchmark_min_time=0.001";
  static char reps[] = "--benchmark_repetitions=1";
  for (char* a : args) {
    if (std::strcmp(a, "--smoke") == 0) {
      smoke = true;
    } else if (std::strcmp(a, "--ftz") == 0) {
#if defined(__SSE__) || defined(__x86_64__)
      _mm_setcsr(_mm_getcsr() | 0x8040);  // flush subnormal results and inputs to zero
#endif
    } else if (std::strncmp(a, "--worst_case_calls=", 19) == 0) {
      worst_calls = static_cast<std::size_t>(std::strtoull(a + 19, nullptr, 10));
    } else {
      kept.push_back(a);
    }
  }
  if (smoke) {
    kept.push_back(min_time);
    kept.push_back(reps);
    worst_calls = 1000;
  }
  int n = static_cast<int>(kept.size());
  benchmark::Initialize(&n, kept.data());
  if (benchmark::ReportUnrecognizedArguments(n, kept.data())) return 1;

  register_network<N1>();
  register_network<N2>();
  register_network<N3>();
  register_network<N4>();
  benchmark::RegisterBenchmark("d.epoch/N4/ctnn", epoch_ctnn)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("d.epoch/N4/hand", epoch_hand)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("d.epoch/N4/eigen", epoch_eigen)->Unit(benchmark::kMillisecond);

  std::printf("config: %s; ctnn::batch_tile = %zu; simd_bytes = %zu\n", CTNN_BENCH_CONFIG,
              ctnn::batch_tile, ctnn::detail::simd_bytes);
  const double hz = measure_hz();
  std::printf("cycle rate: %.3f GHz measured (dependent adds), /proc/cpuinfo says %.3f GHz\n",
              hz * 1e-9, cpuinfo_hz() * 1e-9);

  capture_reporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  print_summary(rep, hz, digits_data().real);

  if (worst_calls > 0) {
    std::printf("\n### Latency over %zu calls (ns, steady_clock per call): median / 99.9th "
                "percentile / maximum\n\n",
                worst_calls);
    const latency empty = time_calls([] {}, worst_calls);
    std::printf("(an empty call measures %.0f / %.0f / %.0f: the clock's own cost)\n\n",
                empty.median, empty.p999, empty.max);
    std::printf("| row | net | ctnn | hand | Eigen |\n|-----|-----|-----:|-----:|------:|\n");
    worst_case_rows<N1>(worst_calls);
    worst_case_rows<N2>(worst_calls);
    worst_case_rows<N3>(worst_calls);
    worst_case_rows<N4>(worst_calls);
  }
  benchmark::Shutdown();
  return 0;
}
