// SPDX-License-Identifier: MIT
// Tests for <ctnn/serialize.hpp>: the binary format's layout (version 2), exact round trips
// (float, double, at compile time and at run time, with optimiser state), that every corrupted
// blob -- each single bit flip, each truncation, the wrong element type or topology, a NaN -- is
// refused with the right status while the network stays exactly as it was, and that the
// version-1 blobs in tests/data/v1 (written by ctnn 2b12ee2) still load bit-exactly.
#include <ctnn/serialize.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>

#include "../data/v1/v1_blobs.hpp"

namespace {

using net_f = ctnn::network<float, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>,
                            ctnn::dense<2, ctnn::leaky_relu<1, 10>>, ctnn::dense<2, ctnn::softmax>>;
using net_d = ctnn::network<double, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>,
                            ctnn::dense<2, ctnn::leaky_relu<1, 10>>, ctnn::dense<2, ctnn::softmax>>;
using tiny_f = ctnn::network<float, ctnn::input<1>, ctnn::dense<1>>;

// Parameters that exercise every corner of the bit patterns: signed zeros, subnormals, the
// largest and smallest finite values, and ordinary numbers.
template <class Net>
constexpr Net make_net(std::uint64_t seed) {
  using T = typename Net::value_type;
  using L = std::numeric_limits<T>;
  Net n;
  ctnn::rng gen{seed};
  ctnn::init(n, ctnn::xavier_uniform{}, gen);
  const std::array<T, 6> corners{-T(0), L::denorm_min(), -L::max(), L::min(), L::lowest(),
                                  -L::denorm_min() * T(3)};
  for (std::size_t k = 0; k < corners.size() && k < Net::parameter_count; ++k) n[k] = corners[k];
  return n;
}

template <class T>
constexpr auto bits_of(T v) {
  return ctnn::serial_element<T>::to_bits(v);
}

// Equal bit for bit (operator== would call -0 == +0 equal).
template <class P>
constexpr bool same_bits(const P& a, const P& b) {
  for (std::size_t k = 0; k < P::parameter_count; ++k)
    if (bits_of(a[k]) != bits_of(b[k])) return false;
  return true;
}

template <class Net>
constexpr Net sentinel() {  // what a load target holds before a load that must fail
  Net n;
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    n[k] = typename Net::value_type(0.125) * typename Net::value_type(k + 1);
  return n;
}

template <class Net>
constexpr bool round_trips(std::uint64_t seed) {
  const Net a = make_net<Net>(seed);
  ctnn::blob<Net> buf{};
  Net b = sentinel<Net>();
  return ctnn::save(a, buf) == ctnn::status::ok && ctnn::load(b, buf) == ctnn::status::ok &&
         same_bits(a, b);
}

template <class Net>
ctnn::blob<Net> saved(const Net& n) {
  ctnn::blob<Net> buf{};
  REQUIRE(ctnn::save(n, buf) == ctnn::status::ok);
  return buf;
}

constexpr std::uint32_t read_u32(std::span<const std::byte> b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v |= static_cast<std::uint32_t>(b[at + k]) << (8 * k);
  return v;
}
constexpr void write_u32(std::span<std::byte> b, std::size_t at, std::uint32_t v) {
  for (std::size_t k = 0; k < 4; ++k) b[at + k] = static_cast<std::byte>((v >> (8 * k)) & 0xFFu);
}

// Recomputes the CRC after a deliberate edit, as the blob's version says: version 2 covers
// header bytes 0..19 and the payload, version 1 the payload only.
void fix_crc(std::span<std::byte> b) {
  // A length field edited past the buffer: the CRC of what is there (load reports truncated).
  const std::size_t stored = read_u32(b, 16), room = b.size() - 24;
  const auto payload = std::span<const std::byte>(b.data() + 24, stored < room ? stored : room);
  const bool v1 = b[4] == std::byte{1} && b[5] == std::byte{0};
  write_u32(b, 20, v1 ? ctnn::crc32(payload)
                      : ctnn::crc32(payload, ctnn::crc32(std::span<const std::byte>(b).first(20))));
}

// The status flipping bit `bit` of byte `at` of a version-2 blob must produce, the blob alone
// in the buffer (see "Every single-bit error" in serialize.hpp).
ctnn::status expected_for_flip(std::span<const std::byte> good, std::size_t at, int bit) {
  if (at < 4) return ctnn::status::bad_magic;
  if (at < 6) return ctnn::status::unsupported_version;
  if (at >= 16 && at < 20) {  // the payload length: now past the end of the buffer?
    const std::size_t shift = 8 * (at - 16) + static_cast<std::size_t>(bit);
    const std::uint32_t len = read_u32(good, 16) ^ (std::uint32_t{1} << shift);
    if (len > good.size() - 24) return ctnn::status::truncated;
  }
  return ctnn::status::checksum_mismatch;  // any other header bit, the CRC or the payload
}

// The status a single bit flip at byte `at` of a version-1 blob must produce: its header is
// not covered by the CRC, so each field's own check catches it.
ctnn::status expected_for_v1_flip(std::size_t at) {
  if (at < 4) return ctnn::status::bad_magic;
  if (at < 6) return ctnn::status::unsupported_version;
  if (at < 7) return ctnn::status::element_type_mismatch;
  if (at < 16) return ctnn::status::topology_mismatch;  // content byte and fingerprint
  if (at < 20) return ctnn::status::length_mismatch;
  return ctnn::status::checksum_mismatch;  // the CRC itself or any payload bit
}

// An independent implementation of the documented fingerprints, for one list of dense layers.
struct layer_desc {
  std::uint64_t in, out;
  std::string_view name;
  std::vector<std::int64_t> params;
};
enum class fp_version { v1, v2 };
std::uint64_t documented_fingerprint(const std::vector<layer_desc>& layers,
                                     std::string_view optimizer = {}, std::uint64_t sets = 0,
                                     fp_version version = fp_version::v2) {
  std::uint64_t h = 0xcbf29ce484222325u;
  auto byte = [&](std::uint8_t b) {
    h ^= b;
    h *= 0x100000001b3u;
  };
  auto u64 = [&](std::uint64_t v) {
    for (int k = 0; k < 8; ++k) byte(static_cast<std::uint8_t>(v >> (8 * k)));
  };
  auto text = [&](std::string_view s) {
    u64(s.size());
    for (char c : s) byte(static_cast<std::uint8_t>(c));
  };
  u64(layers.size());
  for (const auto& l : layers) {
    if (version == fp_version::v2) text("dense");  // version 2: the layer's kind first
    u64(l.in);
    u64(l.out);
    text(l.name);
    u64(l.params.size());
    for (std::int64_t p : l.params) u64(static_cast<std::uint64_t>(p));
  }
  if (!optimizer.empty()) {
    text(optimizer);
    u64(sets);
  }
  return h;
}

// net_f's layers, for documented_fingerprint.
std::vector<layer_desc> net_f_layers() {
  return {{3, 4, "tanh", {}}, {4, 2, "leaky_relu", {1, 10}}, {2, 2, "softmax", {}}};
}

// The networks of the version-1 blobs in tests/data/v1 (the generator spells the same types).
using xor_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>,
                              ctnn::dense<1, ctnn::sigmoid>>;
using leaky_net = ctnn::network<double, ctnn::input<3>, ctnn::dense<2, ctnn::leaky_relu<1, 100>>,
                                ctnn::dense<2>>;

template <std::size_t N>
constexpr std::array<std::byte, N> as_bytes(const std::array<unsigned char, N>& a) {
  std::array<std::byte, N> b{};
  for (std::size_t k = 0; k < N; ++k) b[k] = static_cast<std::byte>(a[k]);
  return b;
}

// p's values have exactly the bit patterns `bits`.
template <class P, class U, std::size_t N>
constexpr bool has_bits(const P& p, const std::array<U, N>& bits) {
  static_assert(N == P::parameter_count);
  for (std::size_t k = 0; k < N; ++k)
    if (bits_of(p[k]) != bits[k]) return false;
  return true;
}

// A layer type of the coming Layer protocol, with a dense layer's sizes: it describes itself.
struct fake_conv1d_layer {
  using value_type = float;
  using activation = ctnn::relu;
  static constexpr std::size_t input_size = 3;
  static constexpr std::size_t output_size = 2;
  static constexpr std::size_t kernel_size = 3;
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text("conv1d");
    h.u64(input_size);
    h.u64(output_size);
    h.u64(kernel_size);
    ctnn::detail::fingerprint_activation<activation>(h);
  }
};
using dense_3_2 = ctnn::dense_layer<float, 3, 2, ctnn::relu>;
// The dense layer once it describes itself (as the Layer protocol will have it): same bytes.
struct self_described_dense : dense_3_2 {
  template <class H>
  static constexpr void fingerprint(H& h) noexcept {
    h.text("dense");
    h.u64(3);
    h.u64(2);
    ctnn::detail::fingerprint_activation<ctnn::relu>(h);
  }
};
// Just enough of a network for the fingerprint: layer_count and layer_type<I>.
template <class... Ls>
struct layer_stack {
  static constexpr std::size_t layer_count = sizeof...(Ls);
  template <std::size_t I>
  using layer_type = std::tuple_element_t<I, std::tuple<Ls...>>;
};
template <class Stack>
constexpr std::uint64_t stack_fingerprint() {
  ctnn::detail::fnv1a64 h;
  ctnn::detail::fingerprint_network<Stack>(h);
  return h.hash;
}
// A hasher that records what it is fed (any type with text and u64 will do).
struct recording_hasher {
  std::vector<std::string> log;
  void text(std::string_view s) { log.emplace_back(s); }
  void u64(std::uint64_t v) { log.push_back(std::to_string(v)); }
};

