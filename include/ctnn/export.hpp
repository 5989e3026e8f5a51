// SPDX-License-Identifier: MIT
/// @file export.hpp Defines ctnn::export_header, which writes a trained network as C++ source:
/// a header defining a `constexpr` network whose parameters are exact hexadecimal floating-point
/// literals, so firmware carries the trained weights in flash (.rodata) with no loader at all.
///
/// ```
/// // on the host, after training:
/// std::FILE* f = std::fopen("trained_net.hpp", "w");
/// ctnn::file_sink sink{f};
/// ctnn::export_header(net, sink, {.namespace_name = "model", .name = "net"});
/// std::fclose(f);
/// // in the firmware:
/// #include "trained_net.hpp"
/// auto y = model::net.forward(x);   // model::net_type is the network's type
/// ```
/// The output goes through a caller-supplied sink, any callable taking `std::string_view`
/// chunks (ctnn::char_buffer_sink fills a fixed char buffer; ctnn::file_sink, on hosted builds,
/// a FILE*), so this header needs neither the heap nor iostreams, and export_header is
/// `constexpr` (a header can be generated at compile time into a char array).
///
/// Exactness: every parameter is written as its exact binary value (e.g. `-0x1.99999ap-4f`,
/// `0x0.000002p-126f` for the smallest float subnormal, `-0x0p+0f` for -0), so the compiled
/// network is bit for bit the one that was exported and, compiled with the same flags
/// (`-ffp-contract=off`), gives bit-identical outputs.
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include <ctnn/activation.hpp>
#include <ctnn/config.hpp>
#include <ctnn/math.hpp>
#include <ctnn/network.hpp>
#include <ctnn/spelling.hpp>
#include <ctnn/status.hpp>

#if CTNN_HOSTED
#  include <cstdio>
#endif

namespace ctnn {

/// A destination for generated text: called with consecutive chunks.
template <class S>
concept TextSink = std::invocable<S&, std::string_view>;

/// Writes into a fixed char buffer. `size()` counts every character offered, so after an
/// overflow (`overflowed()`) it says how big the buffer must be; the buffer then holds the first
/// `capacity` characters. No terminating NUL is written.
struct char_buffer_sink {
  std::span<char> buffer;
  std::size_t written = 0;  ///< characters offered so far (may exceed buffer.size())

  constexpr void operator()(std::string_view chunk) noexcept {
    for (const char c : chunk) {
      if (written < buffer.size()) buffer[written] = c;
      ++written;
    }
  }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return written; }
  [[nodiscard]] constexpr bool overflowed() const noexcept { return written > buffer.size(); }
  /// The text written (truncated to the buffer on overflow).
  [[nodiscard]] constexpr std::string_view view() const noexcept {
    return {buffer.data(), written < buffer.size() ? written : buffer.size()};
  }
};

/// Counts characters only (to size a buffer before the real export).
struct counting_sink {
  std::size_t count = 0;
  constexpr void operator()(std::string_view chunk) noexcept { count += chunk.size(); }
};

#if CTNN_HOSTED
/// Writes to a C stream (hosted builds only). `ok` turns false when a write fails.
struct file_sink {
  std::FILE* file = nullptr;
  bool ok = true;
  void operator()(std::string_view chunk) noexcept {
    if (ok && (file == nullptr || std::fwrite(chunk.data(), 1, chunk.size(), file) != chunk.size()))
      ok = false;
  }
};
#endif

/// What export_header writes around the numbers. The names must be valid C++ identifiers (they
/// are written verbatim).
struct export_options {
  std::string_view namespace_name = "trained";  ///< namespace of the generated declarations
  std::string_view name = "network";            ///< the constexpr network; its type is name + "_type"
  std::string_view include = "<ctnn/network.hpp>";  ///< how the generated header includes ctnn
  /// Written verbatim after the include, e.g. `#include "my_activation.hpp"\n` for a
  /// user-defined activation.
  std::string_view preamble = {};
  std::string_view comment = {};  ///< one line written into the generated header's comment
};


/// The longest hexadecimal literal export writes (double: `-0x1.fffffffffffffp+1023`).
inline constexpr std::size_t max_hex_literal_size = 26;

