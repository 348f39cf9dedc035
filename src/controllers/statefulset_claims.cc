// The claims of StatefulSet pods and spec.persistentVolumeClaimRetentionPolicy, carried as
// owner references on the claims (the garbage collector deletes what they let it):
//   Retain / Retain:               neither the set nor the pod
//   whenDeleted Delete:            the set
//   whenScaled Delete:             the pod, once it is scaled down (outside the ordinal range)
//   both Delete:                   the pod once scaled down, the set while not.
#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/statefulset_pods.h"

namespace skiff::controllers::statefulset {
namespace {

const json& Refs(const json& obj) {
  static const json kNone = json::array();
  const json* refs = api::Find(obj, {"metadata", "ownerReferences"});
  return refs && refs->is_array() ? *refs : kNone;
}

OwnerKind PodKind() { return {"v1", "Pod", client::Pods()}; }

// The reference names obj as an object of this kind (apiVersion, kind and name; not the uid).
bool MatchesRef(const json& ref, const json& obj, const OwnerKind& kind) {
  return ref.value("apiVersion", "") == kind.api_version && ref.value("kind", "") == kind.kind &&
         ref.value("name", "") == Name(obj);
}

bool HasOwnerRef(const json& target, const json& owner) {
  const std::string uid = Uid(owner);
  for (const json& ref : Refs(target)) {
    if (ref.value("uid", "") == uid) return true;
  }
  return false;
}

// The first reference naming obj has another uid.
bool HasStaleOwnerRef(const json& target, const json& obj, const OwnerKind& kind) {
  for (const json& ref : Refs(target)) {
    if (MatchesRef(ref, obj, kind)) return ref.value("uid", "") != Uid(obj);
  }
  return false;
}

bool HasNonControllerOwner(const json& claim, const json& set, const json& pod) {
  for (const json& ref : Refs(claim)) {
    const std::string uid = ref.value("uid", "");
    if ((uid == Uid(set) || uid == Uid(pod)) && !ref.value("controller", false)) return true;
  }
  return false;
}

void AddControllerRef(json& refs, const json& owner, const OwnerKind& kind) {
  for (const json& ref : refs) {
    if (ref.value("uid", "") == Uid(owner)) return;
  }
  refs.push_back(MakeControllerRef(owner, kind));
}

}  // namespace

bool HasUnexpectedController(const json& claim, const json& set, const json& pod) {
  const RetentionPolicy policy = RetentionPolicyOf(set);
  if (!policy.delete_when_scaled && !policy.delete_when_deleted) return false;
  for (const json& ref : Refs(claim)) {
    if (MatchesRef(ref, set, StatefulSetKind())) {
      if (ref.value("uid", "") != Uid(set)) return true;
      continue;
    }
    if (MatchesRef(ref, pod, PodKind())) {
      if (ref.value("uid", "") != Uid(pod)) return true;
      continue;
    }
    if (ref.value("controller", false)) return true;
  }
  return false;
}

bool ClaimOwnerUpToDate(const json& claim, const json& set, const json& pod) {
  if (HasStaleOwnerRef(claim, set, StatefulSetKind()) || HasStaleOwnerRef(claim, pod, PodKind())) {
    return true;  // managed by a previous set or pod of this name: not ours to touch
  }
  if (HasUnexpectedController(claim, set, pod)) {
    return !(HasOwnerRef(claim, set) || HasOwnerRef(claim, pod));
  }
  if (HasNonControllerOwner(claim, set, pod)) return false;
  const RetentionPolicy policy = RetentionPolicyOf(set);
  const bool scaled_down = !InOrdinalRange(set, pod);
  const bool set_ref = HasOwnerRef(claim, set);
  const bool pod_ref = HasOwnerRef(claim, pod);
  if (!policy.delete_when_scaled && !policy.delete_when_deleted) return !set_ref && !pod_ref;
  if (!policy.delete_when_scaled) return set_ref && !pod_ref;  // whenDeleted Delete
  if (!policy.delete_when_deleted) return !set_ref && scaled_down == pod_ref;
  return scaled_down != set_ref && scaled_down == pod_ref;
}

json UpdatedClaimOwnerRefs(const json& claim, const json& set, const json& pod) {
  const bool unexpected = HasUnexpectedController(claim, set, pod);
  json refs = json::array();
  for (const json& ref : Refs(claim)) {
    if (!MatchesRef(ref, set, StatefulSetKind()) && !MatchesRef(ref, pod, PodKind())) {
      refs.push_back(ref);
    }
  }
  if (unexpected) return refs;
  const RetentionPolicy policy = RetentionPolicyOf(set);
  const bool scaled_down = !InOrdinalRange(set, pod);
  if (policy.delete_when_scaled && scaled_down) AddControllerRef(refs, pod, PodKind());
  if (policy.delete_when_deleted && !(policy.delete_when_scaled && scaled_down)) {
    AddControllerRef(refs, set, StatefulSetKind());
  }
  return refs;
}

bool PodClaimIsStale(const json& set, const json& pod, const ClaimLookup& claims) {
  if (!RetentionPolicyOf(set).delete_when_scaled) return false;  // claims are reused
  for (const auto& [tmpl, claim] : ClaimsFor(set, OrdinalOf(pod))) {
    client::ObjectPtr pvc = claims(Name(claim));
    if (pvc && HasStaleOwnerRef(*pvc, pod, PodKind())) return true;
  }
  return false;
}

bool ClaimsExist(const json& set, const json& pod, const ClaimLookup& claims) {
  for (const auto& [tmpl, claim] : ClaimsFor(set, OrdinalOf(pod))) {
    client::ObjectPtr pvc = claims(Name(claim));
    if (!pvc || IsBeingDeleted(*pvc)) return false;
  }
  return true;
}

bool ClaimsMatchRetentionPolicy(const json& set, const json& pod, const ClaimLookup& claims) {
  for (const auto& [tmpl, claim] : ClaimsFor(set, OrdinalOf(pod))) {
    client::ObjectPtr pvc = claims(Name(claim));
    if (pvc && !ClaimOwnerUpToDate(*pvc, set, pod)) return false;
  }
  return true;
}

}  // namespace skiff::controllers::statefulset
