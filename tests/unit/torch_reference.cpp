// SPDX-License-Identifier: MIT
// ctnn against an independent framework: forward outputs, every loss, parameter gradients, dL/dx
// and three steps of every optimiser, compared with the values PyTorch computed for the same
// networks, inputs and targets (tests/torch_reference/reference_values.hpp, written by
// tests/torch_reference/make_reference.py; see the README there). No Python is needed here.
//
// Tolerance: with e = |ctnn - torch| / max(|ctnn|, |torch|, 1e-12), e <= 1e-9 for double (against
// torch.float64) and e <= 1e-4 for float (against torch.float32). Set CTNN_TORCH_REF_VERBOSE=1 to
// print the largest e of every comparison.
//
// Conventions matched (see loss.hpp): ctnn's per-sample losses averaged over the batch are
// PyTorch's reduction='mean' (MSELoss, L1Loss, HuberLoss, BCEWithLogitsLoss average over samples
// x outputs; CrossEntropyLoss sums over the classes and averages over the batch). The batch
// gradient is the sum of the per-sample gradients times 1/B; PyTorch's x.grad of the batch-mean
// loss is ctnn's per-sample dL/dx times 1/B.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <tuple>
#include <type_traits>

#include <catch2/catch.hpp>

#include <ctnn/backward.hpp>
#include <ctnn/loss.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>

#include "../support/reference_compare.hpp"
#include "../torch_reference/reference_values.hpp"