/// A hexadecimal floating-point literal, exact: `[-]0x1.<hex>p<+|-><exp>` for normal numbers,
/// `[-]0x0.<hex>p-126` (float) / `p-1022` (double) for subnormals, `[-]0x0p+0` for zeros, with
/// trailing zero digits dropped and the suffix `f` for float. Non-finite values have no literal;
/// they give "nan"/"inf" (export_header refuses them beforehand).
struct hex_literal {
  std::array<char, max_hex_literal_size> text{};
  std::size_t length = 0;

  template <class T>
    requires std::is_same_v<T, float> || std::is_same_v<T, double>
  constexpr explicit hex_literal(T v) noexcept {
    using U = std::conditional_t<std::is_same_v<T, float>, std::uint32_t, std::uint64_t>;
    constexpr int mant_bits = std::is_same_v<T, float> ? 23 : 52;
    constexpr int bias = std::is_same_v<T, float> ? 127 : 1023;
    constexpr int pad = (4 - mant_bits % 4) % 4;    // float: 1 bit, double: 0
    constexpr int digits = (mant_bits + pad) / 4;  // float: 6, double: 13
    const U bits = std::bit_cast<U>(v);
    const bool negative = (bits >> (sizeof(U) * 8 - 1)) != 0;
    const U mant = bits & ((U{1} << mant_bits) - 1);
    const int exp_field = static_cast<int>((bits >> mant_bits) & U((1u << (sizeof(U) * 8 - 1 - mant_bits)) - 1));
    if (negative) put('-');
    if (!math::isfinite(v)) {
      put_text(math::isnan(v) ? "nan" : "inf");
      return;
    }
    put_text(exp_field == 0 ? "0x0" : "0x1");
    // Fraction digits, trailing zeros dropped.
    const U frac = static_cast<U>(mant << pad);
    int used = digits;
    while (used > 0 && ((frac >> (4 * (digits - used))) & 0xFu) == 0) --used;
    if (used > 0) {
      put('.');
      for (int d = 0; d < used; ++d)
        put("0123456789abcdef"[(frac >> (4 * (digits - 1 - d))) & 0xFu]);
    }
    // Exponent: zero is p+0, subnormals use the minimum normal exponent.
    int e = exp_field == 0 ? (mant == 0 ? 0 : 1 - bias) : exp_field - bias;
    put('p');
    put(e < 0 ? '-' : '+');
    if (e < 0) e = -e;
    char rev[5]{};
    int n = 0;
    do {
      rev[n++] = static_cast<char>('0' + e % 10);
      e /= 10;
    } while (e != 0);
    while (n != 0) put(rev[--n]);
    if constexpr (std::is_same_v<T, float>) put('f');
  }
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {text.data(), length}; }

 private:
  constexpr void put(char c) noexcept { text[length++] = c; }
  constexpr void put_text(std::string_view s) noexcept {
    for (const char c : s) put(c);
  }
};

namespace detail {
template <class T>
constexpr std::string_view element_spelling() noexcept {
  if constexpr (std::is_same_v<T, float>) return "float";
  else return "double";
}
template <class Net>
inline constexpr bool exportable_network =
    Network<Net> &&
    (std::is_same_v<typename Net::value_type, float> || std::is_same_v<typename Net::value_type, double>);
}  // namespace detail

/// Writes `net` as a C++ header through `sink`:
/// ```
/// #pragma once
/// #include <ctnn/network.hpp>
/// namespace trained {
/// using network_type = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::sigmoid>, ...>;
/// inline constexpr network_type network{network_type::flat_type{
///     // layer 0: (its first tensor, row 0) ...
///     0x1.8p+0f, -0x1.2p-3f, ...
/// }};
/// }  // namespace trained
/// ```
/// Returns status::ok, or status::non_finite_value (without writing anything) when a parameter
/// is NaN or infinite, which has no literal. Element types: float and double.
template <class Net, TextSink Sink>
  requires detail::exportable_network<Net>
