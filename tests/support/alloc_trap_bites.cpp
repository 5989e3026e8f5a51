// SPDX-License-Identifier: MIT
// alloc_trap_bites.cpp: proves the allocation trap fires. `alloc_trap_bites <kind>` arms the trap and then
// performs one allocation of that kind, so it must die with "ctnn alloc trap: ... called while armed".
// `alloc_trap_bites none` arms, does nothing, disarms and must exit 0. Registered by tests/CMakeLists.txt.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "alloc_trap.hpp"

namespace {
// Volatile sinks: the optimiser may not elide an allocation whose result is stored here.
void* volatile sink = nullptr;
void* volatile preallocated = nullptr;

struct alignas(64) over_aligned {
  unsigned char bytes[64];
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: alloc_trap_bites <kind>\n", stderr);
    return 2;
  }
  const char* kind = argv[1];
  auto is = [kind](const char* k) { return std::strcmp(kind, k) == 0; };
  preallocated = std::malloc(16);   // allocated before arming: freeing/deleting it must trap
  std::printf("arming the trap, then: %s\n", kind);
  std::fflush(stdout);

  ctnn_test::arm_alloc_trap();
  if (is("none")) {
    ctnn_test::disarm_alloc_trap();
    std::free(preallocated);
    std::puts("no allocation while armed: ok");
    return 0;
  } else if (is("new")) {
    sink = ::operator new(8);
  } else if (is("new[]")) {
    sink = ::operator new[](8);
  } else if (is("new_nothrow")) {
    sink = ::operator new(8, std::nothrow);
  } else if (is("new_aligned")) {
    sink = new over_aligned{};
  } else if (is("delete")) {
    ::operator delete(preallocated);
  } else if (is("malloc")) {
    sink = std::malloc(8);
  } else if (is("calloc")) {
    sink = std::calloc(2, 8);
  } else if (is("realloc")) {
    sink = std::realloc(preallocated, 64);
  } else if (is("free")) {
    std::free(preallocated);
  } else {
    ctnn_test::disarm_alloc_trap();
    std::fprintf(stderr, "unknown kind %s\n", kind);
    return 2;
  }
  ctnn_test::disarm_alloc_trap();
  std::puts("the trap did not fire");
  return 1;
}
