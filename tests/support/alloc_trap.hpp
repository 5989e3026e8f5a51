// SPDX-License-Identifier: MIT
/// @file alloc_trap.hpp Declares the allocation trap used by the tests/noheap/ executables.
///
/// Linking tests/support/alloc_trap.cpp replaces the global operator new/new[]/delete/delete[]
/// (every form: sized, aligned, nothrow) and, on glibc, malloc/calloc/realloc/free/aligned_alloc/
/// posix_memalign/memalign. While the trap is disarmed they allocate normally (the C++ runtime and
/// stdio allocate before and after main). While it is armed, any of them prints
/// "ctnn alloc trap: <function> called while armed" to stderr and calls std::abort().
/// Freeing a null pointer is not an allocation and is allowed.
///
/// Typical use: set up (and print, stdio may allocate its buffers on first use) outside the armed
/// region, then
///     ctnn_test::arm_alloc_trap();
///     ... code that must not allocate ...
///     ctnn_test::disarm_alloc_trap();
/// or `{ ctnn_test::alloc_trap_scope armed; ... }`.
#pragma once

namespace ctnn_test {

/// From now on every heap allocation or deallocation aborts the program with a message.
void arm_alloc_trap() noexcept;
/// Allow heap use again.
void disarm_alloc_trap() noexcept;
/// True between arm_alloc_trap() and disarm_alloc_trap().
bool alloc_trap_armed() noexcept;

/// Arms the trap for the lifetime of the object.
struct alloc_trap_scope {
  alloc_trap_scope() noexcept { arm_alloc_trap(); }
  ~alloc_trap_scope() { disarm_alloc_trap(); }
  alloc_trap_scope(const alloc_trap_scope&) = delete;
  alloc_trap_scope& operator=(const alloc_trap_scope&) = delete;
};

}  // namespace ctnn_test
