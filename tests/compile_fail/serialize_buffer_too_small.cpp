// EXPECT: out is shorter than ctnn::serialized_size
#include <array>
#include <cstddef>

#include <ctnn/serialize.hpp>

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<1>>;
#ifdef CTNN_SHOULD_FAIL
inline constexpr std::size_t bytes = ctnn::serialized_size<net_t> - 1;  // one byte short
#else
inline constexpr std::size_t bytes = ctnn::serialized_size<net_t>;
#endif
ctnn::status save_into(const net_t& n, std::array<std::byte, bytes>& out) { return ctnn::save(n, out); }
