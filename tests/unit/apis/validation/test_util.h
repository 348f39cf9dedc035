// Helpers for the validation tests: find an error by field path and render messages.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/apis/validation.h"

namespace skiff::apis::testing {

inline std::string Dump(const FieldErrors& errs) {
  std::string out;
  for (const auto& e : errs) out += e.Message() + "\n";
  return out;
}

// The messages of all errors on `field`.
inline std::vector<std::string> MessagesFor(const FieldErrors& errs, const std::string& field) {
  std::vector<std::string> out;
  for (const auto& e : errs) {
    if (e.field == field) out.push_back(e.Message());
  }
  return out;
}

inline bool HasMessage(const FieldErrors& errs, const std::string& message) {
  for (const auto& e : errs) {
    if (e.Message() == message) return true;
  }
  return false;
}

inline bool HasField(const FieldErrors& errs, const std::string& field) {
  for (const auto& e : errs) {
    if (e.field == field) return true;
  }
  return false;
}

}  // namespace skiff::apis::testing

// Asserts that `errs` contains exactly the rendered message `msg` (printing all on failure).
#define REQUIRE_ERROR(errs, msg)                              \
  do {                                                        \
    INFO("errors:\n" << skiff::apis::testing::Dump(errs));    \
    REQUIRE(skiff::apis::testing::HasMessage((errs), (msg))); \
  } while (0)

#define REQUIRE_NO_ERRORS(errs)                            \
  do {                                                     \
    INFO("errors:\n" << skiff::apis::testing::Dump(errs)); \
    REQUIRE((errs).empty());                               \
  } while (0)