// A test-only optimiser that says how its state is stored through its own members: no
// specialisation of ctnn::optimizer_state_layout anywhere.
template <class T = float>
struct test_heavy_ball {
  using value_type = T;
  T learning_rate = T(0.01);
  template <class Net>
  struct state {
    typename Net::parameters_type velocity{};
    typename Net::parameters_type peak{};
    std::uint64_t step = 0;
    friend constexpr bool operator==(const state&, const state&) = default;
  };
  static constexpr std::string_view state_name = "test_heavy_ball";
  static constexpr std::size_t state_set_count = 2;
  template <class S, class F>
  static constexpr void for_each_state_set(S& s, F&& f) noexcept {
    f(s.velocity);
    f(s.peak);
  }
};
// An optimiser with a state but no layout: it cannot be saved with its state.
struct no_layout_optimizer {
  template <class Net>
  struct state {
    std::uint64_t step = 0;
  };
};
// Both: the specialisation wins.
struct both_layouts : test_heavy_ball<float> {};

}  // namespace

template <>
struct ctnn::optimizer_state_layout<both_layouts> {
  static constexpr std::string_view name = "specialised";
  static constexpr std::size_t set_count = 1;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept { f(s.velocity); }
};

TEST_CASE("serialize: CRC-32 is the IEEE/zlib one, at compile time and run time", "[serialize]") {
  constexpr std::string_view text = "123456789";
  constexpr auto bytes = [&] {
    std::array<std::byte, 9> b{};
    for (std::size_t k = 0; k < b.size(); ++k) b[k] = static_cast<std::byte>(text[k]);
    return b;
  }();
  STATIC_REQUIRE(ctnn::crc32(bytes) == 0xCBF43926u);
  STATIC_REQUIRE(ctnn::crc32(std::span<const std::byte>{}) == 0u);
  // Continuing a CRC over a split buffer gives the CRC of the whole.
  const std::span<const std::byte> all(bytes);
  CHECK(ctnn::crc32(all.subspan(4), ctnn::crc32(all.first(4))) == 0xCBF43926u);
  CHECK(ctnn::crc32(all) == 0xCBF43926u);
  // A single zero byte: a value zlib.crc32(b"\0") also gives.
  constexpr std::array<std::byte, 1> zero{};
  STATIC_REQUIRE(ctnn::crc32(zero) == 0xD202EF8Du);
}

TEST_CASE("serialize: sizes are compile-time constants", "[serialize]") {
  STATIC_REQUIRE(ctnn::serial_header_size == 24);
  STATIC_REQUIRE(net_f::parameter_count == 3 * 4 + 4 + 4 * 2 + 2 + 2 * 2 + 2);
  STATIC_REQUIRE(ctnn::serialized_size<net_f> == 24 + 4 * net_f::parameter_count);
  STATIC_REQUIRE(ctnn::serialized_size<net_d> == 24 + 8 * net_d::parameter_count);
  STATIC_REQUIRE(ctnn::serialized_size<net_f, ctnn::adam<float>> ==
                 24 + 3 * 4 * net_f::parameter_count + 8);
  STATIC_REQUIRE(ctnn::serialized_size<net_f, ctnn::gradient_descent<float>> ==
                 24 + 4 * net_f::parameter_count + 8);
  STATIC_REQUIRE(ctnn::serialized_size<net_d, ctnn::rmsprop<double>> ==
                 24 + 3 * 8 * net_d::parameter_count + 8);
  STATIC_REQUIRE(std::is_same_v<ctnn::blob<net_f>, std::array<std::byte, 24 + 4 * 32>>);
}

