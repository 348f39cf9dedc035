// The JSON spellings of Kubernetes' special protobuf values: RFC 3339 times and Go
// duration strings. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::apis::protobuf {

// seconds (+ nanos) since the Unix epoch as RFC 3339 in UTC: "2024-01-02T03:04:05Z", or with
// fraction_digits = 6 "2024-01-02T03:04:05.123456Z" (the fraction truncated, always 6 digits,
// as metav1.MicroTime marshals). nanos outside [0, 1e9) carry into the seconds, as Go's
// time.Unix does. nullopt when the year falls outside 0000-9999 (Go refuses those too).
std::optional<std::string> FormatRfc3339(int64_t seconds, int64_t nanos, int fraction_digits);

// A nanosecond count as Go's time.Duration.String(): "0s", "1.5s", "1h2m3s", "500ms", "2µs",
// "-3m0s".
std::string FormatGoDuration(int64_t nanoseconds);

}  // namespace skiff::apis::protobuf
