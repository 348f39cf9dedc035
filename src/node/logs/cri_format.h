// The CRI log line format: timestamps and entry parsing (internal to skiff_logs).
//
//   2016-10-06T00:17:09.669794202Z stdout P log content 1
//   2016-10-06T00:17:09.669794203Z stderr F log content 2
//
// Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::node::logs {

using TimePoint = std::chrono::system_clock::time_point;

enum class LogStream { kStdout = 0, kStderr = 1 };

// "stdout" or "stderr".
std::string_view StreamName(LogStream stream);

// Appends t as "2006-01-02T15:04:05.000000000Z": UTC, always 9 fraction digits (kubelet's
// RFC3339NanoFixed), so timestamps sort as text.
void AppendTimestamp(TimePoint t, std::string* out);
std::string FormatTimestamp(TimePoint t);

// Parses RFC 3339 as kubelet does (RFC3339NanoLenient): "YYYY-MM-DDTHH:MM:SS", an optional
// fraction of 1-9 digits, then "Z" or "+hh:mm"/"-hh:mm". nullopt when malformed or out of the
// range a nanosecond system_clock can hold (years 1678-2261).
std::optional<TimePoint> ParseTimestamp(std::string_view text);

struct CriEntry {
  TimePoint time;
  LogStream stream;
  bool partial;              // tag P: the line continues in the next entry of this stream
  std::string_view content;  // points into the parsed record
};

// Parses one record (a file line without its '\n'). The tag may carry ':'-separated extras
// ("F:x"); only the first tag counts, and anything but P is a full line, as in kubelet. A record
// that ends right after the tag has empty content. nullopt when malformed.
std::optional<CriEntry> ParseCriEntry(std::string_view record);

// The longest record head ParseCriEntry needs to see the timestamp, stream and tag.
inline constexpr size_t kCriHeaderMax = 128;

}  // namespace skiff::node::logs
