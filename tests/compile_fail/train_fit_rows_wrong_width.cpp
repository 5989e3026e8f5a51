// EXPECT: X must hold rows of the network.s input_type
// SPDX-License-Identifier: MIT
// fit: training rows of the wrong width (3 features for a 2-input network).
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
#ifdef CTNN_SHOULD_FAIL
  const std::array<std::array<float, 3>, 2> X{{{0, 0, 0}, {1, 1, 1}}};
#else
  const std::array<net_t::input_type, 2> X{{{0, 0}, {1, 1}}};
#endif
  const std::array<net_t::output_type, 2> Y{{{0}, {1}}};
  const auto r = ctnn::fit(net, X, Y, ctnn::mse{}, ctnn::adam{0.01f}, {.epochs = 2});
  return r ? 0 : 1;
}
