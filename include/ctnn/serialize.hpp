// SPDX-License-Identifier: MIT
/// @file serialize.hpp Defines ctnn's binary format: ctnn::save, ctnn::load,
/// ctnn::serialized_size, the compile-time topology fingerprint, CRC-32 and the optional
/// optimiser state (to resume training after a power cut).
///
/// Binary format, version 2
/// ========================
/// save writes version 2; load reads version 2 and version 1 (below), so nothing saved by an
/// older ctnn is lost. Every integer and every value is little-endian, whatever the host's byte
/// order. Values are the IEEE-754 bit patterns of the element type (std::bit_cast), so a blob
/// written on an x86-64 host loads bit-exactly on a big-endian or 32-bit target.
///
/// | offset | size | field            | contents                                                  |
/// |-------:|-----:|------------------|-----------------------------------------------------------|
/// |      0 |    4 | magic            | the bytes 'C' 'T' 'N' 'N' (0x43 0x54 0x4E 0x4E)          |
/// |      4 |    2 | format version   | u16, 2                                                    |
/// |      6 |    1 | element type     | u8: 1 = float (IEEE binary32), 2 = double (binary64)      |
/// |      7 |    1 | content          | u8: 0 = network parameters, 1 = parameters + optimiser    |
/// |      8 |    8 | fingerprint      | u64 topology fingerprint, version 2 (below)               |
/// |     16 |    4 | payload length   | u32, L: bytes of payload                                  |
/// |     20 |    4 | CRC-32           | u32, CRC-32 of bytes 0..19 followed by the payload        |
/// |     24 |    L | payload          | (content 0) P values; (content 1) P values, u64 step,     |
/// |        |      |                  | then S sets of P values (the optimiser's moments)         |
///
/// P = Net::parameter_count, in ctnn's flat order (each layer's tensors in turn, row-major; a
/// dense layer's weight matrix row by row, then its biases), each value `sizeof(T)`
/// bytes; S = the number of parameter sets in the optimiser state (ctnn::optimizer_state_layout);
/// L = (P (1 + S)) sizeof(T) (+ 8 for the step when content is 1). serialized_size = 24 + L.
///
/// CRC-32: the reflected IEEE polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF
/// (check value crc32("123456789") = 0xCBF43926), the same as zlib.crc32 and PNG. In version 2
/// it covers every byte of the blob except its own four: the 20 header bytes before it and the
/// payload, as one message (`crc32(payload, crc32(bytes 0..19))`, or zlib's
/// `crc32(blob[:20] + blob[24:24 + L])`).
///
/// Topology fingerprint, version 2: 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3) over this byte string, where u64(v) is v as 8 bytes little-endian and
/// text(s) is u64(length of s) followed by the bytes of s (ASCII, no terminator):
///   u64(layer_count); then for each layer, input to output, its part:
///     - a dense layer (ctnn::dense_layer<T, In, Out, Act>): text("dense"), u64(In), u64(Out),
///       text(activation name), u64(K), the K integer parameters of the activation as u64
///       (two's complement);
///     - any other layer type L: what `L::fingerprint(h)` writes (it starts with its kind as
///       text, so no two kinds of layer collide: a conv1d with a dense layer's sizes does not
///       match it; see fingerprint.hpp);
///   for content 1 it goes on with text(optimiser's name) and u64(S).
/// The element type is not part of it (it has its own field). leaky_relu<N, D> and elu<N, D>
/// have K = 2: the fraction N/D in lowest terms with D > 0 (ctnn::activation_fingerprint), so
/// leaky_relu<1, 100> and leaky_relu<2, 200> match; the other built-in activations have K = 0.
/// Example: network<float, input<1>, dense<1>> (one 1-1 identity layer) hashes
///   u64(1) text("dense") u64(1) u64(1) text("identity") u64(0)
/// to 0xB3DB96D9F9C8EAA6; with W = 1.5f and b = -2.0f its whole blob is
///   43 54 4E 4E 02 00 01 00 A6 EA C8 F9 D9 96 DB B3 08 00 00 00 42 C4 B3 14
///   00 00 C0 3F 00 00 00 C0   (CRC-32 0x14B3C442).
///
/// load's checks, in this order (the first that fails is returned; the network and the
/// optimiser state are untouched unless every check passes). The version is checked before
/// the CRC because it says where the CRC is and what it covers; after that nothing in the blob
/// is believed until the CRC has vouched for it, so corruption is never reported as a
/// mismatch of type or topology:
///
/// | # | check (version 2)                                     | status on failure             |
/// |--:|-------------------------------------------------------|-------------------------------|
/// | 1 | at least 24 bytes                                     | status::truncated             |
/// | 2 | magic                                                 | status::bad_magic             |
/// | 3 | format version is 1 or 2 (1: see below)               | status::unsupported_version   |
/// | 4 | at least 24 + L bytes, L as stored at offset 16       | status::truncated             |
/// | 5 | CRC-32 of bytes 0..19 and the L payload bytes         | status::checksum_mismatch     |
/// | 6 | element type == the network's                         | status::element_type_mismatch |
/// | 7 | content, fingerprint == the network's (+ optimiser's) | status::topology_mismatch     |
/// | 8 | L == the payload length the types imply               | status::length_mismatch       |
/// | 9 | every value finite                                    | status::non_finite_value      |
///
/// Bytes after the blob (e.g. the rest of a flash page) are ignored. Every single-bit error in
/// a version-2 blob is refused, and the status says which check caught it: a flip in the magic
/// gives bad_magic; in the version, unsupported_version (no single flip turns 2 into 1); in the
/// payload length, truncated if the flipped length runs past the end of the buffer and
/// checksum_mismatch otherwise; anywhere else (element type, content, fingerprint, the CRC
/// itself, the payload) checksum_mismatch -- CRC-32 detects every single-bit error in a message
/// of fixed length. A blob of another network that is longer than the buffer holding it is
/// therefore `truncated` (it cannot be checked), not `topology_mismatch`.
///
/// Version 1 (read, never written)
/// -------------------------------
/// The same 24-byte header and payload, with three differences: the version is 1; the CRC at
/// offset 20 covers the payload only; the fingerprint is version 1's: FNV-1a over
///   u64(layer_count); per layer u64(input size), u64(output size), text(activation name),
///   u64(K), the K parameters; for content 1 text(optimiser's name), u64(S)
/// (no layer kind). load checks a version-1 blob in version 1's order: 1-3 as above, then
/// element type (element_type_mismatch), content and version-1 fingerprint (topology_mismatch),
/// L (length_mismatch), at least 24 + L bytes (truncated), the payload's CRC
/// (checksum_mismatch), every value finite (non_finite_value). Its header is not covered by
/// the CRC, so a flipped header bit is reported by the check of its field.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/fingerprint.hpp>
#include <ctnn/layer.hpp>
#include <ctnn/math.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/parameters.hpp>
#include <ctnn/status.hpp>

