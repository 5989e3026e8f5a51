// SPDX-License-Identifier: MIT
// tests/export/check: compiles the header written by export.generate and checks that the
// constexpr networks it defines equal the original networks bit for bit: their types, their
// parameters, their outputs at run time, and their outputs computed by the compiler.
// Built with -fno-exceptions -fno-rtti, as firmware would be.
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "ctnn_exported_nets.hpp"  // generated
#include "reference_nets.hpp"

namespace {

int failures = 0;

template <class T>
auto bits(T v) {
  return std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(v);
}

void expect(bool ok, const char* what, std::size_t index) {
  if (!ok) {
    ++failures;
    if (failures < 20) std::printf("FAIL: %s (index %zu)\n", what, index);
  }
}

template <class Net>
void compare(const char* name, const Net& exported, const Net& original) {
  for (std::size_t k = 0; k < Net::parameter_count; ++k)
    expect(bits(exported[k]) == bits(original[k]), "parameter bits", k);
  for (std::size_t s = 0; s < 500; ++s) {
    const auto x = export_test::sample_input<Net>(s);
    const auto ye = exported.forward(x), yo = original.forward(x);
    for (std::size_t j = 0; j < Net::output_size; ++j) expect(bits(ye[j]) == bits(yo[j]), "output bits", s);
  }
  std::printf("%s: %zu parameters and 500 outputs compared bit for bit\n", name, Net::parameter_count);
}

// Outputs of the exported networks evaluated by the compiler: the weights are constants.
template <class Net, const Net& N>
constexpr std::array<typename Net::output_type, 8> compile_time_outputs() {
  std::array<typename Net::output_type, 8> y{};
  for (std::size_t s = 0; s < y.size(); ++s) y[s] = N.forward(export_test::sample_input<Net>(s));
  return y;
}

}  // namespace

// The generated types are exactly the originals (spelling and all).
static_assert(std::is_same_v<exported_a::net_type, export_test::net_a>);
static_assert(std::is_same_v<exported_b::net_type, export_test::net_b>);
static_assert(std::is_same_v<exported_c::corners_type, export_test::net_c>);
// Constants, usable in constant expressions (so they live in read-only data).
static_assert(std::is_const_v<decltype(exported_a::net)>);
static_assert(exported_c::corners[0] == 0.0f && std::bit_cast<std::uint32_t>(exported_c::corners[0]) == 0x80000000u);
static_assert(std::bit_cast<std::uint32_t>(exported_c::corners[1]) == 0x00000001u);

int main() {
  const export_test::net_a a = export_test::make_a();
  const export_test::net_b b = export_test::make_b();
  compare("exported_a (float)", exported_a::net, a);
  compare("exported_b (double)", exported_b::net, b);
  compare("exported_c (float corners)", exported_c::corners, export_test::make_c());

  constexpr auto ya = compile_time_outputs<export_test::net_a, exported_a::net>();
  constexpr auto yb = compile_time_outputs<export_test::net_b, exported_b::net>();
  for (std::size_t s = 0; s < ya.size(); ++s) {
    const auto ra = a.forward(export_test::sample_input<export_test::net_a>(s));
    const auto rb = b.forward(export_test::sample_input<export_test::net_b>(s));
    for (std::size_t j = 0; j < ra.size(); ++j) expect(bits(ya[s][j]) == bits(ra[j]), "compile-time output a", s);
    for (std::size_t j = 0; j < rb.size(); ++j) expect(bits(yb[s][j]) == bits(rb[j]), "compile-time output b", s);
  }
  std::printf("compile-time outputs of the exported networks equal the run-time outputs of the originals\n");
  std::printf("%s\n", failures == 0 ? "PASS" : "FAIL");
  return failures == 0 ? 0 : 1;
}
