// SPDX-License-Identifier: MIT
// report.hpp: what the real-data examples print: a per-epoch progress line (with a progress bar
// when stdout is a terminal), a confusion matrix, and the summary of a multi-seed run.
#pragma once

#include <ctnn/train.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "dataset.hpp"

namespace example {

/// True when standard output is a terminal (then the progress line gets a bar); false when it
/// goes to a file, a pipe or ctest's log.
inline bool stdout_is_terminal() {
#if defined(__unix__) || defined(__APPLE__)
  return isatty(STDOUT_FILENO) != 0;
#else
  return false;
#endif
}

/// Prints one line per epoch: the epoch, the mean training loss over the epoch (as ctnn::fit
/// reports it), the accuracy on the training and on the test part at the end of the epoch, and
/// the time since the object was made.
class progress {
 public:
  explicit progress(bool enabled = true)
      : enabled_(enabled), bar_(stdout_is_terminal()), start_(std::chrono::steady_clock::now()) {}

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void epoch(const ctnn::epoch_info& e, const ctnn::evaluation& train,
             const ctnn::evaluation& test) const {
    if (!enabled_) return;
    std::printf("epoch %3zu/%zu ", e.epoch + 1, e.epochs);
    if (bar_) {
      constexpr std::size_t width = 20;
      const std::size_t done = (e.epoch + 1) * width / (e.epochs > 0 ? e.epochs : 1);
      char bar[width + 1] = {};
      for (std::size_t i = 0; i < width; ++i) bar[i] = i < done ? '#' : '.';
      std::printf("[%s] ", bar);
    }
    std::printf(" loss %.4f  train %5.1f %%  test %5.1f %%  %7.3f s\n", e.loss,
                100.0 * train.accuracy, 100.0 * test.accuracy, seconds());
    std::fflush(stdout);
  }

 private:
  bool enabled_;
  bool bar_;
  std::chrono::steady_clock::time_point start_;
};

/// count[t][p]: how many samples of true class t the network assigned to class p. The diagonal
/// holds the right answers; everything off it is a mistake, and where it sits says which classes
/// the network confuses.
template <std::size_t Classes>
struct confusion_matrix {
  std::array<std::array<std::size_t, Classes>, Classes> count{};

  template <class Net, std::size_t Features>
  static confusion_matrix of(const Net& net, const labelled_data<Features, Classes>& data) {
    confusion_matrix m;
    for (std::size_t s = 0; s < data.size(); ++s)
      ++m.count[data.label[s]][predicted_class(net.forward(data.x[s]))];
    return m;
  }

  double accuracy() const {
    std::size_t right = 0, all = 0;
    for (std::size_t t = 0; t < Classes; ++t)
      for (std::size_t p = 0; p < Classes; ++p) {
        all += count[t][p];
        right += t == p ? count[t][p] : 0;
      }
    return all > 0 ? static_cast<double>(right) / static_cast<double>(all) : 0.0;
  }

  void print(const std::array<const char*, Classes>& names) const {
    int width = 5;
    for (const char* n : names) width = std::max(width, static_cast<int>(std::strlen(n)));
    std::printf("confusion matrix (rows: true class, columns: predicted class)\n  %*s", width, "");
    for (const char* n : names) std::printf(" %*s", width, n);
    std::printf("\n");
    for (std::size_t t = 0; t < Classes; ++t) {
      std::printf("  %-*s", width, names[t]);
      for (std::size_t p = 0; p < Classes; ++p) std::printf(" %*zu", width, count[t][p]);
      std::printf("\n");
    }
  }
};

/// Test accuracies of several runs (one per seed): mean, min, max, and the verdict on a target.
struct accuracy_summary {
  std::vector<double> accuracies;

  void add(double a) { accuracies.push_back(a); }
  double mean() const {
    double sum = 0.0;
    for (double a : accuracies) sum += a;
    return accuracies.empty() ? 0.0 : sum / static_cast<double>(accuracies.size());
  }
  double min() const { return *std::min_element(accuracies.begin(), accuracies.end()); }
  double max() const { return *std::max_element(accuracies.begin(), accuracies.end()); }

  /// Prints the summary and returns whether the mean reaches `target` (a fraction, e.g. 0.968).
  bool report(double target) const {
    const bool met = !accuracies.empty() && mean() >= target;
    std::printf("test accuracy over %zu seeds: mean %.2f %%  min %.2f %%  max %.2f %%  "
                "(target %.1f %%: %s)\n",
                accuracies.size(), 100.0 * mean(), 100.0 * min(), 100.0 * max(), 100.0 * target,
                met ? "met" : "NOT met");
    return met;
  }
};

}  // namespace example
