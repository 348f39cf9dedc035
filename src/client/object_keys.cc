// KeyOf/SplitKey and the ready-made index functions of skiff/client/informer.h.
#include "skiff/client/informer.h"

namespace skiff::client {
namespace {

const json* Field(const json& obj, const char* a, const char* b) {
  auto x = obj.find(a);
  if (x == obj.end() || !x->is_object()) return nullptr;
  auto y = x->find(b);
  return y == x->end() ? nullptr : &*y;
}

std::string StringField(const json& obj, const char* a, const char* b) {
  const json* v = Field(obj, a, b);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

std::string KeyOf(const json& obj) {
  if (!obj.is_object()) return {};
  std::string ns = StringField(obj, "metadata", "namespace");
  std::string name = StringField(obj, "metadata", "name");
  return ns.empty() ? name : ns + "/" + name;
}

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return {std::string(), key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

std::vector<std::string> IndexByNamespace(const json& obj) {
  if (!obj.is_object()) return {};
  std::string ns = StringField(obj, "metadata", "namespace");
  if (ns.empty()) return {};
  return {std::move(ns)};
}

std::vector<std::string> IndexByControllerUid(const json& obj) {
  if (!obj.is_object()) return {};
  const json* refs = Field(obj, "metadata", "ownerReferences");
  if (!refs || !refs->is_array()) return {};
  for (const json& ref : *refs) {
    if (!ref.is_object()) continue;
    auto controller = ref.find("controller");
    if (controller == ref.end() || !controller->is_boolean() || !controller->get<bool>()) continue;
    auto uid = ref.find("uid");
    if (uid != ref.end() && uid->is_string() && !uid->get_ref<const std::string&>().empty()) {
      return {uid->get<std::string>()};
    }
  }
  return {};
}

std::vector<std::string> IndexByNodeName(const json& obj) {
  if (!obj.is_object()) return {};
  std::string node = StringField(obj, "spec", "nodeName");
  if (node.empty()) return {};
  return {std::move(node)};
}

}  // namespace skiff::client
