// Internal: how Go prints values, so that patch errors read exactly like kube-apiserver's.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::apis::patch_internal {

// fmt.Sprintf("%v", v) of a value decoded by encoding/json into interface{}:
// map[a:1 b:[x y]] (keys sorted), [1 2], strings bare, numbers as float64, <nil> for null.
std::string GoFormat(const nlohmann::json& v);

// reflect.TypeOf(v).String() for such a value: "map[string]interface {}", "[]interface {}",
// "string", "float64", "bool", "<nil>".
std::string GoTypeName(const nlohmann::json& v);

// The word encoding/json uses for a JSON value in "cannot unmarshal X into ...": object,
// array, string, number, bool (null never fails to unmarshal).
std::string GoJsonKind(const nlohmann::json& v);

// strconv.Atoi: an optional sign and decimal digits. On failure `error` is Go's message,
// e.g. `strconv.Atoi: parsing "x": invalid syntax`.
std::optional<int64_t> GoAtoi(std::string_view s, std::string* error);

}  // namespace skiff::apis::patch_internal
