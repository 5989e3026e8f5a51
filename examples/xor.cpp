// SPDX-License-Identifier: MIT
// xor: the main demo. A 2-3-1 network learns XOR at run time, then prints its truth table.
// Read it top to bottom: define the network, initialise it, train it, use it.
#include <array>
#include <cstdio>

#include <ctnn/ctnn.hpp>

// 1. The whole network is a type: 2 inputs, 3 hidden sigmoid units, 1 sigmoid output.
using net_t = ctnn::network<float,
                            ctnn::input<2>,
                            ctnn::dense<3, ctnn::sigmoid>,
                            ctnn::dense<1, ctnn::sigmoid>>;

// The compiler knows every size, so these are checked before the program exists.
static_assert(net_t::parameter_count == 2 * 3 + 3 + 3 * 1 + 1);
static_assert(sizeof(net_t) == net_t::parameter_count * sizeof(float));

int main() {
  // 2. The data: the four rows of the XOR truth table.
  constexpr std::array<net_t::input_type, 4> inputs{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
  constexpr std::array<net_t::output_type, 4> targets{{{0}, {1}, {1}, {0}}};

  // 3. Initialise the weights (Xavier/Glorot, from a seeded generator: same numbers everywhere).
  net_t net;
  ctnn::rng gen{42};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);

  // 4. Train: mean squared error, Adam, mini-batches of 4 (= the whole set: batch gradient descent).
  ctnn::adam opt{0.05f};
  std::printf("training a %zu-%zu-%zu network on XOR (%zu parameters, %zu bytes)\n",
              net_t::input_size, net_t::widths[1], net_t::output_size, net_t::parameter_count,
              sizeof(net_t));
  const ctnn::fit_report report = ctnn::fit(
      net, inputs, targets, ctnn::mse{}, opt, {.epochs = 3000, .batch_size = 4, .shuffle_seed = 7},
      [](const ctnn::epoch_info& e) {
        if (e.epoch % 500 == 0) std::printf("  epoch %4zu  loss %.6f\n", e.epoch, e.loss);
        return e.loss > 1e-4;  // returning false stops training
      });
  std::printf("stopped after %zu epochs: %s, loss %.6f\n", report.epochs_run,
              ctnn::message(report.status), report.final_loss);

  // 5. Use it.
  std::printf("\n  x0 x1 | y (learned)\n  ------+------------\n");
  int wrong = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const float y = net.forward(inputs[k])[0];
    std::printf("   %.0f  %.0f | %.4f\n", double(inputs[k][0]), double(inputs[k][1]), double(y));
    wrong += (y > 0.5f) != (targets[k][0] > 0.5f);
  }
  return (report && wrong == 0) ? 0 : 1;
}