namespace ctnn {

// ---------------------------------------------------------------------------------------------
// Format constants
// ---------------------------------------------------------------------------------------------

/// The first four bytes of every blob: "CTNN".
inline constexpr std::array<std::byte, 4> serial_magic{std::byte{0x43}, std::byte{0x54},
                                                       std::byte{0x4E}, std::byte{0x4E}};
/// The format version this build writes (it also reads every version from
/// serial_oldest_format_version on).
inline constexpr std::uint16_t serial_format_version = 2;
/// The oldest format version load still reads.
inline constexpr std::uint16_t serial_oldest_format_version = 1;
/// Bytes before the payload (the same in every version).
inline constexpr std::size_t serial_header_size = 24;
/// Where the CRC-32 is in the header; in version 2 it covers the bytes before it and the payload.
inline constexpr std::size_t serial_crc_offset = 20;

/// What a blob holds (header byte 7).
enum class serial_content : std::uint8_t {
  network = 0,                ///< the network's parameters
  network_and_optimizer = 1,  ///< the parameters, the optimiser's step count and its moments
};

// ---------------------------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------------------------

/// How values of element type T are stored: a code for the header and the bit pattern.
/// Defined for float and double (IEEE-754); a fixed-point type can specialise it with a new code
/// (`code`, `bits_type`, `to_bits`, `from_bits`, `is_finite`).
template <class T>
struct serial_element;

template <>
struct serial_element<float> {
  static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4,
                "ctnn::serial_element<float>: the binary format needs IEEE-754 binary32 floats");
  static constexpr std::uint8_t code = 1;
  using bits_type = std::uint32_t;
  static constexpr bits_type to_bits(float v) noexcept { return std::bit_cast<bits_type>(v); }
  static constexpr float from_bits(bits_type b) noexcept { return std::bit_cast<float>(b); }
  static constexpr bool is_finite(float v) noexcept { return math::isfinite(v); }
};

