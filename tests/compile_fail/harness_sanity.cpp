// EXPECT: error: static.assert(ion)? failed.*ctnn harness sanity
// SPDX-License-Identifier: MIT
// harness_sanity.cpp: proves the compile-fail harness itself works. The ok twin compiles against
// ctnn's include path with the test flags; the fail twin must stop at the static_assert below, and the
// harness must see that message in the compiler's output (g++: "error: static assertion failed: ...",
// clang++ 14: "error: static_assert failed ... \"...\"").
#include <ctnn/config.hpp>

inline constexpr int ctnn_harness_version_major = CTNN_VERSION_MAJOR;

#ifdef CTNN_SHOULD_FAIL
static_assert(sizeof(int) == 0, "ctnn harness sanity");
#endif
