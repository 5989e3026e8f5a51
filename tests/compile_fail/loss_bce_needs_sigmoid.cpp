// EXPECT: binary_cross_entropy needs a ctnn::sigmoid output layer
// SPDX-License-Identifier: MIT
// Binary cross-entropy after a tanh output layer is a compile error; after sigmoid it is fine.
#include <ctnn/loss.hpp>

#ifdef CTNN_SHOULD_FAIL
using output_activation = ctnn::tanh;  // the mistake: outputs in (-1, 1), not probabilities
#else
using output_activation = ctnn::sigmoid;
#endif

using net_t = ctnn::network<double, ctnn::input<2>, ctnn::dense<3, ctnn::relu>,
                            ctnn::dense<2, output_activation>>;

int main() {
  const net_t net;
  const net_t::input_type x{1.0, 2.0};
  const net_t::output_type y{1.0, 0.0};
  const double l = ctnn::loss_value(ctnn::bce{}, net, x, y);
  const auto t = net.traced(x);
  net_t::output_type dz{};
  const double l2 = ctnn::loss_and_output_delta(ctnn::bce{}, t, y, dz);
  return l == l2 ? 0 : 1;
}
