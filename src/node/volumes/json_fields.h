// Never-throwing reads from pod JSON. Internal to skiff_volumes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace skiff::node::internal {

inline const nlohmann::json& Field(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

inline std::string StrField(const nlohmann::json& obj, const char* key) {
  const auto& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

inline bool BoolField(const nlohmann::json& obj, const char* key) {
  const auto& v = Field(obj, key);
  return v.is_boolean() && v.get<bool>();
}

inline std::optional<int64_t> IntField(const nlohmann::json& obj, const char* key) {
  const auto& v = Field(obj, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

}  // namespace skiff::node::internal
