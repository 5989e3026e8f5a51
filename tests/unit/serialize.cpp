// SPDX-License-Identifier: MIT
// Tests for <ctnn/serialize.hpp>: the binary format's layout, exact round trips (float, double,
// at compile time and at run time, with optimiser state), and that every corrupted blob --
// each single bit flip, each truncation, the wrong element type or topology, a NaN -- is refused
// with the right status while the network stays exactly as it was.
#include <ctnn/serialize.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <ctnn/init.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>

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

// Recomputes the CRC after a deliberate edit of the payload.
void fix_crc(std::span<std::byte> b) {
  const std::uint32_t len = read_u32(b, 16);
  write_u32(b, 20, ctnn::crc32(std::span<const std::byte>(b.data() + 24, len)));
}

// The status a single bit flip at byte `at` must produce (see the table in serialize.hpp).
ctnn::status expected_for_flip(std::size_t at) {
  if (at < 4) return ctnn::status::bad_magic;
  if (at < 6) return ctnn::status::unsupported_version;
  if (at < 7) return ctnn::status::element_type_mismatch;
  if (at < 16) return ctnn::status::topology_mismatch;  // content byte and fingerprint
  if (at < 20) return ctnn::status::length_mismatch;
  return ctnn::status::checksum_mismatch;  // the CRC itself or any payload bit
}

// An independent implementation of the documented fingerprint, for one layer list.
struct layer_desc {
  std::uint64_t in, out;
  std::string_view name;
  std::vector<std::int64_t> params;
};
std::uint64_t documented_fingerprint(const std::vector<layer_desc>& layers,
                                     std::string_view optimizer = {}, std::uint64_t sets = 0) {
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

}  // namespace

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
  const std::vector<layer_desc> layers{{3, 4, "tanh", {}},
                                       {4, 2, "leaky_relu", {1, 10}},
                                       {2, 2, "softmax", {}}};
  CHECK(ctnn::topology_fingerprint<net_f> == documented_fingerprint(layers));
  CHECK(ctnn::topology_fingerprint<net_f, ctnn::adam<float>> ==
        documented_fingerprint(layers, "adam", 2));
  CHECK(ctnn::topology_fingerprint<tiny_f> == documented_fingerprint({{1, 1, "identity", {}}}));
  using elu_net = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::elu<-6, -4>>>;
  CHECK(ctnn::topology_fingerprint<elu_net> ==
        documented_fingerprint({{2, 2, "elu", {3, 2}}}));  // -6/-4 = 3/2
  using neg = ctnn::network<float, ctnn::input<2>, ctnn::dense<2, ctnn::leaky_relu<2, -8>>>;
  CHECK(ctnn::topology_fingerprint<neg> == documented_fingerprint({{2, 2, "leaky_relu", {-1, 4}}}));
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
  const std::array<std::uint8_t, 32> expected_start{
      0x43, 0x54, 0x4E, 0x4E,  // magic "CTNN"
      0x01, 0x00,              // version 1
      0x01,                    // float
      0x00,                    // content: network
      0, 0, 0, 0, 0, 0, 0, 0,  // fingerprint (checked below)
      0x08, 0x00, 0x00, 0x00,  // payload length 8
      0, 0, 0, 0,              // CRC (checked below)
      0x00, 0x00, 0xC0, 0x3F,  // W = 1.5f
      0x00, 0x00, 0x00, 0xC0,  // b = -2.0f
  };
  for (std::size_t k = 0; k < 32; ++k) {
    if ((k >= 8 && k < 16) || (k >= 20 && k < 24)) continue;
    INFO("byte " << k);
    CHECK(static_cast<std::uint8_t>(b[k]) == expected_start[k]);
  }
  std::uint64_t fp = 0;
  for (std::size_t k = 0; k < 8; ++k) fp |= static_cast<std::uint64_t>(b[8 + k]) << (8 * k);
  CHECK(fp == ctnn::topology_fingerprint<tiny_f>);
  CHECK(read_u32(b, 20) == ctnn::crc32(std::span<const std::byte>(b).subspan(24)));

  ctnn::serial_header h{};
  REQUIRE(ctnn::read_header(b, h) == ctnn::status::ok);
  CHECK(h == ctnn::serial_header{1, 1, 0, ctnn::topology_fingerprint<tiny_f>, 8, read_u32(b, 20)});
  CHECK(ctnn::read_header(std::span<const std::byte>(b).first(23), h) == ctnn::status::truncated);

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
        CHECK(s == expected_for_flip(at));
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
      CHECK(s == expected_for_flip(at));
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
  auto edited = [&](std::size_t at, std::uint8_t v) {
    auto b = good;
    b[at] = static_cast<std::byte>(v);
    net_f n = sentinel<net_f>();
    const ctnn::status s = ctnn::load(n, b);
    CHECK(same_bits(n, sentinel<net_f>()));
    return s;
  };
  CHECK(edited(0, 'c') == ctnn::status::bad_magic);
  CHECK(edited(4, 2) == ctnn::status::unsupported_version);  // a future version
  CHECK(edited(4, 0) == ctnn::status::unsupported_version);
  CHECK(edited(6, 2) == ctnn::status::element_type_mismatch);
  CHECK(edited(6, 0xFF) == ctnn::status::element_type_mismatch);
  CHECK(edited(7, 1) == ctnn::status::topology_mismatch);
  CHECK(edited(8, static_cast<std::uint8_t>(good[8]) ^ 0x80u) == ctnn::status::topology_mismatch);
  CHECK(edited(16, static_cast<std::uint8_t>(good[16]) + 4u) == ctnn::status::length_mismatch);
  CHECK(edited(20, static_cast<std::uint8_t>(good[20]) ^ 1u) == ctnn::status::checksum_mismatch);
  CHECK(edited(24, static_cast<std::uint8_t>(good[24]) ^ 1u) == ctnn::status::checksum_mismatch);
  // The checks come in the documented order: magic before version before type ...
  auto b = good;
  b[0] = std::byte{0};
  b[4] = std::byte{9};
  b[6] = std::byte{9};
  net_f n;
  CHECK(ctnn::load(n, b) == ctnn::status::bad_magic);
  b[0] = good[0];
  CHECK(ctnn::load(n, b) == ctnn::status::unsupported_version);
  b[4] = good[4];
  CHECK(ctnn::load(n, b) == ctnn::status::element_type_mismatch);
  // ... and a wrong length before a short buffer.
  b = good;
  b[16] = std::byte{0xFF};
  CHECK(ctnn::load(n, std::span<const std::byte>(b).first(30)) == ctnn::status::length_mismatch);
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
  STATIC_REQUIRE(flip(6) == ctnn::status::element_type_mismatch);
  STATIC_REQUIRE(flip(12) == ctnn::status::topology_mismatch);
  STATIC_REQUIRE(flip(17) == ctnn::status::length_mismatch);
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
}
