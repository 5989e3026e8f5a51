// SPDX-License-Identifier: MIT
// Tests for <ctnn/batch.hpp>: batched forward, loss and backward give the very bits of
// per-sample execution (every z and a, every loss, every accumulated gradient) for several
// networks, losses, element types, tile sizes and partial tiles; the same in constant
// expressions; train_batch's batched path (run time) equals its per-sample path (what constant
// evaluation runs), so fit gives the same network at compile time and at run time; the tile
// layout; and the fixed-order kernels against plainly written loops.
#include <ctnn/batch.hpp>
#include <ctnn/train.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

namespace {

template <class T>
constexpr auto bits(T v) {
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(v);
  else return std::bit_cast<std::uint64_t>(v);
}

template <class T>
constexpr T uniform(std::uint64_t& s, double lo, double hi) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<T>(lo + (hi - lo) * (static_cast<double>(s >> 11) * (1.0 / 9007199254740992.0)));
}

template <class Net>
constexpr Net make_net(std::uint64_t seed, double scale = 0.6) {
  Net n{};
  std::uint64_t s = seed;
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    n[k] = uniform<typename Net::value_type>(s, -scale, scale);
  return n;
}

/// n inputs in [-2, 2]; targets one-hot (several outputs) or in [0, 1] (one output).
template <class Net>
struct data_set {
  std::vector<typename Net::input_type> X;
  std::vector<typename Net::output_type> Y;
  explicit data_set(std::size_t n, std::uint64_t seed = 99) : X(n), Y(n) {
    using T = typename Net::value_type;
    std::uint64_t s = seed;
    for (auto& x : X)
      for (auto& v : x) v = uniform<T>(s, -2, 2);
    for (auto& y : Y) {
      y = {};
      if constexpr (Net::output_size == 1) {
        y[0] = uniform<T>(s, 0, 1);
      } else {
        const auto c = static_cast<std::size_t>(uniform<double>(s, 0, 1) * Net::output_size);
        y[c < Net::output_size ? c : 0] = T(1);
      }
    }
  }
  std::span<const typename Net::input_type> xs() const { return X; }
  std::span<const typename Net::output_type> ys() const { return Y; }
};

/// A permutation-like order (sample k -> (k * 7 + 3) mod n) to check that samples are gathered.
struct scrambled {
  std::size_t n;
  constexpr std::size_t operator()(std::size_t k) const noexcept { return (k * 7 + 3) % n; }
};

using N1 = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                         ctnn::dense<1, ctnn::sigmoid>>;
using N2 = ctnn::network<float, ctnn::input<16>, ctnn::dense<32, ctnn::tanh>,
                         ctnn::dense<32, ctnn::tanh>, ctnn::dense<4, ctnn::tanh>>;
using N4 = ctnn::network<float, ctnn::input<64>, ctnn::dense<32, ctnn::tanh>,
                         ctnn::dense<10, ctnn::softmax>>;
// Odd widths (remainder lanes, fewer than 8 inputs, remainder rows), every activation, double.
using Odd = ctnn::network<double, ctnn::input<11>, ctnn::dense<13, ctnn::elu<1, 2>>,
                          ctnn::dense<5, ctnn::gelu>, ctnn::dense<9, ctnn::leaky_relu<>>,
                          ctnn::dense<7, ctnn::softplus>, ctnn::dense<3, ctnn::softmax>>;
using N3s = ctnn::network<float, ctnn::input<20>, ctnn::dense<17, ctnn::relu>,
                          ctnn::dense<9, ctnn::tanh>, ctnn::dense<3, ctnn::relu>>;
using Tiny = ctnn::network<float, ctnn::input<5>, ctnn::dense<6, ctnn::tanh>,
                           ctnn::dense<3, ctnn::softmax>>;
using TinyOdd = ctnn::network<double, ctnn::input<9>, ctnn::dense<3, ctnn::elu<>>,
                              ctnn::dense<2, ctnn::sigmoid>>;
using Mixed = ctnn::network<float, ctnn::input<19>, ctnn::dense<17, ctnn::relu>,
                            ctnn::dense<6, ctnn::identity>, ctnn::dense<2, ctnn::sigmoid>>;

/// Forward of a tile against net.forward(x, trace) for each sample: every z and a, bit for bit.
template <class Net, std::size_t B, class Order = ctnn::in_order>
bool forward_matches(const Net& net, std::span<const typename Net::input_type> X,
                     std::size_t first, std::size_t last, const Order& order = {}) {
  ctnn::batch_trace<Net, B> bt{};
  bt.load(X, first, last, order);
  ctnn::forward_batch(net, bt);
  bool ok = bt.count == last - first;
  for (std::size_t s = 0; s < bt.count; ++s) {
    const auto t = net.traced(X[order(first + s)]);
    ctnn::detail::static_for<Net::layer_count>([&](auto Ic) {
      constexpr std::size_t I = decltype(Ic)::value;
      for (std::size_t j = 0; j < Net::widths[I + 1]; ++j) {
        ok = ok && bits(bt.template z_at<I>(j, s)) == bits(t.template layer<I>().z[j]);
        ok = ok && bits(bt.template a_at<I>(j, s)) == bits(t.template layer<I>().a[j]);
      }
    });
    for (std::size_t i = 0; i < Net::input_size; ++i)
      ok = ok && bits(bt.input_at(i, s)) == bits(t.input[i]);
  }
  return ok;
}

