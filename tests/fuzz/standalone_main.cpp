// SPDX-License-Identifier: MIT
// tests/fuzz/standalone_main: runs a fuzz target's LLVMFuzzerTestOneInput on files and on every
// file in directories, without libFuzzer. Used to build the targets with any compiler (g++
// included) and to replay the seed corpus and past findings as an ordinary test.
// Usage: <target> <file or directory>...
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
std::size_t run_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) runs += run_file(e.path());
    } else if (std::filesystem::is_regular_file(p)) {
      runs += run_file(p);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 2;
    }
  }
  LLVMFuzzerTestOneInput(nullptr, 0);  // the empty input
  std::printf("%zu inputs ran without an invariant violation\n", runs);
  return runs > 0 ? 0 : 1;
}
