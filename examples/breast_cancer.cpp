// SPDX-License-Identifier: MIT
// breast_cancer: a 30-32-2 network learns to tell malignant from benign breast masses from 30
// measurements of cell nuclei in a fine-needle aspirate image (Breast Cancer Wisconsin
// (Diagnostic), 426 training and 143 test cases; see examples/data/README.md).
// Read it top to bottom: the network, the data, one training run, then main.
//
// Usage: breast_cancer [--seed N] [--seeds K] [--smoke] [--data DIR]
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

// 1. The network: 30 measurements in, 32 tanh hidden units, 2 softmax outputs (the probabilities
//    of malignant and of benign), trained with categorical cross-entropy. The other classic
//    choice for two classes, ONE sigmoid output (the probability of benign) trained with
//    ctnn::binary_cross_entropy, works too: with the same settings it scored 96.2 % here.
using net_t = ctnn::network<float,
                            ctnn::input<30>,
                            ctnn::dense<32, ctnn::tanh>,
                            ctnn::dense<2, ctnn::softmax>>;
using data_t = example::labelled_data<30, 2>;
constexpr std::array<const char*, 2> diagnoses{"malignant", "benign"};

// 2. The training budget (the same as the reference results in examples/data/README.md) and the
//    target: the mean test accuracy over 5 seeds must reach 96.5 %.
constexpr std::size_t epochs = 30;
constexpr std::size_t smoke_epochs = 3;
constexpr std::size_t batch_size = 32;
constexpr double target_accuracy = 0.965;

// 3. One training run from one seed: initialise, train, measure on the test part. Returns the
//    test accuracy, or a negative number when training failed.
double train_and_test(const data_t& train, const data_t& test, std::uint64_t seed,
                      std::size_t epoch_count, bool verbose) {
  // Targets: malignant (label 0) becomes {1, 0}, benign (label 1) becomes {0, 1}.
  const auto train_y = example::encode_targets<2>(train.label);
  const auto test_y = example::encode_targets<2>(test.label);

  // The seed decides the initial weights (Xavier/Glorot uniform for tanh and softmax) and the
  // order in which the cases are visited.
  net_t net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::by_activation{}, gen);

  // Stochastic gradient descent with momentum 0.9, learning rate 0.01, mini-batches of 32, and a
  // small L2 penalty (weight decay 0.01) against fitting the 426 training cases too closely.
  const ctnn::sgd<float> opt{.learning_rate = 0.01f, .momentum = 0.9f, .weight_decay = 0.01f};
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

  // Missed cancers (malignant called benign) are the costly mistakes: top right.
  const auto confusion = example::confusion_matrix<2>::of(net, test);
  if (verbose) {
    std::printf("\ntest accuracy %.2f %% (%zu cases), %.2f s\n\n", 100.0 * confusion.accuracy(),
                test.size(), progress.seconds());
    confusion.print(diagnoses);
  }
  return confusion.accuracy();
}

int main(int argc, char** argv) {
  const auto options = example::parse_options(argc, argv);
  if (!options) return 2;

  // 4. The data: read both parts, then standardise every feature with the mean and standard
  //    deviation of the TRAINING part (the test part must not influence training). The raw
  //    features range from about 0.001 to 4000; unscaled, the largest would dominate.
  auto train = example::read_csv<30, 2>(options->file("breast_cancer_train.csv"));
  auto test = example::read_csv<30, 2>(options->file("breast_cancer_test.csv"));
  if (!train || !test) return 2;
  const auto scaler = example::standardiser<30>::fit(train->x);
  scaler.apply(train->x);
  scaler.apply(test->x);
  std::printf("breast_cancer: %zu training and %zu test cases, network 30-32-2 (%zu parameters)\n",
              train->size(), test->size(), net_t::parameter_count);

  // 5a. The smoke test (ctest): three epochs must already classify 85 % of the cases right
  //     (always answering "benign" gets 63 %; seeds 1-20 give 91-96 %).
  if (options->smoke) {
    const double accuracy = train_and_test(*train, *test, options->seed, smoke_epochs, true);
    return accuracy >= 0.85 ? 0 : 1;
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
