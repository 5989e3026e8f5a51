// SPDX-License-Identifier: MIT
// A recurrent network trained inside a constant expression: the compiler runs fit (forward,
// backpropagation through time, Adam) and static_asserts check what it learnt. The same
// training at run time gives the same bits.
#include <ctnn/ctnn.hpp>

#include <array>
#include <cstddef>

#include <catch2/catch.hpp>

namespace {

// Four steps of one value; the label is whether the FIRST value was positive, so the GRU must
// carry it through three more steps of distracting input.
using net_t = ctnn::network<float, ctnn::input<4, 1>, ctnn::gru<3>, ctnn::last_step,
                            ctnn::dense<1, ctnn::sigmoid>>;

constexpr std::array<net_t::input_type, 8> inputs{{
    {{{0.9f}, {-0.4f}, {0.3f}, {-0.8f}}},
    {{{-0.7f}, {0.5f}, {0.6f}, {0.2f}}},
    {{{0.6f}, {0.7f}, {-0.5f}, {-0.3f}}},
    {{{-0.8f}, {-0.6f}, {0.4f}, {0.9f}}},
    {{{0.5f}, {-0.9f}, {-0.2f}, {0.6f}}},
    {{{-0.5f}, {0.8f}, {-0.7f}, {-0.6f}}},
    {{{0.8f}, {0.2f}, {0.9f}, {-0.9f}}},
    {{{-0.9f}, {-0.3f}, {-0.8f}, {0.7f}}},
}};
constexpr std::array<net_t::output_type, 8> targets{{{1}, {0}, {1}, {0}, {1}, {0}, {1}, {0}}};

constexpr net_t train() {
  net_t n;
  ctnn::rng gen{7};
  ctnn::init(n, ctnn::xavier_uniform{}, gen);
  ctnn::fit(n, inputs, targets, ctnn::binary_cross_entropy{}, ctnn::adam{0.1f},
            {.epochs = 120, .batch_size = 8, .shuffle = false});
  return n;
}

constexpr net_t trained = train();

constexpr bool all_right() {
  for (std::size_t s = 0; s < inputs.size(); ++s) {
    const float y = trained.forward(inputs[s])[0];
    if ((y > 0.5f) != (targets[s][0] > 0.5f)) return false;
  }
  return true;
}
static_assert(all_right(), "the GRU trained by the compiler must classify its training set");

}  // namespace

TEST_CASE("constexpr recurrent: training in a constant expression equals training at run time",
          "[constexpr][gru]") {
  const net_t at_run_time = train();
  CHECK(at_run_time == trained);
  for (std::size_t s = 0; s < inputs.size(); ++s) {
    const float y = trained.forward(inputs[s])[0];
    CHECK((y > 0.5f) == (targets[s][0] > 0.5f));
    // and a streaming run of the same window gives the same prediction
    net_t::state_type state{};
    net_t::step_output_type out{};
    for (const auto& x : inputs[s]) out = trained.step(x, state);
    CHECK(out == trained.forward(inputs[s]));
  }
}
