// SPDX-License-Identifier: MIT
// The layers that join a sequence to a vector head (ctnn::time_distributed, ctnn::last_step) and
// the streaming interface of a network (state_type, step, reset): forward against the hand
// computation, backward against central finite differences, streaming against the window,
// constexpr against run time, fit, save/load and export.
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/last_step.hpp>
#include <ctnn/layers/time_distributed.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "../support/sample_values.hpp"

namespace {

// 4 steps of 3 channels -> dense 5 tanh on every step -> the last step -> dense 2 sigmoid.
template <class T>
using head_net = ctnn::network<T, ctnn::input<4, 3>, ctnn::time_distributed<ctnn::dense<5, ctnn::tanh>>,
                               ctnn::last_step, ctnn::dense<2, ctnn::sigmoid>>;

}  // namespace

TEST_CASE("sequence head: shapes, sizes and the state of a stateless stack", "[sequence_head]") {
  using net_t = head_net<float>;
  STATIC_REQUIRE(ctnn::StreamingLayer<net_t::layer_type<0>>);
  STATIC_REQUIRE(ctnn::StreamingLayer<net_t::layer_type<1>>);
  STATIC_REQUIRE(!ctnn::StreamingLayer<net_t::layer_type<2>>);  // streams through forward
  STATIC_REQUIRE(std::is_same_v<net_t::layer_type<0>::output_shape, ctnn::shape<4, 5>>);
  STATIC_REQUIRE(std::is_same_v<net_t::layer_type<1>::output_shape, ctnn::shape<5>>);
  STATIC_REQUIRE(net_t::widths == std::array<std::size_t, 4>{12, 20, 5, 2});
  STATIC_REQUIRE(net_t::parameter_count == (3 * 5 + 5) + (5 * 2 + 2));
  STATIC_REQUIRE(net_t::forward_macs == 4 * 3 * 5 + 5 * 2);
  STATIC_REQUIRE(net_t::step_input_size == 3);
  STATIC_REQUIRE(net_t::step_output_size == 2);
  STATIC_REQUIRE(net_t::state_bytes == 0);
  STATIC_REQUIRE(std::is_trivially_copyable_v<net_t::state_type>);
}

TEST_CASE("sequence head: forward equals the hand computation", "[sequence_head]") {
  using net_t = head_net<double>;
  const auto net = test_values::sine_network<net_t>();
  const auto x = test_values::cosine_input<head_net<double>>();
  const auto& d0 = net.layer<0>().inner;
  const auto& d2 = net.layer<2>();
  std::array<double, 5> h{};
  for (std::size_t j = 0; j < 5; ++j) {  // only the last step reaches the head
    double z = d0.b[j];
    for (std::size_t i = 0; i < 3; ++i) z += d0.W[j][i] * x[3][i];
    h[j] = std::tanh(z);
  }
  const auto y = net.forward(x);
  for (std::size_t j = 0; j < 2; ++j) {
    double z = d2.b[j];
    for (std::size_t i = 0; i < 5; ++i) z += d2.W[j][i] * h[i];
    CHECK(y[j] == Approx(1.0 / (1.0 + std::exp(-z))).epsilon(1e-14));
  }
  // Every step's output is kept in the trace.
  const auto t = net.traced(x);
  for (std::size_t s = 0; s < 4; ++s) {
    double z = d0.b[1];
    for (std::size_t i = 0; i < 3; ++i) z += d0.W[1][i] * x[s][i];
    CHECK(t.layer<0>().output()[s * 5 + 1] == Approx(std::tanh(z)).epsilon(1e-14));
  }
  CHECK(t.output() == y);
}

