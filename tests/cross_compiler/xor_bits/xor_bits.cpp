// SPDX-License-Identifier: MIT
// xor_bits: trains XOR from fixed seeds with ctnn::fit and prints every trained parameter's bit
// pattern, one line per set-up: `<name> <hex words>` (net.flat() order). Built with g++ and with
// clang++ (both -ffp-contract=off) by tests/cross_compiler/same_bits.cmake, which requires the two
// outputs to be identical. Exit status 1 if a set-up did not learn XOR (a broken build would
// otherwise compare equal garbage).
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>

#include <ctnn/ctnn.hpp>

namespace {

// Read through a volatile so that neither compiler can fold the training into a constant.
volatile std::uint64_t seed_source = 7;

template <class Net>
constexpr std::array<typename Net::input_type, 4> inputs{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
template <class Net>
constexpr std::array<typename Net::output_type, 4> targets{{{0}, {1}, {1}, {0}}};

/// Initialises a Net from seed_source + seed_offset, trains it and prints its bits.
template <class Net, class Loss, class Optimizer, class Options>
bool train_and_print(const char* name, std::uint64_t seed_offset, Loss loss, Optimizer opt,
                     Options options) {
  Net net;
  ctnn::rng gen{seed_source + seed_offset};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  const ctnn::fit_report report = ctnn::fit(net, inputs<Net>, targets<Net>, loss, opt, options);

  using T = typename Net::value_type;
  using bits_t = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  std::printf("%s", name);
  for (const T w : net.flat())
    std::printf(" %0*llx", static_cast<int>(2 * sizeof(T)),
                static_cast<unsigned long long>(std::bit_cast<bits_t>(w)));
  std::printf("\n");
  const double accuracy = ctnn::accuracy(net, inputs<Net>, targets<Net>);
  if (!report || accuracy != 1.0) {
    std::fprintf(stderr, "%s: XOR not learned (%s, accuracy %.2f)\n", name,
                 ctnn::message(report.status), accuracy);
    return false;
  }
  return true;
}

}  // namespace

int main() {
  bool ok = true;
  // The firmware's XOR model (examples/embedded/src/xor_model.hpp): batch gradient descent.
  using sigmoid_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                                    ctnn::dense<1, ctnn::sigmoid>>;
  ok &= train_and_print<sigmoid_net>("sigmoid_gd", 0, ctnn::binary_cross_entropy{},
                                     ctnn::gradient_descent<float>{6.0f},
                                     ctnn::fit_options<>{.epochs = 100, .batch_size = 4,
                                                         .shuffle = false});
  // examples/xor.cpp: mean squared error, Adam (sqrt), shuffled mini-batches of 2.
  ok &= train_and_print<sigmoid_net>("sigmoid_adam_mse", 35, ctnn::mse{}, ctnn::adam{0.05f},
                                     ctnn::fit_options<>{.epochs = 2000, .batch_size = 2,
                                                         .shuffle_seed = 7});
  // tanh hidden layer (exp), double precision, SGD with momentum, one sample per step.
  using tanh_net = ctnn::network<double, ctnn::input<2>, ctnn::dense<4, ctnn::tanh>,
                                 ctnn::dense<1, ctnn::sigmoid>>;
  ok &= train_and_print<tanh_net>("tanh_sgd_double", 1, ctnn::binary_cross_entropy{},
                                  ctnn::sgd<double>{.learning_rate = 0.1, .momentum = 0.9},
                                  ctnn::fit_options<>{.epochs = 300, .batch_size = 1,
                                                      .shuffle_seed = 3});
  return ok ? 0 : 1;
}
