# SPDX-License-Identifier: MIT
# firmware.m4f.soft_double: the M4F (single-precision FPU) images of the float networks link no
# soft-double routine (soft_double.cmake). Included by tests/firmware/CMakeLists.txt.
find_program(CTNN_ARM_NONE_EABI_NM arm-none-eabi-nm)
if(CTNN_ARM_NONE_EABI_NM AND "m4f" IN_LIST CTNN_FIRMWARE_TARGETS)
  set(_sd_images "")
  foreach(level IN LISTS CTNN_FIRMWARE_OPT_LEVELS)
    foreach(example xor_inference xor_training digits_inference gru_stream)
      list(APPEND _sd_images "${CMAKE_CURRENT_BINARY_DIR}/m4f/${example}.${level}.elf")
    endforeach()
  endforeach()
  add_test(NAME firmware.m4f.soft_double
           COMMAND "${CMAKE_COMMAND}" "-DNM=${CTNN_ARM_NONE_EABI_NM}" "-DIMAGES=${_sd_images}"
                   -P "${CMAKE_CURRENT_SOURCE_DIR}/soft_double.cmake")
  set_tests_properties(firmware.m4f.soft_double PROPERTIES FIXTURES_REQUIRED firmware.m4f
                       LABELS firmware TIMEOUT 60)
endif()