TEST_CASE("sequence head: backward matches central finite differences", "[sequence_head]") {
  using net_t = head_net<double>;
  // A sequence-to-sequence variant too: every step's output feeds the loss.
  using seq_t = ctnn::network<double, ctnn::input<4, 3>, ctnn::time_distributed<ctnn::dense<5, ctnn::tanh>>,
                              ctnn::time_distributed<ctnn::dense<2, ctnn::identity>>>;
  auto check = [](auto net, const auto& x, const auto& c) {
    using N = decltype(net);
    auto loss = [&](const N& n, const typename N::input_type& in) {
      const auto y = ctnn::detail::flat_copy<double>(n.forward(in));
      double l = 0;
      for (std::size_t j = 0; j < y.size(); ++j) l += c[j] * y[j];
      return l;
    };
    ctnn::gradients<N> g{};
    typename N::output_type dy{};
    ctnn::detail::unflatten_from(c.data(), dy);
    const auto dx = ctnn::backward(net, net.traced(x), dy, g);
    const double h = 1e-6;
    for (std::size_t k = 0; k < N::parameter_count; ++k) {
      auto plus = net, minus = net;
      plus[k] += h;
      minus[k] -= h;
      CHECK(g[k] == Approx((loss(plus, x) - loss(minus, x)) / (2 * h)).margin(1e-8));
    }
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t ch = 0; ch < 3; ++ch) {
        auto plus = x, minus = x;
        plus[t][ch] += h;
        minus[t][ch] -= h;
        CHECK(dx[t][ch] == Approx((loss(net, plus) - loss(net, minus)) / (2 * h)).margin(1e-8));
      }
    // jvp agrees with vjp: u . (J^T c) = c . (J u)
    typename N::input_type u{};
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t ch = 0; ch < 3; ++ch) u[t][ch] = 0.1 * static_cast<double>(t + 2 * ch) - 0.4;
    const auto ju = ctnn::detail::flat_copy<double>(ctnn::jvp(net, x, u));
    const auto vj = ctnn::vjp(net, x, dy);
    double lhs = 0, rhs = 0;
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t ch = 0; ch < 3; ++ch) lhs += u[t][ch] * vj[t][ch];
    for (std::size_t j = 0; j < ju.size(); ++j) rhs += c[j] * ju[j];
    CHECK(lhs == Approx(rhs).epsilon(1e-12));
  };
  check(test_values::sine_network<net_t>(), test_values::cosine_input<head_net<double>>(), std::array<double, 2>{0.7, -1.3});
  std::array<double, 8> c{};
  for (std::size_t j = 0; j < c.size(); ++j) c[j] = 0.3 * static_cast<double>(j) - 1.0;
  check(test_values::sine_network<seq_t>(), test_values::cosine_input<head_net<double>>(0.4), c);
}

TEST_CASE("sequence head: streaming a window step by step gives the window's bits", "[sequence_head]") {
  using net_t = head_net<float>;
  const auto net = test_values::sine_network<net_t>();
  const auto x = test_values::cosine_input<head_net<float>>(0.2);
  net_t::state_type state{};
  net_t::step_output_type y{};
  for (std::size_t t = 0; t < 4; ++t) y = net.step(x[t], state);
  CHECK(y == net.forward(x));  // last_step: the stream's newest output is the window's output
  // The same on spans; reset gives a fresh stream.
  net_t::reset(state);
  CHECK(state == net_t::state_type{});
  std::array<float, 2> ys{};
  for (std::size_t t = 0; t < 4; ++t)
    net.step(std::span<const float, 3>(x[t]), state, std::span<float, 2>(ys));
  CHECK(ys == y);
  // Sequence-to-sequence: step t gives window output t.
  using seq_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::time_distributed<ctnn::dense<5, ctnn::tanh>>,
                              ctnn::time_distributed<ctnn::dense<2, ctnn::identity>>>;
  const auto seq = test_values::sine_network<seq_t>();
  const auto window = seq.forward(x);
  seq_t::state_type s{};
  for (std::size_t t = 0; t < 4; ++t) CHECK(seq.step(x[t], s) == window[t]);
}

TEST_CASE("sequence head: constexpr forward and step equal run time", "[sequence_head]") {
  using net_t = head_net<double>;
  constexpr auto both = [] {
    net_t n{};
    for (std::size_t k = 0; k < net_t::parameter_count; ++k)
      n[k] = 0.05 * static_cast<double>(k % 7) - 0.12;
    net_t::input_type x{};
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t c = 0; c < 3; ++c) x[t][c] = 0.25 * static_cast<double>(t) - 0.1 * static_cast<double>(c);
    net_t::state_type s{};
    net_t::step_output_type y{};
    for (std::size_t t = 0; t < 4; ++t) y = n.step(x[t], s);
    return std::array<net_t::output_type, 2>{n.forward(x), y};
  }();
  STATIC_REQUIRE(both[0] == both[1]);
  net_t n{};
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) n[k] = 0.05 * static_cast<double>(k % 7) - 0.12;
  net_t::input_type x{};
  for (std::size_t t = 0; t < 4; ++t)
    for (std::size_t c = 0; c < 3; ++c) x[t][c] = 0.25 * static_cast<double>(t) - 0.1 * static_cast<double>(c);
  CHECK(n.forward(x) == both[0]);
}