TEST_CASE("serialize: the fingerprint follows the documented definition", "[serialize]") {
  const std::vector<layer_desc> layers = net_f_layers();
  CHECK(ctnn::topology_fingerprint<net_f> == documented_fingerprint(layers));
  CHECK(ctnn::topology_fingerprint<net_f, ctnn::adam<float>> ==
        documented_fingerprint(layers, "adam", 2));
  CHECK(ctnn::topology_fingerprint<tiny_f> == documented_fingerprint({{1, 1, "identity", {}}}));
  using elu_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::elu<-6, -4>>>;
  CHECK(ctnn::topology_fingerprint<elu_net> ==
        documented_fingerprint({{2, 2, "elu", {3, 2}}}));  // -6/-4 = 3/2
  using neg = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::leaky_relu<2, -8>>>;
  CHECK(ctnn::topology_fingerprint<neg> == documented_fingerprint({{2, 2, "leaky_relu", {-1, 4}}}));
  // Version 1's fingerprint (no layer kinds) is kept, to recognise version-1 blobs.
  using ctnn::detail::serial_plan;
  CHECK(serial_plan<net_f, void>::fingerprint_v1 == documented_fingerprint(layers, {}, 0, fp_version::v1));
  CHECK(serial_plan<net_f, ctnn::adam<float>>::fingerprint_v1 ==
        documented_fingerprint(layers, "adam", 2, fp_version::v1));
  CHECK(serial_plan<neg, void>::fingerprint_v1 ==
        documented_fingerprint({{2, 2, "leaky_relu", {-1, 4}}}, {}, 0, fp_version::v1));
  STATIC_REQUIRE(serial_plan<net_f, void>::fingerprint_v1 != ctnn::topology_fingerprint<net_f>);
  // The fraction survives the extremes of intmax_t without overflow.
  constexpr auto lo = std::numeric_limits<std::intmax_t>::min();
  STATIC_REQUIRE(ctnn::detail::reduced_fraction(lo, lo) == std::array<std::uint64_t, 2>{1, 1});
  STATIC_REQUIRE(ctnn::detail::reduced_fraction(lo, 1)[0] == std::uint64_t{1} << 63);
  STATIC_REQUIRE(ctnn::detail::reduced_fraction(0, -5) == std::array<std::uint64_t, 2>{0, 1});
}

TEST_CASE("serialize: the fingerprint separates topologies, not element types", "[serialize]") {
  using a = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
  using a_double = ctnn::network<double, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
  using wider = ctnn::network<float, ctnn::input<2>, ctnn::dense<4, ctnn::relu>, ctnn::dense<1>>;
  using more_in = ctnn::network<float, ctnn::input<3>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>>;
  using other_act = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>, ctnn::dense<1>>;
  using leaky1 = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::leaky_relu<1, 100>>, ctnn::dense<1>>;
  using leaky2 = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::leaky_relu<2, 200>>, ctnn::dense<1>>;
  using leaky3 = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::leaky_relu<1, 50>>, ctnn::dense<1>>;
  using elu1 = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::elu<1, 100>>, ctnn::dense<1>>;
  using deeper = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::relu>, ctnn::dense<1>, ctnn::dense<1>>;
  STATIC_REQUIRE(ctnn::topology_fingerprint<a> == ctnn::topology_fingerprint<a_double>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<a> != ctnn::topology_fingerprint<wider>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<a> != ctnn::topology_fingerprint<more_in>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<a> != ctnn::topology_fingerprint<other_act>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<a> != ctnn::topology_fingerprint<deeper>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<leaky1> == ctnn::topology_fingerprint<leaky2>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<leaky1> != ctnn::topology_fingerprint<leaky3>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<leaky1> != ctnn::topology_fingerprint<elu1>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<a, ctnn::adam<float>> !=
                 ctnn::topology_fingerprint<a, ctnn::adamw<float>>);
  STATIC_REQUIRE(ctnn::topology_fingerprint<a, ctnn::adam<float>> ==
                 ctnn::topology_fingerprint<a, ctnn::adam<double>>);  // hyper-parameter type
  STATIC_REQUIRE(ctnn::topology_fingerprint<a, ctnn::adam<float>> != ctnn::topology_fingerprint<a>);
}

TEST_CASE("serialize: the layout is little-endian and as documented", "[serialize]") {
  tiny_f n;
  n.layer<0>().W[0][0] = 1.5f;    // 0x3FC00000
  n.layer<0>().b[0] = -2.0f;      // 0xC0000000
  const auto b = saved(n);
  REQUIRE(b.size() == 32);
  // The example blob in serialize.hpp's header comment, byte for byte.
  const std::array<std::uint8_t, 32> expected{
      0x43, 0x54, 0x4E, 0x4E,                          // magic "CTNN"
      0x02, 0x00,                                      // version 2
      0x01,                                            // float
      0x00,                                            // content: network
      0xA6, 0xEA, 0xC8, 0xF9, 0xD9, 0x96, 0xDB, 0xB3,  // fingerprint 0xB3DB96D9F9C8EAA6
      0x08, 0x00, 0x00, 0x00,                          // payload length 8
      0x42, 0xC4, 0xB3, 0x14,                          // CRC-32 0x14B3C442
      0x00, 0x00, 0xC0, 0x3F,                          // W = 1.5f
      0x00, 0x00, 0x00, 0xC0,                          // b = -2.0f
  };
  for (std::size_t k = 0; k < 32; ++k) {
    INFO("byte " << k);
    CHECK(static_cast<std::uint8_t>(b[k]) == expected[k]);
  }
  CHECK(ctnn::topology_fingerprint<tiny_f> == 0xB3DB96D9F9C8EAA6u);
  // The CRC covers the 20 header bytes before it and the payload, as one message.
  const std::span<const std::byte> all(b);
  CHECK(read_u32(b, 20) == ctnn::crc32(all.subspan(24), ctnn::crc32(all.first(20))));
  std::array<std::byte, 28> message{};
  for (std::size_t k = 0; k < 20; ++k) message[k] = b[k];
  for (std::size_t k = 0; k < 8; ++k) message[20 + k] = b[24 + k];
  CHECK(read_u32(b, 20) == ctnn::crc32(message));

  ctnn::serial_header h{};
  REQUIRE(ctnn::read_header(b, h) == ctnn::status::ok);
  CHECK(h == ctnn::serial_header{2, 1, 0, ctnn::topology_fingerprint<tiny_f>, 8, 0x14B3C442u});
  CHECK(ctnn::read_header(std::span<const std::byte>(b).first(23), h) == ctnn::status::truncated);
  STATIC_REQUIRE(ctnn::serial_format_version == 2);
  STATIC_REQUIRE(ctnn::serial_oldest_format_version == 1);

  // double: 8-byte values, element code 2.
  ctnn::network<double, ctnn::input<1>, ctnn::dense<1>> nd;
  nd.layer<0>().W[0][0] = 1.5;  // 0x3FF8000000000000
  const auto bd = saved(nd);
  REQUIRE(bd.size() == 24 + 16);
  CHECK(static_cast<std::uint8_t>(bd[6]) == 2);
  const std::array<std::uint8_t, 8> w{0, 0, 0, 0, 0, 0, 0xF8, 0x3F};
  for (std::size_t k = 0; k < 8; ++k) CHECK(static_cast<std::uint8_t>(bd[24 + k]) == w[k]);
}

