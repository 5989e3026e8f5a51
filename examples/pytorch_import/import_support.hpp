// SPDX-License-Identifier: MIT
// What the PyTorch import checks share: reading the files torch_to_ctnn.py writes (blobs, the
// CTNNCASE test cases, the type lines), a network type's C++ spelling by ctnn's own spelling
// rules, and the comparison of a network's forward pass with PyTorch's outputs.
// Host programs: these use std::vector and std::string (the library headers do not).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ctnn/ctnn.hpp>

namespace import_support {

inline std::vector<std::byte> read_file(const std::string& path) {
  std::vector<std::byte> bytes;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::byte buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
  }
  return bytes;
}

inline std::string read_text(const std::string& path) {
  const auto bytes = read_file(path);
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

/// Line `index` (from 0) of a text, without its newline ("" past the end).
inline std::string line(const std::string& text, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t k = 0; k < index; ++k) {
    start = text.find('\n', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  const std::size_t end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

template <class T>
T read_value(const std::vector<std::byte>& b, std::size_t at) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  U u = 0;
  for (std::size_t k = 0; k < sizeof(U); ++k) u |= static_cast<U>(static_cast<U>(b[at + k]) << (8 * k));
  return std::bit_cast<T>(u);
}

inline std::uint32_t read_u32(const std::vector<std::byte>& b, std::size_t at) {
  std::uint32_t u = 0;
  for (std::size_t k = 0; k < 4; ++k) u |= static_cast<std::uint32_t>(b[at + k]) << (8 * k);
  return u;
}

/// The C++ spelling of a network type, by the layers' own `spell` (what export_header writes).
template <class Net>
std::string spelling() {
  std::string s = "ctnn::network<";
  s += std::is_same_v<typename Net::value_type, float> ? "float" : "double";
  s += ", ctnn::input<";
  for (std::size_t d = 0; d < Net::input_shape::rank; ++d)
    s += (d > 0 ? ", " : "") + std::to_string(Net::input_shape::dims[d]);
  s += ">";
  auto out = [&](std::string_view chunk) { s.append(chunk); };
  ctnn::detail::static_for<Net::layer_count>([&](auto Ic) {
    s += ", ";
    Net::template layer_type<decltype(Ic)::value>::spell(out);
  });
  return s + ">";
}

/// Test cases as torch_to_ctnn.py writes them: "CTNNCASE", u32 element code, u32 count,
/// u32 inputs, u32 outputs, then every case's inputs, then every case's outputs (each case in
/// ctnn's flat layout: a time x channels window row-major).
template <class T>
struct cases {
  std::size_t count = 0, inputs = 0, outputs = 0;
  std::vector<T> x, y;
  bool ok = false;

  cases(const std::vector<std::byte>& b, std::size_t expect_inputs, std::size_t expect_outputs) {
    if (b.size() < 24 || std::memcmp(b.data(), "CTNNCASE", 8) != 0) return;
    count = read_u32(b, 12);
    inputs = read_u32(b, 16);
    outputs = read_u32(b, 20);
    if (inputs != expect_inputs || outputs != expect_outputs ||
        b.size() != 24 + sizeof(T) * count * (inputs + outputs))
      return;
    for (std::size_t k = 0; k < count * inputs; ++k) x.push_back(read_value<T>(b, 24 + sizeof(T) * k));
    for (std::size_t k = 0; k < count * outputs; ++k)
      y.push_back(read_value<T>(b, 24 + sizeof(T) * (count * inputs + k)));
    ok = true;
  }
  std::span<const T> input(std::size_t c) const { return {x.data() + c * inputs, inputs}; }
  std::span<const T> output(std::size_t c) const { return {y.data() + c * outputs, outputs}; }
};

/// net's forward pass (the minimum-RAM path, on flat spans) on every case.
template <class Net>
std::vector<typename Net::value_type> forward(const Net& net, std::span<const typename Net::value_type> x) {
  using T = typename Net::value_type;
  std::vector<T> y(Net::output_size);
  typename Net::workspace_type work{};
  net.forward(std::span<const T, Net::input_size>(x.data(), Net::input_size),
              std::span<T, Net::output_size>(y.data(), Net::output_size), work);
  return y;
}

/// max |ctnn - pytorch| over every output of every case, and the case where it is.
struct error {
  double max = 0.0;
  std::size_t worst = 0;
};

template <class Net>
error compare(const Net& net, const cases<typename Net::value_type>& c) {
  error e;
  for (std::size_t k = 0; k < c.count; ++k) {
    const auto y = forward(net, c.input(k));
    const auto ref = c.output(k);
    for (std::size_t j = 0; j < c.outputs; ++j) {
      const double d = std::fabs(static_cast<double>(y[j]) - static_cast<double>(ref[j]));
      if (!(d <= e.max)) {  // a NaN counts as an infinite error
        e.max = std::isnan(d) ? HUGE_VAL : d;
        e.worst = k;
      }
    }
  }
  return e;
}

}  // namespace import_support
