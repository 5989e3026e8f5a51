// EXPECT: binary_cross_entropy needs a ctnn::sigmoid output layer
// SPDX-License-Identifier: MIT
// fit: a loss that does not fit the output layer (binary cross-entropy after softmax).
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
  using soft_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::softmax>>;
  soft_t s{};
  const std::array<soft_t::input_type, 2> X{{{0, 0}, {1, 1}}};
  const std::array<soft_t::output_type, 2> Y{{{0, 1}, {1, 0}}};
#ifdef CTNN_SHOULD_FAIL
  const auto r = ctnn::fit(s, X, Y, ctnn::binary_cross_entropy{}, ctnn::adam{0.01f}, {.epochs = 2});
#else
  const auto r = ctnn::fit(s, X, Y, ctnn::categorical_cross_entropy{}, ctnn::adam{0.01f}, {.epochs = 2});
#endif
  (void)net;
  return r ? 0 : 1;
}
