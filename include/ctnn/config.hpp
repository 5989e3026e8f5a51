// SPDX-License-Identifier: MIT
/// @file config.hpp Defines ctnn's version, the hosted/freestanding switch and shared macros.
#pragma once

#define CTNN_VERSION_MAJOR 0
#define CTNN_VERSION_MINOR 1
#define CTNN_VERSION_PATCH 0

/// CTNN_HOSTED is 1 when a hosted standard library is available (printing helpers need it).
/// Firmware builds get 0 automatically; the core (network, training, serialisation) never needs it.
#ifndef CTNN_HOSTED
#  if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#    define CTNN_HOSTED 1
#  else
#    define CTNN_HOSTED 0
#  endif
#endif
