// Tolerant accessors over nlohmann::json for defaulting and validation: a missing key, a null
// and a value of the wrong type all read as "unset", so nothing here throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/apis/field_error.h"

namespace skiff::apis::internal {

using json = nlohmann::json;

// The member `key` of object `o`, or nullptr when o is not an object, lacks it or it is null.
const json* Get(const json& o, std::string_view key);
json* GetMut(json& o, std::string_view key);

// Typed reads; "unset" when missing or of another type.
std::string Str(const json& o, std::string_view key);  // "" when unset
bool HasStr(const json& o, std::string_view key);      // a string member (maybe empty)
std::optional<int64_t> Int(const json& o, std::string_view key);
std::optional<bool> Bool(const json& o, std::string_view key);
bool IsTrue(const json& o, std::string_view key);
// The member as an array/object, or a shared empty one.
const json& Arr(const json& o, std::string_view key);
const json& Obj(const json& o, std::string_view key);
bool HasObj(const json& o, std::string_view key);
bool HasArr(const json& o, std::string_view key);
// Number of entries of an array/object member (0 when unset).
size_t Len(const json& o, std::string_view key);
// A map[string]string member as pairs (non-string values skipped).
std::vector<std::pair<std::string, std::string>> StrMap(const json& o, std::string_view key);

// Defaulting helpers on a mutable object (no-op when o is not an object).
void SetDefault(json& o, std::string_view key, const json& value);  // when unset (missing/null)
void SetDefaultStr(json& o, std::string_view key, std::string_view value);  // when unset or ""
// The object member `key`, created as {} when unset; nullptr when o is not an object or the
// member exists with a non-object type.
json* EnsureObj(json& o, std::string_view key);

// Appends Invalid errors, one per message.
void AddInvalid(FieldErrors& errs, const std::string& path, const json& value,
                const std::vector<std::string>& msgs);
void Append(FieldErrors& errs, FieldErrors more);

// Kubernetes' "semantic" equality for immutability checks: null, missing, {} and [] are not
// distinguished from each other only where noted by the callers; this is plain JSON equality
// treating a missing member and a null member alike.
bool SemanticEqual(const json& a, const json& b);

// What differs between two JSON values, one "  - path: old" / "  + path: new" pair per changed
// leaf; Kubernetes appends such a diff (Go's cmp.Diff) to some immutability messages.
std::string DescribeDiff(const json& old_value, const json& new_value, const std::string& path);

// An IntOrString value: {is_int, int, str}.
struct IntOrString {
  bool set = false;
  bool is_int = false;
  int64_t i = 0;
  std::string s;
};
IntOrString GetIntOrString(const json& o, std::string_view key);

// Validation message constants used across kinds.
inline constexpr const char* kIsNegativeErrorMsg = "must be greater than or equal to 0";
inline constexpr const char* kIsNotPositiveErrorMsg = "must be greater than zero";
inline constexpr const char* kIsNotIntegerErrorMsg = "must be an integer";
inline constexpr const char* kFileModeErrorMsg =
    "must be a number between 0 and 0777 (octal), both inclusive";

// field.Invalid(path, v, "must be greater than or equal to 0") when v < 0.
void ValidateNonnegative(FieldErrors& errs, const std::string& path, int64_t v);
// Same, reading an optional integer member of o.
void ValidateNonnegativeMember(FieldErrors& errs, const json& o, std::string_view key,
                               const Path& parent);

// Appends Invalid(path, value, msg) per message for the DNS-1123 label / subdomain rules.
void ValidateDNS1123Label(FieldErrors& errs, const std::string& path, const std::string& value);
void ValidateDNS1123Subdomain(FieldErrors& errs, const std::string& path, const std::string& value);
void ValidateQualifiedName(FieldErrors& errs, const std::string& path, const std::string& value);

// A container or service port's protocol: Required when empty, NotSupported unless it is one of
// Kubernetes' supportedPortProtocols (SCTP, TCP, UDP).
void ValidatePortProtocol(FieldErrors& errs, const std::string& path, const std::string& protocol);

}  // namespace skiff::apis::internal
