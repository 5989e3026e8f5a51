# SPDX-License-Identifier: MIT
# CtnnSourceBan.cmake: fail if library headers use the heap, exceptions or RTTI.
#
#   cmake -DROOT=<dir> -P CtnnSourceBan.cmake
#
# Scans every *.hpp / *.h / *.ipp below ROOT. Comments (//, /* */, doc lines) and the contents of string
# and character literals are ignored; everything else must not contain: new-expressions, malloc, calloc,
# realloc, free(, std::vector, std::string (std::string_view is fine), std::function, unique_ptr,
# shared_ptr, throw, typeid, dynamic_cast, try, catch, or #include <vector|string|functional|typeinfo|
# stdexcept>. Prints `file:line: banned <what>: <line>` for each hit and exits non-zero if any.
cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED ROOT OR NOT IS_DIRECTORY "${ROOT}")
  message(FATAL_ERROR "usage: cmake -DROOT=<directory> -P CtnnSourceBan.cmake")
endif()

# Pairs of <what> and <CMake regex>; _b_/_a_ stand for "no identifier character before/after".
set(_b_ "(^|[^A-Za-z0-9_])")
set(_a_ "([^A-Za-z0-9_]|$)")
set(ctnn_bans
  "new"            "${_b_}new[ \t(]"
  "malloc"         "${_b_}malloc${_a_}"
  "calloc"         "${_b_}calloc${_a_}"
  "realloc"        "${_b_}realloc${_a_}"
  "free("          "${_b_}free[ \t]*\\("
  "std::vector"    "std::vector${_a_}"
  "std::string"    "std::string${_a_}"
  "std::function"  "std::function${_a_}"
  "unique_ptr"     "${_b_}unique_ptr${_a_}"
  "shared_ptr"     "${_b_}shared_ptr${_a_}"
  "throw"          "${_b_}throw${_a_}"
  "typeid"         "${_b_}typeid${_a_}"
  "dynamic_cast"   "${_b_}dynamic_cast${_a_}"
  "try"            "${_b_}try${_a_}"
  "catch"          "${_b_}catch${_a_}"
  "#include"       "#[ \t]*include[ \t]*<(vector|string|functional|typeinfo|stdexcept)>")

# Characters that CMake's list splitting would misread are masked while the file is split into lines.
string(ASCII 1 m_bs)
string(ASCII 2 m_sc)
string(ASCII 3 m_lb)
string(ASCII 4 m_rb)
macro(ctnn_unmask var)
  string(REPLACE "${m_bs}" "\\" ${var} "${${var}}")
  string(REPLACE "${m_sc}" ";" ${var} "${${var}}")
  string(REPLACE "${m_lb}" "[" ${var} "${${var}}")
  string(REPLACE "${m_rb}" "]" ${var} "${${var}}")
endmacro()

file(GLOB_RECURSE files "${ROOT}/*.hpp" "${ROOT}/*.h" "${ROOT}/*.ipp")
list(SORT files)
set(violations 0)
foreach(file IN LISTS files)
  file(READ "${file}" text)
  string(REPLACE "\\" "${m_bs}" text "${text}")
  string(REPLACE ";" "${m_sc}" text "${text}")
  string(REPLACE "[" "${m_lb}" text "${text}")
  string(REPLACE "]" "${m_rb}" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(in_block FALSE)
  set(lineno 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    ctnn_unmask(line)
    # Lex the line left to right; keep code, blank literals, drop comments.
    set(code "")
    set(rest "${line}")
    while(NOT rest STREQUAL "")
      if(in_block)
        string(FIND "${rest}" "*/" end)
        if(end EQUAL -1)
          set(rest "")
        else()
          math(EXPR end "${end} + 2")
          string(SUBSTRING "${rest}" ${end} -1 rest)
          string(APPEND code " ")
          set(in_block FALSE)
        endif()
      elseif(rest MATCHES "^[^\"'/]+")
        string(APPEND code "${CMAKE_MATCH_0}")
        string(LENGTH "${CMAKE_MATCH_0}" n)
        string(SUBSTRING "${rest}" ${n} -1 rest)
      elseif(rest MATCHES "^//")
        set(rest "")
      elseif(rest MATCHES "^/\\*")
        string(SUBSTRING "${rest}" 2 -1 rest)
        set(in_block TRUE)
      elseif(rest MATCHES "^/")
        string(APPEND code "/")
        string(SUBSTRING "${rest}" 1 -1 rest)
      elseif(rest MATCHES "^'" AND code MATCHES "[0-9A-Fa-f]$")   # digit separator: 1'000
        string(APPEND code "'")
        string(SUBSTRING "${rest}" 1 -1 rest)
      elseif(rest MATCHES "^\"([^\"\\\\]|\\\\.)*\"")      # string literal
        string(APPEND code "\"\"")
        string(LENGTH "${CMAKE_MATCH_0}" n)
        string(SUBSTRING "${rest}" ${n} -1 rest)
      elseif(rest MATCHES "^'([^'\\\\]|\\\\.)*'")           # character literal
        string(APPEND code "''")
        string(LENGTH "${CMAKE_MATCH_0}" n)
        string(SUBSTRING "${rest}" ${n} -1 rest)
      else()                                   # unterminated literal: ignore the rest of the line
        set(rest "")
      endif()
    endwhile()
    set(bans ${ctnn_bans})
    while(bans)
      list(POP_FRONT bans what regex)
      if(code MATCHES "${regex}")
        string(STRIP "${line}" shown)
        file(RELATIVE_PATH rel "${ROOT}" "${file}")
        message("${rel}:${lineno}: banned ${what}: ${shown}")
        math(EXPR violations "${violations} + 1")
      endif()
    endwhile()
  endforeach()
endforeach()

list(LENGTH files nfiles)
if(violations GREATER 0)
  message(FATAL_ERROR "source ban: ${violations} violation(s) in ${ROOT} (${nfiles} files scanned)")
endif()
message("source ban: ${nfiles} files scanned in ${ROOT}, no heap, exceptions or RTTI")
