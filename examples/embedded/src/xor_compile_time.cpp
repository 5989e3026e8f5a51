// SPDX-License-Identifier: MIT
// xor_compile_time.cpp: the compiler trains the XOR network (xor_model.hpp) and stores the result
// in flash. Not an image of its own: linked into xor_inference and xor_training.
#include "xor_model.hpp"

namespace xor_model {

namespace {
constexpr net_t by_compiler = trained(seed);
static_assert(learned(by_compiler), "the compile-time training did not learn XOR");
}  // namespace

constinit const net_t trained_at_compile_time = by_compiler;
constinit const std::array<float, 4> outputs_at_compile_time = {
    by_compiler.forward(inputs[0])[0], by_compiler.forward(inputs[1])[0],
    by_compiler.forward(inputs[2])[0], by_compiler.forward(inputs[3])[0]};

}  // namespace xor_model
