# SPDX-License-Identifier: MIT
# regenerate_digits_model.cmake: train_digits must reproduce the committed
# examples/embedded/src/digits_model.hpp byte for byte (ctnn's training is deterministic, and the
# same on every compiler given -ffp-contract=off). After a deliberate change of ctnn's numerics,
# regenerate it: train_digits <data>/digits_train.csv <data>/digits_test.csv <that file>.
#
#   cmake -DTOOL=<train_digits> -DDATA=<examples/data> -DEXPECTED=<digits_model.hpp>
#         -DOUT=<new file> -P regenerate_digits_model.cmake
cmake_minimum_required(VERSION 3.25)
foreach(v TOOL DATA EXPECTED OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "regenerate_digits_model.cmake: -D${v}=... is required")
  endif()
endforeach()
execute_process(COMMAND "${TOOL}" "${DATA}/digits_train.csv" "${DATA}/digits_test.csv" "${OUT}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "train_digits failed (${rc})")
endif()
file(SHA256 "${OUT}" new)
file(SHA256 "${EXPECTED}" old)
if(NOT new STREQUAL old)
  message(FATAL_ERROR "${OUT} differs from the committed ${EXPECTED}: the training is not "
                      "reproducible, or ctnn's numerics changed (then commit the new file)")
endif()
message(STATUS "digits_model.hpp reproduced exactly")
