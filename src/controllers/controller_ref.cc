#include "controllers/controller_ref.h"

namespace skiff::controllers {
namespace {

std::string Str(const json& obj, const char* a, const char* b) {
  auto it = obj.find(a);
  if (it == obj.end() || !it->is_object()) return "";
  auto jt = it->find(b);
  return jt != it->end() && jt->is_string() ? jt->get<std::string>() : "";
}

const json* OwnerRefs(const json& obj) {
  auto it = obj.find("metadata");
  if (it == obj.end() || !it->is_object()) return nullptr;
  auto refs = it->find("ownerReferences");
  return refs != it->end() && refs->is_array() ? &*refs : nullptr;
}

// A merge patch replacing metadata.ownerReferences, pinned to the object's resourceVersion.
json RefsPatch(const json& obj, json refs) {
  return {{"metadata",
           {{"resourceVersion", Str(obj, "metadata", "resourceVersion")},
            {"ownerReferences", refs.empty() ? json(nullptr) : std::move(refs)}}}};
}

// kube's RecheckDeletionTimestamp: the owner as the API has it now may adopt.
Status CanAdopt(client::Client& client, const json& owner, const OwnerKind& kind) {
  const std::string ns = Str(owner, "metadata", "namespace");
  const std::string name = Str(owner, "metadata", "name");
  auto fresh = client.Get(kind.resource, ns, name);
  if (!fresh.ok()) return fresh.status();
  if (Str(*fresh, "metadata", "uid") != Str(owner, "metadata", "uid")) {
    return ConflictError("original " + kind.kind + " " + ns + "/" + name +
                         " is gone: got uid " + Str(*fresh, "metadata", "uid") + ", wanted " +
                         Str(owner, "metadata", "uid"));
  }
  if (IsBeingDeleted(*fresh)) {
    return ConflictError(kind.kind + " " + ns + "/" + name +
                         " has just been deleted at " +
                         Str(*fresh, "metadata", "deletionTimestamp"));
  }
  return Status::Ok();
}

}  // namespace

std::string UidOf(const json& obj) { return Str(obj, "metadata", "uid"); }
std::string NameOf(const json& obj) { return Str(obj, "metadata", "name"); }
std::string NamespaceOf(const json& obj) { return Str(obj, "metadata", "namespace"); }

const json* ControllerRefOf(const json& obj) {
  const json* refs = OwnerRefs(obj);
  if (!refs) return nullptr;
  for (const json& r : *refs) {
    if (r.is_object() && r.value("controller", false)) return &r;
  }
  return nullptr;
}

bool IsControlledBy(const json& obj, const std::string& owner_uid) {
  const json* ref = ControllerRefOf(obj);
  return ref && ref->value("uid", "") == owner_uid;
}

json MakeControllerRef(const json& owner, const OwnerKind& kind) {
  return {{"apiVersion", kind.api_version},
          {"kind", kind.kind},
          {"name", Str(owner, "metadata", "name")},
          {"uid", Str(owner, "metadata", "uid")},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

bool IsBeingDeleted(const json& obj) {
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() && it->contains("deletionTimestamp") &&
         !(*it)["deletionTimestamp"].is_null();
}

ClaimResult Claim(client::Client& client, const client::Resource& resource, const json& owner,
                  const OwnerKind& kind, const apis::LabelSelector& selector,
                  const std::vector<client::ObjectPtr>& candidates) {
  ClaimResult out;
  const std::string uid = Str(owner, "metadata", "uid");
  const std::string ns = Str(owner, "metadata", "namespace");
  const bool owner_deleting = IsBeingDeleted(owner);
  bool adoption_checked = false;
  Status adoption;  // the result of the recheck, once done
  auto note = [&out](Status s) {
    if (!s.ok() && s.code() != Code::kNotFound && out.status.ok()) out.status = std::move(s);
  };

  for (const client::ObjectPtr& obj : candidates) {
    const json* ref = ControllerRefOf(*obj);
    const std::string name = Str(*obj, "metadata", "name");
    if (ref) {
      if (ref->value("uid", "") != uid) continue;  // another controller's
      if (owner_deleting || selector.MatchesObject(*obj)) {
        out.owned.push_back(obj);
        continue;
      }
      if (IsBeingDeleted(*obj)) continue;
      // Release: drop our reference, keep the others.
      json refs = json::array();
      for (const json& r : *OwnerRefs(*obj)) {
        if (r.value("uid", "") != uid) refs.push_back(r);
      }
      auto patched = client.MergePatch(resource, ns, name, RefsPatch(*obj, std::move(refs)));
      note(patched.ok() ? Status::Ok() : patched.status());
      continue;
    }
    // An orphan.
    if (owner_deleting || !selector.MatchesObject(*obj) || IsBeingDeleted(*obj)) continue;
    if (!adoption_checked) {
      adoption = CanAdopt(client, owner, kind);
      adoption_checked = true;
    }
    if (!adoption.ok()) {
      note(adoption);
      continue;
    }
    json refs = OwnerRefs(*obj) ? *OwnerRefs(*obj) : json::array();
    refs.push_back(MakeControllerRef(owner, kind));
    auto patched = client.MergePatch(resource, ns, name, RefsPatch(*obj, std::move(refs)));
    if (patched.ok()) {
      out.owned.push_back(std::make_shared<const json>(std::move(*patched)));
    } else {
      note(patched.status());
    }
  }
  return out;
}

}  // namespace skiff::controllers
