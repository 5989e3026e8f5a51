// EXPECT: ctnn::time_distributed<Layer>: reads a sequence, shape<Time, Channels>
// SPDX-License-Identifier: MIT
// Shape rule: time_distributed applies a vector layer to every step of a sequence; a vector
// input has no steps. The ok twin gives it a sequence.
#include <ctnn/network.hpp>
#include <ctnn/layers/time_distributed.hpp>

#ifdef CTNN_SHOULD_FAIL
using net_t = ctnn::network<float, ctnn::input<12>, ctnn::time_distributed<ctnn::dense<4, ctnn::tanh>>>;
#else
using net_t = ctnn::network<float, ctnn::input<3, 4>, ctnn::time_distributed<ctnn::dense<4, ctnn::tanh>>>;
#endif

int main() {
  const net_t net{};
  return static_cast<int>(net.forward(net_t::input_type{})[0][0]);
}
