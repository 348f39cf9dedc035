#include "apis/selectors/go_text.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "skiff/apis/validation.h"
#include "skiff/common/go_quote.h"

namespace skiff::apis::selectors_internal {

std::string GoStringSlice(const std::vector<std::string>& values) {
  if (values.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += GoQuote(values[i]);
  }
  return out + "}";
}

std::string InvalidValueError(std::string_view path, std::string_view value,
                              std::string_view detail) {
  std::string out(path);
  out += ": Invalid value: ";
  out += GoQuote(value);
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

std::string InvalidValuesError(std::string_view path, const std::vector<std::string>& values,
                               std::string_view detail) {
  std::string out(path);
  out += ": Invalid value: ";
  out += GoStringSlice(values);
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

// The rules and messages live with the other name validators (validation.h); selectors use
// the same ones.
std::vector<std::string> QualifiedNameErrors(std::string_view value) {
  return IsQualifiedName(value);
}

std::vector<std::string> LabelValueErrors(std::string_view value) {
  return IsValidLabelValue(value);
}

std::optional<long long> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
  }
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  // Accumulate as a magnitude so that -9223372036854775808 parses.
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  constexpr std::uint64_t kMaxPositive = 9223372036854775807ULL;
  if (negative) {
    if (magnitude > kMaxPositive + 1) return std::nullopt;
    if (magnitude == kMaxPositive + 1) return std::numeric_limits<long long>::min();
    return -static_cast<long long>(magnitude);
  }
  if (magnitude > kMaxPositive) return std::nullopt;
  return static_cast<long long>(magnitude);
}

}  // namespace skiff::apis::selectors_internal
