// SPDX-License-Identifier: MIT
// header_check: compiled with `-include <header written by torch_to_ctnn.py>` (see
// compile_header.cmake), as firmware would compile it. Checks that the header's constexpr network
// trained::network is the network the blob of the same conversion loads into (every parameter,
// bit for bit), and that its forward pass, evaluated at compile time, gives the bits of the loaded
// network's forward pass at run time (on a fixed window).
// Usage: header_check <the blob>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <span>

#include <ctnn/serialize.hpp>

#include "import_support.hpp"

namespace {

using net_t = trained::network_type;
using T = net_t::value_type;

/// A fixed window: value k of the flat input is (k % 7 - 3) / 4, so the inputs span [-0.75, 0.75].
constexpr std::array<T, net_t::input_size> window() {
  std::array<T, net_t::input_size> x{};
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = T(static_cast<int>(k % 7) - 3) / T(4);
  return x;
}

constexpr std::array<T, net_t::output_size> forward(const net_t& net) {
  std::array<T, net_t::output_size> y{};
  net_t::workspace_type work{};
  const auto x = window();
  net.forward(std::span<const T, net_t::input_size>(x), std::span<T, net_t::output_size>(y), work);
  return y;
}

constexpr auto at_compile_time = forward(trained::network);  // the whole window, constant-evaluated

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <blob>\n", argv[0]);
    return 2;
  }
  const auto blob = import_support::read_file(argv[1]);
  static net_t loaded;
  const ctnn::status s = ctnn::load(loaded, std::span<const std::byte>(blob));
  const bool same_parameters = s == ctnn::status::ok && loaded == trained::network;
  const auto at_run_time = forward(loaded);
  bool same_outputs = true;
  for (std::size_t j = 0; j < net_t::output_size; ++j)
    same_outputs = same_outputs && at_run_time[j] == at_compile_time[j] && std::isfinite(at_run_time[j]);
  std::printf("%s: load %s; header's parameters == blob's: %s; constexpr forward == run-time forward "
              "(%zu outputs): %s\n",
              argv[1], ctnn::message(s), same_parameters ? "yes" : "NO", net_t::output_size,
              same_outputs ? "yes" : "NO");
  return same_parameters && same_outputs ? 0 : 1;
}
