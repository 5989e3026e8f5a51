// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_train: libFuzzer target for training and inference on hostile numbers: the
// parameters, inputs and targets are raw float bit patterns from the fuzzer (NaN, infinities,
// subnormals, huge values). Input: a selector byte (optimiser and loss), an options byte, then
// floats (missing bytes read as zero; see fuzz_nets.hpp for the layout).
// Invariants (any violation aborts):
//   - forward: a NaN in the input makes every output NaN (train_net has no relu);
//   - check_finite agrees with an element-wise check and with save's refusal;
//   - train_batch that reports a non-finite loss or gradient leaves network and state unchanged;
//   - fit on data holding NaN/infinity returns status::non_finite_data with the first bad
//     sample's index and changes nothing; on clean data it never fails for another reason,
//     and when it diverges in the first epoch the network and state are the ones passed in.
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "fuzz_nets.hpp"

namespace {

using net_t = fuzz::train_net;
using input_t = net_t::input_type;
using output_t = net_t::output_type;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_train: invariant violated: %s\n", what);
  std::abort();
}

bool same_bits(const net_t::parameters_type& a, const net_t::parameters_type& b) {
  for (std::size_t k = 0; k < net_t::parameter_count; ++k)
    if (std::bit_cast<std::uint32_t>(a[k]) != std::bit_cast<std::uint32_t>(b[k])) return false;
  return true;
}

template <class Opt>
bool same_state(const typename Opt::template state<net_t>& a, const typename Opt::template state<net_t>& b) {
  bool same = a.step == b.step;
  const auto* pb = &b;
  std::size_t i = 0;
  // Compare set by set (bitwise: NaN moments must compare equal to themselves).
  std::array<const net_t::parameters_type*, 4> sets_b{};
  ctnn::optimizer_state_layout<Opt>::for_each_set(*pb, [&](const auto& s) { sets_b[i++] = &s; });
  i = 0;
  ctnn::optimizer_state_layout<Opt>::for_each_set(a, [&](const auto& s) { same = same && same_bits(s, *sets_b[i++]); });
  return same;
}

struct reader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  std::uint8_t byte() { return pos < size ? data[pos++] : std::uint8_t{0}; }
  float value() {
    std::uint32_t u = 0;
    for (int k = 0; k < 4; ++k) u |= std::uint32_t{byte()} << (8 * k);
    return std::bit_cast<float>(u);
  }
};

template <class Opt, class Loss>
void run(const Opt& opt, const Loss& loss, reader& r) {
  const std::uint8_t options = r.byte();
  net_t net;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) net[k] = r.value();
  std::array<input_t, fuzz::train_samples> X{};
  std::array<output_t, fuzz::train_samples> Y{};
  for (auto& x : X)
    for (auto& v : x) v = r.value();
  for (auto& y : Y)
    for (auto& v : y) v = r.value();

  // Inference on the hostile inputs.
  for (const auto& x : X) {
    const output_t y = net.forward(x);
    bool nan_in = false;
    for (float v : x) nan_in = nan_in || std::isnan(v);
    if (nan_in)
      for (float v : y)
        if (!std::isnan(v)) fail("a NaN input did not reach every output");
  }

  // check_finite and save agree with an element-wise check.
  bool finite = true;
  std::size_t first = net_t::parameter_count;
  for (std::size_t k = 0; k < net_t::parameter_count; ++k) {
    if (!std::isfinite(net[k]) && first == net_t::parameter_count) first = k;
    finite = finite && std::isfinite(net[k]);
  }
  if ((ctnn::check_finite(net) == ctnn::status::ok) != finite) fail("check_finite is wrong");
  if (ctnn::first_non_finite(net) != first) fail("first_non_finite is wrong");
  ctnn::blob<net_t> blob{};
  if ((ctnn::save(net, blob) == ctnn::status::ok) != finite) fail("save accepted a non-finite network");

  // One raw training step on the data as it is (train_batch does not check the data).
  using state_t = typename Opt::template state<net_t>;
  state_t state{};
  ctnn::gradients<net_t> grads{};
  {
    net_t n = net;
    state_t s = state;
    const std::size_t last = 1 + (options & 3u);
    const float l = ctnn::train_batch(n, std::span<const input_t>(X), std::span<const output_t>(Y), loss, opt, s,
                                      0.01f, grads, 0, last, [](std::size_t k) { return k; },
                                      (options & 8u) != 0 ? 1.0 : 0.0);
    if (!std::isfinite(l) && (!same_bits(n, net) || !same_state<Opt>(s, state)))
      fail("a non-finite train_batch changed the network or the state");
  }

  // fit refuses bad data up front.
  std::size_t bad = fuzz::train_samples;
  for (std::size_t s = 0; s < fuzz::train_samples && bad == fuzz::train_samples; ++s)
    if (!ctnn::all_finite(X[s]) || !ctnn::all_finite(Y[s])) bad = s;
  net_t n = net;
  state_t s = state;
  const ctnn::fit_options<> o{.epochs = 2, .batch_size = 1u + ((options >> 4) & 3u),
                              .shuffle = (options & 4u) != 0, .shuffle_seed = options,
                              .clip_norm = (options & 8u) != 0 ? 1.0 : 0.0};
  const ctnn::fit_report rep =
      ctnn::fit(n, std::span<const input_t>(X), std::span<const output_t>(Y), loss, opt, s, o);
  if (bad != fuzz::train_samples) {
    if (rep.status != ctnn::status::non_finite_data || rep.bad_sample != bad) fail("fit did not report bad data");
    if (!same_bits(n, net) || !same_state<Opt>(s, state)) fail("fit changed the network on bad data");
    return;
  }
  if (rep.status != ctnn::status::ok && rep.status != ctnn::status::diverged) fail("fit failed unexpectedly");
  if (rep.status == ctnn::status::diverged && rep.epochs_run == 0 &&
      (!same_bits(n, net) || !same_state<Opt>(s, state)))
    fail("a diverged fit did not restore the network and state");
  (void)ctnn::evaluate(n, std::span<const input_t>(X), std::span<const output_t>(Y), loss);
}

template <class Opt>
void with_loss(const Opt& opt, std::uint8_t which, reader& r) {
  switch (which % 4) {
    case 0: run(opt, ctnn::mse{}, r); break;
    case 1: run(opt, ctnn::mae{}, r); break;
    case 2: run(opt, ctnn::huber<>{}, r); break;
    default: run(opt, ctnn::binary_cross_entropy{}, r); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader r{data, size};
  const std::uint8_t selector = r.byte();
  const std::uint8_t loss = static_cast<std::uint8_t>(selector >> 4);
  switch (selector % 6) {
    case 0: with_loss(ctnn::adam<float>{0.01f}, loss, r); break;
    case 1: with_loss(ctnn::sgd<float>{0.1f, 0.9f}, loss, r); break;
    case 2: with_loss(ctnn::rmsprop<float>{0.01f, 0.99f, 1e-8f, 0.5f}, loss, r); break;
    case 3: with_loss(ctnn::adagrad<float>{0.1f}, loss, r); break;
    case 4: with_loss(ctnn::adamw<float>{0.01f}, loss, r); break;
    default: with_loss(ctnn::gradient_descent<float>{0.5f}, loss, r); break;
  }
  return 0;
}
