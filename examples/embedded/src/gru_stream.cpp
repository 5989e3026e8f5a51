// SPDX-License-Identifier: MIT
// gru_stream: a GRU-16 network streams a signal one sample at a time, as firmware reading a
// sensor would: ctnn::network<float, input<1, 1>, gru<16>, last_step, dense<1>> (929 weights
// from ctnn::rng{2024}, in flash), 256 samples of a sum of sines computed on the device, one
// net.step(x_t, state) per sample, the 64-byte hidden state in a static variable
// (gru_model.hpp). The compiler has run the same stream (constexpr); the device's outputs must be
// bit-for-bit the same.
//
// Prints `output_bits <fnv1a of all 256 outputs> <outputs 31, 63, ..., 255> <fnv1a of the final
// hidden state>` (IEEE-754 bit patterns), the line tests/firmware compares with the host's
// (gru_stream_host.cpp), and `stack probe_gru_step <bytes>` and `stack probe_gru_stream <bytes>`,
// the stack of one step and of the whole stream, measured by painting the stack (read by
// cmake/stack_report.cmake, which adds the static figure from -fcallgraph-info).
//
// Exit status: 0 all right, 1 an output or the final state is not finite, 2 an output differs
// from the compile-time one.
#include <array>
#include <cstddef>
#include <cstdint>

#include <ctnn/finite.hpp>

#include "gru_model.hpp"
#include "semihosting.hpp"

using gru_model::net_t;

static_assert(net_t::parameter_count == 3 * 16 * (1 + 16 + 2) + 16 + 1);
static_assert(net_t::parameter_bytes == 929 * sizeof(float));
static_assert(net_t::state_bytes == 16 * sizeof(float));  // the GRU's hidden state, nothing else
static_assert(net_t::step_input_size == 1 && net_t::step_output_size == 1);

extern "C" std::uint32_t __stack_limit__[];  // linker script: lowest address of the stack

namespace {

constexpr net_t network = gru_model::make();

/// The compiler's stream.
constexpr gru_model::summary expected = gru_model::stream(network);

// The device reads the network through a volatile pointer, so that no step is folded at compile
// time: every output below is computed by the target at run time.
const net_t* volatile network_in_flash = &network;

// The stream's state lives in static storage, as in firmware that steps from an interrupt or a
// main loop; the probes below keep their inputs and outputs here too.
net_t::state_type state{};
net_t::step_input_type probe_input{};
net_t::step_output_type probe_output{};
gru_model::summary probe_summary{};

[[gnu::noinline]] void probe_gru_step() {
  probe_output = network_in_flash->step(probe_input, state);
}

[[gnu::noinline]] void probe_gru_stream() {
  probe_summary = gru_model::stream(*network_in_flash, state);
}

// ---- stack use: paint the free stack, run the call, find the deepest word it changed ------------

constexpr std::uint32_t stack_paint = 0x5EC0FFEEu;

[[gnu::always_inline]] inline std::uintptr_t current_sp() noexcept {
  std::uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

/// Stack bytes `call` used below the caller's stack pointer. Nothing runs below the stack pointer
/// (no interrupts are enabled), and this function's own frame is above `sp`.
template <class F>
std::uint32_t stack_used_by(F call) noexcept {
  const std::uintptr_t sp = current_sp();
  volatile std::uint32_t* const limit = __stack_limit__;
  const std::size_t words = (sp - reinterpret_cast<std::uintptr_t>(limit)) / sizeof(std::uint32_t);
  for (std::size_t k = 0; k < words; ++k) limit[k] = stack_paint;
  call();
  std::size_t untouched = 0;
  while (untouched < words && limit[untouched] == stack_paint) ++untouched;
  return static_cast<std::uint32_t>(sp - reinterpret_cast<std::uintptr_t>(limit + untouched));
}

}  // namespace

int main() {
  port::console out;
  out << "gru_stream: input<1, 1> -> gru<16> -> last_step -> dense<1>, "
      << static_cast<std::uint32_t>(net_t::parameter_bytes) << " bytes of weights in flash, "
      << static_cast<std::uint32_t>(net_t::state_bytes) << " bytes of state" << port::endl;

  const std::uint32_t step_stack = stack_used_by(probe_gru_step);
  const std::uint32_t stream_stack = stack_used_by(probe_gru_stream);
  const gru_model::summary& got = probe_summary;

  // A NaN or an infinity would stay in the hidden state: the state after the stream says.
  const bool finite = ctnn::all_finite(state) && ctnn::all_finite(got.outputs);
  out << "output_bits " << port::hex32{got.output_hash};
  for (const float y : got.outputs) out << ' ' << port::hex_bits{y};
  out << ' ' << port::hex32{got.state_hash} << port::endl;
  out << "outputs:";
  for (const float y : got.outputs) out << ' ' << port::fixed{y, 4};
  out << port::endl;
  const bool same = identical(got, expected);
  out << "bit-identical to the compile-time stream: " << (same ? "yes" : "NO") << port::endl;
  out << "stack probe_gru_step " << step_stack << port::endl;
  out << "stack probe_gru_stream " << stream_stack << port::endl;
  if (!finite) return port::exit_wrong_result;
  return same ? port::exit_ok : port::exit_not_identical;
}
