// SPDX-License-Identifier: MIT
// breakdown.cpp: where the time of a benchmark row goes, counted in instructions. Each "piece"
// is one call of one part of a row (an activation over a layer, the affine part of a forward
// pass, the backward pass, the update, ...) in a function of its own that is never inlined;
// callgrind counts the instructions executed inside it. Instruction counts do not depend on
// what else the machine runs (valgrind counts, it does not time), so they explain ratios that
// timings on a shared machine only show.
//
//   bench.breakdown --list                   the pieces
//   bench.breakdown <piece> <calls>          runs one piece <calls> times (`all`: every piece)
//   tests/bench/callgrind_breakdown.sh <bench build dir>    every piece under callgrind: a table
//                                                         of instructions per call
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <Eigen/Core>

#include <ctnn/backward.hpp>
#include <ctnn/init.hpp>
#include <ctnn/math.hpp>
#include <ctnn/optimizer.hpp>
#include <ctnn/rng.hpp>
#include <ctnn/train.hpp>

#include "networks.hpp"

namespace {

using namespace bench_nets;

// The same shapes as N2 and N1 with identity activations: their forward pass is the affine part
// alone.
using N2_affine = ctnn::network<float, ctnn::input<16>, ctnn::dense<32, ctnn::identity>,
                                ctnn::dense<32, ctnn::identity>, ctnn::dense<4, ctnn::identity>>;
using N1_affine = ctnn::network<float, ctnn::input<2>, ctnn::dense<3, ctnn::identity>,
                                ctnn::dense<1, ctnn::identity>>;

template <class Net>
Net initial() {
  Net net;
  ctnn::rng gen{12345};
  ctnn::init(net, ctnn::xavier_uniform{}, gen);
  return net;
}

template <class Net>
typename Net::input_type some_input() {
  typename Net::input_type x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.25f - 0.03125f * static_cast<float>(i % 17);
  return x;
}

// Everything a piece touches, built once before the counted calls.
struct state {
  std::array<float, 32> in32{}, out32{};
  Eigen::Array<float, 32, 1> ein32, eout32;
  N1::ctnn_t n1 = initial<N1::ctnn_t>();
  N1_affine n1a = initial<N1_affine>();
  N2::ctnn_t n2 = initial<N2::ctnn_t>();
  N2_affine n2a = initial<N2_affine>();
  N3::ctnn_t n3 = initial<N3::ctnn_t>();
  N1::ctnn_t::input_type x1 = some_input<N1::ctnn_t>();
  N2::ctnn_t::input_type x2 = some_input<N2::ctnn_t>();
  N3::ctnn_t::input_type x3 = some_input<N3::ctnn_t>();
  N3::ctnn_t::output_type y3{};
  N3::ctnn_t::trace_type t3{};
  ctnn::gradients<N3::ctnn_t> g3{};
  ctnn::sgd<float> opt{0.01f};
  ctnn::sgd<float>::state<N3::ctnn_t> st3{};
  N2::eigen_t<1> e2;
  N3::eigen_t<1> e3;
  N1::eigen_t<1> e1;
  N2::eigen_t<1>::input_t ex2;
  N3::eigen_t<1>::input_t ex3;
  N3::eigen_t<1>::output_t ey3;
  N1::eigen_t<1>::input_t ex1;
  state() {
    for (std::size_t i = 0; i < 32; ++i) {
      in32[i] = -3.f + 0.1875f * static_cast<float>(i);
      ein32(static_cast<int>(i)) = in32[i];
    }
    e1.assign(n1.flat());
    e2.assign(n2.flat());
    e3.assign(n3.flat());
    for (int i = 0; i < 2; ++i) ex1(i) = x1[static_cast<std::size_t>(i)];
    for (int i = 0; i < 16; ++i) ex2(i) = x2[static_cast<std::size_t>(i)];
    for (int i = 0; i < 64; ++i) ex3(i) = x3[static_cast<std::size_t>(i)];
    for (std::size_t j = 0; j < 10; ++j) {
      y3[j] = 0.1f * static_cast<float>(j);
      ey3(static_cast<int>(j)) = y3[j];
    }
    n3.forward(x3, t3);
  }
};

state* S = nullptr;

template <class T>
void keep(const T& v) {
  asm volatile("" : : "r"(&v) : "memory");
}

#define CTNN_PIECE(name) extern "C" [[gnu::noinline]] void piece_##name()
// Activations over 32 values (a hidden layer of N2).
CTNN_PIECE(tanh32_ctnn) {
  for (std::size_t i = 0; i < 32; ++i) S->out32[i] = ctnn::math::tanh(S->in32[i]);
  keep(S->out32);
}
CTNN_PIECE(tanh32_eigen) {
  S->eout32 = S->ein32.tanh();
  keep(S->eout32);
}
CTNN_PIECE(tanh32_std) {
  for (std::size_t i = 0; i < 32; ++i) S->out32[i] = std::tanh(S->in32[i]);
  keep(S->out32);
}
CTNN_PIECE(sigmoid32_ctnn) {
  for (std::size_t i = 0; i < 32; ++i) S->out32[i] = ctnn::math::sigmoid(S->in32[i]);
  keep(S->out32);
}
CTNN_PIECE(sigmoid32_eigen) {
  S->eout32 = S->ein32.logistic();
  keep(S->eout32);
}
CTNN_PIECE(sigmoid32_std) {
  for (std::size_t i = 0; i < 32; ++i) S->out32[i] = 1.f / (1.f + std::exp(-S->in32[i]));
  keep(S->out32);
}
// Forward passes of one sample: whole, and the affine part alone (identity activations).
CTNN_PIECE(n1_forward_ctnn) { keep(S->n1.forward(S->x1)); }
CTNN_PIECE(n1_affine_ctnn) { keep(S->n1a.forward(S->x1)); }
CTNN_PIECE(n1_forward_eigen) {
  S->e1.forward(S->ex1);
  keep(S->e1.output());
}
CTNN_PIECE(n2_forward_ctnn) { keep(S->n2.forward(S->x2)); }
CTNN_PIECE(n2_affine_ctnn) { keep(S->n2a.forward(S->x2)); }
CTNN_PIECE(n2_forward_eigen) {
  S->e2.forward(S->ex2);
  keep(S->e2.output());
}
CTNN_PIECE(n3_forward_ctnn) { keep(S->n3.forward(S->x3)); }
CTNN_PIECE(n3_forward_eigen) {
  S->e3.forward(S->ex3);
  keep(S->e3.output());
}
// N3, one training step on one sample, by part (traced forward; loss + backward, dL/dx of the
// input included, through the public ctnn::backward_from_output_delta; SGD update) and the
// whole step as the benchmark's row b runs it (ctnn::train_batch: forward, then the backward
// pass fused with the update).
CTNN_PIECE(n3_train1_traced_forward_ctnn) { S->n3.forward(S->x3, S->t3); }
CTNN_PIECE(n3_train1_backward_ctnn) {  // accumulates into g3 (clearing it is memset's count)
  typename N3::ctnn_t::output_type delta{};
  const float l = ctnn::loss_and_output_delta(ctnn::mse{}, S->t3, S->y3, delta);
  ctnn::backward_from_output_delta(S->n3, S->t3, delta, S->g3);
  keep(l);
}
CTNN_PIECE(n3_train1_update_ctnn) { S->opt.step(S->n3, S->g3, S->st3, 1e-9f); }
CTNN_PIECE(n3_train1_ctnn) {
  keep(ctnn::train_batch(S->n3, std::span<const N3::ctnn_t::input_type>(&S->x3, 1),
                         std::span<const N3::ctnn_t::output_type>(&S->y3, 1), ctnn::mse{}, S->opt,
                         S->st3, 1e-9f, S->g3, 0, 1, ctnn::in_order{}));
}
CTNN_PIECE(n3_train1_eigen) { keep(S->e3.train_step(S->ex3, S->ey3, 1e-9f)); }
#undef CTNN_PIECE

struct piece {
  const char* name;
  void (*run)();
};
#define CTNN_ENTRY(name) {#name, piece_##name}
constexpr piece pieces[] = {
    CTNN_ENTRY(tanh32_ctnn),      CTNN_ENTRY(tanh32_eigen),
    CTNN_ENTRY(tanh32_std),       CTNN_ENTRY(sigmoid32_ctnn),
    CTNN_ENTRY(sigmoid32_eigen),  CTNN_ENTRY(sigmoid32_std),
    CTNN_ENTRY(n1_forward_ctnn),  CTNN_ENTRY(n1_affine_ctnn),
    CTNN_ENTRY(n1_forward_eigen), CTNN_ENTRY(n2_forward_ctnn),
    CTNN_ENTRY(n2_affine_ctnn),   CTNN_ENTRY(n2_forward_eigen),
    CTNN_ENTRY(n3_forward_ctnn),  CTNN_ENTRY(n3_forward_eigen),
    CTNN_ENTRY(n3_train1_traced_forward_ctnn),
    CTNN_ENTRY(n3_train1_backward_ctnn),
    CTNN_ENTRY(n3_train1_update_ctnn),
    CTNN_ENTRY(n3_train1_ctnn),   CTNN_ENTRY(n3_train1_eigen)};
#undef CTNN_ENTRY

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const piece& p : pieces) std::printf("%s\n", p.name);
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s --list | <piece>|all <calls>\n", argv[0]);
    return 2;
  }
  const long calls = std::atol(argv[2]);
  auto s = std::make_unique<state>();
  S = s.get();
  const bool all = std::strcmp(argv[1], "all") == 0;  // every piece (the ctest smoke run)
  for (const piece& p : pieces) {
    if (all) {
      for (long k = 0; k < calls; ++k) p.run();
      continue;
    }
    if (std::strcmp(p.name, argv[1]) != 0) continue;
    for (long k = 0; k < calls; ++k) p.run();
    return 0;
  }
  if (all) return 0;
  std::fprintf(stderr, "unknown piece %s (see --list)\n", argv[1]);
  return 2;
}
