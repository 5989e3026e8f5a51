// EXPECT: ctnn::network::step: this layer cannot run one time step at a time
// SPDX-License-Identifier: MIT
// Streaming rule: net.step needs every layer to run one step at a time. A dense layer reading a
// whole flattened window cannot; the ok twin applies it per step instead.
#include <ctnn/network.hpp>
#include <ctnn/layers/last_step.hpp>
#include <ctnn/layers/time_distributed.hpp>

#include "../support/toy_layers.hpp"

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<3, 4>, ctnn::time_distributed<ctnn::dense<4, ctnn::tanh>>,
                            toy::flatten, ctnn::dense<1>>;
#else
using net_t = ctnn::network<float, ctnn::input<3, 4>, ctnn::time_distributed<ctnn::dense<4, ctnn::tanh>>,
                            ctnn::last_step, ctnn::dense<1>>;
#endif

int main() {
  const net_t net{};
  net_t::state_type state{};
  return static_cast<int>(net.step(net_t::step_input_type{}, state)[0]);
}
