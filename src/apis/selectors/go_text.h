// Text helpers that reproduce how Kubernetes (Go) renders values inside error messages, and the
// apimachinery name checks whose messages label selectors report. Internal to
// skiff_apis_selectors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::apis::selectors_internal {

// Go's %q of a string is skiff::GoQuote (skiff/common/go_quote.h).

// Go's %#v of a []string: `[]string(nil)` when empty, else `[]string{"a", "b"}`.
std::string GoStringSlice(const std::vector<std::string>& values);

// field.Invalid(path, value, detail).Error() for a string value:
//   <path>: Invalid value: "<value>": <detail>
std::string InvalidValueError(std::string_view path, std::string_view value,
                              std::string_view detail);
// The same for a []string value (rendered with GoStringSlice).
std::string InvalidValuesError(std::string_view path, const std::vector<std::string>& values,
                               std::string_view detail);

// validation.IsQualifiedName: the error strings (empty when valid).
std::vector<std::string> QualifiedNameErrors(std::string_view value);
// validation.IsValidLabelValue: the error strings (empty when valid).
std::vector<std::string> LabelValueErrors(std::string_view value);

// strings.Join and the utilerrors aggregate text are skiff::Join and skiff::AggregateMessages
// (skiff/common/string_util.h).

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits only, in int64 range.
std::optional<long long> ParseInt64(std::string_view s);

}  // namespace skiff::apis::selectors_internal
