// EXPECT: net must be a ctnn::network
// SPDX-License-Identifier: MIT
// init: something that is not a network (here: its flat parameter array).
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
  ctnn::rng gen{1};
#ifdef CTNN_SHOULD_FAIL
  auto flat = net.flat();
  ctnn::init(flat, ctnn::xavier_uniform{}, gen);
#else
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
#endif
  return 0;
}
