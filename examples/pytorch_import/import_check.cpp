// SPDX-License-Identifier: MIT
// pytorch_import: loads the blobs written by torch_to_ctnn.py --demo into the matching
// ctnn::network types and compares their outputs with PyTorch's on the same inputs.
//   float32: max abs error <= 1e-5; float64: <= 1e-12.
// Also checks that the script's C++ type is this program's type, and that the blob is refused
// by a network of another topology or element type.
// Usage: pytorch_import <directory written by torch_to_ctnn.py --demo>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <type_traits>

#include <ctnn/ctnn.hpp>
#include <ctnn/export.hpp>
#include <ctnn/serialize.hpp>

#include "import_support.hpp"

namespace {

using import_support::read_file;

// The demo model of torch_to_ctnn.py, layer for layer.
template <class T>
using demo_net = ctnn::network<T, ctnn::input<6>, ctnn::dense<16, ctnn::tanh>,
                               ctnn::dense<12, ctnn::leaky_relu<1, 20>>, ctnn::dense<10, ctnn::elu<1, 2>>,
                               ctnn::dense<8, ctnn::gelu>, ctnn::dense<8, ctnn::softplus>,
                               ctnn::dense<8, ctnn::relu>, ctnn::dense<6, ctnn::sigmoid>,
                               ctnn::dense<4, ctnn::identity>, ctnn::dense<3, ctnn::softmax>>;

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
  if (import_support::spelling<net_t>() != expected_type) {
    std::printf("%s: the script's type\n  %s\nis not this program's\n  %s\n", suffix, expected_type.c_str(),
                import_support::spelling<net_t>().c_str());
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

  const import_support::cases<T> c(cases, net_t::input_size, net_t::output_size);
  if (!c.ok) {
    std::printf("%s: malformed cases file\n", suffix);
    return false;
  }
  const auto [max_err, worst] = import_support::compare(net, c);
  const bool close = max_err <= tolerance;
  std::printf("%s: %zu cases, max |ctnn - pytorch| = %.3g (case %zu), tolerance %.0e: %s\n", suffix, c.count,
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
  const std::string types = import_support::read_text(dir + "/model_type.txt");
  const std::string type_f32 = import_support::line(types, 0), type_f64 = import_support::line(types, 1);
  const bool f32 = check<float>(dir, "f32", type_f32, 1e-5);
  const bool f64 = check<double>(dir, "f64", type_f64, 1e-12);
  std::printf("%s\n", f32 && f64 ? "PASS" : "FAIL");
  return f32 && f64 ? 0 : 1;
}
