// SPDX-License-Identifier: MIT
// sequence_import: loads the blobs written by torch_to_ctnn.py --sequence-demo (a GRU digit
// classifier, an LSTM sequence-to-sequence model, a dilated Conv1d stack, a causal Conv1d ->
// GRU classifier; float32 and float64)
// into the matching ctnn::network types and checks, for each:
//   - the script's C++ type is this program's type;
//   - the blob loads, and is refused by a network of another topology (topology_mismatch) or
//     element type (element_type_mismatch); it loads into the same layers over another window
//     length (the fingerprint leaves the window out);
//   - forward over the real sequences the script ran through PyTorch: max |ctnn - torch| <= 1e-5
//     (float32) and <= 1e-12 (float64);
//   - the header the script wrote is, character for character, what ctnn::export_header writes
//     for the loaded network;
//   - GRU, LSTM, Conv1d -> GRU: streaming the window one step at a time (net.step from a reset state) gives
//     forward's bits (every step for the seq2seq model, the last step for the classifier).
// Usage: sequence_import_check <directory written by torch_to_ctnn.py --sequence-demo>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ctnn/ctnn.hpp>
#include <ctnn/export.hpp>
#include <ctnn/serialize.hpp>

#include "import_support.hpp"

namespace {

namespace is = import_support;

// The models of torch_to_ctnn.py --sequence-demo, layer for layer, over a window of Time steps.
template <class T, std::size_t Time = 8>
using gru_net = ctnn::network<T, ctnn::input<Time, 8>, ctnn::gru<16>, ctnn::last_step,
                              ctnn::dense<10, ctnn::softmax>>;
template <class T, std::size_t Time = 32>
using lstm_net = ctnn::network<T, ctnn::input<Time, 2>, ctnn::lstm<12>,
                               ctnn::time_distributed<ctnn::dense<1, ctnn::identity>>>;
// The Conv1d stack; First: the first conv's padding (causal in the demo).
template <class T, std::size_t Time = 64, ctnn::padding First = ctnn::padding::causal>
using conv_stack = ctnn::network<T, ctnn::input<Time, 2>, ctnn::conv1d<8, 3, ctnn::tanh, 1, 1, First>,
                                 ctnn::conv1d<8, 3, ctnn::relu, 2, 1, ctnn::padding::causal>,
                                 ctnn::conv1d<6, 4, ctnn::elu<1, 2>, 3, 1, ctnn::padding::same>,
                                 ctnn::conv1d<6, 5, ctnn::leaky_relu<1, 10>, 1, 1, ctnn::padding::same>,
                                 ctnn::conv1d<4, 5, ctnn::gelu, 2, 2, ctnn::padding::valid>,
                                 ctnn::time_distributed<ctnn::dense<3, ctnn::identity>>>;
template <class T, std::size_t Time = 64>
using conv_net = conv_stack<T, Time>;

template <class T, std::size_t Time = 40>
using mixed_net = ctnn::network<T, ctnn::input<Time, 2>,
                                ctnn::conv1d<6, 3, ctnn::relu, 2, 1, ctnn::padding::causal>, ctnn::gru<8>,
                                ctnn::last_step, ctnn::dense<1, ctnn::sigmoid>>;

// The same tensors' sizes under another layer kind or setting: the fingerprint tells them apart.
template <class T>
using gru_as_other = ctnn::network<T, ctnn::input<8, 8>, ctnn::lstm<16>, ctnn::last_step,
                                   ctnn::dense<10, ctnn::softmax>>;
template <class T>
using lstm_as_other = ctnn::network<T, ctnn::input<32, 2>, ctnn::lstm<12>,
                                    ctnn::time_distributed<ctnn::dense<1, ctnn::tanh>>>;
template <class T>
using mixed_as_other = ctnn::network<T, ctnn::input<40, 2>,
                                     ctnn::conv1d<6, 3, ctnn::relu, 2, 1, ctnn::padding::valid>,
                                     ctnn::gru<8>, ctnn::last_step, ctnn::dense<1, ctnn::sigmoid>>;
template <class T>
using conv_as_other = conv_stack<T, 64, ctnn::padding::same>;

/// Streams every case one step at a time from a reset state and returns the largest
/// |step - forward| (0 when the bits agree): every step's output for a sequence output, the
/// last step's for a vector output.
template <class Net>
double streaming_gap(const Net& net, const is::cases<typename Net::value_type>& c) {
  using T = typename Net::value_type;
  constexpr std::size_t steps = Net::input_shape::dims[0];
  constexpr std::size_t in = Net::step_input_size, out = Net::step_output_size;
  constexpr bool sequence_out = Net::output_shape::rank == 2;
  double gap = 0.0;
  typename Net::state_type state{};
  for (std::size_t k = 0; k < c.count; ++k) {
    const auto x = c.input(k);
    const auto y = is::forward(net, x);
    Net::reset(state);
    for (std::size_t t = 0; t < steps; ++t) {
      typename Net::step_input_type xt{};
      for (std::size_t i = 0; i < in; ++i) xt[i] = x[t * in + i];
      const auto yt = net.step(xt, state);
      if (!sequence_out && t + 1 != steps) continue;
      const T* want = y.data() + (sequence_out ? t * out : 0);
      for (std::size_t j = 0; j < out; ++j) {
        const double d = std::fabs(static_cast<double>(yt[j]) - static_cast<double>(want[j]));
        if (!(d <= gap)) gap = std::isnan(d) ? HUGE_VAL : d;
      }
    }
  }
  return gap;
}

/// The checks of one model in one element type. Net: its type; Other: the same sizes with
/// another topology; Window: the same layers over another window length; Stream: check step.
template <class Net, class Other, class OtherElement, class Window, bool Stream>
bool check(const std::string& dir, const std::string& name, const std::string& suffix,
           const std::string& expected_type, double tolerance) {
  using T = typename Net::value_type;
  const std::string tag = name + " " + suffix;
  const auto blob = is::read_file(dir + "/" + name + "_" + suffix + ".ctnn");
  const auto case_bytes = is::read_file(dir + "/" + name + "_cases_" + suffix + ".bin");
  const std::string header = is::read_text(dir + "/" + name + "_" + suffix + ".hpp");
  if (blob.empty() || case_bytes.empty() || header.empty()) {
    std::printf("%s: missing files in %s (run torch_to_ctnn.py --sequence-demo first)\n", tag.c_str(),
                dir.c_str());
    return false;
  }
  bool ok = true;
  const std::string mine = is::spelling<Net>();
  if (mine != expected_type) {
    std::printf("%s: the script's type\n  %s\nis not this program's\n  %s\n", tag.c_str(),
                expected_type.c_str(), mine.c_str());
    ok = false;
  }

  const std::span<const std::byte> bytes(blob);
  static Net net;  // static: the double conv stack's parameters are better off the stack
  const ctnn::status s = ctnn::load(net, bytes);
  std::printf("%s: load: %s (%zu bytes, %zu parameters)\n", tag.c_str(), ctnn::message(s), blob.size(),
              Net::parameter_count);
  if (s != ctnn::status::ok) return false;

  static Other other;
  static OtherElement other_element;
  static Window window;
  const ctnn::status so = ctnn::load(other, bytes), se = ctnn::load(other_element, bytes);
  const ctnn::status sw = ctnn::load(window, bytes);
  std::printf("%s: into another topology: %s; into the other element type: %s; into another window "
              "length: %s\n",
              tag.c_str(), ctnn::message(so), ctnn::message(se), ctnn::message(sw));
  ok = ok && so == ctnn::status::topology_mismatch && se == ctnn::status::element_type_mismatch &&
       sw == ctnn::status::ok;

  const is::cases<T> c(case_bytes, Net::input_size, Net::output_size);
  if (!c.ok) {
    std::printf("%s: malformed cases file\n", tag.c_str());
    return false;
  }
  const auto [max_err, worst] = is::compare(net, c);
  const bool close = max_err <= tolerance;
  std::printf("%s: %zu sequences, max |ctnn - torch| = %.3g (case %zu), tolerance %.0e: %s\n",
              tag.c_str(), c.count, max_err, worst, tolerance, close ? "ok" : "FAIL");
  ok = ok && close;

  std::string exported;
  auto sink = [&](std::string_view chunk) { exported.append(chunk); };
  const bool same_header = ctnn::export_header(net, sink) == ctnn::status::ok && exported == header;
  std::printf("%s: the script's header is ctnn::export_header's text: %s\n", tag.c_str(),
              same_header ? "ok" : "FAIL");
  if (!same_header) {
    std::size_t at = 0;
    while (at < exported.size() && at < header.size() && exported[at] == header[at]) ++at;
    std::printf("  first difference at character %zu:\n  script: %.60s\n  ctnn:   %.60s\n", at,
                header.c_str() + at, exported.c_str() + at);
  }
  ok = ok && same_header;

  if constexpr (Stream) {
    const double gap = streaming_gap(net, c);
    std::printf("%s: net.step over the window vs forward: max difference %.3g: %s\n", tag.c_str(), gap,
                gap == 0.0 ? "ok (the same bits)" : "FAIL");
    ok = ok && gap == 0.0;
  }
  return ok;
}

template <template <class, std::size_t> class NetOf, template <class> class OtherOf, std::size_t Time,
          std::size_t OtherTime, bool Stream>
bool check_model(const std::string& dir, const std::string& name) {
  // <name>_type.txt: the float32 type, then the float64 type, one per line.
  const std::string types = is::read_text(dir + "/" + name + "_type.txt");
  const bool f32 = check<NetOf<float, Time>, OtherOf<float>, NetOf<double, Time>, NetOf<float, OtherTime>,
                         Stream>(dir, name, "f32", is::line(types, 0), 1e-5);
  const bool f64 = check<NetOf<double, Time>, OtherOf<double>, NetOf<float, Time>, NetOf<double, OtherTime>,
                         Stream>(dir, name, "f64", is::line(types, 1), 1e-12);
  return f32 && f64;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <directory written by torch_to_ctnn.py --sequence-demo>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const bool gru = check_model<gru_net, gru_as_other, 8, 1, true>(dir, "gru");
  const bool lstm = check_model<lstm_net, lstm_as_other, 32, 100, true>(dir, "lstm");
  const bool conv = check_model<conv_net, conv_as_other, 64, 40, false>(dir, "conv");
  const bool mixed = check_model<mixed_net, mixed_as_other, 40, 1, true>(dir, "mixed");
  const bool all = gru && lstm && conv && mixed;
  std::printf("%s\n", all ? "PASS" : "FAIL");
  return all ? 0 : 1;
}
