# SPDX-License-Identifier: MIT
# same_bits.cmake: builds xor_bits/ with every compiler in COMPILERS, runs each build and requires
# identical output: the bit patterns of every weight after XOR training (README: "same numbers
# everywhere"). Prints `skipped: ...` and exits 0 when a compiler is missing (ctest reports that as
# skipped through SKIP_REGULAR_EXPRESSION).
#
#   cmake "-DCOMPILERS=<g++>;<clang++>" -DSOURCE=<xor_bits/> -DCTNN_ROOT=<ctnn> -DBINARY=<dir>
#         -DGENERATOR=<generator> [-DMAKE_PROGRAM=<path>] [-DBUILD_TYPE=Release] -P same_bits.cmake
cmake_minimum_required(VERSION 3.25)
foreach(v COMPILERS SOURCE CTNN_ROOT BINARY GENERATOR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "same_bits.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT DEFINED BUILD_TYPE OR BUILD_TYPE STREQUAL "")
  set(BUILD_TYPE Release)
endif()

list(LENGTH COMPILERS n)
if(n LESS 2)
  message(FATAL_ERROR "same_bits.cmake: COMPILERS needs two compilers or more (got '${COMPILERS}')")
endif()
foreach(cxx IN LISTS COMPILERS)
  if(NOT cxx OR NOT EXISTS "${cxx}")
    message("skipped: compiler '${cxx}' not found (COMPILERS=${COMPILERS}); install it and "
            "re-configure")
    return()
  endif()
endforeach()

set(reference "")
set(failed FALSE)
foreach(cxx IN LISTS COMPILERS)
  get_filename_component(name "${cxx}" NAME)
  set(bin "${BINARY}/${name}")
  # Configure once; later runs only rebuild what changed.
  if(NOT EXISTS "${bin}/CMakeCache.txt")
    set(configure "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${bin}" -G "${GENERATOR}"
        "-DCMAKE_CXX_COMPILER=${cxx}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" "-DCTNN_ROOT=${CTNN_ROOT}")
    if(MAKE_PROGRAM)
      list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
    execute_process(COMMAND ${configure} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      file(REMOVE "${bin}/CMakeCache.txt")
      message(FATAL_ERROR "configuring xor_bits with ${cxx} failed (${rc}):\n${out}")
    endif()
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${bin}" --config "${BUILD_TYPE}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "building xor_bits with ${cxx} failed (${rc}):\n${out}")
  endif()
  file(GLOB_RECURSE program LIST_DIRECTORIES false "${bin}/xor_bits" "${bin}/xor_bits.exe")
  list(GET program 0 program)
  execute_process(COMMAND "${program}" RESULT_VARIABLE rc OUTPUT_VARIABLE bits ERROR_VARIABLE err
                  TIMEOUT 60)
  message("---- ${cxx} (${BUILD_TYPE}, -ffp-contract=off)\n${bits}${err}")
  if(NOT rc EQUAL 0 OR bits STREQUAL "")
    message(SEND_ERROR "xor_bits built with ${cxx} exited with ${rc}")
    set(failed TRUE)
  endif()
  if(reference STREQUAL "")
    set(reference "${bits}")
    set(reference_compiler "${cxx}")
  elseif(NOT bits STREQUAL reference)
    message(SEND_ERROR "the weights trained by the ${cxx} build differ from the "
                       "${reference_compiler} build's (lines above)")
    set(failed TRUE)
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "same_bits: FAILED")
endif()
message("same_bits: bit-identical with ${COMPILERS}")
