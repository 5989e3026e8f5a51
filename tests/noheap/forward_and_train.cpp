// SPDX-License-Identifier: MIT
// No heap, proven: with every allocation function trapped (tests/support/alloc_trap.cpp), run
// forward passes of several networks, traced passes, backward, Jacobians, initialisation, LSUV,
// every optimiser, fit (with shuffling, early stopping, divergence and bad data), evaluate, and
// save/load. Any heap call aborts the program, which fails this test.
#include <array>
#include <cstdio>
#include <limits>
#include <span>

#include <alloc_trap.hpp>
#include <ctnn/ctnn.hpp>

namespace {

using xor_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                              ctnn::dense<1, ctnn::sigmoid>>;
using deep_net = ctnn::network<double, ctnn::input<8>, ctnn::dense<16, ctnn::relu>,
                               ctnn::dense<16, ctnn::tanh>, ctnn::dense<12, ctnn::gelu>,
                               ctnn::dense<8, ctnn::elu<>>, ctnn::dense<4, ctnn::softmax>>;
using wide_net = ctnn::network<float, ctnn::input<64>, ctnn::dense<64, ctnn::leaky_relu<>>,
                               ctnn::dense<10, ctnn::softmax>>;

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    ++failures;
    std::printf("FAILED: %s\n", what);
  }
}

template <class Net, class Loss, class Opt>
void exercise(const Loss& loss, const Opt& opt, std::uint64_t seed) {
  using T = typename Net::value_type;
  constexpr std::size_t n = 32;
  static std::array<typename Net::input_type, n> X{};
  static std::array<typename Net::output_type, n> Y{};
  Net net;
  {
    ctnn_test::alloc_trap_scope armed;
    ctnn::rng gen{seed};
    for (std::size_t s = 0; s < n; ++s) {
      for (auto& x : X[s]) x = gen.uniform(T(-1), T(1));
      Y[s] = {};
      Y[s][s % Net::output_size] = T(1);
    }
    ctnn::init(net, gen);  // by activation
    const auto lsuv = ctnn::lsuv(net, std::span<const typename Net::input_type>(X), gen);
    check(lsuv.ok(), "lsuv");
    const auto y = net.forward(X[0]);
    const auto t = net.traced(X[0]);
    check(t.output() == y, "traced == forward");
    ctnn::gradients<Net> g;
    typename Net::output_type delta{};
    (void)ctnn::loss_and_output_delta(loss, t, Y[0], delta);
    (void)ctnn::backward_from_output_delta(net, t, delta, g);
    (void)ctnn::jacobian(net, X[1]);
    (void)ctnn::jvp(net, X[1], X[2]);
    typename Opt::template state<Net> state{};
    auto report = ctnn::fit(net, X, Y, loss, opt, state,
                            {.epochs = 3, .batch_size = 8, .shuffle_seed = seed, .patience = 2});
    check(static_cast<bool>(report), "fit");
    report = ctnn::fit(net, X, Y, loss, opt, {.epochs = 2, .batch_size = 1});
    check(static_cast<bool>(report), "fit sgd");
    (void)ctnn::evaluate(net, X, Y, loss);
    (void)ctnn::accuracy(net, X, Y);
    // Bad data is refused, not trained on.
    auto bad = X;
    bad[3][0] = std::numeric_limits<T>::quiet_NaN();
    const Net before = net;
    report = ctnn::fit(net, std::span<const typename Net::input_type>(bad), Y, loss, opt,
                       {.epochs = 1});
    check(report.status == ctnn::status::non_finite_data && net == before, "bad data refused");
    // Save and load through a buffer on the stack.
    std::array<std::byte, ctnn::serialized_size<Net>> blob{};
    check(ctnn::save(net, std::span<std::byte, ctnn::serialized_size<Net>>(blob)) == ctnn::status::ok,
          "save");
    Net loaded;
    check(ctnn::load(loaded, std::span<const std::byte, ctnn::serialized_size<Net>>(blob)) ==
                  ctnn::status::ok &&
              loaded == net,
          "load");
    check(ctnn::check_finite(net) == ctnn::status::ok, "check_finite");
  }
}

}  // namespace

int main() {
  exercise<xor_net>(ctnn::mse{}, ctnn::adam{0.01f}, 1);
  exercise<xor_net>(ctnn::binary_cross_entropy{}, ctnn::sgd<float>{0.1f, 0.9f, true}, 2);
  exercise<deep_net>(ctnn::categorical_cross_entropy{}, ctnn::adamw<double>{1e-3}, 3);
  exercise<deep_net>(ctnn::huber{}, ctnn::rmsprop<double>{1e-3}, 4);
  exercise<wide_net>(ctnn::cross_entropy{}, ctnn::adagrad<float>{0.01f}, 5);
  exercise<wide_net>(ctnn::mae{}, ctnn::gradient_descent<float>{0.1f}, 6);
  std::printf("%s: forward, backward, jacobian, init, lsuv, fit, evaluate, save/load ran with "
              "the allocation trap armed\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