namespace {

namespace ref = ctnn_test::torch_ref;

// The script's topologies (make_reference.py, TOPOLOGIES), spelled with ctnn types.
template <class T>
using net_a = ctnn::network<T, ctnn::input<3>, ctnn::dense<4, ctnn::tanh>,
                            ctnn::dense<2, ctnn::sigmoid>>;
template <class T>
using net_b = ctnn::network<T, ctnn::input<4>, ctnn::dense<5, ctnn::relu>,
                            ctnn::dense<3, ctnn::softmax>>;
template <class T>
using net_c = ctnn::network<T, ctnn::input<2>, ctnn::dense<3, ctnn::elu<1, 2>>,
                            ctnn::dense<3, ctnn::gelu>, ctnn::dense<3, ctnn::leaky_relu<1, 10>>,
                            ctnn::dense<1, ctnn::softplus>>;

/// Checks every element of `got` against `want` (relative error, floor 1e-12: see the top).
template <class T, std::size_t N>
void check_close(const char* what, const std::array<T, N>& got, const std::array<T, N>& want) {
  test_compare::check_close(what, got, want, 1e-12,
                            std::getenv("CTNN_TORCH_REF_VERBOSE") != nullptr);
}

/// Sample s of a batch stored row by row.
template <std::size_t Width, class T, std::size_t N>
constexpr std::array<T, Width> row(const std::array<T, N>& batch, std::size_t s) {
  std::array<T, Width> r{};
  for (std::size_t i = 0; i < Width; ++i) r[i] = batch[s * Width + i];
  return r;
}

template <class Net, std::size_t B>
struct batch_result {
  using T = typename Net::value_type;
  T loss{};                                     ///< mean of the per-sample losses
  ctnn::gradients<Net> grads{};                 ///< mean of the per-sample gradients
  std::array<T, B * Net::input_size> dx{};      ///< per-sample dL/dx times 1/B (torch's x.grad)
};

/// The batch-mean loss and its gradients, the way ctnn's training loop computes them.
template <class Net, class Loss, std::size_t NX, std::size_t NY>
constexpr auto batch_gradient(const Net& net, const Loss& loss,
                              const std::array<typename Net::value_type, NX>& x,
                              const std::array<typename Net::value_type, NY>& y) {
  using T = typename Net::value_type;
  constexpr std::size_t B = NX / Net::input_size;
  static_assert(NX == B * Net::input_size && NY == B * Net::output_size);
  batch_result<Net, B> r{};
  r.grads.clear();
  for (std::size_t s = 0; s < B; ++s) {
    const auto t = net.traced(row<Net::input_size>(x, s));
    typename Net::output_type dz{};
    r.loss += ctnn::loss_and_output_delta(loss, t, row<Net::output_size>(y, s), dz);
    const auto dxs = ctnn::backward_from_output_delta(net, t, dz, r.grads);
    for (std::size_t i = 0; i < Net::input_size; ++i)
      r.dx[s * Net::input_size + i] = dxs[i] / static_cast<T>(B);
  }
  r.loss /= static_cast<T>(B);
  r.grads.scale(T(1) / static_cast<T>(B));
  return r;
}

template <class Net, class Loss, std::size_t NX, std::size_t NY, std::size_t ND>
void check_loss(const char* what, const Net& net, const Loss& loss,
                const std::array<typename Net::value_type, NX>& x,
                const std::array<typename Net::value_type, NY>& y,
                const std::array<typename Net::value_type, 1>& want_loss,
                const std::array<typename Net::value_type, Net::parameter_count>& want_grad,
                const std::array<typename Net::value_type, ND>& want_dx) {
  const auto r = batch_gradient(net, loss, x, y);
  REQUIRE(r.grads.samples == NX / Net::input_size);
  const std::string name(what);
  check_close((name + " loss").c_str(), std::array{r.loss}, want_loss);
  check_close((name + " dL/dparameters").c_str(), r.grads.flat(), want_grad);
  check_close((name + " dL/dx").c_str(), r.dx, want_dx);
}

/// Three steps of `opt` from `start`, the gradient recomputed at each step, against torch.optim.
template <class Net, class Loss, class Opt, std::size_t NX, std::size_t NY, std::size_t NS>
void check_optimizer(const char* what, const Opt& opt, const Net& start, const Loss& loss,
                     const std::array<typename Net::value_type, NX>& x,
                     const std::array<typename Net::value_type, NY>& y,
                     const std::array<typename Net::value_type, NS>& want) {
  constexpr std::size_t P = Net::parameter_count;
  static_assert(NS == ref::optimizer_steps * P);
  Net net = start;
  typename Opt::template state<Net> state{};
  for (std::size_t k = 0; k < ref::optimizer_steps; ++k) {
    const auto r = batch_gradient(net, loss, x, y);
    opt.step(net, r.grads, state, opt.learning_rate);
    const std::string name = std::string(what) + " step " + std::to_string(k + 1);
    check_close(name.c_str(), net.flat(), row<P>(want, k));
  }
  CHECK(state.step == ref::optimizer_steps);
}

/// Every optimiser configuration of make_reference.py (OPTIMIZERS), on the problem of prefix Pfx.
#define CTNN_CHECK_OPTIMIZERS(Pfx, net, loss, x, y)                                                \
  do {                                                                                             \
    check_optimizer(#Pfx " gradient_descent", ctnn::gradient_descent<double>{0.1}, net, loss, x,  \
                    y, R::Pfx##_sgd_steps);                                                        \
    check_optimizer(#Pfx " sgd", ctnn::sgd<double>{.learning_rate = 0.1}, net, loss, x, y,         \
                    R::Pfx##_sgd_steps);                                                           \
    check_optimizer(#Pfx " sgd momentum + decay",                                                  \
                    ctnn::sgd<double>{.learning_rate = 0.1, .momentum = 0.9,                       \
                                      .weight_decay = 0.01},                                       \
                    net, loss, x, y, R::Pfx##_sgd_momentum_steps);                                 \
    check_optimizer(#Pfx " sgd dampening",                                                         \
                    ctnn::sgd<double>{.learning_rate = 0.1, .momentum = 0.8, .dampening = 0.1},    \
                    net, loss, x, y, R::Pfx##_sgd_dampening_steps);                                \
    check_optimizer(#Pfx " sgd nesterov",                                                          \
                    ctnn::sgd<double>{.learning_rate = 0.05, .momentum = 0.9, .nesterov = true},   \
                    net, loss, x, y, R::Pfx##_sgd_nesterov_steps);                                 \
    check_optimizer(#Pfx " adam", ctnn::adam<double>{.learning_rate = 0.01}, net, loss, x, y,     \
                    R::Pfx##_adam_steps);                                                          \
    check_optimizer(#Pfx " adam l2",                                                               \
                    ctnn::adam<double>{.learning_rate = 0.01, .beta1 = 0.8, .beta2 = 0.99,         \
                                       .weight_decay = 0.1},                                       \
                    net, loss, x, y, R::Pfx##_adam_l2_steps);                                      \
    check_optimizer(#Pfx " adamw", ctnn::adamw<double>{.learning_rate = 0.01, .weight_decay = 0.1}, \
                    net, loss, x, y, R::Pfx##_adamw_steps);                                        \
    check_optimizer(#Pfx " rmsprop", ctnn::rmsprop<double>{.learning_rate = 0.01}, net, loss, x,   \
                    y, R::Pfx##_rmsprop_steps);                                                    \
    check_optimizer(#Pfx " rmsprop momentum + decay",                                              \
                    ctnn::rmsprop<double>{.learning_rate = 0.01, .alpha = 0.9, .momentum = 0.9,    \
                                          .weight_decay = 0.05},                                   \
                    net, loss, x, y, R::Pfx##_rmsprop_momentum_steps);                             \
    check_optimizer(#Pfx " adagrad", ctnn::adagrad<double>{.learning_rate = 0.1}, net, loss, x, y, \
                    R::Pfx##_adagrad_steps);                                                       \
    check_optimizer(#Pfx " adagrad lr_decay + decay",                                              \
                    ctnn::adagrad<double>{.learning_rate = 0.1, .weight_decay = 0.05,              \
                                          .lr_decay = 0.01},                                       \
                    net, loss, x, y, R::Pfx##_adagrad_decay_steps);                                \
  } while (false)

}  // namespace

TEMPLATE_TEST_CASE("the script's topologies are the networks tested here", "[torch_reference]",
                   float, double) {
  using R = ref::values<TestType>;
  STATIC_REQUIRE(R::a_params.size() == net_a<TestType>::parameter_count);
  STATIC_REQUIRE(R::b_params.size() == net_b<TestType>::parameter_count);
  STATIC_REQUIRE(R::c_params.size() == net_c<TestType>::parameter_count);
  STATIC_REQUIRE(R::a_x.size() % net_a<TestType>::input_size == 0);
  STATIC_REQUIRE(R::a_out.size() ==
                 R::a_x.size() / net_a<TestType>::input_size * net_a<TestType>::output_size);
  STATIC_REQUIRE(R::b_out.size() ==
                 R::b_x.size() / net_b<TestType>::input_size * net_b<TestType>::output_size);
  STATIC_REQUIRE(R::c_out.size() ==
                 R::c_x.size() / net_c<TestType>::input_size * net_c<TestType>::output_size);
}

TEMPLATE_TEST_CASE("forward outputs match PyTorch", "[torch_reference]", float, double) {
  using T = TestType;
  using R = ref::values<T>;
  const auto outputs = [](const auto& net, const auto& x) {
    using Net = std::remove_cvref_t<decltype(net)>;
    constexpr std::size_t B = std::tuple_size_v<std::remove_cvref_t<decltype(x)>> / Net::input_size;
    std::array<T, B * Net::output_size> y{};
    for (std::size_t s = 0; s < B; ++s) {
      const auto ys = net.forward(row<Net::input_size>(x, s));
      std::copy(ys.begin(), ys.end(), y.begin() + static_cast<std::ptrdiff_t>(s * Net::output_size));
    }
    return y;
  };
  check_close("a 3-4-2 tanh/sigmoid forward", outputs(net_a<T>(R::a_params), R::a_x), R::a_out);
  check_close("b 4-5-3 relu/softmax forward", outputs(net_b<T>(R::b_params), R::b_x), R::b_out);
  check_close("c 2-3-3-3-1 elu/gelu/leaky/softplus forward",
              outputs(net_c<T>(R::c_params), R::c_x), R::c_out);

  // The traced forward pass gives the same outputs.
  const net_a<T> net(R::a_params);
  const auto t = net.traced(row<3>(R::a_x, 0));
  CHECK(t.output() == net.forward(row<3>(R::a_x, 0)));
}

TEMPLATE_TEST_CASE("losses, parameter gradients and dL/dx match PyTorch", "[torch_reference]",
                   float, double) {
  using T = TestType;
  using R = ref::values<T>;
  const net_a<T> a(R::a_params);
  const net_b<T> b(R::b_params);
  const net_c<T> c(R::c_params);

  SECTION("3-4-2 tanh/sigmoid") {
    check_loss("a mse", a, ctnn::mse{}, R::a_x, R::a_y, R::a_mse_loss, R::a_mse_grad, R::a_mse_dx);
    check_loss("a mae", a, ctnn::mae{}, R::a_x, R::a_y, R::a_mae_loss, R::a_mae_grad, R::a_mae_dx);
    check_loss("a huber(0.3)", a, ctnn::huber<T>{T(0.3)}, R::a_x, R::a_y, R::a_huber_loss,
               R::a_huber_grad, R::a_huber_dx);
    check_loss("a bce (fused)", a, ctnn::binary_cross_entropy{}, R::a_x, R::a_y, R::a_bce_loss,
               R::a_bce_grad, R::a_bce_dx);
  }
  SECTION("4-5-3 relu/softmax") {
    check_loss("b cross-entropy one-hot", b, ctnn::categorical_cross_entropy{}, R::b_x, R::b_y,
               R::b_ce_loss, R::b_ce_grad, R::b_ce_dx);
    check_loss("b cross-entropy soft", b, ctnn::categorical_cross_entropy{}, R::b_x, R::b_ysoft,
               R::b_ce_soft_loss, R::b_ce_soft_grad, R::b_ce_soft_dx);
    check_loss("b mse after softmax", b, ctnn::mse{}, R::b_x, R::b_y, R::b_mse_loss,
               R::b_mse_grad, R::b_mse_dx);
    check_loss("b huber(0.25) after softmax", b, ctnn::huber<T>{T(0.25)}, R::b_x, R::b_y,
               R::b_huber_loss, R::b_huber_grad, R::b_huber_dx);
  }
  SECTION("2-3-3-3-1 elu/gelu/leaky_relu/softplus") {
    check_loss("c mse", c, ctnn::mse{}, R::c_x, R::c_y, R::c_mse_loss, R::c_mse_grad, R::c_mse_dx);
    check_loss("c mae", c, ctnn::mae{}, R::c_x, R::c_y, R::c_mae_loss, R::c_mae_grad, R::c_mae_dx);
    check_loss("c huber(1)", c, ctnn::huber<T>{T(1)}, R::c_x, R::c_y, R::c_huber_loss,
               R::c_huber_grad, R::c_huber_dx);
  }
}

TEMPLATE_TEST_CASE("three steps of every optimiser match torch.optim", "[torch_reference]", float,
                   double) {
  using T = TestType;
  using R = ref::values<T>;
  SECTION("3-4-2 tanh/sigmoid, mse") {
    const net_a<T> a(R::a_params);
    CTNN_CHECK_OPTIMIZERS(a_mse, a, ctnn::mse{}, R::a_x, R::a_y);
  }
  SECTION("4-5-3 relu/softmax, cross-entropy") {
    const net_b<T> b(R::b_params);
    CTNN_CHECK_OPTIMIZERS(b_ce, b, ctnn::categorical_cross_entropy{}, R::b_x, R::b_y);
  }
}

TEST_CASE("the batch gradient is the same at compile time and at run time", "[torch_reference]") {
  using R = ref::values<double>;
  static constexpr net_a<double> net(R::a_params);
  static constexpr auto at_compile_time = batch_gradient(net, ctnn::mse{}, R::a_x, R::a_y);
  const auto at_run_time = batch_gradient(net, ctnn::mse{}, R::a_x, R::a_y);
  STATIC_REQUIRE(at_compile_time.grads.samples == 4);
  CHECK(at_compile_time.loss == at_run_time.loss);
  CHECK(at_compile_time.grads == at_run_time.grads);
  CHECK(at_compile_time.dx == at_run_time.dx);
}
