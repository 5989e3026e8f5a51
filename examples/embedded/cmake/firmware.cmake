# SPDX-License-Identifier: MIT
# firmware.cmake: the one list of firmware targets, boards, optimisation levels and images, shared
# by the firmware project (examples/embedded/CMakeLists.txt) and the host-side tests
# (tests/firmware/CMakeLists.txt), so that both build and run exactly the same things.
include_guard(GLOBAL)

set(CTNN_FIRMWARE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." CACHE INTERNAL "examples/embedded")
get_filename_component(CTNN_FIRMWARE_DIR "${CTNN_FIRMWARE_DIR}" ABSOLUTE)
get_filename_component(_ctnn_fw_root "${CTNN_FIRMWARE_DIR}/../.." ABSOLUTE)
set(CTNN_FIRMWARE_TOOLCHAIN_DIR "${_ctnn_fw_root}/cmake/toolchains" CACHE INTERNAL "")

# target name -> toolchain file, QEMU board
set(CTNN_FIRMWARE_TARGETS m4f m0plus m3 m7)
set(CTNN_FIRMWARE_TOOLCHAIN_m4f cortex-m4f.cmake)
set(CTNN_FIRMWARE_TOOLCHAIN_m0plus cortex-m0plus.cmake)
set(CTNN_FIRMWARE_TOOLCHAIN_m3 cortex-m3.cmake)
set(CTNN_FIRMWARE_TOOLCHAIN_m7 cortex-m7.cmake)
set(CTNN_FIRMWARE_MACHINE_m4f mps2-an386)
set(CTNN_FIRMWARE_MACHINE_m0plus microbit)
set(CTNN_FIRMWARE_MACHINE_m3 mps2-an385)
set(CTNN_FIRMWARE_MACHINE_m7 mps2-an500)

# Every image is built at each of these levels (the size table has one column pair per level).
set(CTNN_FIRMWARE_OPT_LEVELS Os O2)
# Images run under QEMU and listed in the size table. reference_xor is the hand-written baseline.
set(CTNN_FIRMWARE_EXAMPLES xor_inference xor_training digits_inference reference_xor gru_stream)
# Images that need more RAM than the micro:bit's 16 KiB: built for the MPS2 boards only.
# (digits_training keeps the network, Adam's state and the training workspace, 68 KiB, in .bss.)
set(CTNN_FIRMWARE_BIG_EXAMPLES stack_probe digits_training)
# Stack size (bytes) an image is linked with, when not the board's default (port/*.ld).
set(CTNN_FIRMWARE_STACK_SIZE_digits_training 4096)
# The stack report is made from this target's build (-fstack-usage, -fcallgraph-info).
set(CTNN_FIRMWARE_STACK_TARGET m4f)
set(CTNN_FIRMWARE_STACK_OPT Os)
# QEMU needs a fraction of a second per image; the limit only catches a hung image (semihosting
# off, a fault loop).
set(CTNN_FIRMWARE_RUN_TIMEOUT 60)

# Does <machine> have room for the big examples?
function(ctnn_firmware_board_is_big out machine)
  if(machine MATCHES "^mps2-")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The command that runs <image> on <machine>: console output on stderr, the image's exit status
# (semihosting SYS_EXIT_EXTENDED) as QEMU's.
function(ctnn_firmware_qemu_command out qemu machine image)
  set(${out} "${qemu}" -M "${machine}" -nographic -monitor none -serial none
      -semihosting-config enable=on,target=native -kernel "${image}" PARENT_SCOPE)
endfunction()