TEST_CASE("serialize: round trips are exact, at compile time and at run time", "[serialize]") {
  STATIC_REQUIRE(round_trips<net_f>(1));
  STATIC_REQUIRE(round_trips<net_d>(2));
  STATIC_REQUIRE(round_trips<tiny_f>(3));
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    CHECK(round_trips<net_f>(seed));
    CHECK(round_trips<net_d>(seed));
  }
  // The blob made by the compiler is the blob made at run time.
  constexpr auto at_compile_time = [] {
    ctnn::blob<net_f> b{};
    const auto s = ctnn::save(make_net<net_f>(5), b);
    return s == ctnn::status::ok ? b : ctnn::blob<net_f>{};
  }();
  const auto at_run_time = saved(make_net<net_f>(5));
  CHECK(at_compile_time == at_run_time);
  // And the bits survive, including -0 and subnormals.
  net_f back = sentinel<net_f>();
  REQUIRE(ctnn::load(back, at_run_time) == ctnn::status::ok);
  CHECK(bits_of(back[0]) == 0x80000000u);
  CHECK(bits_of(back[1]) == 0x00000001u);
  CHECK(same_bits(back, make_net<net_f>(5)));
}

TEST_CASE("serialize: spans of fixed and dynamic extent, larger buffers", "[serialize]") {
  const net_d a = make_net<net_d>(9);
  std::vector<std::byte> big(ctnn::serialized_size<net_d> + 100, std::byte{0xAB});
  REQUIRE(ctnn::save(a, std::span<std::byte>(big)) == ctnn::status::ok);
  // Only the blob's bytes were written.
  for (std::size_t k = ctnn::serialized_size<net_d>; k < big.size(); ++k) CHECK(big[k] == std::byte{0xAB});
  net_d b;
  CHECK(ctnn::load(b, std::span<const std::byte>(big)) == ctnn::status::ok);  // trailing bytes ignored
  CHECK(same_bits(a, b));
  net_d c;
  CHECK(ctnn::load(c, std::span<std::byte>(big)) == ctnn::status::ok);
  CHECK(same_bits(a, c));
  std::array<std::byte, ctnn::serialized_size<net_d>> fixed{};
  CHECK(ctnn::save(a, std::span<std::byte, ctnn::serialized_size<net_d>>(fixed)) == ctnn::status::ok);
  net_d d;
  CHECK(ctnn::load(d, std::span<const std::byte, ctnn::serialized_size<net_d>>(fixed)) ==
        ctnn::status::ok);
  CHECK(same_bits(a, d));
}

TEST_CASE("serialize: save refuses a small buffer or a non-finite network, writing nothing",
          "[serialize]") {
  const net_f a = make_net<net_f>(4);
  std::vector<std::byte> small(ctnn::serialized_size<net_f> - 1, std::byte{0x5A});
  CHECK(ctnn::save(a, std::span<std::byte>(small)) == ctnn::status::buffer_too_small);
  for (std::byte x : small) CHECK(x == std::byte{0x5A});
  CHECK(ctnn::save(a, std::span<std::byte>{}) == ctnn::status::buffer_too_small);

  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    net_f n = a;
    n[net_f::parameter_count - 1] = bad;
    ctnn::blob<net_f> b{};
    b.fill(std::byte{0x5A});
    CHECK(ctnn::save(n, b) == ctnn::status::non_finite_value);
    for (std::byte x : b) CHECK(x == std::byte{0x5A});
  }
  STATIC_REQUIRE([] {
    net_f n;
    n[3] = std::numeric_limits<float>::infinity();
    ctnn::blob<net_f> b{};
    return ctnn::save(n, b);
  }() == ctnn::status::non_finite_value);
}

TEST_CASE("serialize: every single bit flip is refused with the right status", "[serialize]") {
  // Version 2: a flipped header bit is corruption (checksum_mismatch), never a type or topology
  // mismatch; only the magic, the version and a length running past the buffer come first.
  auto check_all_flips = [](const auto& original_net) {
    using Net = std::remove_cvref_t<decltype(original_net)>;
    const auto good = saved(original_net);
    const Net before = sentinel<Net>();
    std::size_t refused = 0;
    for (std::size_t at = 0; at < good.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        auto bad = good;
        bad[at] ^= static_cast<std::byte>(1u << bit);
        Net n = before;
        const ctnn::status s = ctnn::load(n, bad);
        INFO("byte " << at << " bit " << bit << ": " << ctnn::message(s));
        CHECK(s == expected_for_flip(good, at, bit));
        CHECK(same_bits(n, before));
        refused += s != ctnn::status::ok ? 1u : 0u;
      }
    }
    CHECK(refused == 8 * good.size());
  };
  check_all_flips(make_net<net_f>(11));
  check_all_flips(make_net<net_d>(12));
  check_all_flips(make_net<tiny_f>(13));
}

TEST_CASE("serialize: every single bit flip of a checkpoint is refused", "[serialize]") {
  using opt_t = ctnn::adam<float>;
  const net_f net = make_net<net_f>(21);
  opt_t::state<net_f> st{};
  st.m = make_net<net_f>(22);
  st.v = make_net<net_f>(23);
  st.step = 0x0123456789ABCDEFu;
  std::array<std::byte, ctnn::serialized_size<net_f, opt_t>> good{};
  REQUIRE(ctnn::save(net, opt_t{}, st, good) == ctnn::status::ok);
  const net_f before = sentinel<net_f>();
  opt_t::state<net_f> st_before{};
  st_before.m = sentinel<net_f>();
  st_before.step = 99;
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = good;
      bad[at] ^= static_cast<std::byte>(1u << bit);
      net_f n = before;
      auto s2 = st_before;
      const ctnn::status s = ctnn::load(n, opt_t{}, s2, bad);
      INFO("byte " << at << " bit " << bit << ": " << ctnn::message(s));
      CHECK(s == expected_for_flip(good, at, bit));
      CHECK(same_bits(n, before));
      CHECK(s2 == st_before);
    }
  }
}

TEST_CASE("serialize: every truncation is refused, the network unchanged", "[serialize]") {
  const auto good = saved(make_net<net_f>(31));
  const net_f before = sentinel<net_f>();
  for (std::size_t len = 0; len < good.size(); ++len) {
    net_f n = before;
    INFO("length " << len);
    CHECK(ctnn::load(n, std::span<const std::byte>(good).first(len)) == ctnn::status::truncated);
    CHECK(same_bits(n, before));
  }
  net_f n = before;
  CHECK(ctnn::load(n, std::span<const std::byte>(good)) == ctnn::status::ok);
}

