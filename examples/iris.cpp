// SPDX-License-Identifier: MIT
// iris: a 4-32-3 network learns to tell three species of iris apart from four measurements of a
// flower (Fisher's Iris data, 112 training and 38 test flowers; see examples/data/README.md).
// Read it top to bottom: the network, the data, one training run, then main.
//
// Usage: iris [--seed N] [--seeds K] [--smoke] [--data DIR]
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

// 1. The network: 4 measurements in, 32 ReLU hidden units, 3 softmax outputs (one probability per
//    species). Softmax outputs are trained with categorical cross-entropy.
using net_t = ctnn::network<float,
                            ctnn::input<4>,
                            ctnn::dense<32, ctnn::relu>,
                            ctnn::dense<3, ctnn::softmax>>;
using data_t = example::labelled_data<4, 3>;
constexpr std::array<const char*, 3> species{"setosa", "versicolor", "virginica"};

// 2. The training budget (the same as the reference results in examples/data/README.md) and the
//    target: the mean test accuracy over 5 seeds must reach 96.8 %.
constexpr std::size_t epochs = 30;
constexpr std::size_t smoke_epochs = 5;
constexpr std::size_t batch_size = 32;
constexpr double target_accuracy = 0.968;

// 3. One training run from one seed: initialise, train, measure on the test part. Returns the
//    test accuracy, or a negative number when training failed.
double train_and_test(const data_t& train, const data_t& test, std::uint64_t seed,
                      std::size_t epoch_count, bool verbose) {
  // Targets: label 2 becomes {0, 0, 1}.
  const auto train_y = example::encode_targets<3>(train.label);
  const auto test_y = example::encode_targets<3>(test.label);

  // The seed decides the initial weights (He uniform for the ReLU layer, Xavier/Glorot uniform
  // for the softmax layer: ctnn::by_activation picks by activation) and the order in which the
  // flowers are visited.
  net_t net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::by_activation{}, gen);

  // Stochastic gradient descent with momentum 0.9 on mini-batches of 32, reshuffled every epoch,
  // with a small L2 penalty (weight decay 0.01: each step also pulls every weight towards 0).
  // 112 flowers make only 4 steps per epoch, so the learning rate is high: 0.1.
  const ctnn::sgd<float> opt{.learning_rate = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f};
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

  // Which species the network mistakes for which.
  const auto confusion = example::confusion_matrix<3>::of(net, test);
  if (verbose) {
    std::printf("\ntest accuracy %.2f %% (%zu flowers), %.2f s\n\n", 100.0 * confusion.accuracy(),
                test.size(), progress.seconds());
    confusion.print(species);
  }
  return confusion.accuracy();
}

int main(int argc, char** argv) {
  const auto options = example::parse_options(argc, argv);
  if (!options) return 2;

  // 4. The data: read both parts, then standardise every feature with the mean and standard
  //    deviation of the TRAINING part (the test part must not influence training).
  auto train = example::read_csv<4, 3>(options->file("iris_train.csv"));
  auto test = example::read_csv<4, 3>(options->file("iris_test.csv"));
  if (!train || !test) return 2;
  const auto scaler = example::standardiser<4>::fit(train->x);
  scaler.apply(train->x);
  scaler.apply(test->x);
  std::printf("iris: %zu training and %zu test flowers, network 4-32-3 (%zu parameters)\n",
              train->size(), test->size(), net_t::parameter_count);

  // 5a. The smoke test (ctest): five epochs must already name 80 % of the flowers right
  //     (guessing gets 33 %; seeds 1-20 give 87-100 %).
  if (options->smoke) {
    const double accuracy = train_and_test(*train, *test, options->seed, smoke_epochs, true);
    return accuracy >= 0.8 ? 0 : 1;
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
