# SPDX-License-Identifier: MIT
# CtnnTestOptions.cmake: warning, sanitizer and no-exceptions flags for ctnn's own (unexported) test targets.
#
#   ctnn_test_options(<target> [UBSAN_ONLY])
#       -std=c++20 (no GNU extensions), -Wall -Wextra -Wpedantic -Wconversion -Wshadow (GNU, Clang),
#       plus -Werror when CTNN_WARNINGS_AS_ERRORS is ON (every preset in CMakePresets.json, so CI)
#       and the sanitizers when CTNN_SANITIZE is ON. UBSAN_ONLY drops AddressSanitizer
#       (for targets that replace the allocator: ASan owns malloc/new too).
#   ctnn_no_exceptions(<target>)
#       -fno-exceptions -fno-rtti: proves the code it compiles needs neither (never used with Catch2).
#
# Never apply these to the exported ctnn::ctnn target: consumers choose their own flags.
include_guard(GLOBAL)

option(CTNN_SANITIZE "Build test targets with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# OFF by default: a plain `cmake -S . -B build`, with any compiler version or optimisation level, must
# build even where that compiler warns falsely (g++ 12 at -O3 reports a -Wrestrict inside libstdc++'s
# std::string concatenation). The presets turn it on, so CI keeps the code warning-free.
option(CTNN_WARNINGS_AS_ERRORS "Build ctnn's own tests and examples with -Werror" OFF)

function(ctnn_test_options target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "UBSAN_ONLY" "" "")
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)   # -std=c++20, not gnu++20
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang|AppleClang)$")
    return()
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
  if(CTNN_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CTNN_SANITIZE)
    if(ARG_UBSAN_ONLY)
      set(sanitizers -fsanitize=undefined)
    else()
      set(sanitizers -fsanitize=address,undefined)
    endif()
    list(APPEND sanitizers -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_compile_options(${target} PRIVATE ${sanitizers})
    target_link_options(${target} PRIVATE ${sanitizers})
  endif()
endfunction()

function(ctnn_no_exceptions target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang|AppleClang)$")
    target_compile_options(${target} PRIVATE -fno-exceptions -fno-rtti)
  endif()
endfunction()
