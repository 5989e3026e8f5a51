// SPDX-License-Identifier: MIT
// digits_gru: the handwritten digits of examples/digits.cpp, read as SEQUENCES. A recurrent
// network (a GRU) looks at each 8x8 image one row at a time, top to bottom: 8 time steps of 8
// pixels. After the last row its hidden state has "seen" the whole image, and a softmax layer
// reads the digit from it. Same data (UCI digits, 1347 training and 450 test images; see
// examples/data/README.md), same command line and the same kind of report as digits.cpp.
// Read it top to bottom: the network, the recipe, the data, one training run, then main.
//
// Usage: digits_gru [--seed N] [--seeds K] [--smoke] [--data DIR] [--validate]
//   (nothing)    one full run: progress per epoch, test accuracy, confusion matrix
//   --seeds 5    five full runs (seeds N..N+4) and their mean test accuracy; the exit code says
//                whether the mean reaches the target below
//   --smoke      a short run for ctest
//   --validate   choose-the-recipe mode: train on the first 80 % of the TRAINING images only and
//                report the accuracy on the other 20 % (the test images are not read at all);
//                with --seeds K, the mean over K seeds. This is how the recipe below was chosen
//                (see examples/README_sequences.md).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <ctnn/ctnn.hpp>

#include "common/dataset.hpp"
#include "common/options.hpp"
#include "common/report.hpp"

// 1. The network. Input: a window of 8 time steps (the image rows) x 8 channels (the pixels of a
//    row), row-major, so element (t, c) is pixel t * 8 + c: exactly the order of the 64 CSV
//    columns. A GRU with 32 hidden units reads the rows one after another (PyTorch's nn.GRU
//    equations); last_step keeps only its hidden state after the last row; a dense softmax layer
//    turns those 32 numbers into 10 digit probabilities.
constexpr std::size_t rows = 8;
constexpr std::size_t pixels_per_row = 8;
constexpr std::size_t hidden = 32;
using net_t = ctnn::network<float,
                            ctnn::input<rows, pixels_per_row>,
                            ctnn::gru<hidden>,
                            ctnn::last_step,
                            ctnn::dense<10, ctnn::softmax>>;
