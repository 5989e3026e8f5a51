# SPDX-License-Identifier: MIT
# effect.cmake: hook for example.effect (see cmake/CtnnTestTargets.cmake). No data files (the
# signals are generated); ctest runs the short --smoke mode. The full run and its figures are in
# examples/README_sequences.md.
list(APPEND ctnn_test_args --smoke)
list(APPEND ctnn_test_properties TIMEOUT 120)
