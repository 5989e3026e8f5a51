// SPDX-License-Identifier: MIT
// compile_time_xor: the compiler itself trains a network on XOR. The trained weights are a
// constant of the program; static_assert checks what it learned before the program exists.
// The build needs a bigger constant-evaluation budget: see examples/compile_time_xor.cmake.
#include <array>
#include <cstdio>

#include <ctnn/ctnn.hpp>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<4, ctnn::tanh>,
                            ctnn::dense<1, ctnn::sigmoid>>;

constexpr std::array<net_t::input_type, 4> inputs{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
constexpr std::array<net_t::output_type, 4> targets{{{0}, {1}, {1}, {0}}};

// Exactly the code one would run on a device, evaluated by the compiler.
constexpr net_t trained = [] {
  net_t n;
  ctnn::rng gen{42};
  ctnn::init(n, ctnn::xavier_uniform{}, gen);
  ctnn::fit(n, inputs, targets, ctnn::binary_cross_entropy{}, ctnn::adam{0.1f},
            {.epochs = 200, .batch_size = 4, .shuffle = false});
  return n;
}();

static_assert(trained.forward({0.f, 0.f})[0] < 0.1f);
static_assert(trained.forward({0.f, 1.f})[0] > 0.9f);
static_assert(trained.forward({1.f, 0.f})[0] > 0.9f);
static_assert(trained.forward({1.f, 1.f})[0] < 0.1f);

int main() {
  std::printf("weights trained by the compiler:\n");
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) std::printf("  %+.6f\n", double(trained[k]));
  std::printf("truth table (computed at compile time):\n");
  constexpr std::array<float, 4> y{trained.forward(inputs[0])[0], trained.forward(inputs[1])[0],
                                   trained.forward(inputs[2])[0], trained.forward(inputs[3])[0]};
  for (std::size_t k = 0; k < 4; ++k)
    std::printf("  %.0f xor %.0f = %.4f\n", double(inputs[k][0]), double(inputs[k][1]), double(y[k]));
  return 0;
}
