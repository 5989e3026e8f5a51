// SPDX-License-Identifier: MIT
// reference_xor: the size baseline. The same job as xor_training (a 2-3-1 sigmoid network,
// Xavier-uniform initial weights, binary cross-entropy, batch gradient descent, learning rate 6,
// 100 epochs, then the truth table and the weights printed), written by hand in plain C-style
// C++ without ctnn, the way one would for a microcontroller. Built with the same flags, start-up
// code and printing, so that `.text` of the two images compares the libraries' code alone.
//
// It is not bit-identical to ctnn (its own random numbers and exp), only equivalent.
// Exit status: 0 if it learned XOR, 1 if not.
#include <bit>
#include <cstdint>

#include "semihosting.hpp"

namespace {

constexpr int hidden = 3;
constexpr int epochs = 100;
constexpr float learning_rate = 6.0f;
constexpr float inputs[4][2] = {{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}};
constexpr float targets[4] = {0.f, 1.f, 1.f, 0.f};

float w1[hidden][2], b1[hidden], w2[hidden], b2;

volatile std::uint32_t seed_source = 7;  // not folded: the device does the work
std::uint32_t random_state;

// xorshift32 (G. Marsaglia, "Xorshift RNGs", 2003).
float uniform(float limit) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 17;
  random_state ^= random_state << 5;
  const float u = static_cast<float>(random_state >> 8) * 0x1p-24f;  // [0, 1)
  return (2.0f * u - 1.0f) * limit;
}

// e^x for |x| < 87: x = k ln2 + r, e^r by a degree-5 Taylor polynomial, times 2^k.
float exp_approx(float x) {
  const float kf = x * 1.44269504f + (x < 0.0f ? -0.5f : 0.5f);
  const int k = static_cast<int>(kf);
  const float r = x - static_cast<float>(k) * 0.693145752f - static_cast<float>(k) * 1.42860677e-6f;
  const float p =
      1.0f + r * (1.0f + r * (0.5f + r * (0.166666667f + r * (0.0416666667f + r * 0.00833333333f))));
  return p * std::bit_cast<float>(static_cast<std::uint32_t>(127 + k) << 23);
}

float sigmoid(float z) { return 1.0f / (1.0f + exp_approx(-z)); }

float forward(const float* x, float* h) {
  float z = b2;
  for (int j = 0; j < hidden; ++j) {
    h[j] = sigmoid(w1[j][0] * x[0] + w1[j][1] * x[1] + b1[j]);
    z += w2[j] * h[j];
  }
  return sigmoid(z);
}

}  // namespace

int main() {
  random_state = seed_source;
  const float limit1 = 1.0954451f;  // sqrt(6 / (2 + 3))
  const float limit2 = 1.2247449f;  // sqrt(6 / (3 + 1))
  for (int j = 0; j < hidden; ++j) w1[j][0] = uniform(limit1), w1[j][1] = uniform(limit1);
  for (int j = 0; j < hidden; ++j) w2[j] = uniform(limit2);

  for (int epoch = 0; epoch < epochs; ++epoch) {
    float gw1[hidden][2] = {}, gb1[hidden] = {}, gw2[hidden] = {}, gb2 = 0.0f;
    for (int s = 0; s < 4; ++s) {
      float h[hidden];
      const float y = forward(inputs[s], h);
      const float delta = y - targets[s];  // dL/dz of the output for sigmoid + cross-entropy
      gb2 += delta;
      for (int j = 0; j < hidden; ++j) {
        gw2[j] += delta * h[j];
        const float d = delta * w2[j] * h[j] * (1.0f - h[j]);
        gw1[j][0] += d * inputs[s][0];
        gw1[j][1] += d * inputs[s][1];
        gb1[j] += d;
      }
    }
    const float step = learning_rate / 4.0f;  // mean over the batch
    for (int j = 0; j < hidden; ++j) {
      w1[j][0] -= step * gw1[j][0];
      w1[j][1] -= step * gw1[j][1];
      b1[j] -= step * gb1[j];
      w2[j] -= step * gw2[j];
    }
    b2 -= step * gb2;
  }

  port::console out;
  out << "reference_xor: " << static_cast<std::uint32_t>(epochs) << " epochs" << port::endl;
  bool ok = true;
  for (int s = 0; s < 4; ++s) {
    float h[hidden];
    const float y = forward(inputs[s], h);
    out << "  " << port::fixed{inputs[s][0], 0} << " xor " << port::fixed{inputs[s][1], 0} << " = "
        << port::fixed{y, 4} << port::endl;
    const float error = y > targets[s] ? y - targets[s] : targets[s] - y;
    ok = ok && error < 0.1f;
  }
  out << "weights";
  for (int j = 0; j < hidden; ++j)
    out << ' ' << port::hex_bits{w1[j][0]} << ' ' << port::hex_bits{w1[j][1]};
  for (int j = 0; j < hidden; ++j) out << ' ' << port::hex_bits{b1[j]};
  for (int j = 0; j < hidden; ++j) out << ' ' << port::hex_bits{w2[j]};
  out << ' ' << port::hex_bits{b2} << port::endl;
  return ok ? port::exit_ok : port::exit_wrong_result;
}