TEST_CASE("serialize: the wrong element type, topology or content is refused", "[serialize]") {
  const auto blob_f = saved(make_net<net_f>(41));
  const auto blob_d = saved(make_net<net_d>(42));
  net_d d = sentinel<net_d>();
  CHECK(ctnn::load(d, std::span<const std::byte>(blob_f)) == ctnn::status::element_type_mismatch);
  CHECK(same_bits(d, sentinel<net_d>()));
  net_f f = sentinel<net_f>();
  CHECK(ctnn::load(f, std::span<const std::byte>(blob_d)) == ctnn::status::element_type_mismatch);
  CHECK(same_bits(f, sentinel<net_f>()));

  // Same parameter count, other activations or sizes: the fingerprint catches both.
  using other_act = ctnn::network<float, ctnn::input<3>, ctnn::dense<4, ctnn::sigmoid>,
                                  ctnn::dense<2, ctnn::leaky_relu<1, 10>>, ctnn::dense<2, ctnn::softmax>>;
  using other_slope = ctnn::network<float, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>,
                                    ctnn::dense<2, ctnn::leaky_relu<1, 100>>, ctnn::dense<2, ctnn::softmax>>;
  using other_sizes = ctnn::network<float, ctnn::input<4>, ctnn::dense<3, ctnn::tanh>,
                                    ctnn::dense<3, ctnn::leaky_relu<1, 10>>, ctnn::dense<2, ctnn::softmax>>;
  STATIC_REQUIRE(other_act::parameter_count == net_f::parameter_count);
  STATIC_REQUIRE(other_sizes::parameter_count == 4 * 3 + 3 + 3 * 3 + 3 + 3 * 2 + 2);
  other_act oa = sentinel<other_act>();
  CHECK(ctnn::load(oa, std::span<const std::byte>(blob_f)) == ctnn::status::topology_mismatch);
  CHECK(same_bits(oa, sentinel<other_act>()));
  other_slope os;
  CHECK(ctnn::load(os, std::span<const std::byte>(blob_f)) == ctnn::status::topology_mismatch);
  other_sizes oz;
  CHECK(ctnn::load(oz, std::span<const std::byte>(blob_f)) == ctnn::status::topology_mismatch);

  // A network blob is not a checkpoint, and the reverse; Adam is not AdamW.
  net_f n = sentinel<net_f>();
  ctnn::adam<float>::state<net_f> st{};
  CHECK(ctnn::load(n, ctnn::adam<float>{}, st, std::span<const std::byte>(blob_f)) ==
        ctnn::status::topology_mismatch);
  std::array<std::byte, ctnn::serialized_size<net_f, ctnn::adam<float>>> ck{};
  REQUIRE(ctnn::save(make_net<net_f>(43), ctnn::adam<float>{}, st, ck) == ctnn::status::ok);
  CHECK(ctnn::load(n, std::span<const std::byte>(ck)) == ctnn::status::topology_mismatch);
  ctnn::adamw<float>::state<net_f> stw{};
  CHECK(ctnn::load(n, ctnn::adamw<float>{}, stw, ck) == ctnn::status::topology_mismatch);
  CHECK(same_bits(n, sentinel<net_f>()));
  ctnn::adam<double>::state<net_f> st_double{};
  CHECK(ctnn::load(n, ctnn::adam<double>{}, st_double, ck) ==
        ctnn::status::ok);  // the hyper-parameter type does not matter
}

TEST_CASE("serialize: header fields are checked one by one", "[serialize]") {
  const auto good = saved(make_net<net_f>(51));
  // An edit of one header byte, with the CRC left alone (corruption) or recomputed (a blob that
  // really says so), in a buffer `extra` bytes longer than the blob.
  auto edited = [&](std::size_t at, unsigned v, bool recompute_crc, std::size_t extra = 0) {
    std::vector<std::byte> b(good.begin(), good.end());
    b.resize(good.size() + extra, std::byte{0xFF});
    b[at] = static_cast<std::byte>(v & 0xFFu);
    if (recompute_crc) fix_crc(b);
    net_f n = sentinel<net_f>();
    const ctnn::status s = ctnn::load(n, std::span<const std::byte>(b));
    CHECK(same_bits(n, sentinel<net_f>()));
    return s;
  };
  const auto at = [&](std::size_t k) { return static_cast<unsigned>(good[k]); };
  for (const bool fixed : {false, true}) {
    INFO("CRC recomputed: " << fixed);
    CHECK(edited(0, 'c', fixed) == ctnn::status::bad_magic);
    CHECK(edited(4, 3, fixed) == ctnn::status::unsupported_version);  // a future version
    CHECK(edited(4, 0, fixed) == ctnn::status::unsupported_version);
    CHECK(edited(5, 1, fixed) == ctnn::status::unsupported_version);
  }
  // Corruption: every other header field is caught by the CRC first.
  CHECK(edited(6, 2, false) == ctnn::status::checksum_mismatch);
  CHECK(edited(6, 0xFF, false) == ctnn::status::checksum_mismatch);
  CHECK(edited(7, 1, false) == ctnn::status::checksum_mismatch);
  CHECK(edited(8, at(8) ^ 0x80u, false) == ctnn::status::checksum_mismatch);
  CHECK(edited(16, at(16) - 4u, false) == ctnn::status::checksum_mismatch);
  CHECK(edited(16, at(16) + 4u, false, 4) == ctnn::status::checksum_mismatch);
  CHECK(edited(16, at(16) + 4u, false) == ctnn::status::truncated);  // past the buffer's end
  CHECK(edited(20, at(20) ^ 1u, false) == ctnn::status::checksum_mismatch);
  CHECK(edited(24, at(24) ^ 1u, false) == ctnn::status::checksum_mismatch);
  // The same edits with a correct CRC: a blob that is not for this network says why.
  CHECK(edited(6, 2, true) == ctnn::status::element_type_mismatch);
  CHECK(edited(6, 0xFF, true) == ctnn::status::element_type_mismatch);  // unknown type code
  CHECK(edited(6, 0, true) == ctnn::status::element_type_mismatch);
  CHECK(edited(7, 1, true) == ctnn::status::topology_mismatch);
  CHECK(edited(7, 0xFF, true) == ctnn::status::topology_mismatch);
  CHECK(edited(8, at(8) ^ 0x80u, true) == ctnn::status::topology_mismatch);
  CHECK(edited(16, at(16) - 4u, true) == ctnn::status::length_mismatch);
  CHECK(edited(16, at(16) + 4u, true, 4) == ctnn::status::length_mismatch);
  CHECK(edited(16, at(16) + 4u, true) == ctnn::status::truncated);

  // The checks come in the documented order: magic, version, length vs buffer, CRC, element
  // type, content and fingerprint, length vs the network.
  std::vector<std::byte> b(good.begin(), good.end());
  b.resize(good.size() + 8, std::byte{0});
  b[0] = std::byte{0};
  b[4] = std::byte{9};
  b[6] = std::byte{9};
  b[7] = std::byte{9};
  b[16] = static_cast<std::byte>((at(16) + 4u) & 0xFFu);  // 4 bytes more than the network's payload
  auto load_b = [&](std::span<const std::byte> in) {
    net_f n = sentinel<net_f>();
    const ctnn::status s = ctnn::load(n, in);
    CHECK(same_bits(n, sentinel<net_f>()));
    return s;
  };
  CHECK(load_b(b) == ctnn::status::bad_magic);
  b[0] = good[0];
  CHECK(load_b(b) == ctnn::status::unsupported_version);
  b[4] = good[4];
  CHECK(load_b(std::span<const std::byte>(b).first(good.size())) == ctnn::status::truncated);
  CHECK(load_b(b) == ctnn::status::checksum_mismatch);
  fix_crc(b);
  CHECK(load_b(b) == ctnn::status::element_type_mismatch);
  b[6] = good[6];
  fix_crc(b);
  CHECK(load_b(b) == ctnn::status::topology_mismatch);
  b[7] = good[7];
  fix_crc(b);
  CHECK(load_b(b) == ctnn::status::length_mismatch);
  b[16] = good[16];
  fix_crc(b);
  net_f n = sentinel<net_f>();
  CHECK(ctnn::load(n, std::span<const std::byte>(b)) == ctnn::status::ok);
  CHECK(same_bits(n, make_net<net_f>(51)));
}

