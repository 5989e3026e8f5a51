// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_load: libFuzzer target for ctnn::load on several network types and on
// checkpoints with optimiser state. Input: one selector byte, then the blob.
//   selector & 0x7F (mod fuzz::load_kinds) picks the type (see fuzz_nets.hpp);
//   selector & 0x80 first recomputes the CRC as the blob's version says (fuzz::fix_crc), so
//   mutations reach the checks after it, the value checks and the commit instead of stopping
//   at the checksum.
// Invariants (any violation aborts, which libFuzzer reports as a crash):
//   - a refused blob leaves the network (and state) exactly as it was, bit for bit;
//   - an accepted blob holds only finite values, and saving the result reproduces the blob's
//     first serialized_size bytes exactly (the format is canonical); for an accepted
//     version-1 blob (re-saved as version 2) the payload, element type, content and length;
//   - read_header agrees with load about truncation and magic, and an accepted blob has a
//     version load reads.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_nets.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_load: invariant violated: %s\n", what);
  std::abort();
}

template <class P>
bool same_bits(const P& a, const P& b) {
  using T = typename P::value_type;
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  for (std::size_t k = 0; k < P::parameter_count; ++k)
    if (std::bit_cast<U>(a[k]) != std::bit_cast<U>(b[k])) return false;
  return true;
}

template <std::size_t N>
void check_canonical(std::span<const std::byte> blob, const std::array<std::byte, N>& again) {
  if (blob.size() < N) fail("an accepted blob is shorter than serialized_size");
  if (blob[4] == std::byte{1} && blob[5] == std::byte{0}) {  // version 1, re-saved as 2
    constexpr std::size_t header = ctnn::serial_header_size;
    if (std::memcmp(again.data() + header, blob.data() + header, N - header) != 0 ||
        std::memcmp(again.data() + 6, blob.data() + 6, 2) != 0 ||     // element type, content
        std::memcmp(again.data() + 16, blob.data() + 16, 4) != 0)     // payload length
      fail("re-saving an accepted version-1 blob changes its payload or fields");
    return;
  }
  if (std::memcmp(again.data(), blob.data(), N) != 0) fail("re-saving an accepted blob gives other bytes");
}

void check_header(std::span<const std::byte> blob, ctnn::status s) {
  ctnn::serial_header h{};
  const ctnn::status hs = ctnn::read_header(blob, h);
  if (hs == ctnn::status::truncated && s != ctnn::status::truncated) fail("read_header/load disagree on truncation");
  if (hs == ctnn::status::bad_magic && s != ctnn::status::bad_magic) fail("read_header/load disagree on magic");
  if (s == ctnn::status::ok &&
      (hs != ctnn::status::ok || h.version < ctnn::serial_oldest_format_version ||
       h.version > ctnn::serial_format_version))
    fail("read_header refuses an accepted blob");
}

template <class Net>
void load_network(std::span<const std::byte> blob) {
  const Net before = fuzz::seeded<Net>(7);
  Net n = before;
  const ctnn::status s = ctnn::load(n, blob);
  check_header(blob, s);
  if (s != ctnn::status::ok) {
    if (!same_bits(n, before)) fail("a refused blob changed the network");
    return;
  }
  if (ctnn::check_finite(n) != ctnn::status::ok) fail("an accepted blob holds a non-finite value");
  ctnn::blob<Net> again{};
  if (ctnn::save(n, again) != ctnn::status::ok) fail("a loaded network cannot be saved");
  check_canonical(blob, again);
  volatile auto sink = n.forward(typename Net::input_type{})[0];  // run it (sanitizers watch)
  (void)sink;
}

template <class Net, class Opt>
void load_checkpoint(std::span<const std::byte> blob) {
  using state_t = typename Opt::template state<Net>;
  const Net before = fuzz::seeded<Net>(8);
  state_t st_before{};
  ctnn::optimizer_state_layout<Opt>::for_each_set(st_before, [](auto& set) { set.fill(0.5); });
  st_before.step = 12345;
  Net n = before;
  state_t st = st_before;
  const ctnn::status s = ctnn::load(n, Opt{}, st, blob);
  check_header(blob, s);
  if (s != ctnn::status::ok) {
    if (!same_bits(n, before) || !(st == st_before) || st.step != st_before.step)
      fail("a refused checkpoint changed the network or the state");
    return;
  }
  bool finite = ctnn::check_finite(n) == ctnn::status::ok;
  ctnn::optimizer_state_layout<Opt>::for_each_set(
      st, [&](const auto& set) { finite = finite && ctnn::check_finite(set) == ctnn::status::ok; });
  if (!finite) fail("an accepted checkpoint holds a non-finite value");
  std::array<std::byte, ctnn::serialized_size<Net, Opt>> again{};
  if (ctnn::save(n, Opt{}, st, again) != ctnn::status::ok) fail("a loaded checkpoint cannot be saved");
  check_canonical(blob, again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  std::vector<std::byte> blob(size - 1);
  if (size > 1) std::memcpy(blob.data(), data + 1, size - 1);
  if ((selector & 0x80u) != 0) fuzz::fix_crc(blob);
  const std::span<const std::byte> in(blob);
  switch ((selector & 0x7Fu) % fuzz::load_kinds) {
    case 0: load_network<fuzz::net0>(in); break;
    case 1: load_network<fuzz::net1>(in); break;
    case 2: load_network<fuzz::net2>(in); break;
    case 3: load_checkpoint<fuzz::net0, fuzz::opt3>(in); break;
    default: load_checkpoint<fuzz::net1, fuzz::opt4>(in); break;
  }
  return 0;
}
