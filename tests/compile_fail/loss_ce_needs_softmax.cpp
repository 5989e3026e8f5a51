// EXPECT: categorical_cross_entropy needs a ctnn::softmax output layer
// SPDX-License-Identifier: MIT
// Categorical cross-entropy after a sigmoid output layer is a compile error; after softmax it is fine.
#include <ctnn/loss.hpp>

#ifdef CTNN_SHOULD_FAIL
using output_activation = ctnn::sigmoid;  // the mistake: probabilities that do not sum to 1
#else
using output_activation = ctnn::softmax;
#endif

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                            ctnn::dense<3, output_activation>>;

int main() {
  const net_t net;
  const auto t = net.traced({1.0f, 2.0f});
  net_t::output_type dz{};
  const float l = ctnn::loss_and_output_delta(ctnn::cross_entropy{}, t, {0.0f, 1.0f, 0.0f}, dz);
  return l > 0.0f ? 0 : 1;
}
