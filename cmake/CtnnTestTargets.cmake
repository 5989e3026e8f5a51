# SPDX-License-Identifier: MIT
# CtnnTestTargets.cmake: helpers that turn one source file into one test target (tests/ and examples/).
#
#   ctnn_add_test_program(<target> SOURCE <file> [HOOK <file.cmake>] [WORKING_DIRECTORY <dir>]
#                         [LIBRARIES <lib>...] [ARGS <arg>...] [NO_EXCEPTIONS] [UBSAN_ONLY])
#       add_executable(<target>) linked with ctnn::ctnn and the test options, then add_test(NAME <target>).
#       If the HOOK file exists it is include()d after the target exists and before add_test, with:
#         ctnn_target           the target name (read it: target_compile_options(${ctnn_target} ...))
#         ctnn_test_args        list of command-line arguments for the test (starts as ARGS)
#         ctnn_test_properties  extra set_tests_properties() pairs, e.g. TIMEOUT 300
#         ctnn_skip_test        set to TRUE to build the target but register no test
#
#   ctnn_add_compile_fail_test(<source>)
#       Two EXCLUDE_FROM_ALL OBJECT libraries, compile_fail.<name>.ok and compile_fail.<name>.fail (the
#       latter with CTNN_SHOULD_FAIL defined), and two ctests that build them through the build tree.
#       ok passes when the build succeeds. fail runs through CtnnExpectFailure.cmake and passes only if the
#       build exits non-zero AND its output matches the regex on the source's first line
#       `// EXPECT: <regex>` (CMake regex syntax, read at test time, so editing it needs no re-configure).
#
#   ctnn_add_subprojects(<dir>)
#       add_subdirectory() every <dir>/*/CMakeLists.txt, except stand-alone projects (files that call
#       project(), e.g. a cross-compiled firmware tree configured on its own). Lets a helper own a
#       sub-directory's CMakeLists.txt without editing the parent.
include_guard(GLOBAL)
include(CtnnTestOptions)

set(CTNN_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "ctnn's cmake/ directory")

function(ctnn_add_test_program target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_EXCEPTIONS;UBSAN_ONLY" "SOURCE;HOOK;WORKING_DIRECTORY"
                        "LIBRARIES;ARGS")
  add_executable(${target} "${ARG_SOURCE}")
  target_link_libraries(${target} PRIVATE ctnn::ctnn ${ARG_LIBRARIES})
  if(ARG_UBSAN_ONLY)
    ctnn_test_options(${target} UBSAN_ONLY)
  else()
    ctnn_test_options(${target})
  endif()
  if(ARG_NO_EXCEPTIONS)
    ctnn_no_exceptions(${target})
  endif()

  set(ctnn_target ${target})
  set(ctnn_test_args ${ARG_ARGS})
  set(ctnn_test_properties "")
  set(ctnn_skip_test FALSE)
  if(ARG_HOOK AND EXISTS "${ARG_HOOK}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${ARG_HOOK}")
    include("${ARG_HOOK}")
  endif()
  if(ctnn_skip_test)
    return()
  endif()
  if(NOT ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  add_test(NAME ${target} COMMAND ${target} ${ctnn_test_args}
           WORKING_DIRECTORY "${ARG_WORKING_DIRECTORY}")
  if(ctnn_test_properties)
    set_tests_properties(${target} PROPERTIES ${ctnn_test_properties})
  endif()
endfunction()

# `cmake --build <top build dir> --target <t>`, with --config only for multi-config generators.
function(ctnn_nested_build_command out target)
  set(cmd "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target ${target})
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    list(APPEND cmd --config "$<CONFIG>")
  endif()
  set(${out} "${cmd}" PARENT_SCOPE)
endfunction()

function(ctnn_add_compile_fail_test source)
  get_filename_component(name "${source}" NAME_WE)
  file(READ "${source}" head LIMIT 1024)
  if(NOT head MATCHES "^// EXPECT: [^\n]*[^ \t\r\n]")
    message(FATAL_ERROR "${source}: the first line must be `// EXPECT: <regex>` (a non-empty regex)")
  endif()

  foreach(kind ok fail)
    set(t compile_fail.${name}.${kind})
    add_library(${t} OBJECT EXCLUDE_FROM_ALL "${source}")   # compile only; never in 'all'
    target_link_libraries(${t} PRIVATE ctnn::ctnn)
    ctnn_test_options(${t})
    ctnn_no_exceptions(${t})
  endforeach()
  target_compile_definitions(compile_fail.${name}.fail PRIVATE CTNN_SHOULD_FAIL)

  ctnn_nested_build_command(build_ok compile_fail.${name}.ok)
  add_test(NAME compile_fail.${name}.ok COMMAND ${build_ok})

  ctnn_nested_build_command(build_fail compile_fail.${name}.fail)
  add_test(NAME compile_fail.${name}.fail
           COMMAND "${CMAKE_COMMAND}"
                   "-DEXPECT_FROM=${source}"
                   -P "${CTNN_CMAKE_DIR}/CtnnExpectFailure.cmake" -- ${build_fail})
  # Nested builds of the same tree must not run concurrently (ninja/make lock files, .ninja_log).
  set_tests_properties(compile_fail.${name}.ok compile_fail.${name}.fail PROPERTIES
                       RESOURCE_LOCK ctnn_build_tree LABELS compile_fail)
endfunction()

function(ctnn_add_subprojects dir)
  file(GLOB list_files CONFIGURE_DEPENDS "${dir}/*/CMakeLists.txt")
  list(SORT list_files)
  foreach(list_file IN LISTS list_files)
    file(READ "${list_file}" content)
    if(content MATCHES "(^|\n)[ \t]*[Pp][Rr][Oo][Jj][Ee][Cc][Tt][ \t]*\\(")
      continue()                                 # a stand-alone project, configured on its own
    endif()
    get_filename_component(subdir "${list_file}" DIRECTORY)
    add_subdirectory("${subdir}")
  endforeach()
endfunction()
