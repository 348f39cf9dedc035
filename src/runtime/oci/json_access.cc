#include "json_access.h"

namespace skiff::runtime::internal {
namespace {
const nlohmann::json kNull;
}  // namespace

const nlohmann::json& Field(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string StrField(const nlohmann::json& obj, const char* key) {
  const auto& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::optional<bool> BoolField(const nlohmann::json& obj, const char* key) {
  const auto& v = Field(obj, key);
  if (!v.is_boolean()) return std::nullopt;
  return v.get<bool>();
}

std::optional<int64_t> IntField(const nlohmann::json& obj, const char* key) {
  const auto& v = Field(obj, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  return std::nullopt;
}

std::vector<std::string> StringList(const nlohmann::json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

const nlohmann::json& Path(const nlohmann::json& obj, std::initializer_list<const char*> keys) {
  const nlohmann::json* cur = &obj;
  for (const char* k : keys) cur = &Field(*cur, k);
  return *cur;
}

}  // namespace skiff::runtime::internal
