// SPDX-License-Identifier: MIT
// digits: a 64-32-10 network learns to read handwritten digits from 8x8 grey images (the UCI
// digits data, 1347 training and 450 test images; see examples/data/README.md).
// Read it top to bottom: the network, the data, one training run, then main.
//
// Usage: digits [--seed N] [--seeds K] [--smoke] [--data DIR]
//   (nothing)   one full run (30 epochs): progress per epoch, test accuracy, confusion matrix
//   --seeds 5   five full runs (seeds N..N+4) and their mean test accuracy; the exit code says
//               whether the mean reaches the target below
//   --smoke     a short run for ctest
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <ctnn/ctnn.hpp>

#include "common/dataset.hpp"
#include "common/options.hpp"
#include "common/report.hpp"

// 1. The network: 64 pixels in, 32 ReLU hidden units, 10 softmax outputs (one probability per
//    digit), trained with categorical cross-entropy. 2410 parameters, under 10 KB of floats.
using net_t = ctnn::network<float,
                            ctnn::input<64>,
                            ctnn::dense<32, ctnn::relu>,
                            ctnn::dense<10, ctnn::softmax>>;
using data_t = example::labelled_data<64, 10>;
constexpr std::array<const char*, 10> digit_names{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

// 2. The training budget (the same as the reference results in examples/data/README.md) and the
//    target: the mean test accuracy over 5 seeds must reach 97.6 %.
constexpr std::size_t epochs = 30;
constexpr std::size_t smoke_epochs = 2;
constexpr std::size_t batch_size = 32;
constexpr double target_accuracy = 0.976;

// 3. One training run from one seed: initialise, train, measure on the test part. Returns the
//    test accuracy, or a negative number when training failed.
double train_and_test(const data_t& train, const data_t& test, std::uint64_t seed,
                      std::size_t epoch_count, bool verbose) {
  // Targets: digit 3 becomes {0, 0, 0, 1, 0, 0, 0, 0, 0, 0}.
  const auto train_y = example::encode_targets<10>(train.label);
  const auto test_y = example::encode_targets<10>(test.label);

  // The seed decides the initial weights (He uniform for the ReLU layer, Xavier/Glorot uniform
  // for the softmax layer: ctnn::by_activation picks by activation) and the order in which the
  // images are visited.
  net_t net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::by_activation{}, gen);

  // Stochastic gradient descent with momentum 0.9 and learning rate 0.03 on mini-batches of 32,
  // with a small L2 penalty (weight decay 0.01: every step also pulls each weight towards 0 by
  // lr * 0.01 * w), which keeps the 2410 weights from fitting the 1347 images too closely.
  const ctnn::sgd<float> opt{.learning_rate = 0.03f, .momentum = 0.9f, .weight_decay = 0.01f};
  const ctnn::categorical_cross_entropy loss;
  const example::progress progress{verbose};
  const ctnn::fit_report report = ctnn::fit(
      net, train.x, train_y, loss, opt,
      {.epochs = epoch_count, .batch_size = batch_size, .shuffle_seed = seed},
      [&](const ctnn::epoch_info& e) {
        progress.epoch(e, ctnn::evaluate(net, train.x, train_y, loss),
                       ctnn::evaluate(net, test.x, test_y, loss));
      });
  if (!report) {
    std::printf("training failed: %s\n", ctnn::message(report.status));
    return -1.0;
  }

  // Which digits the network mistakes for which (4 for 9? 8 for 1?).
  const auto confusion = example::confusion_matrix<10>::of(net, test);
  if (verbose) {
    std::printf("\ntest accuracy %.2f %% (%zu images), %.2f s\n\n", 100.0 * confusion.accuracy(),
                test.size(), progress.seconds());
    confusion.print(digit_names);
  }
  return confusion.accuracy();
}

int main(int argc, char** argv) {
  const auto options = example::parse_options(argc, argv);
  if (!options) return 2;

  // 4. The data: read both parts, then standardise every pixel with the mean and standard
  //    deviation of the TRAINING part (the test part must not influence training).
  auto train = example::read_csv<64, 10>(options->file("digits_train.csv"));
  auto test = example::read_csv<64, 10>(options->file("digits_test.csv"));
  if (!train || !test) return 2;
  const auto scaler = example::standardiser<64>::fit(train->x);
  scaler.apply(train->x);
  scaler.apply(test->x);
  std::printf("digits: %zu training and %zu test images, network 64-32-10 (%zu parameters)\n",
              train->size(), test->size(), net_t::parameter_count);

  // 5a. The smoke test (ctest): two epochs must already read 90 % of the digits right (guessing
  //     gets 10 %; seeds 1-20 give 93-96 %).
  if (options->smoke) {
    const double accuracy = train_and_test(*train, *test, options->seed, smoke_epochs, true);
    return accuracy >= 0.90 ? 0 : 1;
  }

  // 5b. One run, or the accuracy check over several seeds.
  if (options->seeds == 1) {
    const double accuracy = train_and_test(*train, *test, options->seed, epochs, true);
    return accuracy >= 0.0 ? 0 : 1;
  }
  example::accuracy_summary summary;
  for (std::uint64_t seed = options->seed; seed < options->seed + options->seeds; ++seed) {
    const double accuracy = train_and_test(*train, *test, seed, epochs, false);
    std::printf("seed %2llu: test accuracy %.2f %%\n", static_cast<unsigned long long>(seed),
                100.0 * accuracy);
    summary.add(accuracy);
  }
  return summary.report(target_accuracy) ? 0 : 1;
}