TEST_CASE("serialize: an unknown element type with a correct CRC is a type mismatch",
          "[serialize]") {
  const auto good = saved(make_net<net_d>(52));
  for (unsigned code = 0; code < 256; ++code) {
    if (code == ctnn::serial_element<double>::code) continue;
    auto b = good;
    b[6] = static_cast<std::byte>(code);
    net_d n = sentinel<net_d>();
    INFO("element type " << code);
    CHECK(ctnn::load(n, b) == ctnn::status::checksum_mismatch);  // corrupt: the CRC says so
    fix_crc(b);
    CHECK(ctnn::load(n, b) == ctnn::status::element_type_mismatch);  // genuine: the type says so
    CHECK(same_bits(n, sentinel<net_d>()));
  }
}

TEST_CASE("serialize: a flipped length inside a larger buffer is still corruption", "[serialize]") {
  // With spare bytes after the blob (the rest of a flash page) a longer length fits the buffer:
  // the CRC is then taken over the wrong bytes and refuses it.
  const auto good = saved(make_net<tiny_f>(53));
  std::vector<std::byte> page(4096, std::byte{0xFF});
  std::copy(good.begin(), good.end(), page.begin());
  for (std::size_t at = 16; at < 20; ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bad = page;
      bad[at] ^= static_cast<std::byte>(1u << bit);
      const std::uint32_t len = read_u32(bad, 16);
      tiny_f n = sentinel<tiny_f>();
      INFO("byte " << at << " bit " << bit << ", length " << len);
      CHECK(ctnn::load(n, std::span<const std::byte>(bad)) ==
            (len > page.size() - 24 ? ctnn::status::truncated : ctnn::status::checksum_mismatch));
      CHECK(same_bits(n, sentinel<tiny_f>()));
    }
  }
}

