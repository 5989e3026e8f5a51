// SPDX-License-Identifier: MIT
// Tests for <ctnn/status.hpp>: every enumerator has a non-empty message of its own, and the
// messages are available at compile time.
#include <ctnn/status.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <catch2/catch.hpp>

namespace {

// Every enumerator, in declaration order. A new enumerator must be added here: the test
// "the list is complete" fails until it is.
constexpr std::array<ctnn::status, 17> all_statuses{
    ctnn::status::ok,
    ctnn::status::stopped_by_callback,
    ctnn::status::early_stopped,
    ctnn::status::diverged,
    ctnn::status::non_finite_data,
    ctnn::status::empty_dataset,
    ctnn::status::size_mismatch,
    ctnn::status::invalid_options,
    ctnn::status::truncated,
    ctnn::status::bad_magic,
    ctnn::status::unsupported_version,
    ctnn::status::element_type_mismatch,
    ctnn::status::topology_mismatch,
    ctnn::status::checksum_mismatch,
    ctnn::status::non_finite_value,
    ctnn::status::buffer_too_small,
    ctnn::status::length_mismatch,
};

constexpr std::size_t length(const char* s) {
  std::size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

constexpr bool same(const char* a, const char* b) {
  std::size_t i = 0;
  for (; a[i] != '\0' && a[i] == b[i]; ++i) {
  }
  return a[i] == b[i];
}

}  // namespace

TEST_CASE("status: a small enum class with ok == 0", "[status]") {
  STATIC_REQUIRE(std::is_enum_v<ctnn::status>);
  STATIC_REQUIRE(!std::is_convertible_v<ctnn::status, int>);  // scoped
  STATIC_REQUIRE(std::is_same_v<std::underlying_type_t<ctnn::status>, std::uint8_t>);
  STATIC_REQUIRE(sizeof(ctnn::status) == 1);
  STATIC_REQUIRE(static_cast<int>(ctnn::status::ok) == 0);
  STATIC_REQUIRE(ctnn::status{} == ctnn::status::ok);  // value-initialised == ok
}

TEST_CASE("status: the list is complete (enumerators are 0 .. 16, nothing after)", "[status]") {
  for (std::size_t k = 0; k < all_statuses.size(); ++k)
    CHECK(static_cast<std::size_t>(all_statuses[k]) == k);
  // the value after the last one is not an enumerator: it gets the fallback text
  const auto past_end = static_cast<ctnn::status>(all_statuses.size());
  CHECK(std::strcmp(ctnn::message(past_end), "unknown status") == 0);
  CHECK(std::strcmp(ctnn::message(static_cast<ctnn::status>(255)), "unknown status") == 0);
}

TEST_CASE("status: message() is non-empty and distinct for every enumerator", "[status]") {
  for (std::size_t a = 0; a < all_statuses.size(); ++a) {
    const char* ma = ctnn::message(all_statuses[a]);
    INFO("status " << a << ": \"" << ma << "\"");
    REQUIRE(ma != nullptr);
    CHECK(std::strlen(ma) > 1);
    CHECK(std::strcmp(ma, "unknown status") != 0);
    CHECK(ctnn::message(all_statuses[a]) == ma);  // static storage: the same pointer each time
    for (std::size_t b = a + 1; b < all_statuses.size(); ++b) {
      INFO("vs status " << b << ": \"" << ctnn::message(all_statuses[b]) << "\"");
      CHECK(std::strcmp(ma, ctnn::message(all_statuses[b])) != 0);
    }
  }
  CHECK(std::strcmp(ctnn::message(ctnn::status::ok), "ok") == 0);
}

TEST_CASE("status: message() is usable at compile time", "[status][constexpr]") {
  STATIC_REQUIRE(noexcept(ctnn::message(ctnn::status::ok)));
  STATIC_REQUIRE(same(ctnn::message(ctnn::status::ok), "ok"));
  STATIC_REQUIRE(length(ctnn::message(ctnn::status::diverged)) > 10);
  constexpr bool all_distinct = [] {
    for (std::size_t a = 0; a < all_statuses.size(); ++a) {
      if (length(ctnn::message(all_statuses[a])) == 0) return false;
      for (std::size_t b = a + 1; b < all_statuses.size(); ++b)
        if (same(ctnn::message(all_statuses[a]), ctnn::message(all_statuses[b]))) return false;
    }
    return true;
  }();
  STATIC_REQUIRE(all_distinct);
}
