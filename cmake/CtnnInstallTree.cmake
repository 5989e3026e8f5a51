# SPDX-License-Identifier: MIT
# CtnnInstallTree.cmake: install a build tree into a fresh prefix (setup step of the package test).
#
#   cmake -DBINARY_DIR=<build dir> -DPREFIX=<prefix> [-DCONFIG=<config>] -P CtnnInstallTree.cmake
#
# Removes PREFIX first, so headers deleted from the source tree cannot linger and satisfy the consumer.
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED BINARY_DIR OR NOT DEFINED PREFIX)
  message(FATAL_ERROR "usage: cmake -DBINARY_DIR=<dir> -DPREFIX=<prefix> -P CtnnInstallTree.cmake")
endif()
file(REMOVE_RECURSE "${PREFIX}")
set(cmd "${CMAKE_COMMAND}" --install "${BINARY_DIR}" --prefix "${PREFIX}")
if(DEFINED CONFIG AND NOT CONFIG STREQUAL "")
  list(APPEND cmd --config "${CONFIG}")
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "`cmake --install` failed (${rc})")
endif()
file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
list(LENGTH installed n)
message("installed ${n} files into ${PREFIX}")
