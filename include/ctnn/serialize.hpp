// SPDX-License-Identifier: MIT
/// @file serialize.hpp Defines ctnn's binary format: ctnn::save, ctnn::load,
/// ctnn::serialized_size, the compile-time topology fingerprint, CRC-32 and the optional
/// optimiser state (to resume training after a power cut).
///
/// Binary format, version 1
/// ========================
/// Every integer and every value is little-endian, whatever the host's byte order. Values are
/// the IEEE-754 bit patterns of the element type (std::bit_cast), so a blob written on an
/// x86-64 host loads bit-exactly on a big-endian or 32-bit target.
///
/// | offset | size | field            | contents                                                  |
/// |-------:|-----:|------------------|-----------------------------------------------------------|
/// |      0 |    4 | magic            | the bytes 'C' 'T' 'N' 'N' (0x43 0x54 0x4E 0x4E)          |
/// |      4 |    2 | format version   | u16, 1                                                    |
/// |      6 |    1 | element type     | u8: 1 = float (IEEE binary32), 2 = double (binary64)      |
/// |      7 |    1 | content          | u8: 0 = network parameters, 1 = parameters + optimiser    |
/// |      8 |    8 | fingerprint      | u64 topology fingerprint (below)                          |
/// |     16 |    4 | payload length   | u32, bytes of payload                                     |
/// |     20 |    4 | payload CRC-32   | u32, CRC-32 of the payload bytes (IEEE 802.3, as zlib)    |
/// |     24 |    L | payload          | (content 0) P values; (content 1) P values, u64 step,     |
/// |        |      |                  | then S sets of P values (the optimiser's moments)         |
///
/// P = Net::parameter_count, in ctnn's flat order (layer 0's W row by row -- W[0][0..In-1],
/// W[1][0..In-1], ... -- then layer 0's b, then layer 1's W and b, ...), each value `sizeof(T)`
/// bytes; S = the number of parameter sets in the optimiser state (ctnn::optimizer_state_layout);
/// L = (P (1 + S)) sizeof(T) (+ 8 for the step when content is 1). serialized_size = 24 + L.
///
/// Topology fingerprint: 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
/// over this byte string, integers as u64 little-endian:
///   layer_count; then per layer: input size, output size, length of the activation's name,
///   the name's bytes, the number K of the activation's integer parameters, the K parameters
///   (two's complement); for content 1 it goes on with the length of the optimiser's name,
///   its bytes and S. The element type is not part of it (it has its own field). leaky_relu<N, D>
///   and elu<N, D> have K = 2: the fraction N/D in lowest terms with D > 0
///   (ctnn::activation_fingerprint), so leaky_relu<1, 100> and leaky_relu<2, 200> match.
///
/// CRC-32: the reflected IEEE polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF
/// (check value crc32("123456789") = 0xCBF43926), the same as zlib.crc32 and PNG.
///
/// load's checks, in this order (the first that fails is returned; the network and the
/// optimiser state are untouched unless every check passes):
///
/// | check                                               | status on failure                 |
/// |-----------------------------------------------------|-----------------------------------|
/// | at least 24 bytes                                   | status::truncated                 |
/// | magic                                               | status::bad_magic                 |
/// | format version == 1                                 | status::unsupported_version       |
/// | element type == the network's                       | status::element_type_mismatch     |
/// | content and fingerprint == the network's (+ optimiser's) | status::topology_mismatch    |
/// | payload length == the one the types imply           | status::length_mismatch           |
/// | at least 24 + payload length bytes                  | status::truncated                 |
/// | CRC-32 of the payload == the stored one             | status::checksum_mismatch         |
/// | every value finite                                  | status::non_finite_value          |
///
/// Bytes after the blob (e.g. the rest of a flash page) are ignored. Every single-bit error in
/// a blob is refused: in the header by the check of its field, in the payload by the CRC.
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
/// The format version this build writes and reads.
inline constexpr std::uint16_t serial_format_version = 1;
/// Bytes before the payload.
inline constexpr std::size_t serial_header_size = 24;

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
// Topology fingerprint
// ---------------------------------------------------------------------------------------------