/// Per-sample reference: the loop ctnn::train_batch runs for one sample at a time.
template <class Net, class Loss, class Order>
typename Net::value_type per_sample(const Net& net, std::span<const typename Net::input_type> X,
                                    std::span<const typename Net::output_type> Y, const Loss& loss,
                                    ctnn::gradients<Net>& g, std::size_t first, std::size_t last,
                                    const Order& order) {
  typename Net::value_type total = 0;
  typename Net::trace_type t{};
  typename Net::output_type d{};
  for (std::size_t k = first; k < last; ++k) {
    net.forward(X[order(k)], t);
    total += ctnn::loss_and_output_delta(loss, t, Y[order(k)], d);
    ctnn::backward_from_output_delta(net, t, d, g);
  }
  return total;
}

template <class P>
constexpr bool bit_equal(const P& a, const P& b) {
  for (std::size_t k = 0; k < P::parameter_count; ++k)
    if (bits(a[k]) != bits(b[k])) return false;
  return true;
}

/// accumulate_batch (tiles of B) against the per-sample loop: summed loss and every gradient,
/// starting from non-zero gradients (accumulation continues what is there).
template <class Net, std::size_t B, class Loss, class Order = ctnn::in_order>
bool training_matches(const Loss& loss, std::size_t n, const Order& order = {},
                      std::uint64_t seed = 5) {
  const Net net = make_net<Net>(seed);
  const data_set<Net> d(n, seed + 1);
  ctnn::gradients<Net> g1{}, g2{};
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    g1[k] = g2[k] = static_cast<typename Net::value_type>(0.001 * static_cast<double>(k % 7));
  const auto l1 = per_sample(net, d.xs(), d.ys(), loss, g1, 0, n, order);
  const auto l2 = ctnn::detail::accumulate_batch<B>(net, d.xs(), d.ys(), loss, g2, 0, n, order);
  const bool ok = bits(l1) == bits(l2) && bit_equal(g1, g2) && g1.samples == g2.samples &&
                  g2.samples == n;
  if (!ok) {
    std::size_t diff = 0;
    for (std::size_t k = 0; k < Net::parameter_count; ++k) diff += bits(g1[k]) != bits(g2[k]);
    UNSCOPED_INFO("loss " << l1 << " vs " << l2 << ", " << diff << " gradients differ");
  }
  return ok;
}

}  // namespace

TEST_CASE("batch_trace: layout, offsets, load and zero padding", "[batch]") {
  using bt_t = ctnn::batch_trace<N2, 8>;
  STATIC_REQUIRE(bt_t::tile == 8);
  STATIC_REQUIRE(bt_t::layer_offset<0> == 0);
  STATIC_REQUIRE(bt_t::layer_offset<1> == 32 * 8);
  STATIC_REQUIRE(bt_t::layer_offset<2> == 64 * 8);
  STATIC_REQUIRE(std::tuple_size_v<decltype(bt_t::z)> == (32 + 32 + 4) * 8);
  STATIC_REQUIRE(std::tuple_size_v<bt_t::output_block> == 4 * 8);
  STATIC_REQUIRE(bt_t::sample_block >= 1);
  STATIC_REQUIRE(8 % bt_t::sample_block == 0);
  STATIC_REQUIRE(ctnn::batch_trace_bytes<N2, 8> == sizeof(bt_t) + sizeof(bt_t::output_block));
  STATIC_REQUIRE(ctnn::batch_tile >= 1);
  STATIC_REQUIRE(ctnn::detail::sample_block<float, 3> == 1);
  STATIC_REQUIRE(ctnn::detail::sample_block<double, 1> == 1);

  const data_set<N2> d(5);
  bt_t bt{};
  for (auto& v : bt.input) v = 7.f;  // stale values must be replaced by zero padding
  bt.load(d.xs(), 1, 4, scrambled{5});
  CHECK(bt.count == 3);
  CHECK(bt.active() % bt_t::sample_block == 0);
  CHECK(bt.active() >= 3);
  for (std::size_t s = 0; s < 3; ++s) {
    CHECK(bt.sample[s] == scrambled{5}(1 + s));
    for (std::size_t i = 0; i < 16; ++i) CHECK(bt.input_at(i, s) == d.X[bt.sample[s]][i]);
  }
  for (std::size_t s = 3; s < bt.active(); ++s)
    for (std::size_t i = 0; i < 16; ++i) CHECK(bt.input_at(i, s) == 0.f);

  bt.load(d.xs(), 0, 5);  // more than B samples: only B are taken
  bt_t small{};
  small.load(std::span(d.X).first(2));
  CHECK(small.count == 2);
  CHECK(small.sample[1] == 1);
}

TEST_CASE("forward_batch: every z and a bit-identical to net.forward(x, trace)", "[batch]") {
  const data_set<N2> d2(40);
  const N2 n2 = make_net<N2>(1);
  CHECK(forward_matches<N2, 16>(n2, d2.xs(), 0, 16));
  CHECK(forward_matches<N2, 16>(n2, d2.xs(), 3, 8));             // partial tile
  CHECK(forward_matches<N2, 16>(n2, d2.xs(), 0, 16, scrambled{40}));
  CHECK(forward_matches<N2, 1>(n2, d2.xs(), 5, 6));
  CHECK(forward_matches<N2, 3>(n2, d2.xs(), 0, 3));
  CHECK(forward_matches<N2, 32>(n2, d2.xs(), 2, 33));

  const data_set<N4> d4(20);
  const N4 n4 = make_net<N4>(2, 0.3);
  CHECK(forward_matches<N4, 16>(n4, d4.xs(), 0, 16));  // softmax across samples
  CHECK(forward_matches<N4, 8>(n4, d4.xs(), 11, 19));
  CHECK(forward_matches<N4, 4>(n4, d4.xs(), 0, 1));

  const data_set<Odd> dodd(20);
  const Odd nodd = make_net<Odd>(3);
  CHECK(forward_matches<Odd, 16>(nodd, dodd.xs(), 0, 13));
  CHECK(forward_matches<Odd, 6>(nodd, dodd.xs(), 0, 6));
  CHECK(forward_matches<Odd, 5>(nodd, dodd.xs(), 2, 4));

  const data_set<N1> d1(20);
  const N1 n1 = make_net<N1>(4, 2.0);
  CHECK(forward_matches<N1, 16>(n1, d1.xs(), 0, 16));
  CHECK(forward_matches<N1, 2>(n1, d1.xs(), 0, 2));

  const data_set<Mixed> dm(20);
  CHECK(forward_matches<Mixed, 16>(make_net<Mixed>(5), dm.xs(), 1, 17));
}

