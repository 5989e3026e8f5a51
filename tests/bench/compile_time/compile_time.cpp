// SPDX-License-Identifier: MIT
// compile_time.cpp: times the compilation of the generated translation units (generate.cmake).
//
//   bench.compile_time --compile="<compiler and flags>" [--reps=N] <tu.cpp>...
//
// Each TU is compiled N times (`<compile> -c <tu> -o /dev/null`), interleaved (TU1, TU2, ...,
// TU1, ...) so that a busy moment of a shared machine hits every TU alike. Reported: the median
// CPU time of the compiler (user + system of the child processes, from getrusage: what the
// compilation costs, whatever else the machine runs) and, beside it, the median wall time.
// TUs are paired by name into ratio tables: <kind>_<depth>.cpp with kind
//   ctnn (ctnn::fit), step (ctnn::train_batch loop) against hand (forward + training epoch);
//   fwd (ctnn forward only) against handfwd.
// Exits non-zero if a compilation fails.
#include <sys/resource.h>

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

/// CPU seconds (user + system) used so far by this process's waited-for children.
double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

struct timing {
  std::vector<double> cpu, wall;
};

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
  std::map<std::string, timing> times;
  for (int r = 0; r < reps; ++r) {
    for (const std::string& tu : tus) {
      const std::string cmd = compile + " -c \"" + tu + "\" -o /dev/null";
      const double c0 = children_cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      const int rc = std::system(cmd.c_str());
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (rc != 0) {
        std::fprintf(stderr, "compilation failed (%d): %s\n", rc, cmd.c_str());
        return 1;
      }
      auto& t = times[base_name(tu)];
      t.cpu.push_back(children_cpu_seconds() - c0);
      t.wall.push_back(wall);
    }
  }
  struct pairing {
    const char* ctnn;
    const char* hand;
    const char* title;
  };
  const pairing pairings[] = {
      {"ctnn", "hand", "forward + one training epoch, ctnn::fit"},
      {"step", "hand", "forward + one training epoch, ctnn::train_batch loop"},
      {"fwd", "handfwd", "forward pass only"}};
  for (const pairing& p : pairings) {
    bool header = false;
    for (int depth = 1; depth <= 64; ++depth) {
      const auto c = times.find(std::string(p.ctnn) + "_" + std::to_string(depth));
      const auto h = times.find(std::string(p.hand) + "_" + std::to_string(depth));
      if (c == times.end() || h == times.end()) continue;
      if (!header) {
        std::printf("\n%s: CPU seconds (wall seconds)\n\n", p.title);
        std::printf("| layers | ctnn s | hand-written s | ctnn / hand |\n");
        std::printf("|-------:|-------:|---------------:|------------:|\n");
        header = true;
      }
      const double mc = median(c->second.cpu), mh = median(h->second.cpu);
      std::printf("| %d | %.2f (%.2f) | %.2f (%.2f) | %.2f |\n", depth, mc,
                  median(c->second.wall), mh, median(h->second.wall), mh > 0 ? mc / mh : 0.0);
    }
  }
  std::printf("\nCPU seconds per repetition:\n");
  for (const auto& [name, t] : times) {
    std::printf("%-11s", name.c_str());
    for (double s : t.cpu) std::printf(" %.2f", s);
    std::printf("\n");
  }
  return 0;
}
