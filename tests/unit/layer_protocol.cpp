// SPDX-License-Identifier: MIT
// The layer protocol (<ctnn/layer.hpp>) with layer kinds that live only in the tests
// (tests/support/toy_layers.hpp) and 2-D shapes (time x channels): the network type, forward,
// backward (checked against central finite differences), the Jacobian, init, an optimiser,
// fit, save/load and export all reach them through ctnn::Layer alone.
#include <ctnn/ctnn.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "../support/sample_values.hpp"

#include "../support/toy_layers.hpp"

namespace {

// 4 time steps x 3 channels -> scale per channel -> reverse time -> 12 values -> dense 2.
template <class T>
using toy_net = ctnn::network<T, ctnn::input<4, 3>, toy::channel_scale, toy::reverse_time,
                              toy::flatten, ctnn::dense<2, ctnn::tanh>>;

}  // namespace

TEST_CASE("layer protocol: toy layers are ctnn::Layer and resolve with 2-D shapes", "[layer_protocol]") {
  using net_t = toy_net<double>;
  STATIC_REQUIRE(ctnn::Layer<net_t::layer_type<0>>);
  STATIC_REQUIRE(ctnn::Layer<net_t::layer_type<1>>);
  STATIC_REQUIRE(ctnn::Layer<net_t::layer_type<2>>);
  STATIC_REQUIRE(ctnn::LayerSpec<toy::channel_scale>);
  STATIC_REQUIRE(std::is_same_v<net_t::input_shape, ctnn::shape<4, 3>>);
  STATIC_REQUIRE(std::is_same_v<net_t::input_type, std::array<std::array<double, 3>, 4>>);
  STATIC_REQUIRE(std::is_same_v<net_t::layer_type<2>::output_shape, ctnn::shape<12>>);
  STATIC_REQUIRE(net_t::input_size == 12);
  STATIC_REQUIRE(net_t::widths == std::array<std::size_t, 5>{12, 12, 12, 12, 2});
  STATIC_REQUIRE(net_t::parameter_count == 3 + 12 * 2 + 2);
  STATIC_REQUIRE(net_t::forward_macs == 12 + 12 * 2);
  STATIC_REQUIRE(net_t::state_bytes == 0);
}

TEST_CASE("layer protocol: forward through toy layers equals the hand computation", "[layer_protocol]") {
  using net_t = toy_net<double>;
  const auto net = test_values::sine_network<net_t>();
  const auto x = test_values::cosine_input<toy_net<double>>();
  const auto& s = net.layer<0>().s;
  const auto& d = net.layer<3>();
  std::array<double, 12> flat{};
  for (std::size_t t = 0; t < 4; ++t)
    for (std::size_t c = 0; c < 3; ++c) flat[t * 3 + c] = s[c] * x[3 - t][c];
  const auto y = net.forward(x);
  for (std::size_t j = 0; j < 2; ++j) {
    double z = d.b[j];
    for (std::size_t i = 0; i < 12; ++i) z += d.W[j][i] * flat[i];
    CHECK(y[j] == Approx(std::tanh(z)).epsilon(1e-14));
  }
  CHECK(net.traced(x).output() == y);
  // constexpr end to end
  constexpr auto cy = [] {
    toy_net<double> n{};
    n.layer<0>().s = {1.0, 2.0, 3.0};
    n.layer<3>().W[0][0] = 0.5;  // reads flat[0] = s[0] x[3][0]
    typename toy_net<double>::input_type in{};
    in[3][0] = 0.25;
    return n.forward(in);
  }();
  STATIC_REQUIRE(cy[0] == ctnn::math::tanh(0.5 * 0.25));
}