TEST_CASE("forward_batch over a data set equals net.forward for every sample", "[batch]") {
  const data_set<N2> d(37);
  const N2 net = make_net<N2>(8);
  std::vector<N2::output_type> y(37);
  ctnn::batch_trace<N2, 16> bt{};
  ctnn::forward_batch(net, d.xs(), std::span<N2::output_type>(y), bt);
  for (std::size_t s = 0; s < 37; ++s) {
    const auto ref = net.forward(d.X[s]);
    for (std::size_t j = 0; j < 4; ++j) CHECK(bits(y[s][j]) == bits(ref[j]));
  }
  // A shorter Y limits the count.
  std::vector<N2::output_type> y2(3, N2::output_type{{9.f, 9.f, 9.f, 9.f}});
  ctnn::forward_batch(net, d.xs(), std::span<N2::output_type>(y2).first(2), bt);
  CHECK(bits(y2[1][0]) == bits(net.forward(d.X[1])[0]));
  CHECK(y2[2][0] == 9.f);
}

TEST_CASE("batched loss, output delta and gradients bit-identical to per-sample", "[batch]") {
  // fused softmax + cross-entropy (the vectorised path), fused sigmoid + BCE (generic fused
  // path), MSE and Huber (loss.gradient + activation vjp), MAE after softmax (a vector
  // activation's vjp).
  CHECK(training_matches<N4, 16>(ctnn::cross_entropy{}, 32));
  CHECK(training_matches<N4, 16>(ctnn::cross_entropy{}, 21, scrambled{21}));
  CHECK(training_matches<N4, 8>(ctnn::cross_entropy{}, 3));
  CHECK(training_matches<N4, 16>(ctnn::mse{}, 19));
  CHECK(training_matches<N4, 16>(ctnn::mae{}, 17));
  CHECK(training_matches<N1, 16>(ctnn::bce{}, 20));
  CHECK(training_matches<N1, 16>(ctnn::mse{}, 33, scrambled{33}));
  CHECK(training_matches<N1, 1>(ctnn::mse{}, 5));
  CHECK(training_matches<N2, 16>(ctnn::mse{}, 40));
  CHECK(training_matches<N2, 32>(ctnn::huber{0.5}, 40));
  CHECK(training_matches<N2, 5>(ctnn::mse{}, 12));
  CHECK(training_matches<Odd, 16>(ctnn::cross_entropy{}, 23));
  CHECK(training_matches<Odd, 4>(ctnn::mse{}, 9));
  CHECK(training_matches<Mixed, 16>(ctnn::bce{}, 18));
}

TEST_CASE("loss_and_output_delta_batch: zero delta in unused lanes, loss summed in order",
          "[batch]") {
  using bt_t = ctnn::batch_trace<N4, 16>;
  const N4 net = make_net<N4>(11, 0.3);
  const data_set<N4> d(5);
  bt_t bt{};
  bt.load(d.xs(), 0, 5);
  ctnn::forward_batch(net, bt);
  bt_t::output_block delta{};
  for (auto& v : delta) v = 3.f;
  float total = 1.5f;
  ctnn::loss_and_output_delta_batch(ctnn::cross_entropy{}, bt, d.ys(), total, delta);
  float ref = 1.5f;
  for (std::size_t s = 0; s < 5; ++s) {
    const auto t = net.traced(d.X[s]);
    N4::output_type dz{};
    ref += ctnn::loss_and_output_delta(ctnn::cross_entropy{}, t, d.Y[s], dz);
    for (std::size_t j = 0; j < 10; ++j) CHECK(bits(delta[j * 16 + s]) == bits(dz[j]));
  }
  CHECK(bits(total) == bits(ref));
  for (std::size_t s = 5; s < bt.active(); ++s)
    for (std::size_t j = 0; j < 10; ++j) CHECK(delta[j * 16 + s] == 0.f);
}

namespace {

/// Everything in a constant expression: a tile's forward, loss and backward against the
/// per-sample path, compared bit for bit.
template <class Net, std::size_t B, class Loss>
constexpr bool constexpr_batch_matches(Loss loss, std::size_t n) {
  const Net net = make_net<Net>(21);
  std::array<typename Net::input_type, 12> X{};
  std::array<typename Net::output_type, 12> Y{};
  std::uint64_t s = 5;
  for (auto& x : X)
    for (auto& v : x) v = uniform<typename Net::value_type>(s, -2, 2);
  for (std::size_t k = 0; k < X.size(); ++k) Y[k][k % Net::output_size] = 1;
  const std::span<const typename Net::input_type> xs(X.data(), n);
  const std::span<const typename Net::output_type> ys(Y.data(), n);

  ctnn::gradients<Net> g1{}, g2{};
  typename Net::value_type l1 = 0;
  typename Net::trace_type t{};
  typename Net::output_type d{};
  for (std::size_t k = 0; k < n; ++k) {
    net.forward(xs[k], t);
    l1 += ctnn::loss_and_output_delta(loss, t, ys[k], d);
    ctnn::backward_from_output_delta(net, t, d, g1);
  }
  const auto l2 = ctnn::detail::accumulate_batch<B>(net, xs, ys, loss, g2, 0, n, ctnn::in_order{});

  // and a plain forward_batch tile against traced()
  ctnn::batch_trace<Net, B> bt{};
  bt.load(xs, 0, n < B ? n : B);
  ctnn::forward_batch(net, bt);
  bool ok = bits(l1) == bits(l2) && bit_equal(g1, g2) && g1.samples == g2.samples;
  for (std::size_t k = 0; k < bt.count; ++k) {
    const auto y = net.forward(xs[k]);
    const auto y2 = bt.output(k);
    for (std::size_t j = 0; j < Net::output_size; ++j) ok = ok && bits(y[j]) == bits(y2[j]);
  }
  return ok;
}

}  // namespace

