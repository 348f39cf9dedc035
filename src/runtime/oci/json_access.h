// Type-checked reads from pod JSON that never throw: a missing or mistyped field reads as
// empty/absent. Internal to skiff_oci.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace skiff::runtime::internal {

// The member `key` of `obj` when obj is an object holding it, else a shared null.
const nlohmann::json& Field(const nlohmann::json& obj, const char* key);
// Field(...) as a string ("" unless it is a string).
std::string StrField(const nlohmann::json& obj, const char* key);
// Field(...) as a bool (nullopt unless it is a bool).
std::optional<bool> BoolField(const nlohmann::json& obj, const char* key);
// Field(...) as an integer (nullopt unless it is an integer).
std::optional<int64_t> IntField(const nlohmann::json& obj, const char* key);
// The string elements of a JSON array, in order (other elements skipped; [] unless an array).
std::vector<std::string> StringList(const nlohmann::json& list);
// Follows a path of keys: Path(pod, {"spec", "securityContext"}).
const nlohmann::json& Path(const nlohmann::json& obj, std::initializer_list<const char*> keys);

}  // namespace skiff::runtime::internal
