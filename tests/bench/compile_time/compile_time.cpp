// SPDX-License-Identifier: MIT
// compile_time.cpp: times the compilation of the generated translation units (generate.cmake).
//
//   bench.compile_time --compile="<compiler and flags>" [--reps=N] <tu.cpp>...
//
// Each TU is compiled N times (`<compile> -c <tu> -o <null>`), interleaved (TU1, TU2, ..., TU1,
// ...) so that a busy moment of a shared machine hits every TU alike; the median wall time is
// reported. TUs named ctnn_<depth>.cpp and hand_<depth>.cpp are paired into a ratio table.
// Exits non-zero if a compilation fails.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string b = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = b.rfind('.');
  return dot == std::string::npos ? b : b.substr(0, dot);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string compile;
  int reps = 5;
  std::vector<std::string> tus;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--compile=", 0) == 0) compile = a.substr(10);
    else if (a.rfind("--reps=", 0) == 0) reps = std::max(1, std::atoi(a.c_str() + 7));
    else tus.push_back(a);
  }
  if (compile.empty() || tus.empty()) {
    std::fprintf(stderr, "usage: %s --compile=\"<compiler and flags>\" [--reps=N] <tu.cpp>...\n",
                 argv[0]);
    return 2;
  }
  std::printf("compile command: %s -c <tu> -o /dev/null   (%d repetitions, median)\n",
              compile.c_str(), reps);
  std::map<std::string, std::vector<double>> times;
  for (int r = 0; r < reps; ++r) {
    for (const std::string& tu : tus) {
      const std::string cmd = compile + " -c \"" + tu + "\" -o /dev/null";
      const auto t0 = std::chrono::steady_clock::now();
      const int rc = std::system(cmd.c_str());
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (rc != 0) {
        std::fprintf(stderr, "compilation failed (%d): %s\n", rc, cmd.c_str());
        return 1;
      }
      times[base_name(tu)].push_back(s);
    }
  }
  std::printf("\n| layers | ctnn s | hand-written s | ctnn / hand |\n|-------:|-------:|---------------:|------------:|\n");
  for (int depth = 1; depth <= 64; ++depth) {
    const auto c = times.find("ctnn_" + std::to_string(depth));
    const auto h = times.find("hand_" + std::to_string(depth));
    if (c == times.end() || h == times.end()) continue;
    const double mc = median(c->second), mh = median(h->second);
    std::printf("| %d | %.2f | %.2f | %.2f |\n", depth, mc, mh, mc / mh);
  }
  std::printf("\n");
  for (const auto& [name, v] : times) {
    std::printf("%-10s", name.c_str());
    for (double s : v) std::printf(" %.2f", s);
    std::printf("\n");
  }
  return 0;
}