TEST_CASE("batched execution is a constant expression with the per-sample results",
          "[batch][constexpr]") {
  // (small networks: clang's default constant-evaluation budget is 2^20 steps)
  STATIC_REQUIRE(constexpr_batch_matches<Tiny, 4>(ctnn::cross_entropy{}, 6));
  STATIC_REQUIRE(constexpr_batch_matches<N1, 8>(ctnn::bce{}, 11));
  STATIC_REQUIRE(constexpr_batch_matches<TinyOdd, 3>(ctnn::mse{}, 7));
  // ... and at run time the same function agrees too.
  CHECK(constexpr_batch_matches<Tiny, 4>(ctnn::cross_entropy{}, 6));
  CHECK(constexpr_batch_matches<TinyOdd, 3>(ctnn::mse{}, 7));
  CHECK(constexpr_batch_matches<N4, 16>(ctnn::cross_entropy{}, 12));
}

namespace {

template <class Net>
struct fitted {
  Net net;
  ctnn::fit_report report;
};

/// ctnn::fit on 12 samples, batches of 5 (two full batches and one of 2): per-sample path in a
/// constant expression, batched path at run time.
template <class Net, class Loss, class Opt>
constexpr fitted<Net> fit_small(Loss loss, Opt opt) {
  std::array<typename Net::input_type, 12> X{};
  std::array<typename Net::output_type, 12> Y{};
  std::uint64_t s = 17;
  for (auto& x : X)
    for (auto& v : x) v = uniform<typename Net::value_type>(s, -1, 1);
  for (std::size_t k = 0; k < X.size(); ++k) Y[k][(k * 5 + 1) % Net::output_size] = 1;
  fitted<Net> f{make_net<Net>(31, 0.4), {}};
  f.report = ctnn::fit(f.net, std::span<const typename Net::input_type>(X),
                       std::span<const typename Net::output_type>(Y), loss, opt,
                       {.epochs = 2, .batch_size = 5, .shuffle = true, .shuffle_seed = 4});
  return f;
}

using Small = ctnn::network<float, ctnn::input<9>, ctnn::dense<7, ctnn::tanh>,
                            ctnn::dense<4, ctnn::softmax>>;

}  // namespace

TEST_CASE("fit: the network trained at compile time equals the one trained at run time",
          "[batch][fit]") {
  constexpr auto ct = fit_small<Small>(ctnn::cross_entropy{}, ctnn::sgd{0.2});
  const auto rt = fit_small<Small>(ctnn::cross_entropy{}, ctnn::sgd{0.2});
  STATIC_REQUIRE(ct.report.status == ctnn::status::ok);
  CHECK(rt.report.status == ctnn::status::ok);
  CHECK(bits(ct.report.final_loss) == bits(rt.report.final_loss));
  CHECK(bit_equal(ct.net, rt.net));
  CHECK(!bit_equal(ct.net, make_net<Small>(31, 0.4)));  // it did train

  constexpr auto ct2 = fit_small<Small>(ctnn::mse{}, ctnn::adam{0.01});
  const auto rt2 = fit_small<Small>(ctnn::mse{}, ctnn::adam{0.01});
  CHECK(bit_equal(ct2.net, rt2.net));
}

TEST_CASE("train_batch: batched run-time path equals the per-sample path", "[batch][train]") {
  const data_set<N4> d(45);
  N4 a = make_net<N4>(41, 0.3), b = a;
  ctnn::gradient_descent opt{0.1};
  ctnn::gradient_descent<double>::state<N4> sa{}, sb{};
  ctnn::gradients<N4> ga{}, gb{};
  const scrambled order{45};
  // a: train_batch (batched at run time for more than one sample)
  const float la = ctnn::train_batch(a, d.xs(), d.ys(), ctnn::cross_entropy{}, opt, sa, 0.1f, ga,
                                     2, 39, order);
  // b: the per-sample loop, mean, update, by hand
  gb.clear();
  const float lb = per_sample(b, d.xs(), d.ys(), ctnn::cross_entropy{}, gb, 2, 39, order);
  gb.scale(1.f / 37.f);
  opt.step(b, gb, sb, 0.1);
  CHECK(bits(la) == bits(lb));
  CHECK(bit_equal(ga, gb));
  CHECK(bit_equal(a, b));
  CHECK(ga.samples == 37);

  // One sample: the per-sample path, no scaling (x 1 is exact).
  const float l1 = ctnn::train_batch(a, d.xs(), d.ys(), ctnn::cross_entropy{}, opt, sa, 0.1f, ga,
                                     7, 8, order);
  gb.clear();
  const float l1b = per_sample(b, d.xs(), d.ys(), ctnn::cross_entropy{}, gb, 7, 8, order);
  opt.step(b, gb, sb, 0.1);
  CHECK(bits(l1) == bits(l1b));
  CHECK(bit_equal(a, b));
}