using image_t = net_t::input_type;  // 8 rows of 8 pixels
using target_t = net_t::output_type;
using data_t = example::labelled_data<64, 10>;
constexpr std::array<const char*, 10> digit_names{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

// 2. The recipe, chosen on a validation part of the training images (see --validate and
//    examples/README_sequences.md): AdamW with learning rate 0.01 and decoupled weight decay 0.1,
//    mini-batches of 16 images, 40 epochs (3 for ctest's smoke run). The target: the mean test
//    accuracy over 5 seeds must reach 97.0 %.
struct recipe {
  std::size_t epochs = 40;
  std::size_t smoke_epochs = 3;
  std::size_t batch_size = 16;
  float learning_rate = 0.01f;
  float weight_decay = 0.1f;
};
constexpr recipe chosen{};
constexpr double target_accuracy = 0.970;

// 3. From the CSV rows (64 pixels) to network inputs (8 rows of 8 pixels) and one-hot targets.
std::vector<image_t> as_images(const data_t& data) {
  std::vector<image_t> images(data.size());
  for (std::size_t s = 0; s < data.size(); ++s)
    for (std::size_t t = 0; t < rows; ++t)
      for (std::size_t c = 0; c < pixels_per_row; ++c) images[s][t][c] = data.x[s][t * pixels_per_row + c];
  return images;
}

// 4. One training run from one seed: initialise, train, measure on the held-out part. Returns
//    the accuracy on `test`, or a negative number when training failed.
double train_and_test(const data_t& train, const data_t& test, std::uint64_t seed,
                      std::size_t epoch_count, bool verbose) {
  const auto train_x = as_images(train);
  const auto test_x = as_images(test);
  const auto train_y = example::encode_targets<10>(train.label);
  const auto test_y = example::encode_targets<10>(test.label);

  // The seed decides the initial weights (Xavier/Glorot uniform for the GRU's and the softmax
  // layer's weight tensors, biases 0) and the order in which the images are visited.
  net_t net;
  ctnn::rng gen{seed};
  ctnn::init(net, ctnn::by_activation{}, gen);

  // AdamW (PyTorch's torch.optim.AdamW: Adam, plus every step shrinks each parameter by
  // lr * weight_decay * w, which keeps the 4362 parameters from fitting the training images too
  // closely) on mini-batches, with a cosine learning-rate decay to 0 over the run. ctnn::fit runs
  // each image through the 8 steps, back-propagates through time over those 8 steps, and averages
  // the gradients of the batch. Clipping the batch gradient to norm 5 guards against the
  // occasional large step that recurrent networks are known for.
  const ctnn::adamw<float> opt{.learning_rate = chosen.learning_rate, .weight_decay = chosen.weight_decay};
  const ctnn::categorical_cross_entropy loss;
  const example::progress progress{verbose};
  const ctnn::fit_options<ctnn::cosine_decay> options{
      .epochs = epoch_count,
      .batch_size = chosen.batch_size,
      .shuffle_seed = seed,
      .clip_norm = 5.0,
      .schedule = ctnn::cosine_decay{.total_steps = epoch_count}};
  const ctnn::fit_report report = ctnn::fit(
      net, std::span<const image_t>(train_x), std::span<const target_t>(train_y), loss, opt,
      options, [&](const ctnn::epoch_info& e) {
        if (!verbose) return;
        progress.epoch(e,
                       ctnn::evaluate(net, std::span<const image_t>(train_x),
                                      std::span<const target_t>(train_y), loss),
                       ctnn::evaluate(net, std::span<const image_t>(test_x),
                                      std::span<const target_t>(test_y), loss));
      });
  if (!report) {
    std::printf("training failed: %s\n", ctnn::message(report.status));
    return -1.0;
  }

  // Which digits the network mistakes for which. (The network reads the image as 8 rows, so the
  // confusion matrix is filled by hand rather than by example::confusion_matrix::of.)
  example::confusion_matrix<10> confusion;
  for (std::size_t s = 0; s < test.size(); ++s)
    ++confusion.count[test.label[s]][example::predicted_class(net.forward(test_x[s]))];
  if (verbose) {
    std::printf("\naccuracy %.2f %% (%zu images), %.2f s\n\n", 100.0 * confusion.accuracy(),
                test.size(), progress.seconds());
    confusion.print(digit_names);
  }
  return confusion.accuracy();
}

// 5. --validate: the first 80 % of the training images train, the last 20 % judge. (The CSV
//    rows are in no particular order of class, so a cut suffices.)
std::array<data_t, 2> split_for_validation(const data_t& train) {
  std::array<data_t, 2> parts;
  const std::size_t cut = train.size() * 4 / 5;
  for (std::size_t s = 0; s < train.size(); ++s) {
    data_t& part = parts[s < cut ? 0 : 1];
    part.x.push_back(train.x[s]);
    part.label.push_back(train.label[s]);
  }
  return parts;
}

int main(int argc, char** argv) {
  // --validate is this example's own flag; the rest is the command line of every real-data
  // example (common/options.hpp).
  bool validate = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--validate") == 0) validate = true;
    else args.push_back(argv[i]);
  }
  const auto options = example::parse_options(static_cast<int>(args.size()), args.data());
  if (!options) return 2;

  // 6. The data: read both parts (or only the training part when validating), then standardise
  //    every pixel with the mean and standard deviation of the part that trains.
  auto train = example::read_csv<64, 10>(options->file("digits_train.csv"));
  if (!train) return 2;
  std::optional<data_t> test;
  if (validate) {
    auto parts = split_for_validation(*train);
    train = std::move(parts[0]);
    test = std::move(parts[1]);
  } else {
    test = example::read_csv<64, 10>(options->file("digits_test.csv"));
    if (!test) return 2;
  }
  const auto scaler = example::standardiser<64>::fit(train->x);
  scaler.apply(train->x);
  scaler.apply(test->x);
  std::printf("digits_gru: %zu training and %zu %s images, network 8x8 -> gru<%zu> -> last_step "
              "-> dense<10, softmax> (%zu parameters)\n",
              train->size(), test->size(), validate ? "validation" : "test", hidden,
              net_t::parameter_count);

  // 7. Training runs: one with progress (the default and --smoke), or one line per seed and the
  //    summary (--seeds K). The smoke test (ctest) trains for three epochs only, which must
  //    already read 85 % of the digits right (guessing gets 10 %); a single full run only has to
  //    finish; several runs must reach the target on average.
  const bool single = options->smoke || options->seeds == 1;
  const std::size_t run_epochs = options->smoke ? chosen.smoke_epochs : chosen.epochs;
  example::accuracy_summary summary;
  for (std::size_t k = 0; k < options->seeds; ++k) {
    const std::uint64_t seed = options->seed + k;
    const double accuracy = train_and_test(*train, *test, seed, run_epochs, single);
    if (single) return accuracy >= (options->smoke ? 0.85 : 0.0) ? 0 : 1;
    std::printf("seed %2llu: %s accuracy %.2f %%\n", static_cast<unsigned long long>(seed),
                validate ? "validation" : "test", 100.0 * accuracy);
    summary.add(accuracy);
  }
  return summary.report(target_accuracy) ? 0 : 1;
}
