# SPDX-License-Identifier: MIT
# consumer_common.cmake: what the package test's consumer projects (consumer/, firmware/) share.
# include() it right after find_package(ctnn).
#
# - The package test passes CTNN_EXPECTED_DIR, so a ctnn found somewhere else (a system install, the
#   user package registry, a stale build tree) fails the test instead of silently passing it.
# - consumer_options(<target>): the package's version for the static_asserts in main.cpp, warnings
#   (-Werror when CONSUMER_WARNINGS_AS_ERRORS: the test passes ctnn's CTNN_WARNINGS_AS_ERRORS), and
#   -fno-exceptions -fno-rtti (ctnn needs neither).
if(DEFINED CTNN_EXPECTED_DIR)
  file(REAL_PATH "${ctnn_DIR}" found)
  file(REAL_PATH "${CTNN_EXPECTED_DIR}" expected)
  if(NOT found STREQUAL expected)
    message(FATAL_ERROR "found ctnn in ${found}, expected ${expected}")
  endif()
endif()
message(STATUS "ctnn ${ctnn_VERSION} from ${ctnn_DIR}")

function(consumer_options target)
  target_compile_definitions(${target} PRIVATE
    CTNN_PACKAGE_VERSION_MAJOR=${ctnn_VERSION_MAJOR}
    CTNN_PACKAGE_VERSION_MINOR=${ctnn_VERSION_MINOR})
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  if(CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang|AppleClang)$")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wshadow -fno-exceptions -fno-rtti)
    if(CONSUMER_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