TEST_CASE("serialize: a NaN or infinity with a valid checksum is refused", "[serialize]") {
  const auto good = saved(make_net<net_f>(61));
  for (std::uint32_t bad : {0x7FC00000u, 0x7F800000u, 0xFF800000u, 0x7F800001u, 0xFFFFFFFFu}) {
    for (std::size_t index : {std::size_t{0}, std::size_t{7}, net_f::parameter_count - 1}) {
      auto b = good;
      write_u32(b, 24 + 4 * index, bad);
      fix_crc(b);
      net_f n = sentinel<net_f>();
      CHECK(ctnn::load(n, b) == ctnn::status::non_finite_value);
      CHECK(same_bits(n, sentinel<net_f>()));
    }
  }
  // In a checkpoint's moments too.
  using opt_t = ctnn::rmsprop<float>;
  opt_t::state<net_f> st{};
  std::array<std::byte, ctnn::serialized_size<net_f, opt_t>> ck{};
  REQUIRE(ctnn::save(make_net<net_f>(62), opt_t{}, st, ck) == ctnn::status::ok);
  const std::size_t last_value = ck.size() - 4;
  write_u32(ck, last_value, 0x7FC00000u);
  fix_crc(ck);
  net_f n = sentinel<net_f>();
  opt_t::state<net_f> st2{};
  st2.step = 5;
  CHECK(ctnn::load(n, opt_t{}, st2, ck) == ctnn::status::non_finite_value);
  CHECK(same_bits(n, sentinel<net_f>()));
  CHECK(st2.step == 5);
  // And a state with a NaN moment is not saved.
  st.square_avg[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK(ctnn::save(make_net<net_f>(62), opt_t{}, st, ck) == ctnn::status::non_finite_value);
}

TEST_CASE("serialize: corrupted blobs are refused at compile time too", "[serialize]") {
  constexpr auto flip = [](std::size_t at) {
    ctnn::blob<tiny_f> b{};
    tiny_f n;
    n[0] = 2.f;
    n[1] = -1.f;
    (void)ctnn::save(n, b);
    b[at] ^= std::byte{0x10};
    tiny_f m;
    return ctnn::load(m, b);
  };
  STATIC_REQUIRE(flip(1) == ctnn::status::bad_magic);
  STATIC_REQUIRE(flip(5) == ctnn::status::unsupported_version);
  STATIC_REQUIRE(flip(6) == ctnn::status::checksum_mismatch);
  STATIC_REQUIRE(flip(7) == ctnn::status::checksum_mismatch);
  STATIC_REQUIRE(flip(12) == ctnn::status::checksum_mismatch);
  STATIC_REQUIRE(flip(16) == ctnn::status::truncated);  // length 8 -> 24: past the end
  STATIC_REQUIRE(flip(17) == ctnn::status::truncated);  // length 8 -> 4104
  STATIC_REQUIRE(flip(22) == ctnn::status::checksum_mismatch);
  STATIC_REQUIRE(flip(27) == ctnn::status::checksum_mismatch);
}

TEST_CASE("serialize: a checkpoint resumes training exactly", "[serialize]") {
  using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<4, ctnn::tanh>,
                              ctnn::dense<1, ctnn::sigmoid>>;
  const std::array<net_t::input_type, 4> X{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
  const std::array<net_t::output_type, 4> Y{{{0}, {1}, {1}, {0}}};
  auto run = [&](auto opt) {
    using opt_t = decltype(opt);
    net_t net;
    ctnn::rng gen{3};
    ctnn::init(net, ctnn::xavier_uniform{}, gen);
    typename opt_t::template state<net_t> st{};
    const ctnn::fit_options<> o{.epochs = 20, .batch_size = 2, .shuffle = false};
    REQUIRE(ctnn::fit(net, X, Y, ctnn::mse{}, opt, st, o));
    // Power cut: the checkpoint is all that survives.
    std::array<std::byte, ctnn::serialized_size<net_t, opt_t>> ck{};
    REQUIRE(ctnn::save(net, opt, st, ck) == ctnn::status::ok);
    net_t resumed;
    typename opt_t::template state<net_t> resumed_st{};
    REQUIRE(ctnn::load(resumed, opt, resumed_st, ck) == ctnn::status::ok);
    CHECK(resumed_st == st);
    CHECK(resumed_st.step == 20 * 2);
    REQUIRE(ctnn::fit(net, X, Y, ctnn::mse{}, opt, st, o));
    REQUIRE(ctnn::fit(resumed, X, Y, ctnn::mse{}, opt, resumed_st, o));
    CHECK(same_bits(net, resumed));
    CHECK(resumed_st == st);
  };
  run(ctnn::adam<float>{0.05f});
  run(ctnn::adamw<float>{0.05f});
  run(ctnn::sgd<float>{0.1f, 0.9f});
  run(ctnn::rmsprop<float>{0.01f, 0.9f, 1e-8f, 0.5f});
  run(ctnn::adagrad<float>{0.1f});
  run(ctnn::gradient_descent<float>{0.5f});
}

TEST_CASE("serialize: each optimiser layout lists its sets", "[serialize]") {
  auto count = [](auto opt) {
    using opt_t = decltype(opt);
    typename opt_t::template state<net_f> st{};
    std::size_t n = 0;
    ctnn::optimizer_state_layout<opt_t>::for_each_set(st, [&](auto& set) {
      STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(set)>, net_f::parameters_type>);
      ++n;
    });
    CHECK(n == ctnn::optimizer_state_layout<opt_t>::set_count);
    // The state holds exactly those sets and the step count (nothing left unsaved).
    CHECK(sizeof(st) == n * sizeof(net_f::parameters_type) + sizeof(std::uint64_t));
  };
  count(ctnn::gradient_descent<float>{});
  count(ctnn::sgd<float>{});
  count(ctnn::adam<float>{});
  count(ctnn::adamw<float>{});
  count(ctnn::rmsprop<float>{});
  count(ctnn::adagrad<float>{});
  count(test_heavy_ball<float>{});
}

TEST_CASE("serialize: an optimiser's own members give its state layout", "[serialize]") {
  using opt_t = test_heavy_ball<float>;
  using layout = ctnn::optimizer_state_layout<opt_t>;
  STATIC_REQUIRE(ctnn::SerializableOptimizer<opt_t, net_f>);
  STATIC_REQUIRE(!ctnn::SerializableOptimizer<no_layout_optimizer, net_f>);
  STATIC_REQUIRE(layout::name == "test_heavy_ball");
  STATIC_REQUIRE(layout::set_count == 2);
  STATIC_REQUIRE(ctnn::serialized_size<net_f, opt_t> == 24 + 3 * 4 * net_f::parameter_count + 8);
  const std::vector<layer_desc> layers = net_f_layers();
  CHECK(ctnn::topology_fingerprint<net_f, opt_t> == documented_fingerprint(layers, "test_heavy_ball", 2));
  // A specialisation wins over the members.
  STATIC_REQUIRE(ctnn::optimizer_state_layout<both_layouts>::name == "specialised");
  STATIC_REQUIRE(ctnn::serialized_size<net_f, both_layouts> == 24 + 2 * 4 * net_f::parameter_count + 8);

  // Round trip, bit for bit.
  const net_f net = make_net<net_f>(71);
  opt_t::state<net_f> st{};
  st.velocity = make_net<net_f>(72);
  st.peak = make_net<net_f>(73);
  st.step = 0xFEDCBA9876543210u;
  std::array<std::byte, ctnn::serialized_size<net_f, opt_t>> ck{};
  REQUIRE(ctnn::save(net, opt_t{}, st, ck) == ctnn::status::ok);
  net_f back = sentinel<net_f>();
  opt_t::state<net_f> st_back{};
  REQUIRE(ctnn::load(back, opt_t{}, st_back, ck) == ctnn::status::ok);
  CHECK(same_bits(back, net));
  CHECK(same_bits(st_back.velocity, st.velocity));
  CHECK(same_bits(st_back.peak, st.peak));
  CHECK(st_back.step == st.step);
  // The sets are stored in for_each_state_set's order, after the parameters and the step.
  const std::size_t set_bytes = 4 * net_f::parameter_count;
  CHECK(read_u32(ck, 24 + set_bytes + 8) == bits_of(st.velocity[0]));
  CHECK(read_u32(ck, 24 + 2 * set_bytes + 8) == bits_of(st.peak[0]));
  // And it is told apart from another optimiser with the same layout.
  ctnn::adam<float>::state<net_f> adam_st{};
  CHECK(ctnn::load(back, ctnn::adam<float>{}, adam_st, ck) == ctnn::status::topology_mismatch);
  ck[ck.size() - 1] ^= std::byte{0x40};
  CHECK(ctnn::load(back, opt_t{}, st_back, ck) == ctnn::status::checksum_mismatch);
}

TEST_CASE("serialize: the fingerprint tells layer kinds apart", "[serialize]") {
  using dense_net = ctnn::network<float, ctnn::input<3>, ctnn::dense<2, ctnn::relu>>;
  STATIC_REQUIRE(std::is_same_v<dense_net::layer_type<0>, dense_3_2>);
  // A network's fingerprint is u64(layer_count) and each layer's part.
  STATIC_REQUIRE(stack_fingerprint<layer_stack<dense_3_2>>() == ctnn::topology_fingerprint<dense_net>);
  CHECK(ctnn::topology_fingerprint<dense_net> == documented_fingerprint({{3, 2, "relu", {}}}));
  // A conv1d layer with the dense layer's sizes does not match it ...
  STATIC_REQUIRE(stack_fingerprint<layer_stack<fake_conv1d_layer>>() !=
                 stack_fingerprint<layer_stack<dense_3_2>>());
  STATIC_REQUIRE(stack_fingerprint<layer_stack<dense_3_2, fake_conv1d_layer>>() !=
                 stack_fingerprint<layer_stack<dense_3_2, dense_3_2>>());
  // ... while a dense layer that describes itself as the fallback does keeps its blobs loading.
  STATIC_REQUIRE(stack_fingerprint<layer_stack<self_described_dense>>() ==
                 ctnn::topology_fingerprint<dense_net>);
  // L::fingerprint(h) is what is called, with whatever hasher is given.
  recording_hasher conv, dense;
  ctnn::detail::layer_fingerprint<fake_conv1d_layer>(conv);
  ctnn::detail::layer_fingerprint<dense_3_2>(dense);
  CHECK(conv.log == std::vector<std::string>{"conv1d", "3", "2", "3", "relu", "0"});
  CHECK(dense.log == std::vector<std::string>{"dense", "3", "2", "relu", "0"});
  recording_hasher leaky;
  ctnn::detail::layer_fingerprint<ctnn::dense_layer<double, 4, 5, ctnn::leaky_relu<2, 200>>>(leaky);
  CHECK(leaky.log == std::vector<std::string>{"dense", "4", "5", "leaky_relu", "2", "1", "100"});
}

TEST_CASE("serialize: version-1 blobs still load, bit-exactly", "[serialize][v1]") {
  namespace v1 = ctnn_v1_blobs;
  const auto xor_blob = as_bytes(v1::xor_f32);
  const auto ck_blob = as_bytes(v1::xor_f32_adam);
  const auto leaky_blob = as_bytes(v1::leaky_f64);
  STATIC_REQUIRE(v1::xor_f32.size() == ctnn::serialized_size<xor_net>);
  STATIC_REQUIRE(v1::xor_f32_adam.size() == ctnn::serialized_size<xor_net, ctnn::adam<float>>);
  STATIC_REQUIRE(v1::leaky_f64.size() == ctnn::serialized_size<leaky_net>);

  // They are version 1, with version 1's fingerprint.
  ctnn::serial_header h{};
  REQUIRE(ctnn::read_header(xor_blob, h) == ctnn::status::ok);
  CHECK(h.version == 1);
  CHECK(h.fingerprint == documented_fingerprint({{2, 3, "sigmoid", {}}, {3, 1, "sigmoid", {}}}, {},
                                                0, fp_version::v1));
  REQUIRE(ctnn::read_header(ck_blob, h) == ctnn::status::ok);
  CHECK(h.fingerprint == documented_fingerprint({{2, 3, "sigmoid", {}}, {3, 1, "sigmoid", {}}},
                                                "adam", 2, fp_version::v1));
  REQUIRE(ctnn::read_header(leaky_blob, h) == ctnn::status::ok);
  CHECK(h.fingerprint ==
        documented_fingerprint({{3, 2, "leaky_relu", {1, 100}}, {2, 2, "identity", {}}}, {}, 0,
                               fp_version::v1));

  // The XOR network: its trained parameters, and it still computes XOR.
  xor_net x = sentinel<xor_net>();
  REQUIRE(ctnn::load(x, xor_blob) == ctnn::status::ok);
  CHECK(has_bits(x, v1::xor_f32_parameters));
  const std::array<xor_net::input_type, 4> X{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}};
  for (std::size_t k = 0; k < X.size(); ++k) CHECK((x.forward(X[k])[0] > 0.5f) == (k == 1 || k == 2));

  // The checkpoint: parameters, step and both Adam moments.
  xor_net xc = sentinel<xor_net>();
  ctnn::adam<float>::state<xor_net> st{};
  REQUIRE(ctnn::load(xc, ctnn::adam<float>{}, st, ck_blob) == ctnn::status::ok);
  CHECK(has_bits(xc, v1::xor_f32_parameters));
  CHECK(st.step == v1::xor_f32_adam_step);
  CHECK(st.step == 1500);
  CHECK(has_bits(st.m, v1::xor_f32_adam_m));
  CHECK(has_bits(st.v, v1::xor_f32_adam_v));

  // The double network: the generator's formula and corners, bit for bit.
  leaky_net d = sentinel<leaky_net>();
  REQUIRE(ctnn::load(d, leaky_blob) == ctnn::status::ok);
  CHECK(has_bits(d, v1::leaky_f64_parameters));
  CHECK(bits_of(d[0]) == 0x8000000000000000u);  // -0.0
  CHECK(d[1] == std::numeric_limits<double>::denorm_min());
  CHECK(d[2] == -std::numeric_limits<double>::max());
  for (std::size_t k = 3; k < leaky_net::parameter_count; ++k)
    CHECK(bits_of(d[k]) == bits_of(static_cast<double>(static_cast<int>(k * 37 % 29) - 14) / 7.0));

  // At compile time too.
  STATIC_REQUIRE([] {
    leaky_net n;
    return ctnn::load(n, as_bytes(ctnn_v1_blobs::leaky_f64)) == ctnn::status::ok &&
           has_bits(n, ctnn_v1_blobs::leaky_f64_parameters);
  }());

  // Saved again, they become version-2 blobs of the same values.
  const auto again = saved(d);
  CHECK(static_cast<std::uint8_t>(again[4]) == 2);
  leaky_net d2;
  REQUIRE(ctnn::load(d2, again) == ctnn::status::ok);
  CHECK(same_bits(d, d2));
}

