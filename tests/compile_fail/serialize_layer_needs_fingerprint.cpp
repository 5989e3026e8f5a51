// EXPECT: so it cannot be told apart from other layers
// A layer type that is not ctnn::dense_layer must write its own part of the topology
// fingerprint (its kind first): with only a dense layer's sizes it could load a dense blob.
#include <cstddef>
#include <cstdint>

#include <ctnn/serialize.hpp>

struct conv1d_like {  // a future layer kind with a dense layer's members
  using activation = ctnn::relu;
  static constexpr std::size_t input_size = 3;
  static constexpr std::size_t output_size = 2;
#ifndef CTNN_SHOULD_FAIL
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text("conv1d");
    h.u64(input_size);
    h.u64(output_size);
    ctnn::detail::fingerprint_activation<activation>(h);
  }
#endif
};

std::uint64_t conv1d_fingerprint() {
  ctnn::detail::fnv1a64 h;
  ctnn::detail::layer_fingerprint<conv1d_like>(h);
  return h.hash;
}
