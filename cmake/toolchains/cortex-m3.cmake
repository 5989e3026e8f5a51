# SPDX-License-Identifier: MIT
# cortex-m3.cmake: Cortex-M3 (ARMv7-M), no FPU: float and double through libgcc's soft float.
# QEMU board: mps2-an385 (ARM MPS2 FPGA image AN385, Cortex-M3).
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<ctnn>/cmake/toolchains/cortex-m3.cmake
set(CTNN_ARM_CPU_FLAGS -mcpu=cortex-m3 -mthumb -mfloat-abi=soft)
set(CTNN_QEMU_MACHINE mps2-an385)
include("${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake")
