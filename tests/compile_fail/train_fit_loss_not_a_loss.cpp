// EXPECT: loss must be a ctnn loss
// SPDX-License-Identifier: MIT
// fit: something that is not a loss where the loss belongs.
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
  const std::array<net_t::input_type, 2> X{{{0, 0}, {1, 1}}};
  const std::array<net_t::output_type, 2> Y{{{0}, {1}}};
#ifdef CTNN_SHOULD_FAIL
  const auto r = ctnn::fit(net, X, Y, ctnn::adam{0.01f}, ctnn::adam{0.01f}, {.epochs = 2});
#else
  const auto r = ctnn::fit(net, X, Y, ctnn::mse{}, ctnn::adam{0.01f}, {.epochs = 2});
#endif
  return r ? 0 : 1;
}
