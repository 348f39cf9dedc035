// StatefulSet pod identity (names, hostname/subdomain, identity labels, claim volumes) and the
// pod predicates. The claims and their retention policy are in statefulset_claims.cc.
#include "controllers/statefulset_pods.h"

#include <climits>
#include <set>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/pod_util.h"

namespace skiff::controllers::statefulset {
namespace {

int64_t IntAt(const json& obj, std::initializer_list<const char*> path, int64_t fallback) {
  const json* v = api::Find(obj, path);
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

const json& ClaimTemplates(const json& set) {
  static const json kNone = json::array();
  const json* t = api::Find(set, {"spec", "volumeClaimTemplates"});
  return t && t->is_array() ? *t : kNone;
}

}  // namespace

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Namespace(const json& obj) { return api::GetString(obj, {"metadata", "namespace"}); }
std::string Uid(const json& obj) { return api::GetString(obj, {"metadata", "uid"}); }

int32_t SpecReplicas(const json& set) {
  return static_cast<int32_t>(IntAt(set, {"spec", "replicas"}, 1));
}
int32_t StartOrdinal(const json& set) {
  return static_cast<int32_t>(IntAt(set, {"spec", "ordinals", "start"}, 0));
}
int32_t EndOrdinal(const json& set) { return StartOrdinal(set) + SpecReplicas(set) - 1; }
int32_t MinReadySeconds(const json& set) {
  return static_cast<int32_t>(IntAt(set, {"spec", "minReadySeconds"}, 0));
}
bool AllowsBurst(const json& set) {
  return api::GetString(set, {"spec", "podManagementPolicy"}) == "Parallel";
}
bool IsOnDelete(const json& set) {
  return api::GetString(set, {"spec", "updateStrategy", "type"}) == "OnDelete";
}
bool IsRollingUpdate(const json& set) {
  const std::string type = api::GetString(set, {"spec", "updateStrategy", "type"});
  return type.empty() || type == "RollingUpdate";
}

RetentionPolicy RetentionPolicyOf(const json& set) {
  RetentionPolicy p;
  p.delete_when_deleted = api::GetString(set, {"spec", "persistentVolumeClaimRetentionPolicy",
                                               "whenDeleted"}) == "Delete";
  p.delete_when_scaled = api::GetString(set, {"spec", "persistentVolumeClaimRetentionPolicy",
                                              "whenScaled"}) == "Delete";
  return p;
}

std::pair<std::string, int> ParentAndOrdinal(const std::string& pod_name) {
  // "(.*)-([0-9]+)$", the number parsed as an int32.
  const size_t dash = pod_name.rfind('-');
  if (dash == std::string::npos || dash + 1 == pod_name.size()) return {"", -1};
  const std::string digits = pod_name.substr(dash + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return {"", -1};
  const std::string parent = pod_name.substr(0, dash);
  // Leading zeros are allowed by the expression; values over int32 keep the parent only.
  long long value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
    if (value > INT_MAX) return {parent, -1};
  }
  return {parent, static_cast<int>(value)};
}

int OrdinalOf(const json& pod) { return ParentAndOrdinal(Name(pod)).second; }

bool IsMemberOf(const json& set, const json& pod) {
  return ParentAndOrdinal(Name(pod)).first == Name(set);
}

bool InOrdinalRange(const json& set, const json& pod) {
  const int ordinal = OrdinalOf(pod);
  return ordinal >= StartOrdinal(set) && ordinal <= EndOrdinal(set);
}

std::string PodName(const json& set, int ordinal) {
  return Name(set) + "-" + std::to_string(ordinal);
}

std::string ClaimName(const json& set, const json& claim_template, int ordinal) {
  return Name(claim_template) + "-" + Name(set) + "-" + std::to_string(ordinal);
}

std::string PodRevision(const json& pod) {
  return api::GetString(pod, {"metadata", "labels", kRevisionLabel});
}

bool IdentityMatches(const json& set, const json& pod) {
  const auto [parent, ordinal] = ParentAndOrdinal(Name(pod));
  return ordinal >= 0 && parent == Name(set) && Name(pod) == PodName(set, ordinal) &&
         Namespace(pod) == Namespace(set) &&
         api::GetString(pod, {"metadata", "labels", kPodNameLabel}) == Name(pod);
}

bool StorageMatches(const json& set, const json& pod) {
  const int ordinal = OrdinalOf(pod);
  if (ordinal < 0) return false;
  std::map<std::string, const json*> volumes;
  if (const json* vs = api::Find(pod, {"spec", "volumes"}); vs && vs->is_array()) {
    for (const json& v : *vs) {
      if (v.is_object()) volumes[v.value("name", "")] = &v;
    }
  }
  for (const json& claim : ClaimTemplates(set)) {
    auto it = volumes.find(Name(claim));
    if (it == volumes.end()) return false;
    if (api::GetString(*it->second, {"persistentVolumeClaim", "claimName"}) !=
        ClaimName(set, claim, ordinal)) {
      return false;
    }
  }
  return true;
}

void UpdateIdentity(const json& set, json& pod) {
  const int ordinal = OrdinalOf(pod);
  const std::string name = PodName(set, ordinal);
  pod["metadata"]["name"] = name;
  const std::string ns = Namespace(set);
  if (!ns.empty()) pod["metadata"]["namespace"] = ns;
  json& labels = pod["metadata"]["labels"];
  if (!labels.is_object()) labels = json::object();
  labels[kPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
}

void UpdateStorage(const json& set, json& pod) {
  const int ordinal = OrdinalOf(pod);
  json volumes = json::array();
  std::set<std::string> claim_volumes;
  for (const json& claim : ClaimTemplates(set)) {
    const std::string name = Name(claim);
    if (!claim_volumes.insert(name).second) continue;
    volumes.push_back({{"name", name},
                       {"persistentVolumeClaim", {{"claimName", ClaimName(set, claim, ordinal)}}}});
  }
  if (const json* current = api::Find(pod, {"spec", "volumes"}); current && current->is_array()) {
    for (const json& v : *current) {
      if (!v.is_object() || !claim_volumes.count(v.value("name", ""))) volumes.push_back(v);
    }
  }
  if (volumes.empty()) {
    if (pod.contains("spec")) pod["spec"].erase("volumes");
    return;
  }
  pod["spec"]["volumes"] = std::move(volumes);
}

json NewStatefulSetPod(const json& set, int ordinal, const std::string& revision) {
  const json* tmpl = api::Find(set, {"spec", "template"});
  json pod = PodFromTemplate(tmpl ? *tmpl : json::object(), set, StatefulSetKind());
  pod["metadata"]["name"] = PodName(set, ordinal);
  UpdateIdentity(set, pod);
  pod["spec"]["hostname"] = PodName(set, ordinal);
  const std::string service = api::GetString(set, {"spec", "serviceName"});
  if (!service.empty()) pod["spec"]["subdomain"] = service;
  UpdateStorage(set, pod);
  pod["metadata"]["labels"][kRevisionLabel] = revision;
  return pod;
}

std::map<std::string, json> ClaimsFor(const json& set, int ordinal) {
  std::map<std::string, json> out;
  const json* match_labels = api::Find(set, {"spec", "selector", "matchLabels"});
  for (const json& tmpl : ClaimTemplates(set)) {
    if (!tmpl.is_object()) continue;
    json meta = json::object();
    if (const json* m = api::Find(tmpl, {"metadata"}); m && m->is_object()) {
      for (const char* field : {"labels", "annotations", "finalizers"}) {
        if (m->contains(field) && !(*m)[field].is_null()) meta[field] = (*m)[field];
      }
    }
    meta["name"] = ClaimName(set, tmpl, ordinal);
    meta["namespace"] = Namespace(set);
    if (match_labels && match_labels->is_object() && !match_labels->empty()) {
      json& labels = meta["labels"];
      if (!labels.is_object()) labels = json::object();
      for (const auto& [k, v] : match_labels->items()) labels[k] = v;
    }
    out[Name(tmpl)] = {{"apiVersion", "v1"},
                       {"kind", "PersistentVolumeClaim"},
                       {"metadata", std::move(meta)},
                       {"spec", tmpl.value("spec", json::object())}};
  }
  return out;
}

bool IsCreated(const json& pod) { return !api::GetString(pod, {"status", "phase"}).empty(); }
bool IsPending(const json& pod) { return api::GetString(pod, {"status", "phase"}) == "Pending"; }
bool IsFailed(const json& pod) { return api::GetString(pod, {"status", "phase"}) == "Failed"; }
bool IsSucceeded(const json& pod) {
  return api::GetString(pod, {"status", "phase"}) == "Succeeded";
}
bool IsTerminating(const json& pod) { return IsBeingDeleted(pod); }

bool IsRunningAndReady(const json& pod) {
  return api::GetString(pod, {"status", "phase"}) == "Running" && IsPodReady(pod);
}

bool IsRunningAndAvailable(const json& pod, int32_t min_ready_seconds, Clock::time_point now) {
  return IsPodAvailable(pod, min_ready_seconds, now);
}

bool IsUnavailable(const json& pod, int32_t min_ready_seconds, Clock::time_point now) {
  return !IsRunningAndReady(pod) || IsTerminating(pod) ||
         !IsRunningAndAvailable(pod, min_ready_seconds, now);
}

}  // namespace skiff::controllers::statefulset
