// EXPECT: net must be a ctnn::network
// SPDX-License-Identifier: MIT
// load: into something that is not a network.
#include <ctnn/ctnn.hpp>

#include <array>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1, ctnn::sigmoid>>;

int main() {
  net_t net{};
  const std::array<std::byte, ctnn::serialized_size<net_t>> buffer{};
#ifdef CTNN_SHOULD_FAIL
  auto flat = net.flat();
  return ctnn::load(flat, std::span<const std::byte, buffer.size()>(buffer)) == ctnn::status::ok ? 0 : 1;
#else
  return ctnn::load(net, std::span<const std::byte, buffer.size()>(buffer)) == ctnn::status::ok ? 0 : 1;
#endif
}
