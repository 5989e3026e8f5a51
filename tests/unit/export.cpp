// SPDX-License-Identifier: MIT
// Tests for <ctnn/export.hpp>: exact hexadecimal literals (checked against the C library's
// parser on many bit patterns), the generated header's text, the sinks, and that a non-finite
// network is refused. (tests/export/ compiles a generated header and compares outputs bit for
// bit.)
#include <ctnn/export.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include <ctnn/init.hpp>
#include <ctnn/rng.hpp>

namespace {

using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::leaky_relu<1, 100>>,
                            ctnn::dense<2, ctnn::softmax>>;

struct swish {  // a user-defined activation with its C++ spelling
  static constexpr std::string_view cpp_name = "my::swish";
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T> static constexpr T value(T z) noexcept { return z; }
  template <ctnn::Scalar T> static constexpr T derivative(T, T) noexcept { return T(1); }
};

template <class T>
std::string hex(T v) {
  return std::string(ctnn::hex_literal(v).view());
}

constexpr bool text_equal(std::string_view a, std::string_view b) { return a == b; }

template <class Net>
std::string exported(const Net& n, const ctnn::export_options& o = {}) {
  std::string s;
  const auto st = ctnn::export_header(n, [&](std::string_view c) { s.append(c); }, o);
  REQUIRE(st == ctnn::status::ok);
  return s;
}

}  // namespace

TEST_CASE("export: hexadecimal literals of chosen values", "[export]") {
  using F = std::numeric_limits<float>;
  using D = std::numeric_limits<double>;
  CHECK(hex(1.5f) == "0x1.8p+0f");
  CHECK(hex(-1.0f) == "-0x1p+0f");
  CHECK(hex(0.0f) == "0x0p+0f");
  CHECK(hex(-0.0f) == "-0x0p+0f");
  CHECK(hex(0.1f) == "0x1.99999ap-4f");
  CHECK(hex(F::denorm_min()) == "0x0.000002p-126f");
  CHECK(hex(F::min()) == "0x1p-126f");
  CHECK(hex(F::max()) == "0x1.fffffep+127f");
  CHECK(hex(-F::max()) == "-0x1.fffffep+127f");
  CHECK(hex(0.1) == "0x1.999999999999ap-4");
  CHECK(hex(D::denorm_min()) == "0x0.0000000000001p-1022");
  CHECK(hex(-D::max()) == "-0x1.fffffffffffffp+1023");
  CHECK(hex(-D::max()).size() <= ctnn::max_hex_literal_size);
  CHECK(hex(1024.0) == "0x1p+10");
  CHECK(hex(F::quiet_NaN()) == "nan");
  CHECK(hex(-F::infinity()) == "-inf");
  STATIC_REQUIRE(text_equal(ctnn::hex_literal(0.75f).view(), "0x1.8p-1f"));
  STATIC_REQUIRE(text_equal(ctnn::hex_literal(-3.0).view(), "-0x1.8p+1"));
}

TEST_CASE("export: every literal parses back to the same bits", "[export]") {
  ctnn::rng gen{2024};
  std::size_t checked = 0, wrong = 0;
  std::string first_wrong;
  auto note = [&](bool ok, const std::string& text) {
    ++checked;
    if (!ok && wrong++ == 0) first_wrong = text;
  };
  for (int n = 0; n < 100000; ++n) {
    // Random bit patterns cover every exponent, subnormals and signs.
    const std::uint32_t bf = gen.next_u32();
    const std::uint64_t bd = (std::uint64_t{gen.next_u32()} << 32) | gen.next_u32();
    const float f = std::bit_cast<float>(bf);
    const double d = std::bit_cast<double>(bd);
    if (std::isfinite(f)) {
      std::string s = hex(f);
      const bool suffix = !s.empty() && s.back() == 'f';
      if (suffix) s.pop_back();
      note(suffix && std::bit_cast<std::uint32_t>(std::strtof(s.c_str(), nullptr)) == bf, s);
    }
    if (std::isfinite(d)) {
      const std::string s = hex(d);
      note(std::bit_cast<std::uint64_t>(std::strtod(s.c_str(), nullptr)) == bd, s);
    }
  }
  INFO("first literal that did not parse back: " << first_wrong);
  CHECK(wrong == 0);
  CHECK(checked > 190000);  // ~99.6 % of random floats and ~99.95 % of doubles are finite
}

