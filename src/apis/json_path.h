// Null-safe reads of API objects as JSON, for skiff_apis_core's own sources (not installed):
// a missing member, a null or a value of another type reads as absent.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace skiff::apis::internal {

// obj[key] when obj is an object holding a non-null `key`, else nullptr.
inline const nlohmann::json* Member(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// Member applied along `path`.
inline const nlohmann::json* Path(const nlohmann::json& obj,
                                  std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &obj;
  for (const char* key : path) {
    cur = Member(*cur, key);
    if (!cur) return nullptr;
  }
  return cur;
}

// The string at `path`, "" when absent or not a string.
inline std::string Str(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* v = Path(obj, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace skiff::apis::internal
