// SPDX-License-Identifier: MIT
// xor_inference: inference only, with weights the compiler trained (xor_compile_time.cpp): the
// trained network is a constant in flash, the device only runs forward passes (no training code
// is linked). Each output must be bit-for-bit the output the compiler computed.
//
// Exit status: 0 all right, 1 a wrong XOR answer, 2 an output differs from the compile-time one.
#include <bit>
#include <cstdint>

#include "semihosting.hpp"
#include "xor_model.hpp"

using xor_model::net_t;

// Inference needs the parameters (flash) and a working buffer of the widest hidden layer (stack).
static_assert(net_t::parameter_bytes == 52);
static_assert(net_t::inference_bytes == 3 * sizeof(float));
static_assert(net_t::forward_macs == 2 * 3 + 3 * 1);

int main() {
  port::console out;
  const net_t& net = xor_model::trained_at_compile_time;
  bool right = true, same = true;
  out << "xor_inference: weights trained by the compiler" << port::endl;
  for (std::size_t k = 0; k < xor_model::inputs.size(); ++k) {
    const float y = net.forward(xor_model::inputs[k])[0];
    out << "  " << port::fixed{xor_model::inputs[k][0], 0} << " xor "
        << port::fixed{xor_model::inputs[k][1], 0} << " = " << port::fixed{y, 4} << "  ("
        << port::hex_bits{y} << ")" << port::endl;
    right = right && (y > 0.5f) == (xor_model::targets[k][0] > 0.5f);
    same = same && std::bit_cast<std::uint32_t>(y) ==
                       std::bit_cast<std::uint32_t>(xor_model::outputs_at_compile_time[k]);
  }
  out << "bit-identical to the compile-time outputs: " << (same ? "yes" : "NO") << port::endl;
  if (!right) return port::exit_wrong_result;
  return same ? port::exit_ok : port::exit_not_identical;
}
