// SPDX-License-Identifier: MIT
// A downstream Cortex-M firmware using the installed ctnn: trains XOR on the device and reports
// through semihosting. Exit status 0 when XOR is learned, 1 when not.
#include <array>
#include <cstdint>
#include <cstdlib>

#include <ctnn/ctnn.hpp>

#include "semihosting.hpp"

// The cross build must see newlib, not the host's glibc (which /usr/include on the include path
// would put first).
#if !defined(_NEWLIB_VERSION) || defined(__GLIBC__)
#error "the firmware is not compiled against newlib's C library"
#endif

static_assert(CTNN_VERSION_MAJOR == CTNN_PACKAGE_VERSION_MAJOR,
              "header and package versions differ");
static_assert(CTNN_VERSION_MINOR == CTNN_PACKAGE_VERSION_MINOR,
              "header and package versions differ");

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<4, ctnn::tanh>,
                            ctnn::dense<1, ctnn::sigmoid>>;

namespace {
volatile std::uint32_t seed_source = 1;  // read at run time: the device trains, not the compiler
}  // namespace

int main() {
  constexpr std::array<net_t::input_type, 4> X{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
  constexpr std::array<net_t::output_type, 4> Y{{{0}, {1}, {1}, {0}}};
  net_t net;
  ctnn::rng gen{seed_source};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  const auto report = ctnn::fit(net, X, Y, ctnn::binary_cross_entropy{}, ctnn::adam{0.1f},
                                {.epochs = 300, .batch_size = 4, .shuffle = false});
  const double acc = ctnn::accuracy(net, X, Y);
  port::console out;
  out << "ctnn firmware consumer: ctnn " << CTNN_VERSION_MAJOR << '.' << CTNN_VERSION_MINOR << '.'
      << CTNN_VERSION_PATCH << ", XOR accuracy " << port::fixed{static_cast<float>(acc), 2} << " ("
      << ctnn::message(report.status) << ')' << port::endl;
  return (report && acc == 1.0) ? 0 : 1;
}
