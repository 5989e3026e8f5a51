// SPDX-License-Identifier: MIT
// digits_training: the device trains a digits-sized network (64-32-10, ReLU, softmax; Adam,
// categorical cross-entropy, mini-batches of 8) with ctnn::fit on 160 handwritten digits kept in
// flash (digits_subset.hpp), then classifies the 32 test images of digits_model.hpp, in a 4 KiB
// stack. Training's working memory, ctnn::training_workspace (trace, gradients, batch tile,
// snapshots of network and Adam state), is in static storage (.bss) with the network and the
// optimiser state: ctnn::fit then needs only scalars on the stack.
//
// The image is linked with a 4 KiB stack (__stack_size__, CMakeLists.txt). No MPU guards it,
// so the image measures itself: it paints the stack and 4 KiB below its limit with a pattern
// before training, and at the end finds the deepest word that changed. More than 4096 bytes
// used from the top of the stack fails the run.
//
// Output (semihosting): accuracies, memory figures, `stack <bytes> of <limit>`.
// Exit status: 0 all right, 1 not learned (training accuracy < 90 % or test < 26 of 32) or
// fit failed, 3 the stack overflowed 4 KiB.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>
#include <ctnn/workspace.hpp>

#include "digits_model.hpp"
#include "digits_subset.hpp"
#include "semihosting.hpp"

extern "C" std::uint32_t __stack_limit__[];  // linker script: lowest address of the stack
extern "C" std::uint32_t __stack_top__[];
extern "C" std::uint32_t __bss_end__[];

namespace {

using net_t = digits_model::net_t;
using optimizer_t = ctnn::adam<float>;
constexpr std::size_t batch = 8;
constexpr std::size_t epochs = 15;
constexpr std::size_t stack_limit_bytes = 4096;
using workspace_t = ctnn::training_workspace<net_t, optimizer_t, batch>;

static_assert(ctnn::training_bytes<net_t, optimizer_t, batch> == sizeof(workspace_t));

// The data, in flash: pixels / 16 and one-hot targets, computed by the compiler.
template <std::size_t N>
constexpr auto images(const std::array<std::array<std::uint8_t, 64>, N>& pixels) {
  std::array<net_t::input_type, N> x{};
  for (std::size_t s = 0; s < N; ++s)
    for (std::size_t i = 0; i < 64; ++i) x[s][i] = static_cast<float>(pixels[s][i]) / 16.0f;
  return x;
}
template <std::size_t N, class Label>
constexpr auto one_hot(const std::array<Label, N>& labels) {
  std::array<net_t::output_type, N> y{};
  for (std::size_t s = 0; s < N; ++s) y[s][labels[s]] = 1.0f;
  return y;
}
constexpr auto inputs = images(digits_subset::pixels);
constexpr auto targets = one_hot(digits_subset::labels);
constexpr auto test_inputs = images(digits_model::samples);
constexpr auto test_targets = one_hot(digits_model::labels);

// Everything training writes, in static storage (zero-initialised .bss).
net_t net{};
optimizer_t::state<net_t> state{};
workspace_t workspace{};

// Read through a volatile so that the compiler cannot fold the initialisation.
volatile std::uint32_t seed_source = 1;

// ---- the stack guard ---------------------------------------------------------------------------

constexpr std::uint32_t paint = 0xC5A5C5A5u;
constexpr std::size_t below_limit = 4096;  // painted too: an overflow lands there

[[gnu::always_inline]] inline std::uintptr_t stack_pointer() noexcept {
  std::uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

std::uintptr_t address(const volatile std::uint32_t* p) noexcept {
  return reinterpret_cast<std::uintptr_t>(p);
}

/// Where painting starts: 4 KiB below the stack's limit, or the end of .bss if that is nearer.
volatile std::uint32_t* paint_bottom() noexcept {
  volatile std::uint32_t* p = __stack_limit__;
  for (std::size_t k = 0; k < below_limit / 4 && address(p - 1) >= address(__bss_end__); ++k) --p;
  return p;
}

/// Fills the free stack (and the RAM just below it) with the pattern. Nothing lives below the
/// stack pointer (no interrupts are enabled); this leaf function's frame, if any, is above it.
[[gnu::noinline]] void paint_stack() noexcept {
  const std::uintptr_t sp = stack_pointer();
  for (volatile std::uint32_t* p = paint_bottom(); address(p) < sp; ++p) *p = paint;
}

/// Bytes from the top of the stack down to the deepest word that is no longer the pattern.
std::uint32_t stack_used() noexcept {
  const volatile std::uint32_t* p = paint_bottom();
  while (address(p) < address(__stack_top__) && *p == paint) ++p;
  return static_cast<std::uint32_t>(address(__stack_top__) - address(p));
}

std::uint32_t right_answers(std::span<const net_t::input_type> X,
                            std::span<const net_t::output_type> Y) noexcept {
  std::uint32_t right = 0;
  for (std::size_t s = 0; s < X.size(); ++s)
    right += ctnn::argmax(net.forward(X[s])) == ctnn::argmax(Y[s]) ? 1u : 0u;
  return right;
}

}  // namespace

int main() {
  paint_stack();
  port::console out;
  const std::uint32_t stack_size =
      static_cast<std::uint32_t>(address(__stack_top__) - address(__stack_limit__));

  ctnn::rng gen{seed_source};
  ctnn::init(net, gen);  // by activation: He for ReLU, Xavier for softmax
  const ctnn::fit_report report =
      ctnn::fit(net, std::span<const net_t::input_type>(inputs),
                std::span<const net_t::output_type>(targets), ctnn::categorical_cross_entropy{},
                optimizer_t{0.01f}, state, workspace,
                {.epochs = epochs, .batch_size = batch, .shuffle_seed = 1});

  const std::uint32_t train_right = right_answers(inputs, targets);
  const std::uint32_t test_right = right_answers(test_inputs, test_targets);
  out << "digits_training: 64-32-10 ReLU/softmax, Adam, " << static_cast<std::uint32_t>(epochs)
      << " epochs of mini-batches of " << static_cast<std::uint32_t>(batch) << ": "
      << ctnn::message(report.status) << ", final loss " << port::fixed{static_cast<float>(report.final_loss), 4}
      << port::endl;
  out << "  training set: " << train_right << " of "
      << static_cast<std::uint32_t>(digits_subset::sample_count) << " right" << port::endl;
  out << "  test images:  " << test_right << " of "
      << static_cast<std::uint32_t>(digits_model::sample_count) << " right" << port::endl;
  out << "  static: network " << static_cast<std::uint32_t>(sizeof(net)) << " B, Adam state "
      << static_cast<std::uint32_t>(sizeof(state)) << " B, workspace (training_bytes) "
      << static_cast<std::uint32_t>(ctnn::training_bytes<net_t, optimizer_t, batch>) << " B (tile "
      << static_cast<std::uint32_t>(workspace_t::tile) << ")" << port::endl;
  const std::uint32_t used = stack_used();
  out << "stack " << used << " of " << stack_size << " (limit "
      << static_cast<std::uint32_t>(stack_limit_bytes) << ")" << port::endl;

  if (used > stack_limit_bytes || stack_size > stack_limit_bytes) {
    out << "FAILED: more than " << static_cast<std::uint32_t>(stack_limit_bytes)
        << " bytes of stack" << port::endl;
    return port::exit_stack_overflow;
  }
  const bool learned = report && train_right * 10 >= digits_subset::sample_count * 9 && test_right >= 26;
  return learned ? port::exit_ok : port::exit_wrong_result;
}
