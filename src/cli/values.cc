#include "cli/values.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdint>

namespace skiff::cli {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z'); }

// Checks one DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool IsDns1123Label(std::string_view label) {
  if (label.empty() || !IsLowerAlnum(label.front()) || !IsLowerAlnum(label.back())) return false;
  for (char c : label) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

struct DurationUnit {
  std::string_view name;
  long double nanoseconds;
};
constexpr DurationUnit kDurationUnits[] = {
    {"ns", 1.0L}, {"us", 1e3L}, {"\xC2\xB5s", 1e3L}, {"ms", 1e6L},
    {"s", 1e9L},  {"m", 60e9L}, {"h", 3600e9L},
};

}  // namespace

Result<bool> ParseBool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == t) return true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == f) return false;
  }
  return InvalidArgumentError("must be a boolean (true or false)");
}

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (!s.empty() && s.front() == '-') return InvalidArgumentError("must not be negative");
  if (s.empty()) return InvalidArgumentError("must be a duration such as 30s, 5m or 1h");
  if (s == "0") return std::chrono::nanoseconds(0);
  long double total = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    bool digits = false;
    long double value = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i, digits = true) value = value * 10 + (s[i] - '0');
    if (i < s.size() && s[i] == '.') {
      long double scale = 0.1L;
      for (++i; i < s.size() && IsDigit(s[i]); ++i, digits = true, scale /= 10) {
        value += (s[i] - '0') * scale;
      }
    }
    if (!digits) return InvalidArgumentError("must be a duration such as 30s, 5m or 1h");
    std::size_t j = i;
    while (j < s.size() && !IsDigit(s[j]) && s[j] != '.') ++j;
    std::string_view unit = s.substr(i, j - i);
    if (unit.empty()) {
      return InvalidArgumentError("missing unit in duration (use e.g. 30s, 5m or 1h)");
    }
    const DurationUnit* found = nullptr;
    for (const DurationUnit& u : kDurationUnits) {
      if (u.name == unit) found = &u;
    }
    if (found == nullptr) {
      return InvalidArgumentError("unknown unit \"" + std::string(unit) +
                                  "\" in duration (use ns, us, ms, s, m or h)");
    }
    total += value * found->nanoseconds;
    if (total >= 9.2e18L) return InvalidArgumentError("duration is too long");
    s.remove_prefix(j);
  }
  return std::chrono::nanoseconds(std::llround(static_cast<double>(total)));
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  std::int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  constexpr std::pair<std::int64_t, const char*> kParts[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"},
      {1'000'000, "ms"},        {1'000, "us"},         {1, "ns"},
  };
  for (const auto& [size, unit] : kParts) {
    if (ns >= size) {
      out += std::to_string(ns / size) + unit;
      ns %= size;
    }
  }
  return out;
}

Result<std::uint16_t> ParsePort(std::string_view text) {
  static constexpr std::string_view kWant = "must be a port number from 1 to 65535";
  if (text.empty() || text.size() > 5) return InvalidArgumentError(std::string(kWant));
  unsigned value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return InvalidArgumentError(std::string(kWant));
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 65535) return InvalidArgumentError(std::string(kWant));
  return static_cast<std::uint16_t>(value);
}

Result<unsigned> ParseFileMode(std::string_view text) {
  static constexpr std::string_view kWant = "must be an octal file mode such as 0600";
  if (text.empty() || text.size() > 4) return InvalidArgumentError(std::string(kWant));
  unsigned mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return InvalidArgumentError(std::string(kWant));
    mode = mode * 8 + (c - '0');
  }
  if (mode > 0777) return InvalidArgumentError(std::string(kWant) + " (at most 0777)");
  return mode;
}

std::string FormatFileMode(unsigned mode) {
  std::string out;
  for (int shift = 9; shift >= 0; shift -= 3) out += static_cast<char>('0' + ((mode >> shift) & 7));
  return out;
}

Result<log::Level> ParseLogLevel(std::string_view text) {
  log::Level level = log::Level::kInfo;
  if (!log::ParseLevel(text, &level)) {
    return InvalidArgumentError("must be one of debug, info, warning, error");
  }
  return level;
}

std::string_view LogLevelName(log::Level level) {
  switch (level) {
    case log::Level::kDebug:
      return "debug";
    case log::Level::kInfo:
      return "info";
    case log::Level::kWarning:
      return "warning";
    case log::Level::kError:
      return "error";
  }
  return "info";
}

Status CheckDns1123Subdomain(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("must not be empty");
  if (name.size() > 253) return InvalidArgumentError("must be no more than 253 characters");
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!IsDns1123Label(label)) {
      return InvalidArgumentError(
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
          "'-' or '.', and must start and end with an alphanumeric character (e.g. "
          "'example.com')");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

Status CheckDnsDomain(std::string_view name) {
  if (Status s = CheckDns1123Subdomain(name); !s.ok()) return s;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    if (dot - start > 63)
      return InvalidArgumentError("each label must be no more than 63 characters");
    start = dot + 1;
  }
  return Status::Ok();
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  HttpUrl url;
  std::size_t sep = text.find("://");
  if (sep == std::string_view::npos)
    return InvalidArgumentError("must start with http:// or https://");
  std::string scheme(text.substr(0, sep));
  for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (scheme != "http" && scheme != "https") {
    return InvalidArgumentError("must start with http:// or https://");
  }
  url.scheme = scheme;
  std::string_view rest = text.substr(sep + 3);
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos) url.path = std::string(rest.substr(end));
  if (authority.empty()) return InvalidArgumentError("has no host");
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("must not contain user info (user:password@)");
  }
  std::string_view port_text;
  bool has_port = false;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return InvalidArgumentError("has an unterminated [IPv6] host");
    url.host = std::string(authority.substr(1, close - 1));
    unsigned char buf[16];
    if (inet_pton(AF_INET6, url.host.c_str(), buf) != 1) {
      return InvalidArgumentError("host [" + url.host + "] is not an IPv6 address");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgumentError("has junk after the [IPv6] host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
      if (port_text.find(':') != std::string_view::npos) {
        return InvalidArgumentError(
            "an IPv6 host must be in brackets, e.g. https://[fd00::1]:6443");
      }
    }
    if (url.host.empty()) return InvalidArgumentError("has no host");
    for (char c : url.host) {
      bool ok = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                c == '.' || c == '_';
      if (!ok) return InvalidArgumentError("has an invalid host \"" + url.host + "\"");
    }
  }
  if (has_port) {
    Result<std::uint16_t> port = ParsePort(port_text);
    if (!port.ok()) {
      return InvalidArgumentError("has an invalid port \"" + std::string(port_text) +
                                  "\": " + port.status().message());
    }
    url.port = *port;
  }
  return url;
}

}  // namespace skiff::cli
