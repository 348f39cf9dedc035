// Defaults of the kinds outside core, apps and batch: autoscaling, storage, discovery,
// networking, scheduling and rbac.
#include "kinds.h"

namespace skiff::apis::internal {
namespace {

json ScaleUpDefaults() {
  return {
      {"stabilizationWindowSeconds", 0},
      {"selectPolicy", "Max"},
      {"policies", json::array({{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                {{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})}};
}

json ScaleDownDefaults() {
  return {
      {"selectPolicy", "Max"},
      {"policies", json::array({{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})}};
}

// copyHPAScalingRules: the user's non-null fields over the defaults.
void MergeRules(json& behavior, const char* key, json defaults) {
  if (const json* user = Get(behavior, key); user && user->is_object()) {
    for (const char* f : {"selectPolicy", "stabilizationWindowSeconds", "policies"}) {
      if (const json* v = Get(*user, f)) defaults[f] = *v;
    }
    for (const auto& [k, v] : user->items()) {
      if (!defaults.contains(k) && !v.is_null()) defaults[k] = v;
    }
  }
  behavior[key] = defaults;
}

}  // namespace

// autoscaling/v2's defaults (SetDefaults_HorizontalPodAutoscaler). The REST layer stores HPAs as
// v2 and converts v1 writes first (skiff/apis/conversion.h), so these are the defaults every
// stored HPA gets; the conversion itself applies v1's implicit cpu 80% target. An object that
// says it is autoscaling/v1 gets v1's own defaulting only (minReplicas).
void DefaultHPA(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefault(*spec, "minReplicas", 1);
  if (Str(obj, "apiVersion") == "autoscaling/v1") return;
  if (Len(*spec, "metrics") == 0) {
    (*spec)["metrics"] = json::array(
        {{{"type", "Resource"},
          {"resource",
           {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}}});
  }
  if (json* behavior = GetMut(*spec, "behavior"); behavior && behavior->is_object()) {
    MergeRules(*behavior, "scaleUp", ScaleUpDefaults());
    MergeRules(*behavior, "scaleDown", ScaleDownDefaults());
  }
}

void DefaultStorageClass(json& obj) {
  if (!obj.is_object()) return;
  SetDefaultStr(obj, "reclaimPolicy", "Delete");
  SetDefaultStr(obj, "volumeBindingMode", "Immediate");
}

void DefaultEndpointSlice(json& obj) {
  json* ports = GetMut(obj, "ports");
  if (!ports || !ports->is_array()) return;
  for (auto& p : *ports) {
    if (!p.is_object()) continue;
    SetDefault(p, "name", "");
    SetDefault(p, "protocol", "TCP");
  }
}

void DefaultNetworkPolicy(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  for (const char* dir : {"ingress", "egress"}) {
    if (json* rules = GetMut(*spec, dir); rules && rules->is_array()) {
      for (auto& r : *rules) {
        if (json* ports = GetMut(r, "ports"); ports && ports->is_array()) {
          for (auto& p : *ports) SetDefaultStr(p, "protocol", "TCP");
        }
      }
    }
  }
  if (Len(*spec, "policyTypes") == 0) {
    json types = json::array({"Ingress"});
    if (Len(*spec, "egress") > 0) types.push_back("Egress");
    (*spec)["policyTypes"] = types;
  }
}

void DefaultPriorityClass(json& obj) {
  if (obj.is_object()) SetDefault(obj, "preemptionPolicy", "PreemptLowerPriority");
}

void DefaultRoleBinding(json& obj) {
  if (!obj.is_object()) return;
  if (json* ref = GetMut(obj, "roleRef"); ref && ref->is_object()) {
    SetDefaultStr(*ref, "apiGroup", "rbac.authorization.k8s.io");
  }
  if (json* subjects = GetMut(obj, "subjects"); subjects && subjects->is_array()) {
    for (auto& s : *subjects) {
      if (!s.is_object() || !Str(s, "apiGroup").empty()) continue;
      std::string kind = Str(s, "kind");
      if (kind == "ServiceAccount") {
        s["apiGroup"] = "";
      } else if (kind == "User" || kind == "Group") {
        s["apiGroup"] = "rbac.authorization.k8s.io";
      }
    }
  }
}

}  // namespace skiff::apis::internal
