# SPDX-License-Identifier: MIT
# digits_gru.cmake: hook for example.digits_gru (see cmake/CtnnTestTargets.cmake): the CSV reader,
# the data folder, and ctest's short --smoke run, as for example.digits.
include("${CMAKE_CURRENT_LIST_DIR}/common/real_data.cmake")