TEST_CASE("train_batch: one sample (gradients overwritten, no dL/dx of the input) agrees",
          "[batch][train]") {
  const data_set<N3s> d(8);
  for (const double momentum : {0.0, 0.9}) {
    N3s a = make_net<N3s>(61, 0.3), b = a;
    const ctnn::sgd opt{0.05, momentum};
    ctnn::sgd<double>::state<N3s> sa{}, sb{};
    ctnn::gradients<N3s> ga{}, gb{};
    for (std::size_t k = 0; k < 8; ++k) {
      const float la = ctnn::train_batch(a, d.xs(), d.ys(), ctnn::mse{}, opt, sa, 0.05f, ga, k,
                                         k + 1, ctnn::in_order{});
      gb.clear();
      const float lb = per_sample(b, d.xs(), d.ys(), ctnn::mse{}, gb, k, k + 1, ctnn::in_order{});
      opt.step(b, gb, sb, 0.05f);
      CHECK(bits(la) == bits(lb));
      CHECK(bit_equal(ga, gb));
      CHECK(ga.samples == 1);
    }
    CHECK(bit_equal(a, b));
    CHECK(sa.step == 8);
    CHECK(sa == sb);
  }
}

TEST_CASE("train_batch: one sample with a non-finite gradient changes nothing", "[batch][train]") {
  data_set<N3s> d(4);
  N3s net = make_net<N3s>(71, 0.3);
  const N3s before = net;
  ctnn::gradient_descent opt{0.1};
  ctnn::gradient_descent<double>::state<N3s> st{};
  ctnn::gradients<N3s> g{};
  d.X[2][5] = std::numeric_limits<float>::infinity();
  const float l = ctnn::train_batch(net, d.xs(), d.ys(), ctnn::mse{}, opt, st, 0.1f, g, 2, 3,
                                    ctnn::in_order{});
  CHECK(!std::isfinite(l));
  CHECK(bit_equal(net, before));
  CHECK(st.step == 0);
  // and a finite input afterwards trains
  d.X[2][5] = 0.5f;
  const float l2 = ctnn::train_batch(net, d.xs(), d.ys(), ctnn::mse{}, opt, st, 0.1f, g, 2, 3,
                                     ctnn::in_order{});
  CHECK(std::isfinite(l2));
  CHECK(!bit_equal(net, before));
  CHECK(st.step == 1);
}

TEST_CASE("train_batch: a non-finite gradient leaves the network unchanged", "[batch][train]") {
  data_set<N2> d(20);
  N2 net = make_net<N2>(51);
  const N2 before = net;
  ctnn::sgd opt{0.1};
  ctnn::sgd<double>::state<N2> st{};
  ctnn::gradients<N2> g{};
  d.Y[3][0] = 1e30f;  // (y' - y)^2 overflows: loss and gradient become infinite
  const float l = ctnn::train_batch(net, d.xs(), d.ys(), ctnn::mse{}, opt, st, 0.1f, g, 0, 20,
                                    ctnn::in_order{});
  CHECK(!std::isfinite(l));
  CHECK(bit_equal(net, before));
  CHECK(st.step == 0);
}

TEST_CASE("sum_of_squares: every parameter, in the documented order", "[batch]") {
  ctnn::gradients<Mixed> g{};
  double ref = 0;
  for (std::size_t k = 0; k < Mixed::parameter_count; ++k) {
    g[k] = static_cast<float>(k % 5) * 0.5f;
    ref += static_cast<double>(g[k]) * static_cast<double>(g[k]);
  }
  const float s = ctnn::detail::sum_of_squares(g);
  CHECK(static_cast<double>(s) == Approx(ref).epsilon(1e-6));
  // All values exactly representable and the sum < 2^24: no rounding, exact.
  CHECK(static_cast<double>(s) == ref);
  g[Mixed::parameter_count - 1] = std::numeric_limits<float>::infinity();
  CHECK(!std::isfinite(ctnn::detail::sum_of_squares(g)));
}

TEST_CASE("kernels: fixed orders match plainly written loops", "[batch][kernels]") {
  // dot(): 8 lanes, pairwise combination; fewer than 8 terms left to right.
  std::array<float, 19> w{}, x{};
  for (std::size_t i = 0; i < 19; ++i) {
    w[i] = 1.f + 1e-7f * static_cast<float>(i * 37 % 11);
    x[i] = (i % 3 == 0 ? 1e4f : 1e-3f) * static_cast<float>(i + 1);
  }
  float lane[8] = {};
  for (std::size_t i = 0; i < 19; ++i) lane[i % 8] += w[i] * x[i];
  const float ref = ((lane[0] + lane[4]) + (lane[2] + lane[6])) +
                    ((lane[1] + lane[5]) + (lane[3] + lane[7]));
  CHECK(bits(ctnn::detail::dot<float, 19>(w.data(), x.data())) == bits(ref));
  float seq = 0;
  for (std::size_t i = 0; i < 5; ++i) seq += w[i] * x[i];
  CHECK(bits(ctnn::detail::dot<float, 5>(w.data(), x.data())) == bits(seq));

  // affine() (rows computed four at a time) = b + dot() per row.
  std::array<std::array<float, 19>, 7> W{};
  std::array<float, 7> b{}, z{};
  std::uint64_t s = 3;
  for (auto& row : W)
    for (auto& v : row) v = uniform<float>(s, -1, 1);
  for (auto& v : b) v = uniform<float>(s, -1, 1);
  ctnn::detail::affine<float, 19, 7>(W, b, std::span<const float, 19>(x), std::span<float, 7>(z));
  for (std::size_t j = 0; j < 7; ++j)
    CHECK(bits(z[j]) == bits(b[j] + ctnn::detail::dot<float, 19>(W[j].data(), x.data())));

  // transpose_times(): from +0, j in order (blocks of dx kept in registers).
  std::array<float, 7> delta{};
  for (auto& v : delta) v = uniform<float>(s, -1, 1);
  std::array<float, 19> dx{};
  ctnn::detail::transpose_times<float, 19, 7>(W, std::span<const float, 7>(delta),
                                              std::span<float, 19>(dx));
  for (std::size_t i = 0; i < 19; ++i) {
    float r = 0;
    for (std::size_t j = 0; j < 7; ++j) r += W[j][i] * delta[j];
    CHECK(bits(dx[i]) == bits(r));
  }
  std::array<std::array<float, 70>, 3> W2{};
  std::array<float, 70> dx2{};
  for (auto& row : W2)
    for (auto& v : row) v = uniform<float>(s, -1, 1);
  ctnn::detail::transpose_times<float, 70, 3>(W2, std::span<const float, 3>(delta.data(), 3),
                                              std::span<float, 70>(dx2));
  for (std::size_t i = 0; i < 70; ++i) {
    float r = 0;
    for (std::size_t j = 0; j < 3; ++j) r += W2[j][i] * delta[j];
    CHECK(bits(dx2[i]) == bits(r));
  }
}