TEST_CASE("layer protocol: backward through toy layers matches finite differences", "[layer_protocol]") {
  using net_t = toy_net<double>;
  auto net = test_values::sine_network<net_t>();
  const auto x = test_values::cosine_input<toy_net<double>>();
  const std::array<double, 2> c{0.7, -1.3};  // L = c . y
  auto loss = [&](const net_t& n, const net_t::input_type& in) {
    const auto y = n.forward(in);
    return c[0] * y[0] + c[1] * y[1];
  };
  ctnn::gradients<net_t> g{};
  const auto t = net.traced(x);
  const auto dx = ctnn::backward(net, t, c, g);
  const double h = 1e-6;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) {
    auto plus = net, minus = net;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (loss(plus, x) - loss(minus, x)) / (2 * h);
    CHECK(g[k] == Approx(fd).margin(1e-8));
  }
  for (std::size_t tt = 0; tt < 4; ++tt)
    for (std::size_t ch = 0; ch < 3; ++ch) {
      auto plus = x, minus = x;
      plus[tt][ch] += h;
      minus[tt][ch] -= h;
      const double fd = (loss(net, plus) - loss(net, minus)) / (2 * h);
      CHECK(dx[tt][ch] == Approx(fd).margin(1e-8));
    }
  // The Jacobian-vector product agrees with the vector-Jacobian product: u . (J^T c) = c . (J u).
  net_t::input_type u{};
  for (std::size_t tt = 0; tt < 4; ++tt)
    for (std::size_t ch = 0; ch < 3; ++ch) u[tt][ch] = 0.1 * static_cast<double>(tt + 2 * ch) - 0.4;
  const auto ju = ctnn::jvp(net, x, u);
  const auto vj = ctnn::vjp(net, x, c);
  double lhs = 0;
  for (std::size_t tt = 0; tt < 4; ++tt)
    for (std::size_t ch = 0; ch < 3; ++ch) lhs += u[tt][ch] * vj[tt][ch];
  CHECK(lhs == Approx(c[0] * ju[0] + c[1] * ju[1]).epsilon(1e-12));
}

TEST_CASE("layer protocol: init, an optimiser and fit reach toy parameters", "[layer_protocol]") {
  using net_t = toy_net<float>;
  net_t net{};
  ctnn::rng gen{3};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  // channel_scale's weight tensor has fan_in = fan_out = 1: U(-sqrt(3), sqrt(3)), drawn first.
  for (float v : net.layer<0>().s) {
    CHECK(v != 0.0f);
    CHECK(std::abs(v) <= std::sqrt(3.0f));
  }
  std::vector<net_t::input_type> X(8);
  std::vector<net_t::output_type> Y(8);
  for (std::size_t s = 0; s < X.size(); ++s) {
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t c = 0; c < 3; ++c)
        X[s][t][c] = static_cast<float>(std::sin(0.3 * static_cast<double>(s * 12 + t * 3 + c)));
    Y[s] = {s % 2 == 0 ? 0.5f : -0.5f, 0.1f};
  }
  const auto before = ctnn::evaluate(net, std::span<const net_t::input_type>(X),
                                     std::span<const net_t::output_type>(Y), ctnn::mse{});
  const net_t start = net;
  const auto report = ctnn::fit(net, std::span<const net_t::input_type>(X),
                                std::span<const net_t::output_type>(Y), ctnn::mse{},
                                ctnn::adam{0.01f}, {.epochs = 50, .batch_size = 4, .shuffle_seed = 1});
  REQUIRE(report.status == ctnn::status::ok);
  const auto after = ctnn::evaluate(net, std::span<const net_t::input_type>(X),
                                    std::span<const net_t::output_type>(Y), ctnn::mse{});
  CHECK(after.loss < before.loss);
  CHECK(net.layer<0>().s != start.layer<0>().s);  // the optimiser moved the toy tensor
}

TEST_CASE("layer protocol: save/load and export through the protocol", "[layer_protocol]") {
  using net_t = toy_net<double>;
  const auto net = test_values::sine_network<net_t>();
  std::array<std::byte, ctnn::serialized_size<net_t>> blob{};
  REQUIRE(ctnn::save(net, std::span<std::byte, blob.size()>(blob)) == ctnn::status::ok);
  net_t back{};
  REQUIRE(ctnn::load(back, std::span<const std::byte, blob.size()>(blob)) == ctnn::status::ok);
  CHECK(back == net);
  // The same sizes without the toy layers' kinds are a different topology.
  using plain_t = ctnn::network<double, ctnn::input<3>, ctnn::dense<12, ctnn::identity>,
                                ctnn::dense<2, ctnn::tanh>>;
  STATIC_REQUIRE(plain_t::parameter_count != net_t::parameter_count);

  std::string text;
  const auto st = ctnn::export_header(net, [&](std::string_view s) { text += s; });
  REQUIRE(st == ctnn::status::ok);
  CHECK(text.find("ctnn::network<double, ctnn::input<4, 3>, toy::channel_scale, toy::reverse_time, "
                  "toy::flatten, ctnn::dense<2, ctnn::tanh>>") != std::string::npos);
  CHECK(text.find("// layer 0: s[0..2]") != std::string::npos);
  CHECK(text.find("// layer 3: W[1][0..11]") != std::string::npos);
}
