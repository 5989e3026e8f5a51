// EXPECT: every parameter set must have the same shape
// SPDX-License-Identifier: MIT
// Shape rule: ctnn::for_each_parameter visits same-shaped parameter sets (a network, its
// gradients, optimiser moments). Two sets with the same parameter_count but other layer sizes
// (here 1 -> 2 and 3 -> 1, both 4 parameters) must not compile: indexing one by the other's
// rows would read out of bounds.
#include <ctnn/layers/dense.hpp>
#include <ctnn/parameters.hpp>

using a_t = ctnn::parameters<float, ctnn::dense_layer<float, 1, 2, ctnn::identity>>;
#ifdef CTNN_SHOULD_FAIL
using b_t = ctnn::parameters<float, ctnn::dense_layer<float, 3, 1, ctnn::identity>>;
#else
using b_t = ctnn::parameters<float, ctnn::dense_layer<float, 1, 2, ctnn::tanh>>;
#endif
static_assert(a_t::parameter_count == b_t::parameter_count);

int main() {
  a_t a{};
  b_t b{};
  float s = 0.f;
  ctnn::for_each_parameter([&](float& x, const float& y) { s += x * y; }, a, b);
  return static_cast<int>(s);
}