// ---------------------------------------------------------------------------------------------
// User-defined activations and losses: the same bits per sample and batched, with and without
// the block form (activation.hpp, loss.hpp)
// ---------------------------------------------------------------------------------------------

namespace {

/// A user-defined element-wise activation: softsign z / (1 + |z|), f' = 1 / (1 + |z|)^2.
struct softsign {
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T>
  static constexpr T value(T z) noexcept { return z / (T(1) + ctnn::math::abs(z)); }
  template <ctnn::Scalar T>
  static constexpr T derivative(T z, T) noexcept {
    const T d = T(1) + ctnn::math::abs(z);
    return T(1) / (d * d);
  }
};

/// A user-defined vector activation with only the per-sample members (allowed in hidden
/// layers): a = z / r, r = sqrt(1 + |z|^2); J = (I - a a^T) / r is symmetric, so
/// J^T g = (g - a <a, g>) / r.
struct unit_norm {
  static constexpr bool elementwise = false;
  static constexpr bool output_only = false;
  template <ctnn::Scalar T, std::size_t N>
  static constexpr T radius(std::span<const T, N> z) noexcept {
    T s = T(1);
    for (std::size_t j = 0; j < N; ++j) s += z[j] * z[j];
    return ctnn::math::sqrt(s);
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void apply(std::span<T, N> za) noexcept {
    const T r = radius(std::span<const T, N>(za));
    for (std::size_t j = 0; j < N; ++j) za[j] = za[j] / r;
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void vjp(std::span<const T, N> z, std::span<const T, N> a,
                            std::span<const T, N> g, std::span<T, N> out) noexcept {
    const T r = radius(z);
    T dot = T(0);
    for (std::size_t j = 0; j < N; ++j) dot += a[j] * g[j];
    for (std::size_t j = 0; j < N; ++j) out[j] = (g[j] - a[j] * dot) / r;
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void jvp(std::span<const T, N> z, std::span<const T, N> a,
                            std::span<const T, N> v, std::span<T, N> out) noexcept {
    vjp(z, a, v, out);
  }
};

/// The same activation written once in the block form; the per-sample members forward to it.
struct unit_norm_block {
  static constexpr bool elementwise = false;
  static constexpr bool output_only = false;
  template <ctnn::Scalar T, std::size_t N, std::size_t S>
  static constexpr void apply_block(const T* z, T* a, std::size_t stride) noexcept {
    T r[S] = {};
    for (std::size_t s = 0; s < S; ++s) r[s] = T(1);
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) r[s] += z[j * stride + s] * z[j * stride + s];
    for (std::size_t s = 0; s < S; ++s) r[s] = ctnn::math::sqrt(r[s]);
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) a[j * stride + s] = z[j * stride + s] / r[s];
  }
  template <ctnn::Scalar T, std::size_t N, std::size_t S>
  static constexpr void vjp_block(const T* z, const T* a, const T* g, T* out,
                                  std::size_t stride) noexcept {
    T r[S] = {}, dot[S] = {};
    for (std::size_t s = 0; s < S; ++s) r[s] = T(1);
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        r[s] += z[i] * z[i];
        dot[s] += a[i] * g[i];
      }
    for (std::size_t s = 0; s < S; ++s) r[s] = ctnn::math::sqrt(r[s]);
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        out[i] = (g[i] - a[i] * dot[s]) / r[s];
      }
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void apply(std::span<T, N> za) noexcept {
    std::array<T, N> z{};
    for (std::size_t j = 0; j < N; ++j) z[j] = za[j];
    apply_block<T, N, 1>(z.data(), za.data(), 1);
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void vjp(std::span<const T, N> z, std::span<const T, N> a,
                            std::span<const T, N> g, std::span<T, N> out) noexcept {
    vjp_block<T, N, 1>(z.data(), a.data(), g.data(), out.data(), 1);
  }
  template <ctnn::Scalar T, std::size_t N>
  static constexpr void jvp(std::span<const T, N> z, std::span<const T, N> a,
                            std::span<const T, N> v, std::span<T, N> out) noexcept {
    vjp(z, a, v, out);
  }
};

/// A user-defined loss with only the per-sample members: 1/n sum_j (j + 1) (y'_j - y_j)^2.
struct weighted_se {
  template <class Act>
  static constexpr bool accepts_output = true;
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const std::array<T, N>& p, const std::array<T, N>& y) const noexcept {
    T s = T(0);
    for (std::size_t j = 0; j < N; ++j) s += T(j + 1) * (p[j] - y[j]) * (p[j] - y[j]);
    return s / T(N);
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& p, const std::array<T, N>& y,
                          std::array<T, N>& d) const noexcept {
    for (std::size_t j = 0; j < N; ++j) d[j] = T(2 * (j + 1)) * (p[j] - y[j]) / T(N);
  }
};

/// The same loss in the block form, plus a fused form after sigmoid in the block form (the
/// logistic loss of BCE with logits, weighted as above).
struct weighted_se_block {
  template <class Act>
  static constexpr bool accepts_output = true;
  template <ctnn::Scalar T, std::size_t N, std::size_t S>
  constexpr void value_block(const T* p, const T* y, T* value, std::size_t stride) const noexcept {
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        acc[s] += T(j + 1) * (p[i] - y[i]) * (p[i] - y[i]);
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s] / T(N);
  }
  template <ctnn::Scalar T, std::size_t N, std::size_t S>
  constexpr void gradient_block(const T* p, const T* y, T* d, std::size_t stride) const noexcept {
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        d[i] = T(2 * (j + 1)) * (p[i] - y[i]) / T(N);
      }
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const std::array<T, N>& p, const std::array<T, N>& y) const noexcept {
    return ctnn::value_from_block(*this, p, y);
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& p, const std::array<T, N>& y,
                          std::array<T, N>& d) const noexcept {
    ctnn::gradient_from_block(*this, p, y, d);
  }
};

