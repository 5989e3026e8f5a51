# SPDX-License-Identifier: MIT
# cortex-m4f.cmake: Cortex-M4 with its single-precision FPU (FPv4-SP-D16), hard-float ABI.
# float arithmetic is in hardware; double goes through libgcc's soft-float routines.
# QEMU board: mps2-an386 (ARM MPS2 FPGA image AN386, Cortex-M4F).
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ctnn>/cmake/toolchains/cortex-m4f.cmake
set(CTNN_ARM_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard)
set(CTNN_QEMU_MACHINE mps2-an386)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake")
