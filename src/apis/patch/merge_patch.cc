// RFC 7386 JSON merge patch.
#include "skiff/apis/patch.h"

namespace skiff::apis {
namespace {

using nlohmann::json;

// MergePatch(target, patch) of RFC 7386 section 2, merging into `target` in place.
void Merge(json& target, const json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
      continue;
    }
    auto it = target.find(key);
    if (it == target.end()) {
      json fresh;  // null: merging an object patch into it drops the patch's nulls
      Merge(fresh, value);
      target[key] = std::move(fresh);
    } else {
      Merge(*it, value);
    }
  }
}

}  // namespace

Result<nlohmann::json> ApplyMergePatch(const nlohmann::json& doc, const nlohmann::json& patch) {
  try {
    json result = doc;
    Merge(result, patch);
    return result;
  } catch (const std::exception& e) {
    return InternalError(std::string("merge patch: ") + e.what());
  }
}

}  // namespace skiff::apis
