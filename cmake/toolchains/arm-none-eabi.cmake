# SPDX-License-Identifier: MIT
# arm-none-eabi.cmake: the part every Cortex-M toolchain file here shares. Not used directly: the
# per-CPU files (cortex-m4f.cmake, cortex-m0plus.cmake, cortex-m3.cmake, cortex-m7.cmake) set
#   CTNN_ARM_CPU_FLAGS   the -mcpu/-mfpu/-mfloat-abi flags (they also select the multilib)
#   CTNN_QEMU_MACHINE    the qemu-system-arm board that runs images for this CPU
# and include() this file.
#
# Use from any project:
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ctnn>/cmake/toolchains/cortex-m4f.cmake
# Cache variables a user may set:
#   ARM_NONE_EABI_ROOT   folder holding bin/arm-none-eabi-g++ (default: searched on PATH)
#
# What the flags mean for ctnn:
#   -ffp-contract=off    no fused multiply-add: ctnn's numbers are then the same bits at compile
#                        time (constexpr), on the host and on the target (FMA-capable M4F/M7 too)
#   -ffunction-sections -fdata-sections   with the linker's --gc-sections, unused code is dropped
# Start-up code, linker script, -nostartfiles and the heap ban belong to the firmware project
# (see examples/embedded/ for a complete, small port).

if(NOT DEFINED CTNN_ARM_CPU_FLAGS)
  message(FATAL_ERROR "arm-none-eabi.cmake: include a per-CPU toolchain file (e.g. cortex-m4f.cmake)")
endif()

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
# Compiler checks must not link: there is no start-up code or linker script yet.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(ARM_NONE_EABI_ROOT "$ENV{ARM_NONE_EABI_ROOT}" CACHE PATH
    "Folder with bin/arm-none-eabi-g++ (empty: search PATH)")
set(_ctnn_arm_hints "")
if(ARM_NONE_EABI_ROOT)
  set(_ctnn_arm_hints HINTS "${ARM_NONE_EABI_ROOT}/bin" NO_DEFAULT_PATH)
endif()
find_program(CTNN_ARM_CXX arm-none-eabi-g++ ${_ctnn_arm_hints} REQUIRED)
find_program(CTNN_ARM_CC arm-none-eabi-gcc ${_ctnn_arm_hints} REQUIRED)
find_program(CTNN_ARM_SIZE arm-none-eabi-size ${_ctnn_arm_hints})
find_program(CTNN_ARM_OBJCOPY arm-none-eabi-objcopy ${_ctnn_arm_hints})
set(CMAKE_CXX_COMPILER "${CTNN_ARM_CXX}")
set(CMAKE_C_COMPILER "${CTNN_ARM_CC}")
set(CMAKE_ASM_COMPILER "${CTNN_ARM_CC}")
if(CTNN_ARM_SIZE)
  set(CMAKE_SIZE "${CTNN_ARM_SIZE}" CACHE FILEPATH "arm-none-eabi-size")
endif()
if(CTNN_ARM_OBJCOPY)
  set(CMAKE_OBJCOPY "${CTNN_ARM_OBJCOPY}" CACHE FILEPATH "arm-none-eabi-objcopy")
endif()

string(JOIN " " _ctnn_arm_common ${CTNN_ARM_CPU_FLAGS} -ffp-contract=off
       -ffunction-sections -fdata-sections)
set(CMAKE_C_FLAGS_INIT "${_ctnn_arm_common}")
set(CMAKE_CXX_FLAGS_INIT "${_ctnn_arm_common}")
set(CMAKE_ASM_FLAGS_INIT "${_ctnn_arm_common}")
# The CPU flags reach the link line through CMAKE_CXX_FLAGS (they pick libgcc's and newlib's
# multilib); garbage-collect unused sections.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

# Never pick up the host's libraries or headers (glibc's headers would shadow newlib's).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Images run under QEMU with semihosting (output on QEMU's stderr, exit status through
# SYS_EXIT_EXTENDED); add_test(NAME t COMMAND <executable target>) then just works.
set(CTNN_QEMU_MACHINE "${CTNN_QEMU_MACHINE}" CACHE STRING "qemu-system-arm -M board for this CPU")
find_program(CTNN_QEMU_SYSTEM_ARM qemu-system-arm)
if(CTNN_QEMU_SYSTEM_ARM AND CTNN_QEMU_MACHINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${CTNN_QEMU_SYSTEM_ARM};-M;${CTNN_QEMU_MACHINE};-nographic;-monitor;none;-serial;none;-semihosting-config;enable=on,target=native;-kernel")
endif()
