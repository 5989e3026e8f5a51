# SPDX-License-Identifier: MIT
# cortex-m7.cmake: Cortex-M7 with the double-precision FPU (FPv5-D16), hard-float ABI:
# float and double arithmetic both in hardware.
# QEMU board: mps2-an500 (ARM MPS2 FPGA image AN500, Cortex-M7).
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ctnn>/cmake/toolchains/cortex-m7.cmake
set(CTNN_ARM_CPU_FLAGS -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard)
set(CTNN_QEMU_MACHINE mps2-an500)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake")
