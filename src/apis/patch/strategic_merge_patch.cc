// Strategic merge patch: maps, map directives ($patch, $retainKeys), the dispatch of list
// directives, and the public entry point. Lists live in strategic_merge_lists.cc.
#include <vector>

#include "go_text.h"
#include "skiff/apis/patch.h"
#include "smp_internal.h"

namespace skiff::apis::patch_internal {

std::string ErrNoMergeKey(const json& map, const std::string& key) {
  return "map: " + GoFormat(map) + " does not contain declared merge key: " + key;
}

std::string ErrBadPatchType(const json& directive, const json& map) {
  // fmt's %s of a non-string shows its type, e.g. %!s(float64=1).
  std::string shown = directive.is_string()
                          ? directive.get<std::string>()
                          : (directive.is_null() ? "%!s(<nil>)"
                                                 : "%!s(" + GoTypeName(directive) + "=" +
                                                       GoFormat(directive) + ")");
  return "unknown patch type: " + shown + " in map: " + GoFormat(map);
}

std::string ErrBadArgType(std::string_view expected_type, const json& actual) {
  std::string actual_type = actual.is_null() ? "%!s(<nil>)" : GoTypeName(actual);
  return "expected a " + std::string(expected_type) + ", but received a " + actual_type;
}

bool ExtractDirectiveKey(std::string_view key, std::string_view prefix, std::string* name) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix) return false;
  *name = std::string(key.substr(slash + 1));
  return true;
}

FieldMeta LookupField(const SchemaContext& ctx, const std::string& key) {
  FieldMeta meta;
  if (ctx.map_values) {  // every member of a map[string]T is a T
    meta.child = SchemaContext{ctx.type, false};
    return meta;
  }
  if (ctx.type == nullptr) return meta;  // no schema here: merge without metadata
  const FieldDef* field = nullptr;
  for (const FieldDef& f : ctx.type->fields) {
    if (f.name == key) {
      field = &f;
      break;
    }
  }
  if (field == nullptr || field->kind == ValueKind::kRawJSON) return meta;
  if (field->container == Container::kMap) {
    meta.child = SchemaContext{field->type, true};
    return meta;
  }
  meta.child = SchemaContext{field->type, false};
  if (field->container == Container::kArray) {
    meta.merge_list = field->strategy_merge;
    meta.merge_key = field->merge_key;
  }
  return meta;
}

Status CleanValue(json& value, const FieldMeta& meta) {
  if (value.is_object()) {
    json fresh = json::object();
    Status s = MergeMap(fresh, std::move(value), meta.child);
    value = std::move(fresh);
    return s;
  }
  if (value.is_array()) {
    MergedList merged;
    Status s = MergeList(json::array(), std::move(value), meta, &merged);
    value = std::move(merged.list);
    return s;
  }
  return Status::Ok();
}

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// {"$patch": ...} on a map: "replace" keeps only the patch, "delete" empties the map.
Status HandleMapDirective(json& original, json patch, const SchemaContext& ctx) {
  const json directive = patch[std::string(kDirectiveMarker)];
  if (directive == "replace") {
    patch.erase(std::string(kDirectiveMarker));
    json fresh = json::object();
    Status s = MergeMap(fresh, std::move(patch), ctx);
    original = std::move(fresh);
    return s;
  }
  if (directive == "delete") {
    original = json::object();
    return Status::Ok();
  }
  return InvalidArgumentError(ErrBadPatchType(directive, patch));
}

// "$retainKeys": clears the original's keys that are not listed, after checking that every
// non-null key of the patch is listed.
Status ApplyRetainKeys(json& original, json& patch) {
  auto it = patch.find(std::string(kRetainKeysDirective));
  if (it == patch.end()) return Status::Ok();
  json retain = std::move(*it);
  patch.erase(it);
  if (!retain.is_array()) {
    return InvalidArgumentError(std::string(kErrBadPatchFormatForRetainKeys));
  }
  auto listed = [&retain](const std::string& key) {
    for (const json& k : retain) {
      if (k.is_string() && k.get_ref<const std::string&>() == key) return true;
    }
    return false;
  };
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null() || StartsWith(key, kDeleteFromPrimitiveListPrefix) ||
        StartsWith(key, kSetElementOrderPrefix)) {
      continue;
    }
    if (!listed(key)) return InvalidArgumentError(std::string(kErrBadPatchFormatForRetainKeys));
  }
  for (auto o = original.begin(); o != original.end();) {
    if (listed(o.key())) {
      ++o;
    } else {
      o = original.erase(o);
    }
  }
  return Status::Ok();
}

