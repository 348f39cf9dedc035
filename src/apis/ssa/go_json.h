// JSON text exactly as Go's encoding/json writes it (keys sorted, HTML characters escaped),
// and the RFC 3339 timestamps of metav1.Time. Internal to skiff_apis_ssa.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::apis::ssa {

// Compact JSON with Go's escaping: <, >, & as \u003c \u003e \u0026, U+2028/U+2029 escaped,
// object keys in byte order, integral floats below 1e21 without a fraction.
std::string GoJson(const nlohmann::json& value);
void AppendGoJson(std::string& out, const nlohmann::json& value);
void AppendGoString(std::string& out, std::string_view s);

// "2024-01-02T03:04:05Z" (seconds precision, UTC), as metav1.Time marshals.
std::string FormatTime(std::chrono::system_clock::time_point t);
// Seconds since the epoch of an RFC 3339 time ("...Z" or with an offset, fractions ignored);
// nullopt when it does not parse.
std::optional<int64_t> ParseTimeSeconds(std::string_view text);

}  // namespace skiff::apis::ssa
