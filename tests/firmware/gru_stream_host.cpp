// SPDX-License-Identifier: MIT
// gru_stream_host: the host side of the gru_stream firmware image (examples/embedded/src/
// gru_model.hpp: same network, weights, signal and summary). Streams the signal through the
// GRU-16 network on this machine at run time, prints the `output_bits ...` line the firmware
// prints (ctest compares the two), and checks it against:
//  - the same stream run by the compiler (constexpr), bit for bit;
//  - the window: the same weights in a network that reads all 256 samples at once
//    (input<256, 1>; a window's weights load into a streaming network and back) give, from
//    forward(window), the stream's last output, bit for bit;
//  - the stream run again on the same state after net_t::reset(state) repeats itself.
//
// Exit status: 0 all right, 1 an output or the state is not finite, 2 run time differs from
// compile time, 3 the window differs from the stream, 4 the restarted stream differs.
#include <array>
#include <cstdint>
#include <cstdio>

#include <ctnn/finite.hpp>

#include "gru_model.hpp"

namespace {

using gru_model::net_t;
using window_t = ctnn::network<float, ctnn::input<gru_model::samples, 1>,
                               ctnn::gru<gru_model::hidden>, ctnn::last_step, ctnn::dense<1>>;
static_assert(window_t::parameter_count == net_t::parameter_count);
static_assert(net_t::state_bytes == gru_model::hidden * sizeof(float));

void print(const gru_model::summary& s) {
  std::printf("output_bits %08x", static_cast<unsigned>(s.output_hash));
  for (const float y : s.outputs) std::printf(" %08x", static_cast<unsigned>(gru_model::bits(y)));
  std::printf(" %08x\n", static_cast<unsigned>(s.state_hash));
}

}  // namespace

int main() {
  constexpr net_t by_compiler_net = gru_model::make();
  constexpr gru_model::summary by_compiler = gru_model::stream(by_compiler_net);

  // Run time: the network is made and streamed by this program, not folded.
  static const net_t net = [] {
    volatile bool fresh = true;
    return fresh ? gru_model::make() : net_t{};
  }();
  net_t::state_type state{};
  const gru_model::summary s = gru_model::stream(net, state);
  print(s);

  const bool finite = ctnn::all_finite(state) && ctnn::all_finite(s.outputs);
  const bool same = identical(s, by_compiler);
  std::printf("bit-identical to the compile-time stream: %s\n", same ? "yes" : "NO");

  static window_t window{};
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) window[k] = net[k];
  window_t::input_type x{};
  for (std::size_t t = 0; t < gru_model::samples; ++t) x[t] = gru_model::signal(t);
  const float y_window = window.forward(x)[0];
  const bool window_same = gru_model::bits(y_window) == gru_model::bits(s.last);
  std::printf("forward(window of %zu) == last step of the stream: %s (%08x)\n", gru_model::samples,
              window_same ? "yes" : "NO", static_cast<unsigned>(gru_model::bits(y_window)));

  // The state is now the stream's last; stream() resets it first (net_t::reset), so a second run
  // must start from zero again and repeat the first bit for bit.
  const bool dirty = !(state == net_t::state_type{});
  const gru_model::summary again = gru_model::stream(net, state);
  const bool restart_same = dirty && identical(again, s);
  std::printf("the stream again after reset(state) is identical: %s\n",
              restart_same ? "yes" : "NO");

  if (!finite) return 1;
  if (!same) return 2;
  if (!window_same) return 3;
  return restart_same ? 0 : 4;
}
