// SPDX-License-Identifier: MIT
// semihosting.hpp: console output and exit status for bare-metal images, through ARM
// semihosting (the debugger or QEMU services a `bkpt 0xAB`). No C library, no heap, no stdio:
// newlib's printf/fputs would pull in malloc and _sbrk.
//
//   port::console out;                 // a line buffer on the stack
//   out << "loss " << port::fixed{l, 4} << " weights " << port::hex_bits{w} << port::endl;
//   port::exit(0);                     // QEMU exits with this status
//
// QEMU (-semihosting-config enable=on,target=native) writes SYS_WRITE0 text to its stderr and
// exits with the code given to SYS_EXIT_EXTENDED. Without semihosting enabled, the first `bkpt`
// stops the CPU: run images with a timeout.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace port {

/// Semihosting operation numbers (ARM "Semihosting for AArch32 and AArch64", version 2.0).
enum class semihosting_op : std::uint32_t {
  write0 = 0x04,         ///< SYS_WRITE0: write a NUL-terminated string to the console
  exit = 0x18,           ///< SYS_EXIT: only "success" or "failure" reaches the host
  exit_extended = 0x20,  ///< SYS_EXIT_EXTENDED: reason and a full exit code
};

/// One semihosting call: r0 = operation, r1 = argument; the result comes back in r0.
inline std::uint32_t semihost(semihosting_op op, const void* arg) noexcept {
  std::uint32_t result;
  __asm__ volatile(
      "mov r0, %1\n\t"
      "mov r1, %2\n\t"
      "bkpt 0xAB\n\t"
      "mov %0, r0"
      : "=r"(result)
      : "r"(static_cast<std::uint32_t>(op)), "r"(arg)
      : "r0", "r1", "memory");
  return result;
}

/// Writes a NUL-terminated string to the host console.
inline void write(const char* text) noexcept { semihost(semihosting_op::write0, text); }

/// Exit codes the firmware examples use (anything non-zero fails the ctest).
enum exit_code : int {
  exit_ok = 0,             ///< every result right
  exit_wrong_result = 1,   ///< a result is wrong (e.g. XOR truth table not learned)
  exit_not_identical = 2,  ///< run-time numbers differ from the compile-time ones
  exit_stack_overflow = 3, ///< the image used more stack than it is allowed
  exit_fault = 70,         ///< a CPU fault handler ran
  exit_returned = 71,      ///< exit() came back (semihosting not enabled?)
};

/// Ends the program with `code` as the host process's exit status
/// (SYS_EXIT_EXTENDED with reason ADP_Stopped_ApplicationExit).
[[noreturn]] inline void exit(int code) noexcept {
  const std::uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */,
                                  static_cast<std::uint32_t>(code)};
  semihost(semihosting_op::exit_extended, block);
  for (;;) semihost(semihosting_op::exit, nullptr);  // not reached under QEMU
}

/// A float printed with a fixed number of decimals (|value| < 4e9), without the C library.
struct fixed {
  float value;
  unsigned decimals = 4;
};
/// The bit pattern of a float as 8 hex digits: the exact value, for bit-identity checks.
struct hex_bits {
  float value;
};
/// An unsigned number as 8 hex digits.
struct hex32 {
  std::uint32_t value;
};
/// Ends the line and sends it.
struct end_line {};
inline constexpr end_line endl{};

/// A line buffer that goes out through SYS_WRITE0 when full, at endl, or when destroyed.
class console {
 public:
  console() noexcept = default;
  console(const console&) = delete;
  console& operator=(const console&) = delete;
  ~console() { flush(); }

  void flush() noexcept {
    if (size_ == 0) return;
    buffer_[size_] = '\0';
    write(buffer_);
    size_ = 0;
  }

  console& operator<<(const char* text) noexcept {
    while (*text != '\0') put(*text++);
    return *this;
  }
  console& operator<<(char c) noexcept {
    put(c);
    return *this;
  }
  console& operator<<(std::uint32_t v) noexcept {
    char digits[10];
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10u);
      v /= 10u;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
    return *this;
  }
  console& operator<<(int v) noexcept {
    if (v < 0) put('-');
    const std::uint32_t magnitude =
        v < 0 ? 0u - static_cast<std::uint32_t>(v) : static_cast<std::uint32_t>(v);
    return *this << magnitude;
  }
  console& operator<<(hex32 h) noexcept {
    constexpr char hex[] = "0123456789abcdef";
    for (int shift = 28; shift >= 0; shift -= 4) put(hex[(h.value >> shift) & 0xFu]);
    return *this;
  }
  console& operator<<(hex_bits h) noexcept {
    return *this << hex32{std::bit_cast<std::uint32_t>(h.value)};
  }
  console& operator<<(fixed f) noexcept {
    float v = f.value;
    if (v != v) return *this << "nan";
    if (v < 0.0f) {
      put('-');
      v = -v;
    }
    if (v >= 4.0e9f) return *this << "inf";
    std::uint32_t scale = 1;
    for (unsigned d = 0; d < f.decimals; ++d) scale *= 10u;
    std::uint32_t whole = static_cast<std::uint32_t>(v);
    std::uint32_t frac = static_cast<std::uint32_t>(
        (v - static_cast<float>(whole)) * static_cast<float>(scale) + 0.5f);
    if (frac >= scale) {
      ++whole;
      frac -= scale;
    }
    *this << whole;
    if (f.decimals == 0) return *this;
    put('.');
    for (std::uint32_t s = scale / 10u; s > 0; s /= 10u) put(static_cast<char>('0' + frac / s % 10u));
    return *this;
  }
  console& operator<<(end_line) noexcept {
    put('\n');
    flush();
    return *this;
  }

 private:
  void put(char c) noexcept {
    if (size_ + 1 >= sizeof buffer_) flush();
    buffer_[size_++] = c;
  }
  char buffer_[96] = {};
  std::size_t size_ = 0;
};

}  // namespace port
