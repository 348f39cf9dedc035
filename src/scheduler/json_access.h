// Internal: non-throwing accessors for reading API objects in the scheduler. Every function
// tolerates members of the wrong type by treating them as absent.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::scheduler::internal {

// The member `key` of object `o`, or nullptr when `o` is not an object or lacks it (or it is
// null).
inline const nlohmann::json* Member(const nlohmann::json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

// The member `key` of `o`, or a null json when absent (for comparing and chaining).
inline const nlohmann::json& At(const nlohmann::json& o, std::string_view key) {
  static const nlohmann::json kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

// The strings of an array (other elements skipped); empty for anything else.
inline std::vector<std::string> StringList(const nlohmann::json* values) {
  std::vector<std::string> out;
  if (!values || !values->is_array()) return out;
  for (const nlohmann::json& v : *values) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// The member as an object / array, or nullptr.
inline const nlohmann::json* ObjectMember(const nlohmann::json& o, std::string_view key) {
  const nlohmann::json* m = Member(o, key);
  return m && m->is_object() ? m : nullptr;
}
inline const nlohmann::json* ArrayMember(const nlohmann::json& o, std::string_view key) {
  const nlohmann::json* m = Member(o, key);
  return m && m->is_array() ? m : nullptr;
}

// The member as a string, or "" (the Go zero value).
inline std::string StringMember(const nlohmann::json& o, std::string_view key) {
  const nlohmann::json* m = Member(o, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

// The member as an integer (JSON integers only), or nullopt.
inline std::optional<int64_t> IntMember(const nlohmann::json& o, std::string_view key) {
  const nlohmann::json* m = Member(o, key);
  if (!m) return std::nullopt;
  if (m->is_number_integer()) return m->get<int64_t>();
  if (m->is_number_float()) {
    double d = m->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

inline bool BoolMember(const nlohmann::json& o, std::string_view key) {
  const nlohmann::json* m = Member(o, key);
  return m && m->is_boolean() && m->get<bool>();
}

// The string value of label `key` in a labels object, or nullptr (no allocation).
inline const std::string* LabelValue(const nlohmann::json& labels, std::string_view key) {
  if (!labels.is_object()) return nullptr;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

}  // namespace skiff::scheduler::internal