constexpr status export_header(const Net& net, Sink&& sink, const export_options& options = {}) noexcept {
  using T = typename Net::value_type;
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    if (!math::isfinite(net[k])) return status::non_finite_value;

  auto& out = sink;
  auto number = [&](std::size_t v) { out(detail::decimal(static_cast<std::intmax_t>(v)).view()); };
  out("// SPDX-License-Identifier: MIT\n"
      "// Generated by ctnn::export_header. Do not edit: re-export the trained network instead.\n");
  if (!options.comment.empty()) {
    out("// ");
    out(options.comment);
    out("\n");
  }
  auto input_spelling = [&] {
    out("ctnn::input<");
    for (std::size_t d = 0; d < Net::input_shape::rank; ++d) {
      if (d > 0) out(", ");
      number(Net::input_shape::dims[d]);
    }
    out(">");
  };
  out("// Topology: ");
  input_spelling();
  detail::static_for<Net::layer_count>([&](auto Ic) {
    out(" -> ");
    Net::template layer_type<decltype(Ic)::value>::spell(out);
  });
  out("; ");
  number(Net::parameter_count);
  out(" parameters (");
  number(Net::parameter_bytes);
  out(" bytes of read-only data).\n"
      "// The literals are exact: this network is bit for bit the one that was exported.\n"
      "#pragma once\n\n#include ");
  out(options.include);
  out("\n");
  // Each layer kind's own header (ctnn::Layer's optional `header`), once.
  detail::static_for<Net::layer_count>([&](auto Ic) {
    using L = typename Net::template layer_type<decltype(Ic)::value>;
    if constexpr (requires { L::header; }) {
      bool seen = std::string_view(L::header) == options.include;
      detail::static_for<decltype(Ic)::value>([&](auto Jc) {
        using M = typename Net::template layer_type<decltype(Jc)::value>;
        if constexpr (requires { M::header; }) seen = seen || std::string_view(M::header) == L::header;
      });
      if (!seen) {
        out("#include ");
        out(L::header);
        out("\n");
      }
    }
  });
  out(options.preamble);
  out("\nnamespace ");
  out(options.namespace_name);
  out(" {\n\n/// The exported network's type.\nusing ");
  out(options.name);
  out("_type = ctnn::network<");
  out(detail::element_spelling<T>());
  out(", ");
  input_spelling();
  detail::static_for<Net::layer_count>([&](auto Ic) {
    out(", ");
    Net::template layer_type<decltype(Ic)::value>::spell(out);
  });
  out(">;\n\n/// The trained parameters in ctnn's flat order (per layer, each parameter tensor row by\n"
      "/// row; dense: the weights (row j: unit j), then the biases), as exact hexadecimal\n"
      "/// literals.\ninline constexpr ");
  out(options.name);
  out("_type ");
  out(options.name);
  out("{");
  out(options.name);
  out("_type::flat_type{\n");
  std::size_t k = 0;
  auto values = [&](std::size_t count) {
    for (std::size_t c = 0; c < count; ++c) {
      out(c % 4 == 0 ? "    " : " ");
      out(hex_literal(net[k++]).view());
      out(",");
      if (c % 4 == 3 || c + 1 == count) out("\n");
    }
  };
  detail::static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    using layer_t = typename Net::template layer_type<I>;
    // Each tensor row by row, a comment naming the tensor and the row before each row.
    layer_t::for_each_tensor(
        [&](const tensor_info& info, const auto& tensor) {
          using tensor_t = std::remove_cvref_t<decltype(tensor)>;
          constexpr std::size_t n = detail::element_count<tensor_t>;
          constexpr std::size_t row = detail::element_count<detail::innermost_row_t<tensor_t>>;
          for (std::size_t r = 0; r < n / row; ++r) {
            out("    // layer ");
            number(I);
            out(": ");
            out(info.name);
            out("[");
            if (row != n) {
              number(r);
              out("][");
            }
            out("0..");
            number(row - 1);
            out("]\n");
            values(row);
          }
        },
        net.template layer<I>());
  });
  out("}};\n\n}  // namespace ");
  out(options.namespace_name);
  out("\n");
  return status::ok;
}

}  // namespace ctnn
