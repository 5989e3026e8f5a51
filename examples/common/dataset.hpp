// SPDX-License-Identifier: MIT
// dataset.hpp: what the real-data examples need before ctnn sees a number: read a CSV file of
// features and class labels, encode the labels as network targets, and standardise the features.
// Examples may allocate (std::vector, std::string, exceptions inside the CSV reader); ctnn never
// does.
#pragma once

// The CSV reader: Ben Strasser's "Fast C++ CSV Parser" (header-only; Debian/Ubuntu package
// libfccp-dev, https://github.com/ben-strasser/fast-cpp-csv-parser). Its column count is a template
// parameter, which suits a network whose input width is one too. The files here are small: read
// them on the calling thread (no reader thread, no -pthread needed). The header lives in a system
// include folder, so its own warnings are silent, except one that GCC reports after inlining
// (a deliberate strncpy truncation of long file names in error messages).
#define CSV_IO_NO_THREAD
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace example {

/// Rows of a classification data set: features x[s] and the class label[s] in 0 .. Classes-1.
template <std::size_t Features, std::size_t Classes>
struct labelled_data {
  static constexpr std::size_t features = Features;
  static constexpr std::size_t classes = Classes;
  std::vector<std::array<float, Features>> x;
  std::vector<std::size_t> label;
  std::size_t size() const { return x.size(); }
};

/// Reads a CSV file with a header line `f0,f1,...,f<Features-1>,label` (the layout of
/// examples/data/) and one sample per line. Returns nothing, after printing why to stderr, when the
/// file is missing, a column is missing or misnamed, a value is not a number, a label is outside
/// 0 .. Classes-1, or there are no rows.
template <std::size_t Features, std::size_t Classes>
std::optional<labelled_data<Features, Classes>> read_csv(const std::string& path) {
  constexpr unsigned columns = static_cast<unsigned>(Features + 1);
  // Column names "f0" .. "f<Features-1>", "label", formatted into fixed buffers: g++ 12 at -O3
  // reports a false -Wrestrict on std::string concatenation such as `"f" + std::to_string(i)`.
  using column_name = std::array<char, 24>;  // "f" + up to 20 digits + NUL
  std::array<column_name, Features + 1> names{};
  for (std::size_t i = 0; i < Features; ++i)
    std::snprintf(names[i].data(), names[i].size(), "f%zu", i);
  std::snprintf(names[Features].data(), names[Features].size(), "label");

  labelled_data<Features, Classes> data;
  try {
    io::CSVReader<columns> csv(path);
    // fccp takes one argument per column; expand the arrays into argument packs.
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      csv.read_header(io::ignore_no_column, names[I].data()...);
    }(std::make_index_sequence<Features + 1>{});
    // Values are parsed as double (fccp's float parser accumulates digit by digit in the
    // target type), then rounded once to float.
    std::array<double, Features> row{};
    unsigned long label = 0;
    while ([&]<std::size_t... I>(std::index_sequence<I...>) {
      return csv.read_row(row[I]..., label);
    }(std::make_index_sequence<Features>{})) {
      if (label >= Classes) {
        std::fprintf(stderr, "%s:%u: label %lu is not a class of this data set (0..%zu)\n",
                     path.c_str(), csv.get_file_line(), label, Classes - 1);
        return std::nullopt;
      }
      std::array<float, Features> x{};
      for (std::size_t i = 0; i < Features; ++i) x[i] = static_cast<float>(row[i]);
      data.x.push_back(x);
      data.label.push_back(static_cast<std::size_t>(label));
    }
  } catch (const io::error::base& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return std::nullopt;
  }
  if (data.x.empty()) {
    std::fprintf(stderr, "%s: no samples\n", path.c_str());
    return std::nullopt;
  }
  return data;
}

/// The targets a network with `Outputs` outputs is trained towards: one output is a probability
/// (label 0 -> {0}, label 1 -> {1}, for sigmoid + binary cross-entropy); several outputs are a
/// one-hot vector (label 2 of 3 -> {0, 0, 1}, for softmax + categorical cross-entropy).
template <std::size_t Outputs>
std::vector<std::array<float, Outputs>> encode_targets(const std::vector<std::size_t>& labels) {
  std::vector<std::array<float, Outputs>> y(labels.size());
  for (std::size_t s = 0; s < labels.size(); ++s) {
    if constexpr (Outputs == 1) y[s][0] = static_cast<float>(labels[s]);
    else y[s][labels[s]] = 1.0f;
  }
  return y;
}

/// The class a network output stands for: the larger side of 0.5 for one output, the argmax for
/// several (the same rule as ctnn::is_correct).
template <std::size_t Outputs>
std::size_t predicted_class(const std::array<float, Outputs>& y) {
  if constexpr (Outputs == 1) {
    return y[0] >= 0.5f ? 1 : 0;
  } else {
    std::size_t best = 0;
    for (std::size_t j = 1; j < Outputs; ++j)
      if (y[best] < y[j]) best = j;
    return best;
  }
}

/// Standardisation, z = (x - mean) / std per feature, with the mean and the (population)
/// standard deviation of the TRAINING part only: the test part must not leak into training, so it
/// is scaled with the training part's numbers. A feature that is constant in the training part
/// (e.g. a corner pixel that is always 0) keeps a scale of 1, as scikit-learn's StandardScaler
/// does.
template <std::size_t Features>
struct standardiser {
  std::array<double, Features> mean{};
  std::array<double, Features> stddev{};

  static standardiser fit(const std::vector<std::array<float, Features>>& x) {
    standardiser s;
    const double n = static_cast<double>(x.size());
    for (const auto& row : x)
      for (std::size_t i = 0; i < Features; ++i) s.mean[i] += static_cast<double>(row[i]);
    for (double& m : s.mean) m /= n;
    for (const auto& row : x) {
      for (std::size_t i = 0; i < Features; ++i) {
        const double d = static_cast<double>(row[i]) - s.mean[i];
        s.stddev[i] += d * d;
      }
    }
    for (double& v : s.stddev) {
      v = std::sqrt(v / n);
      if (!(v > 1e-12)) v = 1.0;
    }
    return s;
  }

  void apply(std::vector<std::array<float, Features>>& x) const {
    for (auto& row : x)
      for (std::size_t i = 0; i < Features; ++i)
        row[i] = static_cast<float>((static_cast<double>(row[i]) - mean[i]) / stddev[i]);
  }
};

}  // namespace example