TEST_CASE("sequence head: fit, save/load and export reach the wrapped layer", "[sequence_head]") {
  using net_t = head_net<float>;
  net_t net{};
  ctnn::rng gen{5};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  CHECK(net.layer<0>().inner.W[0][0] != 0.0f);
  CHECK(net.layer<0>().inner.b[0] == 0.0f);
  std::vector<net_t::input_type> X(16);
  std::vector<net_t::output_type> Y(16);
  for (std::size_t s = 0; s < X.size(); ++s) {
    X[s] = test_values::cosine_input<head_net<float>>(0.37 * static_cast<double>(s));
    Y[s] = {X[s][3][0] > 0 ? 0.9f : 0.1f, 0.5f};
  }
  const auto before = ctnn::evaluate(net, std::span<const net_t::input_type>(X),
                                     std::span<const net_t::output_type>(Y), ctnn::mse{});
  const auto report = ctnn::fit(net, std::span<const net_t::input_type>(X), std::span<const net_t::output_type>(Y),
                                ctnn::mse{}, ctnn::adam{0.02f}, {.epochs = 60, .batch_size = 4, .shuffle_seed = 2});
  REQUIRE(report.status == ctnn::status::ok);
  const auto after = ctnn::evaluate(net, std::span<const net_t::input_type>(X),
                                    std::span<const net_t::output_type>(Y), ctnn::mse{});
  CHECK(after.loss < 0.5f * before.loss);

  std::array<std::byte, ctnn::serialized_size<net_t>> blob{};
  REQUIRE(ctnn::save(net, blob) == ctnn::status::ok);
  net_t back{};
  REQUIRE(ctnn::load(back, std::span<const std::byte>(blob)) == ctnn::status::ok);
  CHECK(back == net);
  // A network with the same sizes but no time_distributed wrapper does not load it.
  using flat_t = ctnn::network<float, ctnn::input<12>, ctnn::dense<5, ctnn::tanh>, ctnn::dense<2, ctnn::sigmoid>>;
  flat_t other{};
  CHECK(ctnn::load(other, std::span<const std::byte>(blob)) != ctnn::status::ok);

  std::string text;
  REQUIRE(ctnn::export_header(net, [&](std::string_view s) { text += s; }) == ctnn::status::ok);
  CHECK(text.find("ctnn::network<float, ctnn::input<4, 3>, "
                  "ctnn::time_distributed<ctnn::dense<5, ctnn::tanh>>, ctnn::last_step, "
                  "ctnn::dense<2, ctnn::sigmoid>>") != std::string::npos);
}

TEST_CASE("sequence head: a network that ends in a recurrent layer or last_step trains with mse",
          "[sequence_head]") {
  // No activation on the output layer: the loss sees it as ctnn::identity.
  using last_t = ctnn::network<double, ctnn::input<4, 3>, ctnn::gru<5>, ctnn::last_step>;
  using seq_t = ctnn::network<double, ctnn::input<4, 3>, ctnn::lstm<2>>;
  STATIC_REQUIRE(std::is_same_v<ctnn::output_activation_t<last_t>, ctnn::identity>);
  STATIC_REQUIRE(std::is_same_v<ctnn::output_activation_t<seq_t>, ctnn::identity>);
  auto train = [](auto net) {
    using N = decltype(net);
    ctnn::rng gen{11};
    ctnn::init(net, ctnn::xavier_uniform{}, gen);
    std::vector<typename N::input_type> X(12);
    std::vector<typename N::output_type> Y(12);
    for (std::size_t s = 0; s < X.size(); ++s) {
      X[s] = test_values::cosine_input<N>(0.5 * static_cast<double>(s));
      auto flat = ctnn::detail::flat_copy<double>(Y[s]);
      for (std::size_t j = 0; j < flat.size(); ++j) flat[j] = 0.3 * std::sin(static_cast<double>(s + j));
      ctnn::detail::unflatten_from(flat.data(), Y[s]);
    }
    const auto before = ctnn::evaluate(net, std::span<const typename N::input_type>(X),
                                       std::span<const typename N::output_type>(Y), ctnn::mse{});
    const auto report = ctnn::fit(net, std::span<const typename N::input_type>(X),
                                  std::span<const typename N::output_type>(Y), ctnn::mse{},
                                  ctnn::adam{0.02}, {.epochs = 80, .batch_size = 4, .shuffle_seed = 3});
    REQUIRE(report.status == ctnn::status::ok);
    const auto after = ctnn::evaluate(net, std::span<const typename N::input_type>(X),
                                      std::span<const typename N::output_type>(Y), ctnn::mse{});
    CHECK(after.loss < 0.5 * before.loss);
  };
  train(last_t{});
  train(seq_t{});
}

