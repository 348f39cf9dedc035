#include "controllers/gc_operations.h"

#include <exception>

namespace skiff::controllers {

using nlohmann::json;

namespace {

std::string ResourceVersion(const json& obj) {
  try {
    return obj.at("metadata").value("resourceVersion", std::string());
  } catch (const std::exception&) {
    return {};
  }
}

// metadata.ownerReferences of obj as they are (every field kept), or an empty array.
json RawOwnerRefs(const json& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return json::array();
  auto refs = meta->find("ownerReferences");
  return refs != meta->end() && refs->is_array() ? *refs : json::array();
}

// A merge patch of metadata pinned to `rv`; an empty list becomes null (the field goes).
json MetadataPatch(const std::string& rv, const char* field, json value) {
  if (value.is_array() && value.empty()) value = nullptr;
  return {{"metadata", {{"resourceVersion", rv}, {field, std::move(value)}}}};
}

}  // namespace

Result<const GcResource*> GcOperations::ResourceOf(const std::string& api_version,
                                                   const std::string& kind) const {
  const GcResource* r = resources_.Find(api_version, kind);
  if (!r) {
    return InvalidArgumentError("unable to get REST mapping for " + api_version + "/" + kind);
  }
  return r;
}

Result<json> GcOperations::Get(const ObjectRef& id) {
  auto r = ResourceOf(id.api_version, id.kind);
  if (!r.ok()) return r.status();
  return client_.Get((*r)->resource, (*r)->namespaced ? id.ns : "", id.name);
}

Status GcOperations::Delete(const ObjectRef& id, const std::string& policy) {
  auto r = ResourceOf(id.api_version, id.kind);
  if (!r.ok()) return r.status();
  client::Client::DeleteOptions o;
  o.precondition_uid = id.uid;
  o.propagation_policy = policy;
  return client_.Delete((*r)->resource, (*r)->namespaced ? id.ns : "", id.name, o);
}

Status GcOperations::Patch(const ObjectRef& id, const json& patch) {
  auto r = ResourceOf(id.api_version, id.kind);
  if (!r.ok()) return r.status();
  auto patched = client_.MergePatch((*r)->resource, (*r)->namespaced ? id.ns : "", id.name, patch);
  return patched.ok() ? Status::Ok() : patched.status();
}

Status GcOperations::RemoveOwnerReferences(const ObjectRef& id, const json& latest,
                                           const std::set<std::string>& owner_uids) {
  json kept = json::array();
  bool removed = false;
  for (const json& ref : RawOwnerRefs(latest)) {
    const std::string uid = ref.is_object() ? ref.value("uid", std::string()) : std::string();
    if (owner_uids.count(uid)) {
      removed = true;
    } else {
      kept.push_back(ref);
    }
  }
  if (!removed) return Status::Ok();
  return Patch(id, MetadataPatch(ResourceVersion(latest), "ownerReferences", std::move(kept)));
}

Status GcOperations::UnblockOwnerReferences(const ObjectRef& id, const json& latest) {
  json refs = RawOwnerRefs(latest);
  bool changed = false;
  for (json& ref : refs) {
    if (ref.is_object() && ref.value("blockOwnerDeletion", false)) {
      ref["blockOwnerDeletion"] = false;
      changed = true;
    }
  }
  if (!changed) return Status::Ok();
  return Patch(id, MetadataPatch(ResourceVersion(latest), "ownerReferences", std::move(refs)));
}

Status GcOperations::RemoveFinalizer(const ObjectRef& id, const std::string& finalizer) {
  auto live = Get(id);
  if (!live.ok()) {
    return live.status().code() == Code::kNotFound ? Status::Ok() : live.status();
  }
  if (UidOf(*live) != id.uid) return Status::Ok();
  json kept = json::array();
  bool found = false;
  const json* meta = live->contains("metadata") ? &(*live)["metadata"] : nullptr;
  if (meta && meta->contains("finalizers") && (*meta)["finalizers"].is_array()) {
    for (const json& f : (*meta)["finalizers"]) {
      if (f.is_string() && f == finalizer) {
        found = true;
      } else {
        kept.push_back(f);
      }
    }
  }
  if (!found) return Status::Ok();
  Status s = Patch(id, MetadataPatch(ResourceVersion(*live), "finalizers", std::move(kept)));
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

Result<std::optional<std::string>> GcOperations::NamespaceOfUid(const GcResource& r,
                                                                const std::string& name,
                                                                const std::string& uid,
                                                                const std::string& except_ns) {
  auto list = client_.List(r.resource, "", {"", "metadata.name=" + name});
  if (!list.ok()) return list.status();
  const json items = (*list).value("items", json::array());
  for (const json& item : items) {
    if (UidOf(item) != uid) continue;
    std::string ns = item.at("metadata").value("namespace", std::string());
    if (ns != except_ns) return std::optional<std::string>(std::move(ns));
  }
  return std::optional<std::string>();
}

}  // namespace skiff::controllers
