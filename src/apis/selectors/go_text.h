// Text helpers that reproduce how Kubernetes (Go) renders values inside error messages, and the
// apimachinery name checks whose messages label selectors report. Internal to
// skiff_apis_selectors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::apis::selectors_internal {

// Go's strconv.Quote (%q): double quotes, \" and \\ escaped, \a \b \f \n \r \t \v, other control
// bytes as \xNN, invalid UTF-8 bytes as \xNN, non-printable runes as \uNNNN. Printable non-ASCII
// runes are kept (Unicode printability is approximated: C1 controls, U+00AD, U+2028/2029 and
// U+FEFF are escaped).
std::string GoQuote(std::string_view s);

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

// strings.Join.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// utilerrors.NewAggregate(...).Error() over already-rendered messages: duplicates dropped,
// one message as is, several as "[m1, m2]". Empty input gives "".
std::string AggregateText(const std::vector<std::string>& messages);

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits only, in int64 range.
std::optional<long long> ParseInt64(std::string_view s);

}  // namespace skiff::apis::selectors_internal
