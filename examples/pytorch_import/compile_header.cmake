# SPDX-License-Identifier: MIT
# compile_header.cmake: compiles header_check.cpp once per header that torch_to_ctnn.py
# --sequence-demo wrote (with `-include <header>`, warnings as errors, no exceptions or RTTI, as
# firmware would) and runs it against the blob of the same conversion.
#   cmake -DCXX=<compiler> -DINCLUDES=<dir|dir|...> -DSOURCE=<header_check.cpp> -DDIR=<demo dir>
#         -DNAMES=<gru|lstm|...> -P compile_header.cmake
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" includes "${INCLUDES}")
string(REPLACE "|" ";" names "${NAMES}")
get_filename_component(source_dir "${SOURCE}" DIRECTORY)
set(flags -std=c++20 -O1 -ffp-contract=off -Wall -Wextra -Wpedantic -Wconversion -Werror
          -fno-exceptions -fno-rtti "-I${source_dir}")
foreach(dir IN LISTS includes)
  list(APPEND flags "-I${dir}")
endforeach()
set(failed "")
foreach(name IN LISTS names)
  foreach(suffix f32 f64)
    set(stem "${DIR}/${name}_${suffix}")
    execute_process(COMMAND "${CXX}" ${flags} -include "${stem}.hpp" "${SOURCE}" -o "${stem}_header_check"
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message("${name}_${suffix}.hpp does not compile:\n${err}")
      list(APPEND failed "${name}_${suffix}")
      continue()
    endif()
    execute_process(COMMAND "${stem}_header_check" "${stem}.ctnn" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      list(APPEND failed "${name}_${suffix}")
    endif()
  endforeach()
endforeach()
if(failed)
  message(FATAL_ERROR "headers that fail: ${failed}")
endif()
message("every header compiles and is its blob's network")
