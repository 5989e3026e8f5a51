// SPDX-License-Identifier: MIT
// pytorch_import: loads the blobs written by torch_to_ctnn.py --demo into the matching
// ctnn::network types and compares their outputs with PyTorch's on the same inputs.
//   float32: max abs error <= 1e-5; float64: <= 1e-12.
// Also checks that the script's C++ type is this program's type, and that the blob is refused
// by a network of another topology or element type.
// Usage: pytorch_import <directory written by torch_to_ctnn.py --demo>
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
#include <ctnn/export.hpp>
#include <ctnn/serialize.hpp>

namespace {

// The demo model of torch_to_ctnn.py, layer for layer.
template <class T>
using demo_net = ctnn::network<T, ctnn::input<6>, ctnn::dense<16, ctnn::tanh>,
                               ctnn::dense<12, ctnn::leaky_relu<1, 20>>, ctnn::dense<10, ctnn::elu<1, 2>>,
                               ctnn::dense<8, ctnn::gelu>, ctnn::dense<8, ctnn::softplus>,
                               ctnn::dense<8, ctnn::relu>, ctnn::dense<6, ctnn::sigmoid>,
                               ctnn::dense<4, ctnn::identity>, ctnn::dense<3, ctnn::softmax>>;

// The C++ spelling of a network type, written by ctnn's exporter's own spelling rules.
template <class Net>
std::string spelling() {
  std::string s = "ctnn::network<";
  s += std::is_same_v<typename Net::value_type, float> ? "float" : "double";
  s += ", ctnn::input<" + std::to_string(Net::input_size) + ">";
  auto out = [&](std::string_view chunk) { s.append(chunk); };
  ctnn::detail::static_for<Net::layer_count>([&](auto Ic) {
    constexpr std::size_t I = decltype(Ic)::value;
    s += ", ctnn::dense<" + std::to_string(Net::widths[I + 1]) + ", ";
    ctnn::activation_spelling<typename Net::template layer_type<I>::activation>::write(out);
    s += ">";
  });
  return s + ">";
}

std::vector<std::byte> read_file(const std::string& path) {
  std::vector<std::byte> bytes;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::byte buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
  }
  return bytes;
}

template <class T>
T read_value(const std::vector<std::byte>& b, std::size_t at) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  U u = 0;
  for (std::size_t k = 0; k < sizeof(U); ++k) u |= static_cast<U>(static_cast<U>(b[at + k]) << (8 * k));
  return std::bit_cast<T>(u);
}

std::uint32_t read_u32(const std::vector<std::byte>& b, std::size_t at) {
  std::uint32_t u = 0;
  for (std::size_t k = 0; k < 4; ++k) u |= static_cast<std::uint32_t>(b[at + k]) << (8 * k);
  return u;
}

template <class T>
bool check(const std::string& dir, const char* suffix, const std::string& expected_type, double tolerance) {
  using net_t = demo_net<T>;
  const auto blob = read_file(dir + "/model_" + suffix + ".ctnn");
  const auto cases = read_file(dir + "/cases_" + suffix + ".bin");
  if (blob.empty() || cases.size() < 24) {
    std::printf("%s: missing files in %s (run torch_to_ctnn.py --demo first)\n", suffix, dir.c_str());
    return false;
  }
  bool ok = true;
  if (spelling<net_t>() != expected_type) {
    std::printf("%s: the script's type\n  %s\nis not this program's\n  %s\n", suffix, expected_type.c_str(),
                spelling<net_t>().c_str());
    ok = false;
  }

  net_t net;
  const ctnn::status s = ctnn::load(net, std::span<const std::byte>(blob));
  std::printf("%s: load: %s (%zu bytes, %zu parameters)\n", suffix, ctnn::message(s), blob.size(),
              net_t::parameter_count);
  if (s != ctnn::status::ok) return false;

  // The same blob into the wrong network: refused, with the reason.
  using wrong_topology = ctnn::network<T, ctnn::input<6>, ctnn::dense<16, ctnn::tanh>,
                                       ctnn::dense<12, ctnn::leaky_relu<1, 100>>, ctnn::dense<10, ctnn::elu<1, 2>>,
                                       ctnn::dense<8, ctnn::gelu>, ctnn::dense<8, ctnn::softplus>,
                                       ctnn::dense<8, ctnn::relu>, ctnn::dense<6, ctnn::sigmoid>,
                                       ctnn::dense<4, ctnn::identity>, ctnn::dense<3, ctnn::softmax>>;
  using wrong_element = demo_net<std::conditional_t<std::is_same_v<T, float>, double, float>>;
  wrong_topology wt;
  wrong_element we;
  const ctnn::status st = ctnn::load(wt, std::span<const std::byte>(blob));
  const ctnn::status se = ctnn::load(we, std::span<const std::byte>(blob));
  std::printf("%s: into leaky_relu<1, 100>: %s; into the other element type: %s\n", suffix,
              ctnn::message(st), ctnn::message(se));
  ok = ok && st == ctnn::status::topology_mismatch && se == ctnn::status::element_type_mismatch;

  // "CTNNCASE", u32 code, u32 count, u32 inputs, u32 outputs, inputs, outputs.
  const std::uint32_t count = read_u32(cases, 12), n_in = read_u32(cases, 16), n_out = read_u32(cases, 20);
  if (std::memcmp(cases.data(), "CTNNCASE", 8) != 0 || n_in != net_t::input_size ||
      n_out != net_t::output_size || cases.size() != 24 + sizeof(T) * count * (n_in + n_out)) {
    std::printf("%s: malformed cases file\n", suffix);
    return false;
  }
  double max_err = 0.0;
  std::size_t worst = 0;
  for (std::size_t c = 0; c < count; ++c) {
    typename net_t::input_type x{};
    for (std::size_t i = 0; i < n_in; ++i) x[i] = read_value<T>(cases, 24 + sizeof(T) * (c * n_in + i));
    const auto y = net.forward(x);
    for (std::size_t j = 0; j < n_out; ++j) {
      const T ref = read_value<T>(cases, 24 + sizeof(T) * (count * n_in + c * n_out + j));
      const double err = std::fabs(static_cast<double>(y[j]) - static_cast<double>(ref));
      if (!(err <= max_err)) {
        max_err = err;
        worst = c;
      }
    }
  }
  const bool close = max_err <= tolerance;
  std::printf("%s: %u cases, max |ctnn - pytorch| = %.3g (case %zu), tolerance %.0e: %s\n", suffix, count,
              max_err, worst, tolerance, close ? "ok" : "FAIL");
  return ok && close;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <directory written by torch_to_ctnn.py --demo>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  // model_type.txt: the float32 type, then the float64 type, one per line.
  const auto types = read_file(dir + "/model_type.txt");
  std::string text(reinterpret_cast<const char*>(types.data()), types.size());
  const std::size_t nl = text.find('\n');
  const std::string type_f32 = text.substr(0, nl);
  const std::string type_f64 = nl == std::string::npos ? "" : text.substr(nl + 1, text.find('\n', nl + 1) - nl - 1);
  const bool f32 = check<float>(dir, "f32", type_f32, 1e-5);
  const bool f64 = check<double>(dir, "f64", type_f64, 1e-12);
  std::printf("%s\n", f32 && f64 ? "PASS" : "FAIL");
  return f32 && f64 ? 0 : 1;
}
