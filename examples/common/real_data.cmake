# SPDX-License-Identifier: MIT
# real_data.cmake: shared by the hooks of the real-data examples (examples/iris.cmake, digits.cmake,
# breast_cancer.cmake), include()d by ctnn_add_test_program with ${ctnn_target} set.
#
# - The CSV reader is Ben Strasser's header-only Fast C++ CSV Parser, <libfccp/csv.h>
#   (Debian/Ubuntu package libfccp-dev; elsewhere put csv.h in a libfccp/ folder on the include
#   path, or point CTNN_FCCP_INCLUDE_DIR at the folder that holds libfccp/).
# - The examples find examples/data through CTNN_EXAMPLE_DATA_DIR, the absolute path that
#   examples/CMakeLists.txt defines for every example (so ctest can run them from the build tree);
#   `--data DIR` overrides it at run time.
# - ctest runs the short --smoke mode; the full runs and `--seeds 5` are for people (see README).
find_path(CTNN_FCCP_INCLUDE_DIR NAMES libfccp/csv.h
          DOC "folder holding libfccp/csv.h, the Fast C++ CSV Parser (Debian/Ubuntu: libfccp-dev)")
if(NOT CTNN_FCCP_INCLUDE_DIR)
  message(FATAL_ERROR
    "${ctnn_target} needs the Fast C++ CSV Parser header <libfccp/csv.h>: install libfccp-dev "
    "(apt-get install libfccp-dev), set CTNN_FCCP_INCLUDE_DIR, or configure with "
    "-DCTNN_BUILD_EXAMPLES=OFF")
endif()
# SYSTEM: the parser's own warnings must not fail the -Werror build (CMake drops the include
# flag altogether when the folder is an implicit one such as /usr/include, which is also a system
# folder).
target_include_directories(${ctnn_target} SYSTEM PRIVATE "${CTNN_FCCP_INCLUDE_DIR}")
# examples/CMakeLists.txt builds examples with -fno-exceptions -fno-rtti; the CSV parser reports
# malformed files by throwing, so turn exceptions back on (the later flag wins). ctnn itself still
# never throws: the library headers are checked by the source ban and the no-exception builds of
# the other examples and tests.
if(CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang|AppleClang)$")
  target_compile_options(${ctnn_target} PRIVATE -fexceptions)
endif()
list(APPEND ctnn_test_args --smoke)
list(APPEND ctnn_test_properties TIMEOUT 120)
