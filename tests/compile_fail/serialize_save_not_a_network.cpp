// EXPECT: net must be a ctnn::network
// SPDX-License-Identifier: MIT
// save: something that is not a network (here: its flat parameter array).
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
  std::array<std::byte, ctnn::serialized_size<net_t>> buffer{};
#ifdef CTNN_SHOULD_FAIL
  const auto flat = net.flat();
  return ctnn::save(flat, std::span<std::byte, buffer.size()>(buffer)) == ctnn::status::ok ? 0 : 1;
#else
  return ctnn::save(net, std::span<std::byte, buffer.size()>(buffer)) == ctnn::status::ok ? 0 : 1;
#endif
}
