// SPDX-License-Identifier: MIT
// alloc_trap.cpp: replaces the global allocation functions with versions that abort once armed.
// See alloc_trap.hpp. Linked (as an OBJECT library) into every tests/noheap/ executable.
#include "alloc_trap.hpp"

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__unix__) || defined(__APPLE__)
#  include <unistd.h>
#endif

// On glibc the C allocator can be replaced too (glibc supports malloc interposition); the real one stays
// reachable as __libc_malloc and friends. Elsewhere only the C++ operators are replaced.
#if defined(__GLIBC__)
#  define CTNN_ALLOC_TRAP_REPLACES_MALLOC 1
extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* p, std::size_t size) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;
void __libc_free(void* p) noexcept;
}
#else
#  define CTNN_ALLOC_TRAP_REPLACES_MALLOC 0
#endif

namespace {

std::atomic<bool> armed{false};

void write_stderr(const char* text) noexcept {
#if defined(__unix__) || defined(__APPLE__)
  // write(2) never allocates; stdio might.
  if (::write(2, text, std::strlen(text)) < 0) {
  }
#else
  std::fputs(text, stderr);
#endif
}

[[noreturn]] void die(const char* what, const char* why) noexcept {
  write_stderr("ctnn alloc trap: ");
  write_stderr(what);
  write_stderr(why);
  std::abort();
}

void check(const char* what) noexcept {
  if (armed.load(std::memory_order_relaxed)) {
    die(what, " called while armed\n");
  }
}

void* raw_malloc(std::size_t size) noexcept {
#if CTNN_ALLOC_TRAP_REPLACES_MALLOC
  return __libc_malloc(size);
#else
  return std::malloc(size);
#endif
}

void* raw_aligned(std::size_t alignment, std::size_t size) noexcept {
#if CTNN_ALLOC_TRAP_REPLACES_MALLOC
  return __libc_memalign(alignment, size);
#else
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
#endif
}

void raw_free(void* p) noexcept {
#if CTNN_ALLOC_TRAP_REPLACES_MALLOC
  __libc_free(p);
#else
  std::free(p);
#endif
}

void* must(void* p, const char* what) noexcept {
  if (p == nullptr) {
    die(what, " is out of memory\n");   // built without exceptions: no std::bad_alloc
  }
  return p;
}

void* new_impl(std::size_t size, const char* what) noexcept {
  check(what);
  return must(raw_malloc(size == 0 ? 1 : size), what);
}

void* new_aligned_impl(std::size_t size, std::align_val_t alignment, const char* what) noexcept {
  check(what);
  return must(raw_aligned(static_cast<std::size_t>(alignment), size == 0 ? 1 : size), what);
}

void delete_impl(void* p, const char* what) noexcept {
  if (p != nullptr) {
    check(what);
    raw_free(p);
  }
}

}  // namespace

namespace ctnn_test {
void arm_alloc_trap() noexcept { armed.store(true); }
void disarm_alloc_trap() noexcept { armed.store(false); }
bool alloc_trap_armed() noexcept { return armed.load(); }
}  // namespace ctnn_test

// ---- C++ replaceable global allocation functions -------------------------------------------------
void* operator new(std::size_t size) { return new_impl(size, "operator new"); }
void* operator new[](std::size_t size) { return new_impl(size, "operator new[]"); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  check("operator new(nothrow)");
  return raw_malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  check("operator new[](nothrow)");
  return raw_malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t al) {
  return new_aligned_impl(size, al, "operator new(aligned)");
}
void* operator new[](std::size_t size, std::align_val_t al) {
  return new_aligned_impl(size, al, "operator new[](aligned)");
}
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  check("operator new(aligned, nothrow)");
  return raw_aligned(static_cast<std::size_t>(al), size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  check("operator new[](aligned, nothrow)");
  return raw_aligned(static_cast<std::size_t>(al), size == 0 ? 1 : size);
}

void operator delete(void* p) noexcept { delete_impl(p, "operator delete"); }
void operator delete[](void* p) noexcept { delete_impl(p, "operator delete[]"); }
void operator delete(void* p, std::size_t) noexcept { delete_impl(p, "operator delete(sized)"); }
void operator delete[](void* p, std::size_t) noexcept { delete_impl(p, "operator delete[](sized)"); }
void operator delete(void* p, std::align_val_t) noexcept { delete_impl(p, "operator delete(aligned)"); }
void operator delete[](void* p, std::align_val_t) noexcept {
  delete_impl(p, "operator delete[](aligned)");
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  delete_impl(p, "operator delete(sized, aligned)");
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  delete_impl(p, "operator delete[](sized, aligned)");
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  delete_impl(p, "operator delete(nothrow)");
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  delete_impl(p, "operator delete[](nothrow)");
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  delete_impl(p, "operator delete(aligned, nothrow)");
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  delete_impl(p, "operator delete[](aligned, nothrow)");
}

// ---- C allocator (glibc) --------------------------------------------------------------------------
#if CTNN_ALLOC_TRAP_REPLACES_MALLOC
#  include <cerrno>
extern "C" {
void* malloc(std::size_t size) noexcept {
  check("malloc");
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  check("calloc");
  return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
  check("realloc");
  return __libc_realloc(p, size);
}
void free(void* p) noexcept {
  if (p != nullptr) {
    check("free");
  }
  __libc_free(p);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  check("aligned_alloc");
  return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  check("memalign");
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  check("posix_memalign");
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) {
    return EINVAL;
  }
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) {
    return ENOMEM;
  }
  *out = p;
  return 0;
}
}
#endif