template <>
struct serial_element<double> {
  static_assert(std::numeric_limits<double>::is_iec559 && sizeof(double) == 8,
                "ctnn::serial_element<double>: the binary format needs IEEE-754 binary64 doubles");
  static constexpr std::uint8_t code = 2;
  using bits_type = std::uint64_t;
  static constexpr bits_type to_bits(double v) noexcept { return std::bit_cast<bits_type>(v); }
  static constexpr double from_bits(bits_type b) noexcept { return std::bit_cast<double>(b); }
  static constexpr bool is_finite(double v) noexcept { return math::isfinite(v); }
};

/// An element type the binary format can store.
template <class T>
concept SerialElement = requires(T v, typename serial_element<T>::bits_type b) {
  { serial_element<T>::code } -> std::convertible_to<std::uint8_t>;
  { serial_element<T>::to_bits(v) } -> std::same_as<typename serial_element<T>::bits_type>;
  { serial_element<T>::from_bits(b) } -> std::same_as<T>;
  { serial_element<T>::is_finite(v) } -> std::same_as<bool>;
};

// ---------------------------------------------------------------------------------------------
// CRC-32
// ---------------------------------------------------------------------------------------------

namespace detail {
/// The 256-entry table of the reflected IEEE polynomial 0xEDB88320 (1 KiB of read-only data).
inline constexpr std::array<std::uint32_t, 256> crc32_table = [] {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}();
}  // namespace detail

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final xor
/// 0xFFFFFFFF), zlib's convention: `crc32(b)` of a whole buffer, or continue a previous result
/// with `crc32(more, crc32(first))`. crc32("123456789") == 0xCBF43926.
[[nodiscard]] constexpr std::uint32_t crc32(std::span<const std::byte> bytes,
                                            std::uint32_t previous = 0) noexcept {
  std::uint32_t c = previous ^ 0xFFFFFFFFu;
  for (const std::byte b : bytes)
    c = detail::crc32_table[(c ^ static_cast<std::uint32_t>(b)) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// ---------------------------------------------------------------------------------------------
// Optimiser state layout
// ---------------------------------------------------------------------------------------------

namespace detail {

/// An optimiser that says how its state is stored, with the members
/// ```
/// static constexpr std::string_view state_name = "my_opt";  // in the fingerprint
/// static constexpr std::size_t state_set_count = 1;          // parameter sets in the state
/// template <class S, class F>                                 // f(set) for each, in order
/// static constexpr void for_each_state_set(S& state, F&& f) noexcept { f(state.velocity); }
/// ```
template <class Opt>
concept declares_state_layout = requires {
  { Opt::state_name } -> std::convertible_to<std::string_view>;
  { Opt::state_set_count } -> std::convertible_to<std::size_t>;
};

template <class Opt>
struct member_state_layout {};  // no members: no layout (SerializableOptimizer is false)

template <declares_state_layout Opt>
struct member_state_layout<Opt> {
  static constexpr std::string_view name = Opt::state_name;
  static constexpr std::size_t set_count = Opt::state_set_count;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept {
    Opt::for_each_state_set(s, static_cast<F&&>(f));
  }
};

}  // namespace detail

/// How the state of optimiser Opt is stored: a `name` (part of the fingerprint, so an Adam
/// checkpoint never loads into AdamW), `set_count` parameter sets and `for_each_set(state, f)`,
/// which calls f on each `Net::parameters_type` member of the state in a fixed order (exactly
/// `set_count` calls). The step counter `state.step` is stored separately.
///
/// The primary template takes them from the optimiser itself, so a new optimiser needs nothing
/// here: give it `state_name`, `state_set_count` and a static `for_each_state_set(state, f)`
/// (see detail::declares_state_layout). An optimiser without them has no layout and cannot be
/// saved with its state. A specialisation still works (and wins over the members), for an
/// optimiser one cannot edit:
/// ```
/// template <class T> struct ctnn::optimizer_state_layout<my_opt<T>> {
///   static constexpr std::string_view name = "my_opt";
///   static constexpr std::size_t set_count = 1;
///   template <class S, class F> static constexpr void for_each_set(S& s, F&& f) { f(s.velocity); }
/// };
/// ```
/// ctnn's own optimisers declare the members (optimizer.hpp).
template <class Opt>
struct optimizer_state_layout : detail::member_state_layout<Opt> {};

/// A ctnn::network whose element type the format can store.
template <class Net>
concept SerializableNetwork =
    Network<Net> && SerialElement<typename Net::value_type>;

/// An optimiser whose state the format can store for networks of type Net.
template <class Opt, class Net>
concept SerializableOptimizer =
    requires { typename Opt::template state<Net>; } &&
    requires { { optimizer_state_layout<Opt>::name } -> std::convertible_to<std::string_view>; } &&
    requires { { optimizer_state_layout<Opt>::set_count } -> std::convertible_to<std::size_t>; } &&
    requires(typename Opt::template state<Net>& s) {
      { s.step } -> std::convertible_to<std::uint64_t>;
    };

/// The header of a blob as stored (read_header only checks its size and magic; any version).
struct serial_header {
  std::uint16_t version = 0;
  std::uint8_t element_type = 0;
  std::uint8_t content = 0;
  std::uint64_t fingerprint = 0;
  std::uint32_t payload_length = 0;
  std::uint32_t payload_crc = 0;  ///< version 2: the CRC of bytes 0..19 and the payload
  friend constexpr bool operator==(const serial_header&, const serial_header&) = default;
};

namespace detail {

/// Layer type L's part of a version-2 fingerprint: `L::fingerprint(h)` (ctnn::Layer), its kind
/// and configuration; dense: text("dense"), u64(In), u64(Out), then the activation's name and
/// parameters (detail::fingerprint_activation).
template <class L, fingerprint_hasher H>
constexpr void layer_fingerprint(H& h) noexcept {
  static_assert(requires { L::fingerprint(h); },
                "ctnn::save/load: this layer type has no `template <class H> static constexpr "
                "void fingerprint(H& h) noexcept` (see ctnn/fingerprint.hpp), so it cannot be "
                "told apart from other layers in a saved blob");
  if constexpr (requires { L::fingerprint(h); }) L::fingerprint(h);
}

/// Version 1 knew dense layers only: a network with another layer kind has no v1 blobs.
template <class Net>
inline constexpr bool v1_topology = []<std::size_t... I>(std::index_sequence<I...>) {
  return ((Net::template layer_type<I>::kind == std::string_view("dense")) && ...);
}(std::make_index_sequence<Net::layer_count>{});

/// The version-2 topology fingerprint of a network (anything with `layer_count` and
/// `layer_type<I>`): u64(layer_count), then each layer's part.
template <class Net, fingerprint_hasher H>
constexpr void fingerprint_network(H& h) noexcept {
  h.u64(Net::layer_count);
  static_for<Net::layer_count>(
      [&](auto Ic) { layer_fingerprint<typename Net::template layer_type<decltype(Ic)::value>>(h); });
}

/// The version-1 topology fingerprint (no layer kinds), to recognise blobs of format version 1.
template <class Net>
constexpr void fingerprint_network_v1(fnv1a64& h) noexcept {
  h.u64(Net::layer_count);
  static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using layer_t = typename Net::template layer_type<I>;
    h.u64(Net::widths[I]);
    h.u64(Net::widths[I + 1]);
    if constexpr (requires { typename layer_t::activation; })
      fingerprint_activation<typename layer_t::activation>(h);
  });
}

/// What a blob for (Net, Opt) looks like; Opt = void: the network alone.
template <class Net, class Opt>
struct serial_plan {
  using value_type = typename Net::value_type;
  using element = serial_element<value_type>;
  static constexpr bool with_state = !std::is_void_v<Opt>;
  static constexpr std::size_t sets = [] {
    if constexpr (with_state) return std::size_t{optimizer_state_layout<Opt>::set_count};
    else return std::size_t{0};
  }();
  static constexpr std::uint8_t content = static_cast<std::uint8_t>(
      with_state ? serial_content::network_and_optimizer : serial_content::network);
  static constexpr std::size_t value_bytes = sizeof(typename element::bits_type);
  static constexpr std::size_t payload_size =
      Net::parameter_count * (1 + sets) * value_bytes + (with_state ? 8 : 0);
  static constexpr std::size_t total_size = serial_header_size + payload_size;
  static_assert(payload_size <= 0xFFFFFFFFu,
                "ctnn::serialized_size: the payload must fit the format's 32-bit length field");
  template <bool V1>
  static constexpr std::uint64_t fingerprint_of() noexcept {
    fnv1a64 h;
    if constexpr (V1) fingerprint_network_v1<Net>(h);
    else fingerprint_network<Net>(h);
    if constexpr (with_state) {
      h.text(optimizer_state_layout<Opt>::name);
      h.u64(sets);
    }
    return h.hash;
  }
  static constexpr std::uint64_t fingerprint = fingerprint_of<false>();    // version 2
  static constexpr std::uint64_t fingerprint_v1 = fingerprint_of<true>();  // version 1
  static constexpr bool v1_possible = v1_topology<Net>;
};

/// Little-endian writes into a byte span (bounds were checked by the caller).
struct byte_writer {
  std::span<std::byte> out;
  std::size_t pos = 0;
  template <class U>
  constexpr void uint(U v) noexcept {
    for (std::size_t k = 0; k < sizeof(U); ++k)
      out[pos++] = static_cast<std::byte>(static_cast<std::uint8_t>(v >> (8 * k)));
  }
  constexpr void bytes(std::span<const std::byte> b) noexcept {
    for (const std::byte x : b) out[pos++] = x;
  }
};

/// Little-endian reads from a byte span (bounds were checked by the caller).
struct byte_reader {
  std::span<const std::byte> in;
  std::size_t pos = 0;
  template <class U>
  constexpr U uint() noexcept {
    U v = 0;
    for (std::size_t k = 0; k < sizeof(U); ++k)
      v = static_cast<U>(v | static_cast<U>(static_cast<U>(in[pos++]) << (8 * k)));
    return v;
  }
};

/// f(set) for the network's parameters and then, with a state, for each of its sets; `step`
/// is called between them (where the step count is stored).
template <class Net, class Opt, class N, class S, class F, class Step>
constexpr void for_each_serial_set(N& net, S* state, F&& f, Step&& step) noexcept {
  f(static_cast<std::conditional_t<std::is_const_v<N>, const typename Net::parameters_type&,
                                   typename Net::parameters_type&>>(net));
  if constexpr (!std::is_void_v<Opt>) {
    step(*state);
    optimizer_state_layout<Opt>::for_each_set(*state, f);
  }
}

template <class Net, class Opt, class S>
constexpr bool serial_all_finite(const Net& net, const S* state) noexcept {
  using T = typename Net::value_type;
  bool ok = true;
  for_each_serial_set<Net, Opt>(
      net, state,
      [&](const auto& set) {
        for_each_parameter([&](const T& v) { ok = ok && serial_element<T>::is_finite(v); }, set);
      },
      [](const auto&) {});
  return ok;
}

template <class Net, class Opt, class S>
constexpr status save_impl(const Net& net, const S* state, std::span<std::byte> out) noexcept {
  using plan = serial_plan<Net, Opt>;
  using T = typename Net::value_type;
  using E = typename plan::element;
  if (out.size() < plan::total_size) return status::buffer_too_small;
  if (!serial_all_finite<Net, Opt>(net, state)) return status::non_finite_value;

  byte_writer w{out};
  w.bytes(serial_magic);
  w.uint(serial_format_version);
  w.uint(std::uint8_t{E::code});
  w.uint(plan::content);
  w.uint(plan::fingerprint);
  w.uint(static_cast<std::uint32_t>(plan::payload_size));
  w.uint(std::uint32_t{0});  // CRC, patched below
  for_each_serial_set<Net, Opt>(
      net, state,
      [&](const auto& set) { for_each_parameter([&](const T& v) { w.uint(E::to_bits(v)); }, set); },
      [&](const auto& s) { w.uint(static_cast<std::uint64_t>(s.step)); });
  const std::span<const std::byte> blob(out.data(), plan::total_size);
  const std::uint32_t crc = crc32(blob.subspan(serial_header_size),
                                  crc32(blob.first(serial_crc_offset)));
  w.pos = serial_crc_offset;
  w.uint(crc);
  return status::ok;
}

/// Reads the 24 header bytes; status::truncated, status::bad_magic or status::ok.
constexpr status parse_header(std::span<const std::byte> in, serial_header& h) noexcept {
  if (in.size() < serial_header_size) return status::truncated;
  for (std::size_t k = 0; k < serial_magic.size(); ++k)
    if (in[k] != serial_magic[k]) return status::bad_magic;
  byte_reader r{in, serial_magic.size()};
  h.version = r.uint<std::uint16_t>();
  h.element_type = r.uint<std::uint8_t>();
  h.content = r.uint<std::uint8_t>();
  h.fingerprint = r.uint<std::uint64_t>();
  h.payload_length = r.uint<std::uint32_t>();
  h.payload_crc = r.uint<std::uint32_t>();
  return status::ok;
}

/// Checks 4-8 of the table at the top of the file (version 2): the CRC before anything else.
template <class Plan>
constexpr status check_v2(const serial_header& h, std::span<const std::byte> in) noexcept {
  if (in.size() - serial_header_size < h.payload_length) return status::truncated;
  const std::uint32_t crc = crc32(in.subspan(serial_header_size, h.payload_length),
                                  crc32(in.first(serial_crc_offset)));
  if (crc != h.payload_crc) return status::checksum_mismatch;
  if (h.element_type != Plan::element::code) return status::element_type_mismatch;
  if (h.content != Plan::content || h.fingerprint != Plan::fingerprint)
    return status::topology_mismatch;
  if (h.payload_length != Plan::payload_size) return status::length_mismatch;
  return status::ok;
}

/// Version 1's checks after the version, in version 1's order (the CRC covers the payload only).
template <class Plan>
constexpr status check_v1(const serial_header& h, std::span<const std::byte> in) noexcept {
  if (h.element_type != Plan::element::code) return status::element_type_mismatch;
  if (!Plan::v1_possible || h.content != Plan::content || h.fingerprint != Plan::fingerprint_v1)
    return status::topology_mismatch;
  if (h.payload_length != Plan::payload_size) return status::length_mismatch;
  if (in.size() < Plan::total_size) return status::truncated;
  if (crc32(in.subspan(serial_header_size, Plan::payload_size)) != h.payload_crc)
    return status::checksum_mismatch;
  return status::ok;
}

template <class Net, class Opt, class S>
constexpr status load_impl(Net& net, S* state, std::span<const std::byte> in) noexcept {
  using plan = serial_plan<Net, Opt>;
  using T = typename Net::value_type;
  using E = typename plan::element;
  using bits = typename E::bits_type;
  serial_header h{};
  if (const status s = parse_header(in, h); s != status::ok) return s;
  const status checked = h.version == 2   ? check_v2<plan>(h, in)
                         : h.version == 1 ? check_v1<plan>(h, in)
                                          : status::unsupported_version;
  if (checked != status::ok) return checked;
  const auto payload = in.subspan(serial_header_size, plan::payload_size);

  // Every value finite? (The step count is any u64.)
  bool finite = true;
  {
    byte_reader v{payload};
    for_each_serial_set<const Net, Opt>(
        static_cast<const Net&>(net), static_cast<const S*>(state),
        [&](const auto& set) {
          for_each_parameter(
              [&](const T&) { finite = finite && E::is_finite(E::from_bits(v.uint<bits>())); },
              set);
        },
        [&](const auto&) { v.pos += 8; });
  }
  if (!finite) return status::non_finite_value;

  // Everything checked: commit.
  byte_reader v{payload};
  for_each_serial_set<Net, Opt>(
      net, state,
      [&](auto& set) { for_each_parameter([&](T& p) { p = E::from_bits(v.uint<bits>()); }, set); },
      [&](auto& s) { s.step = v.uint<std::uint64_t>(); });
  return status::ok;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Bytes of a blob holding a network of type Net (Opt = void), or a network and the state of
/// an optimiser of type Opt. A compile-time constant: `std::array<std::byte,
/// ctnn::serialized_size<net_t>> eeprom_image;`.
template <SerializableNetwork Net, class Opt = void>
inline constexpr std::size_t serialized_size = detail::serial_plan<Net, Opt>::total_size;

/// The topology fingerprint a version-2 blob for Net (and optimiser Opt) stores and needs.
template <SerializableNetwork Net, class Opt = void>
inline constexpr std::uint64_t topology_fingerprint = detail::serial_plan<Net, Opt>::fingerprint;

/// A byte array exactly the size of a blob for Net (and Opt).
template <SerializableNetwork Net, class Opt = void>
using blob = std::array<std::byte, serialized_size<Net, Opt>>;

/// Reads the header of a blob without a network type (for tools and diagnostics).
/// Returns status::truncated (fewer than 24 bytes), status::bad_magic, or status::ok and fills h.
[[nodiscard]] constexpr status read_header(std::span<const std::byte> in, serial_header& h) noexcept {
  return detail::parse_header(in, h);
}

/// Writes `net` into the first serialized_size<Net> bytes of `out` (the rest is untouched).
/// Returns status::ok; status::buffer_too_small if `out` is shorter (a fixed-extent span that
/// is too short does not compile); status::non_finite_value if a parameter is NaN or infinite
/// (such a blob could never be loaded). On failure nothing is written. constexpr, no heap.
template <SerializableNetwork Net, std::size_t N>
constexpr status save(const Net& net, std::span<std::byte, N> out) noexcept {
  static_assert(N == std::dynamic_extent || N >= serialized_size<Net>,
                "ctnn::save(net, out): out is shorter than ctnn::serialized_size<Net>");
  return detail::save_impl<Net, void, int>(net, nullptr, out);
}

/// Reads a blob written by save into `net` after checking all of it (see the table at the top
/// of serialize.hpp for the checks and their statuses). On any failure `net` is unchanged.
/// Needs no copy of the network: the payload is validated in one pass and copied in a second.
template <SerializableNetwork Net, std::size_t N>
constexpr status load(Net& net, std::span<const std::byte, N> in) noexcept {
  static_assert(N == std::dynamic_extent || N >= serialized_size<Net>,
                "ctnn::load(net, in): in is shorter than ctnn::serialized_size<Net>, so it can "
                "never hold a blob for this network");
  return detail::load_impl<Net, void, int>(net, nullptr, in);
}

/// Saves the network and the state of its optimiser (moments and step count), so that
/// training can resume exactly where it stopped (e.g. after a power cut). `opt` only selects
/// the state layout (ctnn::optimizer_state_layout); its hyper-parameters are not stored.
/// Returns as save(net, out); non-finite moments also give status::non_finite_value.
template <SerializableNetwork Net, class Opt, std::size_t N>
  requires SerializableOptimizer<Opt, Net>
constexpr status save(const Net& net, const Opt&, const typename Opt::template state<Net>& state,
                      std::span<std::byte, N> out) noexcept {
  static_assert(N == std::dynamic_extent || N >= serialized_size<Net, Opt>,
                "ctnn::save(net, opt, state, out): out is shorter than "
                "ctnn::serialized_size<Net, Opt>");
  return detail::save_impl<Net, Opt>(net, &state, out);
}

/// Loads a network and its optimiser's state saved by save(net, opt, state, out). A blob of
/// another optimiser (even one with the same layout, Adam vs AdamW) or of the network alone is
/// refused with status::topology_mismatch. On any failure `net` and `state` are unchanged.
template <SerializableNetwork Net, class Opt, std::size_t N>
  requires SerializableOptimizer<Opt, Net>
constexpr status load(Net& net, const Opt&, typename Opt::template state<Net>& state,
                      std::span<const std::byte, N> in) noexcept {
  static_assert(N == std::dynamic_extent || N >= serialized_size<Net, Opt>,
                "ctnn::load(net, opt, state, in): in is shorter than "
                "ctnn::serialized_size<Net, Opt>, so it can never hold such a blob");
  return detail::load_impl<Net, Opt>(net, &state, in);
}

// Conveniences: std::array buffers and mutable spans convert without spelling the span type.

/// save into a std::array.
template <SerializableNetwork Net, std::size_t N>
constexpr status save(const Net& net, std::array<std::byte, N>& out) noexcept {
  return save(net, std::span<std::byte, N>(out));
}
/// load from a std::array.
template <SerializableNetwork Net, std::size_t N>
constexpr status load(Net& net, const std::array<std::byte, N>& in) noexcept {
  return load(net, std::span<const std::byte, N>(in));
}
/// load from a mutable span.
template <SerializableNetwork Net, std::size_t N>
constexpr status load(Net& net, std::span<std::byte, N> in) noexcept {
  return load(net, std::span<const std::byte, N>(in));
}
/// save with optimiser state into a std::array.
template <SerializableNetwork Net, class Opt, std::size_t N>
  requires SerializableOptimizer<Opt, Net>
constexpr status save(const Net& net, const Opt& opt,
                      const typename Opt::template state<Net>& state,
                      std::array<std::byte, N>& out) noexcept {
  return save(net, opt, state, std::span<std::byte, N>(out));
}
/// load with optimiser state from a std::array.
template <SerializableNetwork Net, class Opt, std::size_t N>
  requires SerializableOptimizer<Opt, Net>
constexpr status load(Net& net, const Opt& opt, typename Opt::template state<Net>& state,
                      const std::array<std::byte, N>& in) noexcept {
  return load(net, opt, state, std::span<const std::byte, N>(in));
}
/// load with optimiser state from a mutable span.
template <SerializableNetwork Net, class Opt, std::size_t N>
  requires SerializableOptimizer<Opt, Net>
constexpr status load(Net& net, const Opt& opt, typename Opt::template state<Net>& state,
                      std::span<std::byte, N> in) noexcept {
  return load(net, opt, state, std::span<const std::byte, N>(in));
}

/// save and load called with something that is not a network the format can store: one ctnn
/// sentence instead of "no matching function".
template <class Net, class Buffer>
  requires(!SerializableNetwork<Net>)
constexpr status save(const Net&, Buffer&&) noexcept {
  static_assert(Network<Net>, "ctnn::save(net, out): net must be a ctnn::network");
  if constexpr (Network<Net>)
    static_assert(SerialElement<typename Net::value_type>,
                  "ctnn::save(net, out): the binary format stores float and double networks (or an "
                  "element type with a ctnn::serial_element specialisation)");
  return status::ok;
}
template <class Net, class Buffer>
  requires(!SerializableNetwork<Net>)
constexpr status load(Net&, Buffer&&) noexcept {
  static_assert(Network<Net>, "ctnn::load(net, in): net must be a ctnn::network");
  if constexpr (Network<Net>)
    static_assert(SerialElement<typename Net::value_type>,
                  "ctnn::load(net, in): the binary format stores float and double networks (or an "
                  "element type with a ctnn::serial_element specialisation)");
  return status::ok;
}

}  // namespace ctnn
