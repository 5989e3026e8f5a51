// EXPECT: Y must hold rows of the network.s output_type
// SPDX-License-Identifier: MIT
// fit: targets of the wrong width (2 values for a 1-output network).
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
  const std::array<net_t::input_type, 2> X{{{0, 0}, {1, 1}}};
#ifdef CTNN_SHOULD_FAIL
  const std::array<std::array<float, 2>, 2> Y{{{0, 1}, {1, 0}}};
#else
  const std::array<net_t::output_type, 2> Y{{{0}, {1}}};
#endif
  const auto r = ctnn::fit(net, X, Y, ctnn::mse{}, ctnn::adam{0.01f}, {.epochs = 2});
  return r ? 0 : 1;
}
