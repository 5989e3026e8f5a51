// SPDX-License-Identifier: MIT
// stack_probe: how much stack do a forward pass and one training step take? Each is wrapped in a
// noinline function; this file is built with -fstack-usage -fcallgraph-info=su, from which
// cmake/stack_report.cmake computes the static worst case, and the image measures the real use by
// painting the stack with a pattern, running the call, and finding the deepest word it changed.
// Two networks: the XOR 2-3-1 (batch gradient descent on 4 samples) and the digits 64-32-10
// (Adam on a batch of 8), each for a forward pass, one training step (ctnn::train_batch) and one
// epoch of ctnn::fit, without and with a training workspace in static storage. Built for the MPS2
// boards only (the digits training state needs 38 KiB of RAM and fit another 39 KiB of stack or
// of static workspace, more than a micro:bit has).
//
// Output lines `stack <probe> <bytes>` are read by cmake/stack_report.cmake.
#include <array>
#include <cstdint>
#include <span>

#include <ctnn/loss.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/train.hpp>

#include "digits_model.hpp"
#include "semihosting.hpp"
#include "training_cost.hpp"
#include "xor_model.hpp"

extern "C" std::uint32_t __stack_limit__[];  // linker script: lowest address of the stack

namespace {

// ---- the calls under test ---------------------------------------------------------------------

using xor_net_t = xor_model::net_t;
using digits_net_t = digits_model::net_t;
using digits_optimizer_t = ctnn::adam<float>;
constexpr std::size_t digits_batch = 8;

constexpr auto first_k = [](std::size_t k) { return k; };

xor_net_t xor_net = xor_model::initial(xor_model::seed);
xor_net_t::input_type xor_input{1.0f, 0.0f};
xor_net_t::output_type xor_output{};
ctnn::gradients<xor_net_t> xor_gradients{};
xor_model::optimizer_t::state<xor_net_t> xor_state{};

digits_net_t digits_net{digits_model::parameters};
digits_net_t::output_type digits_output{};
ctnn::gradients<digits_net_t> digits_gradients{};
digits_optimizer_t::state<digits_net_t> digits_state{};

constexpr auto digits_inputs = [] {
  std::array<digits_net_t::input_type, digits_batch> x{};
  for (std::size_t s = 0; s < digits_batch; ++s)
    for (std::size_t i = 0; i < 64; ++i)
      x[s][i] = static_cast<float>(digits_model::samples[s][i]) / 16.0f;
  return x;
}();
constexpr auto digits_targets = [] {
  std::array<digits_net_t::output_type, digits_batch> y{};
  for (std::size_t s = 0; s < digits_batch; ++s) y[s][digits_model::labels[s]] = 1.0f;
  return y;
}();

[[gnu::noinline]] void probe_xor_forward() { xor_output = xor_net.forward(xor_input); }

[[gnu::noinline]] float probe_xor_train_step() {
  return ctnn::train_batch(xor_net, std::span<const xor_net_t::input_type>(xor_model::inputs),
                           std::span<const xor_net_t::output_type>(xor_model::targets),
                           xor_model::loss_t{}, xor_model::optimizer_t{xor_model::learning_rate},
                           xor_state, xor_model::learning_rate, xor_gradients, 0, 4, first_k);
}

[[gnu::noinline]] void probe_digits_forward() { digits_output = digits_net.forward(digits_inputs[0]); }

[[gnu::noinline]] float probe_digits_train_step() {
  return ctnn::train_batch(digits_net, std::span<const digits_net_t::input_type>(digits_inputs),
                           std::span<const digits_net_t::output_type>(digits_targets),
                           ctnn::categorical_cross_entropy{}, digits_optimizer_t{0.01f},
                           digits_state, 0.01f, digits_gradients, 0, digits_batch, first_k);
}

// ctnn::fit without a workspace keeps its working memory (ctnn::training_workspace: trace,
// gradients, batch tile, last-good network and optimiser state) in its own frame: its stack is
// ctnn::training_bytes plus a training step's. One epoch each.
[[gnu::noinline]] bool probe_xor_fit() {
  return static_cast<bool>(ctnn::fit(
      xor_net, std::span<const xor_net_t::input_type>(xor_model::inputs),
      std::span<const xor_net_t::output_type>(xor_model::targets), xor_model::loss_t{},
      xor_model::optimizer_t{xor_model::learning_rate}, xor_state,
      {.epochs = 1, .batch_size = 4, .shuffle = false}));
}

[[gnu::noinline]] bool probe_digits_fit() {
  return static_cast<bool>(ctnn::fit(
      digits_net, std::span<const digits_net_t::input_type>(digits_inputs),
      std::span<const digits_net_t::output_type>(digits_targets), ctnn::categorical_cross_entropy{},
      digits_optimizer_t{0.01f}, digits_state,
      {.epochs = 1, .batch_size = digits_batch, .shuffle = false}));
}

// The same with the working memory in static storage (ctnn::training_workspace): fit's stack
// is then a few scalars and the step's small vectors, training_bytes less.
ctnn::training_workspace<xor_net_t, xor_model::optimizer_t> xor_workspace{};
ctnn::training_workspace<digits_net_t, digits_optimizer_t> digits_workspace{};

[[gnu::noinline]] bool probe_xor_fit_workspace() {
  return static_cast<bool>(ctnn::fit(
      xor_net, std::span<const xor_net_t::input_type>(xor_model::inputs),
      std::span<const xor_net_t::output_type>(xor_model::targets), xor_model::loss_t{},
      xor_model::optimizer_t{xor_model::learning_rate}, xor_state, xor_workspace,
      {.epochs = 1, .batch_size = 4, .shuffle = false}));
}

[[gnu::noinline]] bool probe_digits_fit_workspace() {
  return static_cast<bool>(ctnn::fit(
      digits_net, std::span<const digits_net_t::input_type>(digits_inputs),
      std::span<const digits_net_t::output_type>(digits_targets), ctnn::categorical_cross_entropy{},
      digits_optimizer_t{0.01f}, digits_state, digits_workspace,
      {.epochs = 1, .batch_size = digits_batch, .shuffle = false}));
}

// ---- measuring ---------------------------------------------------------------------------------

constexpr std::uint32_t paint = 0xC5A5C5A5u;

[[gnu::always_inline]] inline std::uintptr_t stack_pointer() noexcept {
  std::uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

/// Fills the free stack, from the limit up to the stack pointer, with the pattern. Nothing lives
/// below the stack pointer (no interrupts are enabled), and this leaf function's own frame, if
/// any, is above it.
[[gnu::noinline]] void paint_stack() noexcept {
  const std::uintptr_t top = stack_pointer();
  for (volatile std::uint32_t* p = __stack_limit__; reinterpret_cast<std::uintptr_t>(p) < top; ++p)
    *p = paint;
}

/// Bytes between `sp` and the deepest word below it that is no longer the pattern.
std::uint32_t used_below(std::uintptr_t sp) noexcept {
  const volatile std::uint32_t* p = __stack_limit__;
  while (reinterpret_cast<std::uintptr_t>(p) < sp && *p == paint) ++p;
  return static_cast<std::uint32_t>(sp - reinterpret_cast<std::uintptr_t>(p));
}

template <class F>
std::uint32_t measure(F call) noexcept {
  paint_stack();
  const std::uintptr_t sp = stack_pointer();
  call();
  return used_below(sp);
}

}  // namespace

int main() {
  port::console out;
  const std::uint32_t xf = measure(probe_xor_forward);
  const std::uint32_t xt = measure([] { (void)probe_xor_train_step(); });
  const std::uint32_t df = measure(probe_digits_forward);
  const std::uint32_t dt = measure([] { (void)probe_digits_train_step(); });
  bool fitted = true;
  const std::uint32_t xfit = measure([&] { fitted = probe_xor_fit() && fitted; });
  const std::uint32_t dfit = measure([&] { fitted = probe_digits_fit() && fitted; });
  const std::uint32_t xfitw = measure([&] { fitted = probe_xor_fit_workspace() && fitted; });
  const std::uint32_t dfitw = measure([&] { fitted = probe_digits_fit_workspace() && fitted; });
  out << "stack probe_xor_forward " << xf << port::endl;
  out << "stack probe_xor_train_step " << xt << port::endl;
  out << "stack probe_xor_fit " << xfit << port::endl;
  out << "stack probe_digits_forward " << df << port::endl;
  out << "stack probe_digits_train_step " << dt << port::endl;
  out << "stack probe_digits_fit " << dfit << port::endl;
  out << "stack probe_xor_fit_workspace " << xfitw << port::endl;
  out << "stack probe_digits_fit_workspace " << dfitw << port::endl;

  using training_cost::bytes;
  out << "const xor inference_bytes " << bytes(xor_net_t::inference_bytes) << port::endl;
  out << "const xor trace_bytes " << bytes(sizeof(xor_net_t::trace_type)) << port::endl;
  out << "const xor training_bytes " << bytes(ctnn::training_bytes<xor_net_t, xor_model::optimizer_t>)
      << port::endl;
  out << "const xor forward_macs " << bytes(xor_net_t::forward_macs) << port::endl;
  out << "const xor training_step_macs " << bytes(training_cost::step_macs<xor_net_t>(4)) << port::endl;
  out << "const digits inference_bytes " << bytes(digits_net_t::inference_bytes) << port::endl;
  out << "const digits trace_bytes " << bytes(sizeof(digits_net_t::trace_type)) << port::endl;
  out << "const digits training_bytes " << bytes(ctnn::training_bytes<digits_net_t, digits_optimizer_t>)
      << port::endl;
  out << "const digits forward_macs " << bytes(digits_net_t::forward_macs) << port::endl;
  out << "const digits training_step_macs "
      << bytes(training_cost::step_macs<digits_net_t>(digits_batch)) << port::endl;
  // Something must have happened: a finite prediction.
  const bool ok = fitted && digits_output[0] == digits_output[0] && xor_output[0] == xor_output[0];
  return ok ? port::exit_ok : port::exit_wrong_result;
}
