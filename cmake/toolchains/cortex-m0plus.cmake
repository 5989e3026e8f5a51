# SPDX-License-Identifier: MIT
# cortex-m0plus.cmake: Cortex-M0+ (ARMv6-M), no FPU: float and double go through libgcc's
# soft-float routines (IEEE-754 round-to-nearest-even, subnormals kept).
# QEMU board: microbit (nRF51822, a Cortex-M0: the same ARMv6-M instruction set).
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ctnn>/cmake/toolchains/cortex-m0plus.cmake
set(CTNN_ARM_CPU_FLAGS -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft)
set(CTNN_QEMU_MACHINE microbit)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake")
