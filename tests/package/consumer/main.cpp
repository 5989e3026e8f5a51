// SPDX-License-Identifier: MIT
// A downstream program using the installed ctnn. It only needs find_package(ctnn) and ctnn::ctnn.
#include <array>
#include <cstdio>

#include <ctnn/ctnn.hpp>

static_assert(CTNN_VERSION_MAJOR == CTNN_PACKAGE_VERSION_MAJOR, "header and package versions differ");
static_assert(CTNN_VERSION_MINOR == CTNN_PACKAGE_VERSION_MINOR, "header and package versions differ");

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<4, ctnn::tanh>,
                            ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  constexpr std::array<net_t::input_type, 4> X{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
  constexpr std::array<net_t::output_type, 4> Y{{{0}, {1}, {1}, {0}}};
  net_t net;
  ctnn::rng gen{1};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  const auto report = ctnn::fit(net, X, Y, ctnn::binary_cross_entropy{}, ctnn::adam{0.1f},
                                {.epochs = 300, .batch_size = 4, .shuffle = false});
  const double acc = ctnn::accuracy(net, X, Y);
  std::printf("ctnn consumer: ctnn %d.%d.%d, XOR accuracy %.2f (%s)\n", CTNN_VERSION_MAJOR,
              CTNN_VERSION_MINOR, CTNN_VERSION_PATCH, acc, ctnn::message(report.status));
  return (report && acc == 1.0) ? 0 : 1;
}
