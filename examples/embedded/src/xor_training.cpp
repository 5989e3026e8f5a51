// SPDX-License-Identifier: MIT
// xor_training: the device trains a 2-3-1 network on XOR with ctnn::fit (xor_model.hpp), then
// checks that its weights are bit-for-bit the ones the compiler computed for the same seed
// (xor_compile_time.cpp) and that it learned XOR.
//
// Output (semihosting):  the truth table, then `weights <13 hex words>` in ctnn's flat order
// (tests/firmware compares that line with the one printed by the same training on x86-64).
// Exit status: 0 all right, 1 XOR not learned, 2 weights differ from the compile-time ones.
#include <cstdint>

#include "semihosting.hpp"
#include "xor_model.hpp"

using xor_model::net_t;

// The byte budget is a compile-time fact (net, trace, gradients, optimiser state, snapshot).
static_assert(net_t::parameter_bytes == 13 * sizeof(float));
static_assert(ctnn::training_bytes<net_t, xor_model::optimizer_t> <= 256);

namespace {
// Read through a volatile so that the compiler cannot fold the training: the device does it.
volatile std::uint32_t seed_source = static_cast<std::uint32_t>(xor_model::seed);
}  // namespace

int main() {
  port::console out;
  net_t net = xor_model::initial(seed_source);
  const ctnn::fit_report report = xor_model::train(net);

  out << "xor_training: " << static_cast<std::uint32_t>(report.epochs_run) << " epochs, "
      << ctnn::message(report.status) << port::endl;
  for (std::size_t k = 0; k < xor_model::inputs.size(); ++k) {
    const float y = net.forward(xor_model::inputs[k])[0];
    out << "  " << port::fixed{xor_model::inputs[k][0], 0} << " xor "
        << port::fixed{xor_model::inputs[k][1], 0} << " = " << port::fixed{y, 4} << port::endl;
  }
  out << "weights";
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) out << ' ' << port::hex_bits{net[k]};
  out << port::endl;

  const bool same = xor_model::identical(net, xor_model::trained_at_compile_time);
  const bool ok = report && xor_model::learned(net);
  out << "bit-identical to the compile-time training: " << (same ? "yes" : "NO") << port::endl;
  if (!ok) return port::exit_wrong_result;
  return same ? port::exit_ok : port::exit_not_identical;
}