namespace detail {

/// 64-bit FNV-1a, fed with bytes, u64 little-endian integers and length-prefixed text.
struct fnv1a64 {
  std::uint64_t hash = 0xcbf29ce484222325u;
  constexpr void byte(std::uint8_t b) noexcept {
    hash ^= b;
    hash *= 0x100000001b3u;
  }
  constexpr void u64(std::uint64_t v) noexcept {
    for (int k = 0; k < 8; ++k) byte(static_cast<std::uint8_t>(v >> (8 * k)));
  }
  constexpr void text(std::string_view s) noexcept {
    u64(s.size());
    for (const char c : s) byte(static_cast<std::uint8_t>(c));
  }
};

/// N/D in lowest terms with D > 0, as two's complement u64 bit patterns (no overflow for any
/// intmax_t pair with D != 0).
constexpr std::array<std::uint64_t, 2> reduced_fraction(std::intmax_t num, std::intmax_t den) noexcept {
  using U = std::uint64_t;
  const bool negative = (num < 0) != (den < 0) && num != 0;
  const U n = num < 0 ? U{0} - static_cast<U>(num) : static_cast<U>(num);
  const U d = den < 0 ? U{0} - static_cast<U>(den) : static_cast<U>(den);
  U a = n, b = d;
  while (b != 0) {
    const U r = a % b;
    a = b;
    b = r;
  }
  const U g = a == 0 ? U{1} : a;
  const U rn = n / g, rd = n == 0 ? U{1} : d / g;
  return {negative ? U{0} - rn : rn, rd};
}

template <class A>
concept named_activation = requires {
  { A::name } -> std::convertible_to<std::string_view>;
};

}  // namespace detail

/// What of activation A goes into the topology fingerprint: its `name` and its integer
/// parameters. The primary template takes `A::name` and no parameters; leaky_relu and elu add
/// their slope / alpha as a reduced fraction. Specialise it for a user-defined activation that
/// has template parameters (otherwise two instances would get the same fingerprint).
template <class A>
struct activation_fingerprint {
  static_assert(detail::named_activation<A>,
                "ctnn::activation_fingerprint<A>: saving a network needs every activation to have "
                "`static constexpr std::string_view name` (or a specialisation of "
                "ctnn::activation_fingerprint)");
  static constexpr std::string_view name = [] {
    if constexpr (detail::named_activation<A>) return std::string_view(A::name);
    else return std::string_view{};
  }();
  static constexpr std::array<std::uint64_t, 0> parameters{};
};

template <std::intmax_t Num, std::intmax_t Den>
struct activation_fingerprint<leaky_relu<Num, Den>> {
  static constexpr std::string_view name = leaky_relu<Num, Den>::name;
  static constexpr std::array<std::uint64_t, 2> parameters = detail::reduced_fraction(Num, Den);
};

template <std::intmax_t Num, std::intmax_t Den>
struct activation_fingerprint<elu<Num, Den>> {
  static constexpr std::string_view name = elu<Num, Den>::name;
  static constexpr std::array<std::uint64_t, 2> parameters = detail::reduced_fraction(Num, Den);
};

// ---------------------------------------------------------------------------------------------
// Optimiser state layout
// ---------------------------------------------------------------------------------------------

/// How the state of optimiser Opt is stored: a `name` (part of the fingerprint, so an Adam
/// checkpoint never loads into AdamW), `set_count` parameter sets and `for_each_set(state, f)`,
/// which calls f on each `Net::parameters_type` member of the state in a fixed order. The step
/// counter `state.step` is stored separately. Defined for every ctnn optimiser; specialise it
/// for one's own optimiser to save its state:
/// ```
/// template <class T> struct ctnn::optimizer_state_layout<my_opt<T>> {
///   static constexpr std::string_view name = "my_opt";
///   static constexpr std::size_t set_count = 1;
///   template <class S, class F> static constexpr void for_each_set(S& s, F&& f) { f(s.velocity); }
/// };
/// ```
template <class Opt>
struct optimizer_state_layout;

template <class T>
struct optimizer_state_layout<gradient_descent<T>> {
  static constexpr std::string_view name = "gradient_descent";
  static constexpr std::size_t set_count = 0;
  template <class S, class F>
  static constexpr void for_each_set(S&, F&&) noexcept {}
};
template <class T>
struct optimizer_state_layout<sgd<T>> {
  static constexpr std::string_view name = "sgd";
  static constexpr std::size_t set_count = 1;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept { f(s.momentum_buffer); }
};
template <class T>
struct optimizer_state_layout<adam<T>> {
  static constexpr std::string_view name = "adam";
  static constexpr std::size_t set_count = 2;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept {
    f(s.m);
    f(s.v);
  }
};
template <class T>
struct optimizer_state_layout<adamw<T>> {
  static constexpr std::string_view name = "adamw";
  static constexpr std::size_t set_count = 2;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept {
    f(s.m);
    f(s.v);
  }
};
template <class T>
struct optimizer_state_layout<rmsprop<T>> {
  static constexpr std::string_view name = "rmsprop";
  static constexpr std::size_t set_count = 2;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept {
    f(s.square_avg);
    f(s.momentum_buffer);
  }
};
template <class T>
struct optimizer_state_layout<adagrad<T>> {
  static constexpr std::string_view name = "adagrad";
  static constexpr std::size_t set_count = 1;
  template <class S, class F>
  static constexpr void for_each_set(S& s, F&& f) noexcept { f(s.sum); }
};

namespace detail {
template <class N>
struct is_network : std::false_type {};
template <class T, class In, class... Specs>
struct is_network<network<T, In, Specs...>> : std::true_type {};
}  // namespace detail

