// SPDX-License-Identifier: MIT
// xor_bit_identity: the host side of "same numbers everywhere". Trains the firmware's XOR network
// (examples/embedded/src/xor_model.hpp: same seed, initialisation, loss, optimiser, epochs) twice
// on this machine: once in the compiler (constexpr) and once at run time. Prints the run-time
// weights as `weights <13 hex words>`, the line the firmware prints; ctest compares the two.
//
// Exit status: 0 if XOR was learned and the run-time weights are bit-identical to the
// compile-time ones, 1 if not learned, 2 if not identical.
#include <bit>
#include <cstdint>
#include <cstdio>

#include "xor_model.hpp"

int main() {
  constexpr xor_model::net_t by_compiler = xor_model::trained(xor_model::seed);
  static_assert(xor_model::learned(by_compiler));

  volatile std::uint64_t seed = xor_model::seed;  // run time, not folded
  xor_model::net_t net = xor_model::initial(seed);
  const ctnn::fit_report report = xor_model::train(net);

  std::printf("weights");
  for (std::size_t k = 0; k < xor_model::net_t::parameter_count; ++k)
    std::printf(" %08x", static_cast<unsigned>(std::bit_cast<std::uint32_t>(net[k])));
  std::printf("\n");
  const bool same = xor_model::identical(net, by_compiler);
  std::printf("bit-identical to the compile-time training: %s\n", same ? "yes" : "NO");
  if (!report || !xor_model::learned(net)) return 1;
  return same ? 0 : 2;
}
