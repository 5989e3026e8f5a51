// SPDX-License-Identifier: MIT
// notes_2_2_1: the training notes' worked example, a 2-2-1 network, one step at a time.
// It prints the forward values u0, u1, x0^2, x1^2, u2, y0, then every factor of the chain-rule
// formulas for dLoss/dw00^2 and dLoss/dw00^1, and checks them against ctnn::backward.
#include <cmath>
#include <cstdio>

#include <ctnn/ctnn.hpp>

// f (hidden) = sigmoid, g (output) = sigmoid, loss = MSE, as in the notes.
using net_t = ctnn::network<double, ctnn::input<2>,
                            ctnn::dense<2, ctnn::sigmoid>,   // u0, u1 -> x0^2, x1^2
                            ctnn::dense<1, ctnn::sigmoid>>;  // u2 -> y0

int main() {
  // ctnn stores W[j][i] = the notes' w_{i,j} (input i feeds unit j).
  net_t net;
  auto& h = net.layer<0>();
  auto& o = net.layer<1>();
  h.W[0][0] = 0.15; h.W[0][1] = 0.20; h.b[0] = 0.35;  // w00^1, w10^1, b0^1
  h.W[1][0] = 0.25; h.W[1][1] = 0.30; h.b[1] = 0.35;  // w01^1, w11^1, b1^1
  o.W[0][0] = 0.40; o.W[0][1] = 0.45; o.b[0] = 0.60;  // w00^2, w10^2, b0^2
  const net_t::input_type x{0.05, 0.10};
  const net_t::output_type y{0.01};  // the true value

  // Forward propagation, recorded in a trace.
  const auto t = net.traced(x);
  const double u0 = t.layer<0>().z[0], u1 = t.layer<0>().z[1];
  const double x0 = t.layer<0>().a[0], x1 = t.layer<0>().a[1];
  const double u2 = t.layer<1>().z[0], y0 = t.layer<1>().a[0];
  std::printf("forward\n");
  std::printf("  u0 = x0 w00^1 + x1 w10^1 + b0^1   = %.6f   x0^2 = f(u0) = %.6f\n", u0, x0);
  std::printf("  u1 = x0 w01^1 + x1 w11^1 + b1^1   = %.6f   x1^2 = f(u1) = %.6f\n", u1, x1);
  std::printf("  u2 = x0^2 w00^2 + x1^2 w10^2 + b0^2 = %.6f   y0 = g(u2) = %.6f\n", u2, y0);
  const double loss = ctnn::mse{}.value(t.output(), y);
  std::printf("  Loss = MSE = (y - y')^2 = %.6f\n\n", loss);

  // Output layer: dLoss/dw00^2 = dLoss/dg(u2) * dg(u2)/du2 * du2/dw00^2
  const double dL_dg = 2.0 * (y0 - y[0]);    // d/dy' of (y - y')^2
  const double dg_du2 = y0 * (1.0 - y0);     // sigmoid' = g (1 - g)
  const double du2_dw00 = x0;                // u2 = x0^2 w00^2 + ...
  const double dL_dw00_2 = dL_dg * dg_du2 * du2_dw00;
  std::printf("output layer: dLoss/dw00^2 = dLoss/dg(u2) * dg(u2)/du2 * du2/dw00^2\n");
  std::printf("  = %.6f * %.6f * %.6f = %.8f\n\n", dL_dg, dg_du2, du2_dw00, dL_dw00_2);

  // Hidden layer: ... * du2/df(u0) * df(u0)/du0 * du0/dw00^1
  const double du2_df = o.W[0][0];           // w00^2
  const double df_du0 = x0 * (1.0 - x0);     // sigmoid'
  const double du0_dw00 = x[0];              // u0 = x0 w00^1 + ...
  const double dL_dw00_1 = dL_dg * dg_du2 * du2_df * df_du0 * du0_dw00;
  std::printf("hidden layer: dLoss/dw00^1 = dLoss/dg(u2) * dg(u2)/du2 * du2/df(u0) * df(u0)/du0 * du0/dw00^1\n");
  std::printf("  = %.6f * %.6f * %.6f * %.6f * %.6f = %.8f\n\n", dL_dg, dg_du2, du2_df, df_du0,
              du0_dw00, dL_dw00_1);

  // The library's backward pass computes all of them at once.
  ctnn::gradients<net_t> g;
  net_t::output_type dL_dy{};
  ctnn::mse{}.gradient(t.output(), y, dL_dy);
  ctnn::backward(net, t, dL_dy, g);
  std::printf("ctnn::backward: dLoss/dw00^2 = %.8f, dLoss/dw00^1 = %.8f\n", g.layer<1>().W[0][0],
              g.layer<0>().W[0][0]);

  // One gradient-descent step, w(k+1) = w(k) - eta dLoss/dw, with eta = 0.5.
  ctnn::gradient_descent<double> gd{0.5};
  ctnn::gradient_descent<double>::state<net_t> s{};
  gd.step(net, g, s, 0.5);
  std::printf("after one step with eta = 0.5: w00^2 = %.6f, w00^1 = %.6f, loss %.6f -> %.6f\n",
              net.layer<1>().W[0][0], net.layer<0>().W[0][0], loss,
              ctnn::mse{}.value(net.forward(x), y));

  const bool same = std::fabs(g.layer<1>().W[0][0] - dL_dw00_2) < 1e-12 &&
                    std::fabs(g.layer<0>().W[0][0] - dL_dw00_1) < 1e-12;
  std::printf("%s\n", same ? "hand-applied chain rule == ctnn::backward" : "MISMATCH");
  return same ? 0 : 1;
}
