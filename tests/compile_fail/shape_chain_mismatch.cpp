// EXPECT: chain\(a, b\): a.s output_size must equal b.s input_size
// SPDX-License-Identifier: MIT
// Shape rule: chain(a, b) needs a's output size to equal b's input size.
#include <ctnn/chain.hpp>

using a_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>>;
#ifdef CTNN_SHOULD_FAIL
using b_t = ctnn::network<float, ctnn::input<4>, ctnn::dense<1>>;
#else
using b_t = ctnn::network<float, ctnn::input<3>, ctnn::dense<1>>;
#endif

int main() {
  const auto c = ctnn::chain(a_t{}, b_t{});
  return static_cast<int>(c.forward({1.f, 2.f})[0]);
}
