// SPDX-License-Identifier: MIT
// throws.cpp: the negative test of the exception and RTTI ban (cmake/heap_ban.cmake). Built with
// -fexceptions -frtti at -O0 and linked against the full C++ runtime: without the ban it links;
// with the ban the link MUST fail on __wrap___cxa_throw and __wrap___dynamic_cast.
// The C++ runtime registers a destructor with __cxa_atexit(f, p, &__dso_handle); crtbegin.o
// normally defines __dso_handle, and -nostartfiles leaves it out.
extern "C" {
void* __dso_handle = nullptr;
}

struct base {
  virtual ~base() = default;
  virtual int id() const { return 1; }
};
struct derived : base {
  int id() const override { return 2; }
};

int check(const base& b) {
  if (dynamic_cast<const derived*>(&b) == nullptr) throw 1;
  return b.id();
}

int main() {
  derived d;
  try {
    return check(d) == 2 ? 0 : 1;
  } catch (int) {
    return 1;
  }
}