/// A ctnn::network whose element type the format can store.
template <class Net>
concept SerializableNetwork =
    detail::is_network<std::remove_cv_t<Net>>::value && SerialElement<typename Net::value_type>;

/// An optimiser whose state the format can store for networks of type Net.
template <class Opt, class Net>
concept SerializableOptimizer =
    requires { typename Opt::template state<Net>; } &&
    requires { { optimizer_state_layout<Opt>::name } -> std::convertible_to<std::string_view>; } &&
    requires { { optimizer_state_layout<Opt>::set_count } -> std::convertible_to<std::size_t>; } &&
    requires(typename Opt::template state<Net>& s) {
      { s.step } -> std::convertible_to<std::uint64_t>;
    };

namespace detail {

template <class Net>
constexpr void fingerprint_network(fnv1a64& h) noexcept {
  h.u64(Net::layer_count);
  static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using fp = activation_fingerprint<typename Net::template layer_type<I>::activation>;
    h.u64(Net::widths[I]);
    h.u64(Net::widths[I + 1]);
    h.text(fp::name);
    h.u64(fp::parameters.size());
    for (const std::uint64_t p : fp::parameters) h.u64(p);
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
  static constexpr std::uint64_t fingerprint = [] {
    fnv1a64 h;
    fingerprint_network<Net>(h);
    if constexpr (with_state) {
      h.text(optimizer_state_layout<Opt>::name);
      h.u64(sets);
    }
    return h.hash;
  }();
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
  const std::uint32_t crc =
      crc32(std::span<const std::byte>(out.data() + serial_header_size, plan::payload_size));
  w.pos = serial_header_size - 4;
  w.uint(crc);
  return status::ok;
}

template <class Net, class Opt, class S>
constexpr status load_impl(Net& net, S* state, std::span<const std::byte> in) noexcept {
  using plan = serial_plan<Net, Opt>;
  using T = typename Net::value_type;
  using E = typename plan::element;
  using bits = typename E::bits_type;
  if (in.size() < serial_header_size) return status::truncated;
  for (std::size_t k = 0; k < serial_magic.size(); ++k)
    if (in[k] != serial_magic[k]) return status::bad_magic;
  byte_reader r{in, serial_magic.size()};
  if (r.uint<std::uint16_t>() != serial_format_version) return status::unsupported_version;
  if (r.uint<std::uint8_t>() != E::code) return status::element_type_mismatch;
  const std::uint8_t content = r.uint<std::uint8_t>();
  const std::uint64_t fingerprint = r.uint<std::uint64_t>();
  if (content != plan::content || fingerprint != plan::fingerprint)
    return status::topology_mismatch;
  if (r.uint<std::uint32_t>() != plan::payload_size) return status::length_mismatch;
  if (in.size() < plan::total_size) return status::truncated;
  const std::uint32_t stored_crc = r.uint<std::uint32_t>();
  const auto payload = in.subspan(serial_header_size, plan::payload_size);
  if (crc32(payload) != stored_crc) return status::checksum_mismatch;

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

/// The topology fingerprint stored in (and required of) a blob for Net (and optimiser Opt).
template <SerializableNetwork Net, class Opt = void>
inline constexpr std::uint64_t topology_fingerprint = detail::serial_plan<Net, Opt>::fingerprint;

/// A byte array exactly the size of a blob for Net (and Opt).
template <SerializableNetwork Net, class Opt = void>
using blob = std::array<std::byte, serialized_size<Net, Opt>>;

/// The header of a blob as stored (read_header only checks its size and magic).
struct serial_header {
  std::uint16_t version = 0;
  std::uint8_t element_type = 0;
  std::uint8_t content = 0;
  std::uint64_t fingerprint = 0;
  std::uint32_t payload_length = 0;
  std::uint32_t payload_crc = 0;
  friend constexpr bool operator==(const serial_header&, const serial_header&) = default;
};

/// Reads the header of a blob without a network type (for tools and diagnostics).
/// Returns status::truncated (fewer than 24 bytes), status::bad_magic, or status::ok and fills h.
[[nodiscard]] constexpr status read_header(std::span<const std::byte> in, serial_header& h) noexcept {
  if (in.size() < serial_header_size) return status::truncated;
  for (std::size_t k = 0; k < serial_magic.size(); ++k)
    if (in[k] != serial_magic[k]) return status::bad_magic;
  detail::byte_reader r{in, serial_magic.size()};
  h.version = r.uint<std::uint16_t>();
  h.element_type = r.uint<std::uint8_t>();
  h.content = r.uint<std::uint8_t>();
  h.fingerprint = r.uint<std::uint64_t>();
  h.payload_length = r.uint<std::uint32_t>();
  h.payload_crc = r.uint<std::uint32_t>();
  return status::ok;
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

}  // namespace ctnn
