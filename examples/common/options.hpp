// SPDX-License-Identifier: MIT
// options.hpp: the command line shared by the real-data examples.
//
//   <example> [--seed N] [--seeds K] [--smoke] [--data DIR]
//     (nothing)    one full run with seed 1: per-epoch progress, test accuracy, confusion matrix
//     --seed N     the seed of the run (weights and shuffling); with --seeds, the first seed
//     --seeds K    K runs with seeds N, N+1, ..., N+K-1, one line each, then the mean, min and max
//                  test accuracy; the exit code is 0 only if the mean reaches the example's target
//     --smoke      a short run (a few epochs) for ctest; exit code 0 only if the network learned
//     --data DIR   the folder holding the CSV files (default: examples/data of the source tree)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

// CMake points this at the source tree's examples/data (examples/<name>.cmake); a hand build run
// from the repository root finds the same folder.
#ifndef CTNN_EXAMPLE_DATA_DIR
#define CTNN_EXAMPLE_DATA_DIR "examples/data"
#endif

namespace example {

struct options {
  std::uint64_t seed = 1;
  std::size_t seeds = 1;  ///< > 1: the multi-seed accuracy check
  bool smoke = false;
  std::string data_dir = CTNN_EXAMPLE_DATA_DIR;
  std::string file(const char* name) const { return data_dir + "/" + name; }
};

/// Parses the command line; prints the usage and returns nothing on --help or a bad argument.
inline std::optional<options> parse_options(int argc, char** argv) {
  options o;
  const auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s [--seed N] [--seeds K] [--smoke] [--data DIR]\n"
                 "  --seed N    seed of the run (default 1); the first seed with --seeds\n"
                 "  --seeds K   K runs (seeds N..N+K-1): mean/min/max test accuracy,\n"
                 "              exit code 0 only if the mean reaches the target\n"
                 "  --smoke     a few epochs (used by ctest)\n"
                 "  --data DIR  folder of the CSV files (default %s)\n",
                 argc > 0 ? argv[0] : "example", CTNN_EXAMPLE_DATA_DIR);
  };
  const auto number = [](const char* text, std::uint64_t& out) {
    char* end = nullptr;
    if (text == nullptr || *text < '0' || *text > '9') return false;
    out = std::strtoull(text, &end, 10);
    return *end == '\0';
  };
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    std::uint64_t n = 0;
    if (std::strcmp(arg, "--smoke") == 0) {
      o.smoke = true;
    } else if (std::strcmp(arg, "--seed") == 0 && number(value, n)) {
      o.seed = n;
      ++i;
    } else if (std::strcmp(arg, "--seeds") == 0 && number(value, n) && n > 0) {
      o.seeds = static_cast<std::size_t>(n);
      ++i;
    } else if (std::strcmp(arg, "--data") == 0 && value != nullptr) {
      o.data_dir = value;
      ++i;
    } else {
      if (std::strcmp(arg, "--help") != 0 && std::strcmp(arg, "-h") != 0)
        std::fprintf(stderr, "bad argument: %s\n", arg);
      usage();
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace example
