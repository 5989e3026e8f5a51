# SPDX-License-Identifier: MIT
# compare_weights.cmake: the XOR weights trained on a Cortex-M target must be bit-identical to the
# ones trained on the host (which checks its own run-time result against the compile-time one).
#
#   cmake -DHOST=<xor_bit_identity> "-DRUN=<qemu command up to -kernel>" "-DIMAGES=<elf>;..."
#         [-DKEY=weights] -P compare_weights.cmake
#
# Each program prints `weights <13 hex words>` (IEEE-754 bit patterns, ctnn's flat order). KEY
# names another line of hex words to compare (gru_stream: `output_bits ...`).
cmake_minimum_required(VERSION 3.25)
foreach(v HOST RUN IMAGES)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "compare_weights.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT DEFINED KEY)
  set(KEY weights)
endif()

function(weights_of out)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e TIMEOUT 60)
  string(REGEX MATCH "${KEY}( [0-9a-f]+)+" line "${o}${e}")
  if(NOT rc EQUAL 0 OR NOT line)
    message(FATAL_ERROR "`${ARGN}` exited with ${rc}, output:\n${o}${e}")
  endif()
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

weights_of(host "${HOST}")
message(STATUS "x86-64 (run time == compile time): ${host}")
set(different "")
foreach(image IN LISTS IMAGES)
  weights_of(target ${RUN} "${image}")
  get_filename_component(name "${image}" NAME)
  message(STATUS "${name}: ${target}")
  if(NOT target STREQUAL host)
    list(APPEND different "${name}")
  endif()
endforeach()
if(different)
  message(FATAL_ERROR "${KEY} differ from the host's: ${different}")
endif()
message(STATUS "bit-identical: compile time, x86-64 and every image")
