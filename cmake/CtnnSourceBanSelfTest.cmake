# SPDX-License-Identifier: MIT
# CtnnSourceBanSelfTest.cmake: proves CtnnSourceBan.cmake catches each banned construct it claims to,
# and does not flag look-alikes (comments, literals, std::string_view, identifiers containing a word).
#
#   cmake -DWORK_DIR=<scratch dir> -P CtnnSourceBanSelfTest.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED WORK_DIR)
  message(FATAL_ERROR "usage: cmake -DWORK_DIR=<scratch dir> -P CtnnSourceBanSelfTest.cmake")
endif()
set(scanner "${CMAKE_CURRENT_LIST_DIR}/CtnnSourceBan.cmake")
file(REMOVE_RECURSE "${WORK_DIR}")

# <what the scanner reports> <one offending line of code> (@SC@ stands for a semicolon: list syntax)
set(planted
  "new"           "int* p = new int{1}@SC@"
  "new"           "auto* q = ::new (buffer) T{}@SC@"
  "malloc"        "void* p = std::malloc(8)@SC@"
  "calloc"        "void* p = calloc(1, 8)@SC@"
  "realloc"       "p = realloc(p, 16)@SC@"
  "free("         "free (p)@SC@"
  "std::vector"   "std::vector<float> v@SC@"
  "std::string"   "std::string name@SC@"
  "std::function" "std::function<void()> f@SC@"
  "unique_ptr"    "std::unique_ptr<int> p@SC@"
  "shared_ptr"    "auto p = std::make_shared<int>(1)@SC@ std::shared_ptr<int> q = p@SC@"
  "throw"         "if (bad) throw 1@SC@"
  "typeid"        "auto& info = typeid(int)@SC@"
  "dynamic_cast"  "auto* d = dynamic_cast<D*>(b)@SC@"
  "try"           "try { f()@SC@ }"
  "catch"         "} catch (...) {}"
  "#include"      "#include <vector>"
  "#include"      "#  include <functional>"
  "throw"         "int x = 1@SC@ /* closed */ throw x@SC@ // trailing comment"
  "catch"         "char c = '\\\"'@SC@ } catch (...) {}")

set(failures "")
set(i 0)
while(planted)
  list(POP_FRONT planted what line)
  math(EXPR i "${i} + 1")
  string(REPLACE "@SC@" ";" line "${line}")
  set(dir "${WORK_DIR}/planted_${i}")
  file(WRITE "${dir}/ctnn/bad.hpp" "// SPDX-License-Identifier: MIT\n#pragma once\n${line}\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DROOT=${dir}" -P "${scanner}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(FIND "${out}" "bad.hpp:3: banned ${what}:" hit)
  if(rc EQUAL 0 OR hit EQUAL -1)
    list(APPEND failures "missed `${what}` in: ${line}\n${out}")
  else()
    message("caught ${what}: ${line}")
  endif()
endwhile()

# Look-alikes that must NOT be flagged.
file(WRITE "${WORK_DIR}/clean/ctnn/good.hpp" [=[
// SPDX-License-Identifier: MIT
/// @file good.hpp Mentions new, malloc, free(p), std::vector, throw, try and catch only in comments.
#pragma once
#include <string_view>
#include <array>
/* a block comment: throw new std::vector
   spanning lines: try { } catch (...) { } typeid dynamic_cast std::string
*/
namespace ctnn {
inline constexpr std::string_view renewed = "no new, malloc or free( here; throw try catch";
inline constexpr char quote = '"';   // a quote char must not open a string: throw
inline constexpr long big = 1'000'000;
inline constexpr int free_list = 0, is_nothrow = 1, try_count = 2, caught = 3, newest = 4;
constexpr int f() noexcept { return free_list + is_nothrow + try_count + caught + newest; }
constexpr auto g(const char* s) noexcept { return s; }   /* inline block */ constexpr int h = 1;
inline constexpr auto escaped = "a \" quoted \\ throw \" string";
}  // namespace ctnn
]=])
execute_process(COMMAND "${CMAKE_COMMAND}" "-DROOT=${WORK_DIR}/clean" -P "${scanner}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  list(APPEND failures "flagged a clean file:\n${out}")
else()
  message("clean look-alikes pass")
endif()

if(failures)
  string(JOIN "\n" text ${failures})
  message(FATAL_ERROR "source ban self-test failed:\n${text}")
endif()
message("source ban self-test: all planted violations caught, no false positives")
