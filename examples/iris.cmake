# SPDX-License-Identifier: MIT
# iris.cmake: hook for example.iris (see cmake/CtnnTestTargets.cmake): the CSV reader, the data
# folder, and ctest's short --smoke run.
include("${CMAKE_CURRENT_LIST_DIR}/common/real_data.cmake")
