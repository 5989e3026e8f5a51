// SPDX-License-Identifier: MIT
// startup.cpp: everything a Cortex-M image needs before main(), for every board here.
//
// 1. The vector table (section .vectors, placed at the flash origin by cortex-m.ld): the initial
//    stack pointer and the handlers of the 16 system exceptions. No interrupts are used.
// 2. Reset_Handler: enables the FPU (if the build uses one) BEFORE any floating-point
//    instruction, copies .data from flash to RAM, zeroes .bss, runs static constructors
//    (.init_array; ctnn needs none, but a port should not silently skip them), calls main() and
//    passes its return value to the host as the exit status (semihosting SYS_EXIT_EXTENDED).
// 3. Fault handlers that report and exit instead of hanging.
//
// Build this file with -fno-tree-loop-distribute-patterns: otherwise GCC turns the copy and
// zero loops into calls to memcpy/memset (harmless here, but a port without a C library would
// not link, and code that runs before .data exists should not call into a library).
#include <cstddef>
#include <cstdint>

#include "semihosting.hpp"

// Symbols defined by the linker script (cortex-m.ld).
extern "C" {
extern std::uint32_t __data_load__[];
extern std::uint32_t __data_start__[];
extern std::uint32_t __data_end__[];
extern std::uint32_t __bss_start__[];
extern std::uint32_t __bss_end__[];
extern std::uint32_t __stack_top__[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
[[noreturn]] void Reset_Handler() noexcept;
[[noreturn]] void Fault_Handler() noexcept;
[[noreturn]] void Unused_Handler() noexcept;
}

// ISO C++ forbids calling ::main from the program, so the reset handler calls it under another
// name: a declaration whose assembler name is "main".
extern "C" int application_main() __asm__("main");

namespace {

std::size_t words_between(const std::uint32_t* first, const std::uint32_t* last) noexcept {
  return (reinterpret_cast<std::uintptr_t>(last) - reinterpret_cast<std::uintptr_t>(first)) /
         sizeof(std::uint32_t);
}

}  // namespace

extern "C" [[noreturn]] void Reset_Handler() noexcept {
#if defined(__ARM_FP)
  // CPACR (0xE000ED88): full access to coprocessors CP10 and CP11, i.e. the FPU. The barriers make
  // the change visible before the next instruction (which may be a floating-point one).
  volatile std::uint32_t& cpacr = *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u);
  cpacr = cpacr | (0xFu << 20);
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  const std::size_t data_words = words_between(__data_start__, __data_end__);
  for (std::size_t i = 0; i < data_words; ++i) __data_start__[i] = __data_load__[i];
  const std::size_t bss_words = words_between(__bss_start__, __bss_end__);
  for (std::size_t i = 0; i < bss_words; ++i) __bss_start__[i] = 0;
  const std::size_t constructors =
      (reinterpret_cast<std::uintptr_t>(__init_array_end) -
       reinterpret_cast<std::uintptr_t>(__init_array_start)) / sizeof(__init_array_start[0]);
  for (std::size_t i = 0; i < constructors; ++i) __init_array_start[i]();
  port::exit(application_main());
}

extern "C" [[noreturn]] void Fault_Handler() noexcept {
  port::write("fault: the CPU took a fault exception\n");
  port::exit(port::exit_fault);
}

extern "C" [[noreturn]] void Unused_Handler() noexcept {
  port::write("fault: unexpected exception\n");
  port::exit(port::exit_fault);
}

namespace {

/// The ARMv6-M / ARMv7-M vector table up to SysTick (16 words). Reserved entries hold 0.
struct vector_table {
  std::uint32_t* initial_stack_pointer;
  void (*handlers[15])() noexcept;
};

[[gnu::section(".vectors"), gnu::used]] constinit const vector_table vectors = {
    __stack_top__,
    {
        Reset_Handler,   // Reset
        Unused_Handler,  // NMI
        Fault_Handler,   // HardFault
        Fault_Handler,   // MemManage (ARMv7-M)
        Fault_Handler,   // BusFault (ARMv7-M)
        Fault_Handler,   // UsageFault (ARMv7-M)
        nullptr,         // reserved
        nullptr,         // reserved
        nullptr,         // reserved
        nullptr,         // reserved
        Unused_Handler,  // SVCall
        Unused_Handler,  // DebugMonitor (ARMv7-M)
        nullptr,         // reserved
        Unused_Handler,  // PendSV
        Unused_Handler,  // SysTick
    },
};

}  // namespace
