# SPDX-License-Identifier: MIT
# breast_cancer.cmake: hook for example.breast_cancer (see cmake/CtnnTestTargets.cmake): the CSV reader, the data
# folder, and ctest's short --smoke run.
include("${CMAKE_CURRENT_LIST_DIR}/common/real_data.cmake")
