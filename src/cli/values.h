// Parsers for the scalar values of flags and config keys. Private to skiff_cli.
//
// Every parser returns either the value or an InvalidArgument Status whose message is only the
// reason (e.g. "must be between 1 and 65535"); the caller adds which flag or file:line and which
// value were at fault. None of them throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/common/log.h"
#include "skiff/common/status.h"

namespace skiff::cli {

// Go's strconv.ParseBool spellings: 1 t T TRUE true True, 0 f F FALSE false False.
Result<bool> ParseBool(std::string_view text);

// Go's time.ParseDuration syntax: one or more decimal numbers (fractions allowed), each with a
// unit of ns, us (or µs), ms, s, m or h, e.g. "5m", "1h30m", "1.5s". Negative durations and
// durations of 292 years or more are rejected.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);
// The inverse for whole values: "5m", "1h30m", "45s", "250ms", "0s".
std::string FormatDuration(std::chrono::nanoseconds d);

// A TCP port: decimal 1-65535.
Result<std::uint16_t> ParsePort(std::string_view text);

// A permission mode in octal, with or without the leading 0 ("0600", "644"); at most 0777.
Result<unsigned> ParseFileMode(std::string_view text);
// "0600".
std::string FormatFileMode(unsigned mode);

// debug, info, warning (or warn), error.
Result<log::Level> ParseLogLevel(std::string_view text);
std::string_view LogLevelName(log::Level level);

// A Kubernetes DNS-1123 subdomain (what node names must be): at most 253 characters of
// lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.
Status CheckDns1123Subdomain(std::string_view name);
// A DNS domain such as the cluster domain: a DNS-1123 subdomain whose labels are non-empty and at
// most 63 characters long.
Status CheckDnsDomain(std::string_view name);

// An http:// or https:// URL with a host name, an IPv4 address or a bracketed IPv6 address,
// an optional port and an optional path. User info ("user:pw@") is rejected.
struct HttpUrl {
  std::string scheme;      // "http" or "https"
  std::string host;        // without brackets
  std::uint16_t port = 0;  // 0 when the URL names none
  std::string path;        // from the first '/', possibly empty
};
Result<HttpUrl> ParseHttpUrl(std::string_view text);

}  // namespace skiff::cli
