// EXPECT: ctnn::last_step: reads a sequence, shape<Time, Channels>
// SPDX-License-Identifier: MIT
// Shape rule: last_step reduces a time x channels sequence to its last step; after a vector
// there is nothing to reduce. The ok twin gives it a sequence.
#include <ctnn/network.hpp>
#include <ctnn/layers/last_step.hpp>
#include <ctnn/layers/time_distributed.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<12>, ctnn::dense<4, ctnn::tanh>, ctnn::last_step>;
#else
using net_t = ctnn::network<float, ctnn::input<3, 4>, ctnn::time_distributed<ctnn::dense<4, ctnn::tanh>>,
                            ctnn::last_step>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0]);
}