// Merges one member of the patch into `original`.
Status MergeMember(json& original, std::string key, json patch_value, const SchemaContext& ctx) {
  bool delete_list = false;
  if (StartsWith(key, kDeleteFromPrimitiveListPrefix)) {
    std::string list_key;
    if (!ExtractDirectiveKey(key, kDeleteFromPrimitiveListPrefix, &list_key)) {
      return InvalidArgumentError(std::string(kErrBadPatchFormatForPrimitiveList));
    }
    key = std::move(list_key);
    delete_list = true;
  }
  if (patch_value.is_null()) {  // null deletes; an unmatched null is ignored
    original.erase(key);
    return Status::Ok();
  }
  FieldMeta meta = LookupField(ctx, key);
  auto it = original.find(key);
  bool same_kind = it != original.end() && ((it->is_object() && patch_value.is_object()) ||
                                            (it->is_array() && patch_value.is_array()));
  if (!same_kind) {
    if (delete_list) return Status::Ok();  // nothing to delete from
    if (it != original.end() && !it->is_null() && !it->is_object() && !it->is_array() &&
        !patch_value.is_object() && !patch_value.is_array()) {
      *it = std::move(patch_value);  // scalar over scalar
      return Status::Ok();
    }
    Status s = CleanValue(patch_value, meta);
    if (!s.ok()) return s;
    original[key] = std::move(patch_value);
    return Status::Ok();
  }
  if (it->is_object()) return MergeMap(*it, std::move(patch_value), meta.child);
  if (delete_list) {  // "$deleteFromPrimitiveList/<list>": drop every listed value
    json kept = json::array();
    for (json& v : *it) {
      bool doomed = false;
      for (const json& d : patch_value) doomed = doomed || v == d;
      if (!doomed) kept.push_back(std::move(v));
    }
    *it = std::move(kept);
    return Status::Ok();
  }
  MergedList merged;
  Status s = MergeList(*it, std::move(patch_value), meta, &merged);
  if (!s.ok()) return s;
  *it = std::move(merged.list);
  return Status::Ok();
}

}  // namespace

Status MergeMap(json& original, json patch, const SchemaContext& ctx) {
  if (!original.is_object()) original = json::object();
  if (patch.contains(std::string(kDirectiveMarker))) {
    return HandleMapDirective(original, std::move(patch), ctx);
  }
  if (Status s = ApplyRetainKeys(original, patch); !s.ok()) return s;

  std::vector<std::string> order_keys;
  for (const auto& [key, value] : patch.items()) {
    if (StartsWith(key, kSetElementOrderPrefix)) order_keys.push_back(key);
  }
  for (const std::string& key : order_keys) {
    if (Status s = ApplySetElementOrder(original, patch, key, ctx); !s.ok()) return s;
  }

  for (auto& [key, value] : patch.items()) {
    if (Status s = MergeMember(original, key, std::move(value), ctx); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace skiff::apis::patch_internal

namespace skiff::apis {

Result<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& doc,
                                                const nlohmann::json& patch, const TypeDef* type) {
  if (type == nullptr) return UnimplementedError(std::string(kStrategicMergeUnsupportedMessage));
  if (!doc.is_object()) return InvalidArgumentError("invalid JSON document");
  if (!patch.is_null() && !patch.is_object()) {
    return InvalidArgumentError("json: cannot unmarshal " + patch_internal::GoJsonKind(patch) +
                                " into Go value of type map[string]interface {}");
  }
  try {
    nlohmann::json result = doc;
    if (patch.is_object()) {
      Status s = patch_internal::MergeMap(result, patch, patch_internal::SchemaContext{type});
      if (!s.ok()) return s;
    }
    return result;
  } catch (const std::exception& e) {
    return InternalError(std::string("strategic merge patch: ") + e.what());
  }
}

}  // namespace skiff::apis
