# SPDX-License-Identifier: MIT
# soft_double.cmake: fails when a float firmware image links a soft-double routine (the AEABI
# __aeabi_d* helpers, int/float <-> double conversions, or libgcc's __*df* routines).
# ctnn::number_traits keeps a float network's path free of double arithmetic
# (include/ctnn/number_traits.hpp); this checks it on the images themselves.
#   cmake -DNM=arm-none-eabi-nm -DIMAGES=<a.elf;b.elf> -P soft_double.cmake
set(_pattern "^(__aeabi_d[a-z0-9]+|__aeabi_[a-z0-9]+2d|__[a-z]+df[0-9]|__(extendsfdf2|truncdfsf2))$")
set(_failed "")
foreach(image IN LISTS IMAGES)
  execute_process(COMMAND "${NM}" --defined-only "${image}" OUTPUT_VARIABLE _out
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${NM} ${image}: ${_err}")
  endif()
  string(REPLACE "\n" ";" _lines "${_out}")
  set(_found "")
  foreach(line IN LISTS _lines)
    string(REGEX REPLACE "^.* " "" _sym "${line}")
    if(_sym MATCHES "${_pattern}")
      list(APPEND _found "${_sym}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _found)
  list(LENGTH _found _n)
  get_filename_component(_name "${image}" NAME)
  message(STATUS "${_name}: ${_n} soft-double symbols ${_found}")
  if(_n GREATER 0)
    list(APPEND _failed "${_name}")
  endif()
endforeach()
if(_failed)
  message(FATAL_ERROR "soft-double routines linked into float firmware: ${_failed}")
endif()
