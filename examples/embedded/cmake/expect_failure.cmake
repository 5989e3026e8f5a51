# SPDX-License-Identifier: MIT
# expect_failure.cmake: passes only if a command FAILS and its output matches every given regex.
#
#   cmake "-DEXPECT=<regex>[;<regex>...]" -P expect_failure.cmake -- <command> [args...]
#
# Used by the negative tests of the heap/exception/RTTI ban: the build of a deliberately
# allocating file must fail, and fail for the right reason (an undefined __wrap_ symbol), not
# because of an unrelated error.
cmake_minimum_required(VERSION 3.25)

set(command "")
set(seen_separator FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE 1 ${last})
  if(seen_separator)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(seen_separator TRUE)
  endif()
endforeach()
if(NOT command OR NOT DEFINED EXPECT)
  message(FATAL_ERROR "usage: cmake -DEXPECT=<regex>[;...] -P expect_failure.cmake -- <command>")
endif()

execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "expected the command to fail, but it succeeded:\n  ${command}\n${all}")
endif()
foreach(regex IN LISTS EXPECT)
  if(NOT all MATCHES "${regex}")
    message(FATAL_ERROR "the command failed (${rc}) but its output does not match `${regex}`:\n${all}")
  endif()
endforeach()
message(STATUS "failed as expected (exit ${rc}); output matches: ${EXPECT}")