TEST_CASE("serialize: version-1 blobs are still checked", "[serialize][v1]") {
  namespace v1 = ctnn_v1_blobs;
  const auto xor_blob = as_bytes(v1::xor_f32);
  const auto ck_blob = as_bytes(v1::xor_f32_adam);
  const auto leaky_blob = as_bytes(v1::leaky_f64);
  // Every single bit flip, in version 1's order (the header's fields by their own checks).
  auto check_all_flips = [](const auto& good, auto net_tag) {
    using Net = decltype(net_tag);
    const Net before = sentinel<Net>();
    for (std::size_t at = 0; at < good.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        auto bad = good;
        bad[at] ^= static_cast<std::byte>(1u << bit);
        Net n = before;
        const ctnn::status s = ctnn::load(n, bad);
        INFO("byte " << at << " bit " << bit << ": " << ctnn::message(s));
        CHECK(s == expected_for_v1_flip(at));
        CHECK(same_bits(n, before));
      }
    }
  };
  check_all_flips(xor_blob, xor_net{});
  check_all_flips(leaky_blob, leaky_net{});
  {
    const xor_net before = sentinel<xor_net>();
    ctnn::adam<float>::state<xor_net> st_before{};
    st_before.step = 7;
    for (std::size_t at = 0; at < ck_blob.size(); ++at) {
      auto bad = ck_blob;
      bad[at] ^= std::byte{0x04};
      xor_net n = before;
      auto st = st_before;
      INFO("byte " << at);
      CHECK(ctnn::load(n, ctnn::adam<float>{}, st, bad) == expected_for_v1_flip(at));
      CHECK(same_bits(n, before));
      CHECK(st == st_before);
    }
  }
  // One flipped payload bit: refused.
  auto bad = xor_blob;
  bad[30] ^= std::byte{0x01};
  xor_net x = sentinel<xor_net>();
  CHECK(ctnn::load(x, bad) == ctnn::status::checksum_mismatch);
  CHECK(same_bits(x, sentinel<xor_net>()));
  // A NaN with a matching version-1 CRC: refused.
  bad = xor_blob;
  write_u32(bad, 24, 0x7FC00000u);
  fix_crc(bad);
  CHECK(ctnn::load(x, bad) == ctnn::status::non_finite_value);
  // Truncated.
  for (std::size_t len = 0; len < xor_blob.size(); ++len)
    CHECK(ctnn::load(x, std::span<const std::byte>(xor_blob).first(len)) == ctnn::status::truncated);
  CHECK(same_bits(x, sentinel<xor_net>()));
  // Into the wrong network, optimiser or content.
  using xor_tanh = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::tanh>,
                                 ctnn::dense<1, ctnn::sigmoid>>;
  xor_tanh t;
  CHECK(ctnn::load(t, xor_blob) == ctnn::status::topology_mismatch);
  ctnn::network<double, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>, ctnn::dense<1, ctnn::sigmoid>> xd;
  CHECK(ctnn::load(xd, std::span<const std::byte>(xor_blob)) == ctnn::status::element_type_mismatch);
  ctnn::adamw<float>::state<xor_net> stw{};
  CHECK(ctnn::load(x, ctnn::adamw<float>{}, stw, ck_blob) == ctnn::status::topology_mismatch);
  CHECK(ctnn::load(x, ck_blob) == ctnn::status::topology_mismatch);
  ctnn::adam<float>::state<xor_net> st{};
  CHECK(ctnn::load(x, ctnn::adam<float>{}, st, std::span<const std::byte>(xor_blob)) ==
        ctnn::status::topology_mismatch);
  // A version-2 blob relabelled as version 1 (or the reverse) does not pass: the fingerprints
  // and the CRC coverage differ.
  auto relabelled = saved(make_net<xor_net>(81));
  relabelled[4] = std::byte{1};
  CHECK(ctnn::load(x, relabelled) == ctnn::status::topology_mismatch);
  auto relabelled_v1 = xor_blob;
  relabelled_v1[4] = std::byte{2};
  CHECK(ctnn::load(x, relabelled_v1) == ctnn::status::checksum_mismatch);
  CHECK(same_bits(x, sentinel<xor_net>()));
}
