# SPDX-License-Identifier: MIT
# build_firmware.cmake: configure (once) and build the firmware project for one target.
#
#   cmake -DSOURCE=<examples/embedded> -DBINARY=<build dir> -DTOOLCHAIN=<toolchain file>
#         -DGENERATOR=<generator> [-DMAKE_PROGRAM=<path>] [-DJOBS=2] -P build_firmware.cmake
cmake_minimum_required(VERSION 3.25)
foreach(v SOURCE BINARY TOOLCHAIN GENERATOR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "build_firmware.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT DEFINED JOBS)
  set(JOBS 2)  # the machines this runs on are shared: never more than two compilers at once
endif()

if(NOT EXISTS "${BINARY}/CMakeCache.txt")
  set(configure "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" -G "${GENERATOR}"
      "-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN}")
  if(MAKE_PROGRAM)
    list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  execute_process(COMMAND ${configure} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE "${BINARY}/CMakeCache.txt")
    message(FATAL_ERROR "configuring the firmware project failed (${rc})")
  endif()
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}" --parallel ${JOBS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the firmware project failed (${rc})")
endif()
