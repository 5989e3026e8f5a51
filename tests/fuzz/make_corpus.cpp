// SPDX-License-Identifier: MIT
// tests/fuzz/make_corpus: writes the seed corpora of the fuzz targets.
//   <dir>/load : valid blobs and checkpoints of every fuzz_load kind (several seeds each, with
//                and without the recompute-CRC bit; format version 2 as save writes it, and
//                one version-1 rewrite each), plus a few refused ones;
//   <dir>/train: clean data, data with NaN / infinity, hostile parameters, for every optimiser.
// Usage: fuzz.make_corpus <dir>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "fuzz_nets.hpp"

namespace {

int written = 0;

void write(const std::filesystem::path& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(dir / name, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ++written;
}

std::vector<std::uint8_t> with_selector(std::uint8_t selector, std::span<const std::byte> blob) {
  std::vector<std::uint8_t> v{selector};
  for (std::byte b : blob) v.push_back(static_cast<std::uint8_t>(b));
  return v;
}

// A version-2 blob for (Net, Opt) rewritten as format version 1 wrote it: version 1, version
// 1's fingerprint, the CRC over the payload only (the payload is the same in both versions).
template <class Net, class Opt, std::size_t N>
std::array<std::byte, N> as_version1(std::array<std::byte, N> b) {
  b[4] = std::byte{1};
  b[5] = std::byte{0};
  const std::uint64_t fp = ctnn::detail::serial_plan<Net, Opt>::fingerprint_v1;
  for (std::size_t k = 0; k < 8; ++k) b[8 + k] = static_cast<std::byte>((fp >> (8 * k)) & 0xFFu);
  fuzz::fix_crc(b);
  return b;
}

template <class Net>
void network_seeds(const std::filesystem::path& dir, std::uint8_t kind) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    ctnn::blob<Net> b{};
    if (ctnn::save(fuzz::seeded<Net>(seed), b) != ctnn::status::ok) std::abort();
    const std::string base = "kind" + std::to_string(kind) + "_seed" + std::to_string(seed);
    write(dir, base, with_selector(kind, b));
    write(dir, base + "_crc", with_selector(static_cast<std::uint8_t>(kind | 0x80u), b));
    if (seed == 1) {
      write(dir, base + "_v1", with_selector(kind, as_version1<Net, void>(b)));
      write(dir, base + "_truncated", with_selector(kind, std::span<const std::byte>(b).first(b.size() / 2)));
      auto bad = b;
      bad[b.size() - 1] ^= std::byte{1};
      write(dir, base + "_badcrc", with_selector(kind, bad));
    }
  }
}

template <class Net, class Opt>
void checkpoint_seeds(const std::filesystem::path& dir, std::uint8_t kind) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    typename Opt::template state<Net> st{};
    st.step = seed * 100;
    ctnn::optimizer_state_layout<Opt>::for_each_set(st, [&](auto& set) { set = fuzz::seeded<Net>(seed + 10); });
    std::array<std::byte, ctnn::serialized_size<Net, Opt>> b{};
    if (ctnn::save(fuzz::seeded<Net>(seed), Opt{}, st, b) != ctnn::status::ok) std::abort();
    const std::string base = "kind" + std::to_string(kind) + "_seed" + std::to_string(seed);
    write(dir, base, with_selector(kind, b));
    write(dir, base + "_crc", with_selector(static_cast<std::uint8_t>(kind | 0x80u), b));
    if (seed == 1) write(dir, base + "_v1", with_selector(kind, as_version1<Net, Opt>(b)));
  }
}

void push_float(std::vector<std::uint8_t>& v, float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  for (int k = 0; k < 4; ++k) v.push_back(static_cast<std::uint8_t>(u >> (8 * k)));
}

void train_seeds(const std::filesystem::path& dir) {
  using net_t = fuzz::train_net;
  const net_t net = fuzz::seeded<net_t>(3);
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  constexpr float inf = std::numeric_limits<float>::infinity();
  for (std::uint8_t selector = 0; selector < 64; selector = static_cast<std::uint8_t>(selector + 7)) {
    for (int variant = 0; variant < 4; ++variant) {
      std::vector<std::uint8_t> v{selector, static_cast<std::uint8_t>(variant * 0x15)};
      for (std::size_t k = 0; k < net_t::parameter_count; ++k)
        push_float(v, variant == 3 && k == 2 ? 1e30f : net[k]);
      for (std::size_t s = 0; s < fuzz::train_samples; ++s)
        for (std::size_t i = 0; i < net_t::input_size; ++i)
          push_float(v, variant == 1 && s == 2 && i == 1 ? nan : static_cast<float>((s >> i) & 1u));
      for (std::size_t s = 0; s < fuzz::train_samples; ++s)
        for (std::size_t j = 0; j < net_t::output_size; ++j)
          push_float(v, variant == 2 && s == 1 ? inf : static_cast<float>((s + j) & 1u));
      write(dir, "sel" + std::to_string(selector) + "_v" + std::to_string(variant), v);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root(argv[1]);
  std::filesystem::create_directories(root / "load");
  std::filesystem::create_directories(root / "train");
  network_seeds<fuzz::net0>(root / "load", 0);
  network_seeds<fuzz::net1>(root / "load", 1);
  network_seeds<fuzz::net2>(root / "load", 2);
  checkpoint_seeds<fuzz::net0, fuzz::opt3>(root / "load", 3);
  checkpoint_seeds<fuzz::net1, fuzz::opt4>(root / "load", 4);
  train_seeds(root / "train");
  std::printf("wrote %d seed inputs into %s\n", written, argv[1]);
  return 0;
}