TEST_CASE("sequence head: an exported header includes each layer kind's header once", "[sequence_head]") {
  using net_t = ctnn::network<float, ctnn::input<4, 3>, ctnn::gru<5>, ctnn::gru<3>,
                              ctnn::time_distributed<ctnn::dense<2>>, ctnn::last_step>;
  const auto net = test_values::sine_network<net_t>();
  std::string text;
  REQUIRE(ctnn::export_header(net, [&](std::string_view s) { text += s; }) == ctnn::status::ok);
  const auto count = [&](std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("#include <ctnn/network.hpp>\n") == 1);
  CHECK(count("#include <ctnn/layers/gru.hpp>\n") == 1);
  CHECK(count("#include <ctnn/layers/time_distributed.hpp>\n") == 1);
  CHECK(count("#include <ctnn/layers/last_step.hpp>\n") == 1);
  CHECK(count("#include <ctnn/layers/lstm.hpp>") == 0);
}

TEST_CASE("sequence head: bad numbers in a stream and in training windows", "[sequence_head]") {
  using net_t = ctnn::network<float, ctnn::input<4, 1>, ctnn::gru<3>, ctnn::last_step,
                              ctnn::dense<1, ctnn::sigmoid>>;
  auto net = test_values::sine_network<net_t>();
  net_t::state_type state{};
  CHECK(ctnn::check_finite(state) == ctnn::status::ok);
  (void)net.step({0.5f}, state);
  CHECK(ctnn::all_finite(state));
  // A NaN sample poisons the recurrent state: every later output is NaN until reset.
  (void)net.step({std::numeric_limits<float>::quiet_NaN()}, state);
  CHECK_FALSE(ctnn::all_finite(state));
  CHECK(ctnn::check_finite(state) == ctnn::status::non_finite_value);
  const auto later = net.step({0.25f}, state);
  CHECK(std::isnan(later[0]));
  net_t::reset(state);
  CHECK(ctnn::check_finite(state) == ctnn::status::ok);
  CHECK(ctnn::all_finite(net.step({0.25f}, state)));

  // fit refuses a window holding a NaN and changes nothing.
  std::vector<net_t::input_type> X(4);
  std::vector<net_t::output_type> Y(4);
  for (std::size_t s = 0; s < X.size(); ++s) {
    X[s] = test_values::cosine_input<net_t>(static_cast<double>(s));
    Y[s] = {s % 2 == 0 ? 1.0f : 0.0f};
  }
  X[2][3][0] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(ctnn::all_finite(X[2]));
  CHECK(ctnn::all_finite(X[1]));
  const net_t before = net;
  const auto report = ctnn::fit(net, std::span<const net_t::input_type>(X), std::span<const net_t::output_type>(Y),
                                ctnn::binary_cross_entropy{}, ctnn::adam{0.01f}, {.epochs = 3, .batch_size = 2});
  CHECK(report.status == ctnn::status::non_finite_data);
  CHECK(report.bad_sample == 2);
  CHECK(net == before);
}

TEST_CASE("sequence head: a network's state is its layers' states, nothing more", "[sequence_head]") {
  using net_t = ctnn::network<float, ctnn::input<4, 1>, ctnn::gru<3>, ctnn::last_step,
                              ctnn::dense<1, ctnn::sigmoid>>;
  STATIC_REQUIRE(net_t::state_bytes == 3 * sizeof(float));
  STATIC_REQUIRE(sizeof(net_t::state_type) == net_t::state_bytes);
  const auto net = test_values::sine_network<net_t>();
  net_t::state_type state{};
  (void)net.step({0.5f}, state);
  const auto& h = ctnn::state_of<0>(state).h;
  CHECK(h[0] != 0.0f);
  net_t::trace_type t{};
  net.forward(net_t::input_type{{{0.5f}, {0}, {0}, {0}}}, t);
  CHECK(h[0] == t.layer<0>().output()[0]);  // the state after one step is the window's first h
}