/// A user-defined fused loss after sigmoid (BCE with logits), per-sample members only.
struct logistic {
  template <class Act>
  static constexpr bool accepts_output = std::is_same_v<Act, ctnn::sigmoid>;
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const std::array<T, N>& p, const std::array<T, N>& y) const noexcept {
    return ctnn::bce{}.value(p, y);
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr void gradient(const std::array<T, N>& p, const std::array<T, N>& y,
                          std::array<T, N>& d) const noexcept {
    ctnn::bce{}.gradient(p, y, d);
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr T fused_value_and_delta(ctnn::sigmoid, const std::array<T, N>& z,
                                    const std::array<T, N>& y, std::array<T, N>& d) const noexcept {
    T s = T(0);
    for (std::size_t j = 0; j < N; ++j) {
      s += ctnn::math::softplus(z[j]) - z[j] * y[j];
      d[j] = ctnn::math::sigmoid(z[j]) - y[j];
    }
    return s;
  }
};

/// The same, with the fused form (and value/gradient) in the block form.
struct logistic_block : weighted_se_block {
  template <class Act>
  static constexpr bool accepts_output = std::is_same_v<Act, ctnn::sigmoid>;
  template <ctnn::Scalar T, std::size_t N, std::size_t S>
  constexpr void fused_value_and_delta_block(ctnn::sigmoid, const T* z, const T* y, T* d, T* value,
                                             std::size_t stride) const noexcept {
    T acc[S] = {};
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t s = 0; s < S; ++s) {
        const std::size_t i = j * stride + s;
        acc[s] += ctnn::math::softplus(z[i]) - z[i] * y[i];
        d[i] = ctnn::math::sigmoid(z[i]) - y[i];
      }
    for (std::size_t s = 0; s < S; ++s) value[s] = acc[s];
  }
  template <ctnn::Scalar T, std::size_t N>
  constexpr T fused_value_and_delta(ctnn::sigmoid act, const std::array<T, N>& z,
                                    const std::array<T, N>& y, std::array<T, N>& d) const noexcept {
    return ctnn::fused_value_and_delta_from_block(*this, act, z, y, d);
  }
};

/// A loss whose block form and per-sample members disagree on purpose (value() adds 1): shows
/// which one each path calls.
struct disagreeing : weighted_se_block {
  template <ctnn::Scalar T, std::size_t N>
  constexpr T value(const std::array<T, N>& p, const std::array<T, N>& y) const noexcept {
    return ctnn::value_from_block(*this, p, y) + T(1);
  }
};

using UserEl = ctnn::network<double, ctnn::input<7>, ctnn::dense<9, softsign>,
                             ctnn::dense<3, softsign>>;
using UserElF = ctnn::network<float, ctnn::input<12>, ctnn::dense<20, softsign>,
                              ctnn::dense<5, ctnn::tanh>, ctnn::dense<3, softsign>>;
using UserVec = ctnn::network<float, ctnn::input<6>, ctnn::dense<5, unit_norm>,
                              ctnn::dense<4, ctnn::tanh>, ctnn::dense<3, unit_norm>>;
using UserVecBlock = ctnn::network<float, ctnn::input<6>, ctnn::dense<5, unit_norm_block>,
                                   ctnn::dense<4, ctnn::tanh>, ctnn::dense<3, unit_norm_block>>;
using UserVecD = ctnn::network<double, ctnn::input<5>, ctnn::dense<7, unit_norm_block>,
                               ctnn::dense<3, ctnn::softmax>>;
using UserSig = ctnn::network<float, ctnn::input<5>, ctnn::dense<8, softsign>,
                              ctnn::dense<3, ctnn::sigmoid>>;

}  // namespace

TEST_CASE("block form: which built-in and user-defined types have it", "[batch][block]") {
  STATIC_REQUIRE(ctnn::BlockActivation<ctnn::softmax>);
  STATIC_REQUIRE(ctnn::BlockActivation<unit_norm_block>);
  STATIC_REQUIRE(!ctnn::BlockActivation<unit_norm>);
  STATIC_REQUIRE(!ctnn::BlockActivation<softsign>);
  STATIC_REQUIRE(!ctnn::BlockActivation<ctnn::tanh>);  // element-wise: value/derivative suffice
  STATIC_REQUIRE(ctnn::BlockLoss<ctnn::mse, float, 3>);
  STATIC_REQUIRE(ctnn::BlockLoss<ctnn::mae, double, 3>);
  STATIC_REQUIRE(ctnn::BlockLoss<ctnn::huber<>, float, 3>);
  STATIC_REQUIRE(ctnn::BlockLoss<ctnn::bce, float, 3>);
  STATIC_REQUIRE(ctnn::BlockLoss<ctnn::cross_entropy, double, 3>);
  STATIC_REQUIRE(ctnn::BlockFusedLoss<ctnn::bce, ctnn::sigmoid, float, 3>);
  STATIC_REQUIRE(ctnn::BlockFusedLoss<ctnn::cross_entropy, ctnn::softmax, double, 3>);
  STATIC_REQUIRE(!ctnn::BlockFusedLoss<ctnn::cross_entropy, ctnn::sigmoid, double, 3>);
  STATIC_REQUIRE(ctnn::BlockLoss<weighted_se_block, float, 3>);
  STATIC_REQUIRE(!ctnn::BlockLoss<weighted_se, float, 3>);
  STATIC_REQUIRE(ctnn::FusedLoss<logistic, ctnn::sigmoid, float, 3>);
  STATIC_REQUIRE(!ctnn::BlockFusedLoss<logistic, ctnn::sigmoid, float, 3>);
  STATIC_REQUIRE(ctnn::BlockFusedLoss<logistic_block, ctnn::sigmoid, float, 3>);
}

