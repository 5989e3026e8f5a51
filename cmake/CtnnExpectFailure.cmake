# SPDX-License-Identifier: MIT
# CtnnExpectFailure.cmake: run a command that must FAIL and whose output must match a regex.
#
#   cmake [-DEXPECT=<regex> | -DEXPECT_FROM=<source>] -P CtnnExpectFailure.cmake -- <command> [args...]
#
# EXPECT_FROM reads the regex from the source's first line, `// EXPECT: <regex>` (CMake regex syntax),
# and an optional second line `// EXPECT-NOT: <regex>` that the output must not match (e.g. a
# spelling a diagnostic must no longer show).
# Passes (exit 0) only if the command exits non-zero (or dies on a signal) AND its merged stdout+stderr
# matches the regex. A build that succeeds, or fails for another reason (typo, missing include), fails
# the test. Why not ctest's PASS_REGULAR_EXPRESSION alone: it ignores the exit code, so a warning that
# quotes the message would pass; and WILL_FAIL cannot be combined with it (WILL_FAIL inverts the regex
# verdict) nor with a death by signal such as abort() (ctest reports those as failures regardless).
# The regex must not match the command line or the source path: build tools echo those on failure.
cmake_minimum_required(VERSION 3.25)

set(cmd "")
set(seen_separator FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(seen_separator)
    list(APPEND cmd "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(seen_separator TRUE)
  endif()
endforeach()
if(NOT cmd)
  message(FATAL_ERROR "usage: cmake -DEXPECT=<regex> -P CtnnExpectFailure.cmake -- <command> [args...]")
endif()

if(DEFINED EXPECT_FROM)
  file(READ "${EXPECT_FROM}" head LIMIT 1024)
  if(NOT head MATCHES "^// EXPECT: ([^\n]*)")
    message(FATAL_ERROR "${EXPECT_FROM}: the first line must be `// EXPECT: <regex>`")
  endif()
  string(STRIP "${CMAKE_MATCH_1}" EXPECT)
  if(head MATCHES "^// EXPECT: [^\n]*\n// EXPECT-NOT: ([^\n]*)")
    string(STRIP "${CMAKE_MATCH_1}" EXPECT_NOT)
  endif()
endif()
if(NOT DEFINED EXPECT OR EXPECT STREQUAL "")
  message(FATAL_ERROR "no expected regex: pass -DEXPECT=<regex> or -DEXPECT_FROM=<source>")
endif()

string(JOIN " " cmd_line ${cmd})
foreach(echoed IN ITEMS "${cmd_line}" "${EXPECT_FROM}")
  if(NOT echoed STREQUAL "" AND echoed MATCHES "${EXPECT}")
    message(FATAL_ERROR "the expected regex `${EXPECT}` matches `${echoed}`, which build tools echo: "
                        "make it match the diagnostic text only")
  endif()
endforeach()

message("expect failure matching `${EXPECT}` from: ${cmd_line}")
execute_process(COMMAND ${cmd} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(result EQUAL 0)
  message(FATAL_ERROR "FAIL: the command succeeded, but it must fail")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "FAIL: the command failed (${result}), but its output does not match `${EXPECT}`")
endif()
if(DEFINED EXPECT_NOT AND NOT EXPECT_NOT STREQUAL "" AND output MATCHES "${EXPECT_NOT}")
  message(FATAL_ERROR "FAIL: the output matches `${EXPECT_NOT}`, which it must not")
endif()
message("PASS: the command failed (${result}) with output matching `${EXPECT}`")
