// SPDX-License-Identifier: MIT
// learning_rate: the notes' three cases, one network trained with plain gradient descent
//   w(k+1) = w(k) - eta * dLoss/dw
// at a too-low, a suitable and a too-high learning rate eta. Too low: the loss falls slowly.
// Suitable: it converges in reasonable time. Too high: the first steps overshoot so far that
// the sigmoid units saturate, the loss jumps up (to 0.5) and training is stuck there. Writes the three loss curves to learning_rate.csv and draws them here.
//
// Usage: learning_rate [output.csv]     (default: learning_rate.csv in the current folder)
// A picture of the CSV: /usr/bin/python3 examples/plot_learning_rate.py learning_rate.csv out.svg
#include <array>
#include <cstdio>

#include <ctnn/ctnn.hpp>

using net_t = ctnn::network<double, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                            ctnn::dense<1, ctnn::sigmoid>>;

constexpr std::size_t epochs = 300;
constexpr std::array<double, 3> rates{0.05, 5.0, 50.0};
constexpr std::array<const char*, 3> names{"too low", "suitable", "too high"};

int main(int argc, char** argv) {
  constexpr std::array<net_t::input_type, 4> inputs{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
  constexpr std::array<net_t::output_type, 4> targets{{{0}, {1}, {1}, {0}}};

  // curves[r][e]: the loss after epoch e with rate r. Every run starts from the same weights.
  static std::array<std::array<double, epochs>, 3> curves{};
  for (std::size_t r = 0; r < rates.size(); ++r) {
    net_t net;
    ctnn::rng gen{3};
    ctnn::init(net, ctnn::xavier_uniform{}, gen);
    ctnn::fit(net, inputs, targets, ctnn::mse{}, ctnn::gradient_descent<double>{rates[r]},
              {.epochs = epochs, .batch_size = 4, .shuffle = false},
              [&](const ctnn::epoch_info& e) { curves[r][e.epoch] = e.loss; });
    std::printf("eta = %5.2f (%-8s): loss %.4f -> %.4f\n", rates[r], names[r], curves[r][0],
                curves[r][epochs - 1]);
  }

  // The CSV: one row per epoch.
  const char* path = argc > 1 ? argv[1] : "learning_rate.csv";
  if (std::FILE* f = std::fopen(path, "w")) {
    std::fprintf(f, "epoch,eta_%g,eta_%g,eta_%g\n", rates[0], rates[1], rates[2]);
    for (std::size_t e = 0; e < epochs; ++e)
      std::fprintf(f, "%zu,%.6f,%.6f,%.6f\n", e, curves[0][e], curves[1][e], curves[2][e]);
    std::fclose(f);
    std::printf("wrote %s\n", path);
  } else {
    std::printf("cannot write %s\n", path);
    return 1;
  }

  // A terminal plot: loss (0 .. 0.55) upwards, epochs to the right. l = too low, s = suitable,
  // h = too high.
  constexpr int rows = 16, cols = 75;
  std::array<std::array<char, cols>, rows> plot{};
  for (auto& row : plot) row.fill(' ');
  for (std::size_t r = 0; r < 3; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double loss = curves[r][static_cast<std::size_t>(c) * epochs / cols];
      int y = static_cast<int>(loss / 0.55 * (rows - 1) + 0.5);
      y = y < 0 ? 0 : (y >= rows ? rows - 1 : y);
      plot[static_cast<std::size_t>(rows - 1 - y)][static_cast<std::size_t>(c)] = "lsh"[r];
    }
  }
  std::printf("\nloss\n");
  for (int y = 0; y < rows; ++y) {
    const double level = 0.55 * (rows - 1 - y) / (rows - 1);
    std::printf("%5.2f |%.*s\n", level, cols, plot[static_cast<std::size_t>(y)].data());
  }
  std::printf("      +");
  for (int c = 0; c < cols; ++c) std::putchar('-');
  std::printf("\n       0%*zu epochs\n", cols - 8, epochs);
  std::printf("       l: eta %.2f (too low)  s: eta %.2f (suitable)  h: eta %.2f (too high)\n",
              rates[0], rates[1], rates[2]);

  // The lesson, checked: suitable beats both, and too high ends worse than suitable.
  const bool ok = curves[1][epochs - 1] < curves[0][epochs - 1] &&
                  curves[1][epochs - 1] < curves[2][epochs - 1];
  return ok ? 0 : 1;
}