TEST_CASE("user-defined activations and losses: batched bit-identical to per-sample",
          "[batch][block]") {
  // element-wise user activation, user loss without / with the block form
  CHECK(training_matches<UserEl, 16>(weighted_se{}, 21));
  CHECK(training_matches<UserEl, 16>(weighted_se_block{}, 21, scrambled{21}));
  CHECK(training_matches<UserEl, 4>(ctnn::huber{0.25}, 11));
  CHECK(training_matches<UserElF, 16>(weighted_se_block{}, 37));
  CHECK(training_matches<UserElF, 32>(weighted_se{}, 40));
  CHECK(training_matches<UserElF, 3>(ctnn::mse{}, 10));
  // vector user activation (hidden and output layer) without / with the block form
  CHECK(training_matches<UserVec, 16>(weighted_se{}, 19));
  CHECK(training_matches<UserVec, 16>(weighted_se_block{}, 19));
  CHECK(training_matches<UserVecBlock, 16>(weighted_se{}, 19));
  CHECK(training_matches<UserVecBlock, 16>(weighted_se_block{}, 35, scrambled{35}));
  CHECK(training_matches<UserVecBlock, 8>(ctnn::mae{}, 13));
  CHECK(training_matches<UserVecD, 16>(ctnn::cross_entropy{}, 18));
  CHECK(training_matches<UserVecD, 4>(weighted_se_block{}, 7));
  // fused user losses without / with the block form, and their unfused forms after sigmoid
  CHECK(training_matches<UserSig, 16>(logistic{}, 23));
  CHECK(training_matches<UserSig, 16>(logistic_block{}, 23));
  CHECK(training_matches<UserSig, 8>(weighted_se{}, 12));

  // forward: every z and a of the user vector activations
  const data_set<UserVec> dv(20);
  CHECK(forward_matches<UserVec, 16>(make_net<UserVec>(7), dv.xs(), 0, 16));
  CHECK(forward_matches<UserVec, 8>(make_net<UserVec>(7), dv.xs(), 3, 8));
  const data_set<UserVecBlock> dvb(20);
  CHECK(forward_matches<UserVecBlock, 16>(make_net<UserVecBlock>(7), dvb.xs(), 0, 16));
  CHECK(forward_matches<UserVecBlock, 8>(make_net<UserVecBlock>(7), dvb.xs(), 3, 8));

  // constant evaluation runs the same block code
  STATIC_REQUIRE(constexpr_batch_matches<UserVecD, 4>(weighted_se_block{}, 6));
  STATIC_REQUIRE(constexpr_batch_matches<UserSig, 4>(logistic_block{}, 7));
}

TEST_CASE("train_batch with user-defined types: batched path equals the per-sample path",
          "[batch][block][train]") {
  const auto run = [](auto net, const auto& loss) {
    using Net = decltype(net);
    const data_set<Net> d(29);
    Net b = net;
    ctnn::gradient_descent opt{0.1};
    typename ctnn::gradient_descent<double>::template state<Net> sa{}, sb{};
    ctnn::gradients<Net> ga{}, gb{};
    const scrambled order{29};
    const auto la = ctnn::train_batch(net, d.xs(), d.ys(), loss, opt, sa, 0.1f, ga, 1, 27, order);
    gb.clear();
    const auto lb = per_sample(b, d.xs(), d.ys(), loss, gb, 1, 27, order);
    gb.scale(1.f / 26.f);
    opt.step(b, gb, sb, 0.1);
    return bits(la) == bits(lb) && bit_equal(ga, gb) && bit_equal(net, b);
  };
  CHECK(run(make_net<UserElF>(3), weighted_se{}));
  CHECK(run(make_net<UserElF>(3), weighted_se_block{}));
  CHECK(run(make_net<UserVecBlock>(4), weighted_se_block{}));
  CHECK(run(make_net<UserVec>(4), ctnn::mse{}));
  CHECK(run(make_net<UserSig>(5), logistic_block{}));
}

TEST_CASE("block form present: both paths call it, not the per-sample members",
          "[batch][block]") {
  const UserSig net = make_net<UserSig>(9);
  const data_set<UserSig> d(5);
  const auto t = net.traced(d.X[0]);
  UserSig::output_type dz{};
  const float per = ctnn::loss_and_output_delta(disagreeing{}, t, d.Y[0], dz);
  CHECK(bits(per) == bits(weighted_se_block{}.value(t.output(), d.Y[0])));
  CHECK(bits(ctnn::loss_value(disagreeing{}, net, d.X[0], d.Y[0])) == bits(per));
  CHECK(disagreeing{}.value(t.output(), d.Y[0]) != per);  // the member really differs
  CHECK(training_matches<UserSig, 16>(disagreeing{}, 17));
}
