// SPDX-License-Identifier: MIT
// allocates.cpp: the negative test of the heap ban (cmake/heap_ban.cmake). Built at -O0, where
// no allocation is optimised away, and linked against newlib, libnosys and the C++ runtime:
// without the ban it links; with the ban the link MUST fail on __wrap_malloc and __wrap__Znwj.
#include <cstdlib>
#include <new>

int main() {
  int* p = new int(42);
  const int value = *p;
  delete p;
  void* q = std::malloc(16);
  std::free(q);
  return value == 42 ? 0 : 1;
}
