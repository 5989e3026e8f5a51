// SPDX-License-Identifier: MIT
// catch_main.cpp: the one Catch2 main shared by every tests/unit/*.cpp executable (built once).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
