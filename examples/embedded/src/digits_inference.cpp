// SPDX-License-Identifier: MIT
// digits_inference: a digits-sized network (64-32-10, ReLU, softmax; 2410 parameters, 9640 bytes
// of flash) classifies 8x8 handwritten digits. The weights were trained by ctnn on the host
// (tools/train_digits.cpp, committed as digits_model.hpp); here they are a constexpr network in
// flash. The device classifies the first 32 test images; the compiler has classified the same
// images (constexpr), and every output must be bit-for-bit the same.
//
// Exit status: 0 all right, 1 fewer than 30 of 32 right, 2 an output differs from the
// compile-time one.
#include <array>
#include <bit>
#include <cstdint>

#include <ctnn/train.hpp>

#include "digits_model.hpp"
#include "semihosting.hpp"

using digits_model::net_t;

static_assert(net_t::parameter_count == 64 * 32 + 32 + 32 * 10 + 10);
static_assert(net_t::parameter_bytes == 9640);
static_assert(net_t::inference_bytes == 32 * sizeof(float));  // one buffer of the hidden width
static_assert(net_t::forward_macs == 64 * 32 + 32 * 10);

namespace {

constexpr net_t network{digits_model::parameters};

constexpr net_t::input_type image(std::size_t s) noexcept {
  net_t::input_type x{};
  for (std::size_t i = 0; i < 64; ++i) x[i] = static_cast<float>(digits_model::samples[s][i]) / 16.0f;
  return x;
}

// The compiler's answers: every output of every sample, as bit patterns.
constexpr auto expected = [] {
  std::array<std::array<std::uint32_t, 10>, digits_model::sample_count> bits{};
  for (std::size_t s = 0; s < digits_model::sample_count; ++s) {
    const net_t::output_type y = network.forward(image(s));
    for (std::size_t c = 0; c < 10; ++c) bits[s][c] = std::bit_cast<std::uint32_t>(y[c]);
  }
  return bits;
}();

// The device reads the network through a volatile pointer, so that no forward pass is folded
// at compile time: every output below is computed by the target at run time.
const net_t* volatile network_in_flash = &network;

}  // namespace

int main() {
  port::console out;
  const net_t& net = *network_in_flash;
  std::uint32_t right = 0;
  bool same = true;
  out << "digits_inference: 64-32-10, " << static_cast<std::uint32_t>(net_t::parameter_bytes)
      << " bytes of weights in flash" << port::endl;
  for (std::size_t s = 0; s < digits_model::sample_count; ++s) {
    const net_t::output_type y = net.forward(image(s));
    const std::size_t predicted = ctnn::argmax(y);
    right += predicted == digits_model::labels[s] ? 1u : 0u;
    for (std::size_t c = 0; c < 10; ++c)
      same = same && std::bit_cast<std::uint32_t>(y[c]) == expected[s][c];
    out << "  image " << static_cast<std::uint32_t>(s) << ": label "
        << static_cast<std::uint32_t>(digits_model::labels[s]) << ", predicted "
        << static_cast<std::uint32_t>(predicted) << " (p = " << port::fixed{y[predicted], 4} << ")"
        << port::endl;
  }
  out << right << " of " << static_cast<std::uint32_t>(digits_model::sample_count)
      << " right; bit-identical to the compile-time outputs: " << (same ? "yes" : "NO")
      << port::endl;
  if (right < 30) return port::exit_wrong_result;
  return same ? port::exit_ok : port::exit_not_identical;
}