TEST_CASE("export: the generated header declares the type and the parameters", "[export]") {
  net_t n;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) n[k] = 0.5f * float(k) - 2.0f;
  const std::string s = exported(n, {.namespace_name = "model", .name = "net", .comment = "hello"});
  CHECK(s.find("#pragma once\n") != std::string::npos);
  CHECK(s.find("#include <ctnn/network.hpp>\n") != std::string::npos);
  CHECK(s.find("// hello\n") != std::string::npos);
  CHECK(s.find("namespace model {") != std::string::npos);
  CHECK(s.find("using net_type = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, "
               "ctnn::leaky_relu<1, 100>>, ctnn::dense<2, ctnn::softmax>>;") != std::string::npos);
  CHECK(s.find("inline constexpr net_type net{net_type::flat_type{") != std::string::npos);
  CHECK(s.find("Topology: ctnn::input<2> -> ctnn::dense<3, ctnn::leaky_relu<1, 100>> -> "
               "ctnn::dense<2, ctnn::softmax>; 17 parameters") != std::string::npos);
  // Every parameter appears, in flat order.
  std::size_t at = 0;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) {
    const std::string lit = hex(n[k]) + ",";
    const std::size_t found = s.find(lit, at);
    INFO("parameter " << k << " " << lit);
    REQUIRE(found != std::string::npos);
    at = found + lit.size();
  }
  CHECK(s.find("}};\n\n}  // namespace model\n") != std::string::npos);
}

TEST_CASE("export: spellings of parametrised and user-defined activations", "[export]") {
  using elu_net = ctnn::network<double, ctnn::input<1>, ctnn::dense<2, ctnn::elu<-3, 2>>,
                                ctnn::dense<1, swish>>;
  const std::string s = exported(elu_net{}, {.preamble = "#include \"swish.hpp\"\n"});
  CHECK(s.find("ctnn::network<double, ctnn::input<1>, ctnn::dense<2, ctnn::elu<-3, 2>>, "
               "ctnn::dense<1, my::swish>>") != std::string::npos);
  CHECK(s.find("#include \"swish.hpp\"\n") != std::string::npos);
  CHECK(s.find("0x0p+0,") != std::string::npos);  // doubles have no suffix
  constexpr auto lo = std::numeric_limits<std::intmax_t>::min();
  STATIC_REQUIRE(ctnn::detail::decimal(lo).view() == "-9223372036854775808");
  STATIC_REQUIRE(ctnn::detail::decimal(0).view() == "0");
}

TEST_CASE("export: a non-finite network is refused before anything is written", "[export]") {
  net_t n;
  n[5] = std::numeric_limits<float>::quiet_NaN();
  ctnn::counting_sink count;
  CHECK(ctnn::export_header(n, count) == ctnn::status::non_finite_value);
  CHECK(count.count == 0);
  n[5] = -std::numeric_limits<float>::infinity();
  CHECK(ctnn::export_header(n, count) == ctnn::status::non_finite_value);
  CHECK(count.count == 0);
}

TEST_CASE("export: fixed buffers, counting, and export at compile time", "[export]") {
  static constexpr net_t n = [] {
    net_t m;
    ctnn::rng gen{7};
    ctnn::init(m, ctnn::xavier_uniform{}, gen);
    return m;
  }();
  const std::string reference = exported(n);
  ctnn::counting_sink count;
  REQUIRE(ctnn::export_header(n, count) == ctnn::status::ok);
  CHECK(count.count == reference.size());

  std::array<char, 4096> buf{};
  ctnn::char_buffer_sink sink{buf};
  REQUIRE(ctnn::export_header(n, sink) == ctnn::status::ok);
  CHECK(!sink.overflowed());
  CHECK(sink.view() == reference);

  std::array<char, 100> small{};
  ctnn::char_buffer_sink short_sink{small};
  REQUIRE(ctnn::export_header(n, short_sink) == ctnn::status::ok);
  CHECK(short_sink.overflowed());
  CHECK(short_sink.size() == reference.size());  // how big the buffer must be
  CHECK(short_sink.view() == std::string_view(reference).substr(0, 100));

  // The same text, generated by the compiler.
  constexpr auto at_compile_time = [] {
    struct result {
      std::array<char, 4096> text{};
      std::size_t size = 0;
    } r;
    ctnn::char_buffer_sink s{r.text};
    (void)ctnn::export_header(n, s);
    r.size = s.size();
    return r;
  }();
  CHECK(std::string_view(at_compile_time.text.data(), at_compile_time.size) == reference);
}

#if CTNN_HOSTED
TEST_CASE("export: file_sink writes a FILE and reports failure", "[export]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  ctnn::file_sink sink{f};
  REQUIRE(ctnn::export_header(net_t{}, sink) == ctnn::status::ok);
  CHECK(sink.ok);
  const long size = std::ftell(f);
  CHECK(size == static_cast<long>(exported(net_t{}).size()));
  std::fclose(f);
  ctnn::file_sink none{nullptr};
  none("x");
  CHECK(!none.ok);
}
#endif
