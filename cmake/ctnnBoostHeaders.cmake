# SPDX-License-Identifier: MIT
# ctnnBoostHeaders.cmake: Boost::headers (Boost.Hana) for a CROSS build, without /usr/include.
# include()d by CMakeLists.txt and by the installed ctnnConfig.cmake when CMAKE_CROSSCOMPILING;
# native builds use find_package(Boost) instead.
#
# Why not find_package(Boost) when cross-compiling (e.g. cmake/toolchains/cortex-m4f.cmake): the
# toolchain confines package searches to the target's root (CMAKE_FIND_ROOT_PATH_MODE_PACKAGE
# ONLY), where there is no Boost, and a Boost found on the host would put its include folder,
# usually /usr/include, on the cross compiler's command line, where glibc's headers shadow newlib's.
#
# What it does instead: find the folder holding boost/hana.hpp, link its `boost` sub-folder into a
# folder of the consumer's build tree that holds nothing else (<build>/_ctnn_boost_only/boost), and
# define the imported target Boost::headers with that folder as its (system) include directory.
# Imported targets are directory-scoped, like the ones Boost's own config defines. A project that
# defines Boost::headers itself before this runs keeps its own.
#
# Where it looks, first hit wins:
#   CTNN_BOOST_INCLUDE_DIR   cache variable: the folder holding boost/ (set it to override)
#   Boost_INCLUDE_DIR, BOOST_INCLUDEDIR, BOOST_ROOT (variables or environment), as FindBoost
#   the toolchain's target root (CMAKE_FIND_ROOT_PATH, CMAKE_SYSROOT)
#   _ctnn_boost_hint (the installed config sets it to the folder Boost was found in when ctnn was
#   configured), then /usr/local/include and /usr/include (a Generic-system toolchain has no
#   default include folders to search).
# Result: _ctnn_boost_error is empty on success, or says what went wrong.
set(_ctnn_boost_error "")
if(TARGET Boost::headers)
  return()
endif()

# Three searches; find_path stops searching once the cache variable is set.
set(_ctnn_boost_doc "Folder that contains boost/hana.hpp (Boost >= 1.70), for cross builds")
find_path(CTNN_BOOST_INCLUDE_DIR boost/hana.hpp DOC "${_ctnn_boost_doc}"
          HINTS ${Boost_INCLUDE_DIR} ${BOOST_INCLUDEDIR} $ENV{BOOST_INCLUDEDIR}
                ${BOOST_ROOT} $ENV{BOOST_ROOT}
          PATH_SUFFIXES include NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
find_path(CTNN_BOOST_INCLUDE_DIR boost/hana.hpp DOC "${_ctnn_boost_doc}")
find_path(CTNN_BOOST_INCLUDE_DIR boost/hana.hpp DOC "${_ctnn_boost_doc}"
          HINTS ${_ctnn_boost_hint} PATHS /usr/local/include /usr/include NO_CMAKE_FIND_ROOT_PATH)
unset(_ctnn_boost_doc)
if(NOT EXISTS "${CTNN_BOOST_INCLUDE_DIR}/boost/hana.hpp")   # also catches a mistyped setting
  set(_ctnn_boost_error "ctnn needs Boost.Hana's headers (Boost >= 1.70): boost/hana.hpp was not "
                        "found (CTNN_BOOST_INCLUDE_DIR=${CTNN_BOOST_INCLUDE_DIR}): set "
                        "CTNN_BOOST_INCLUDE_DIR to the folder that holds boost/")
  string(JOIN "" _ctnn_boost_error ${_ctnn_boost_error})
  return()
endif()

# Re-created at every configure, so a changed CTNN_BOOST_INCLUDE_DIR takes effect.
set(_ctnn_boost_only "${CMAKE_BINARY_DIR}/_ctnn_boost_only")
file(REMOVE_RECURSE "${_ctnn_boost_only}")
file(MAKE_DIRECTORY "${_ctnn_boost_only}")
file(CREATE_LINK "${CTNN_BOOST_INCLUDE_DIR}/boost" "${_ctnn_boost_only}/boost"
     RESULT _ctnn_link_result SYMBOLIC)
if(NOT _ctnn_link_result EQUAL 0)
  set(_ctnn_boost_error "ctnn: cannot link ${_ctnn_boost_only}/boost to "
      "${CTNN_BOOST_INCLUDE_DIR}/boost (${_ctnn_link_result}): define an imported target "
      "Boost::headers whose include directory holds boost/ and no C library headers first")
  string(JOIN "" _ctnn_boost_error ${_ctnn_boost_error})
else()
  add_library(Boost::headers INTERFACE IMPORTED)
  set_target_properties(Boost::headers PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES "${_ctnn_boost_only}")
endif()
unset(_ctnn_boost_only)
unset(_ctnn_link_result)
