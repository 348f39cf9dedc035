// apps/v1 defaults (pkg/apis/apps/v1/defaults.go) plus the pod template defaults inside.
#include "kinds.h"
#include "pod_defaults.h"

namespace skiff::apis::internal {
namespace {

void DefaultTemplateOf(json& spec) {
  if (json* tmpl = GetMut(spec, "template"); tmpl && tmpl->is_object()) {
    DefaultPodTemplateSpec(*tmpl);
  }
}

}  // namespace

void DefaultDeployment(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefault(*spec, "replicas", 1);
  json* strategy = EnsureObj(*spec, "strategy");
  if (strategy) {
    SetDefaultStr(*strategy, "type", "RollingUpdate");
    if (Str(*strategy, "type") == "RollingUpdate") {
      if (json* ru = EnsureObj(*strategy, "rollingUpdate")) {
        SetDefault(*ru, "maxUnavailable", "25%");
        SetDefault(*ru, "maxSurge", "25%");
      }
    }
  }
  SetDefault(*spec, "revisionHistoryLimit", 10);
  SetDefault(*spec, "progressDeadlineSeconds", 600);
  DefaultTemplateOf(*spec);
}

void DefaultReplicaSet(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefault(*spec, "replicas", 1);
  DefaultTemplateOf(*spec);
}

void DefaultDaemonSet(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  if (json* us = EnsureObj(*spec, "updateStrategy")) {
    SetDefaultStr(*us, "type", "RollingUpdate");
    if (Str(*us, "type") == "RollingUpdate") {
      if (json* ru = EnsureObj(*us, "rollingUpdate")) {
        SetDefault(*ru, "maxUnavailable", 1);
        SetDefault(*ru, "maxSurge", 0);
      }
    }
  }
  SetDefault(*spec, "revisionHistoryLimit", 10);
  DefaultTemplateOf(*spec);
}

void DefaultStatefulSet(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefaultStr(*spec, "podManagementPolicy", "OrderedReady");
  if (json* us = EnsureObj(*spec, "updateStrategy")) {
    if (Str(*us, "type").empty()) {
      (*us)["type"] = "RollingUpdate";
      EnsureObj(*us, "rollingUpdate");
    }
    if (Str(*us, "type") == "RollingUpdate") {
      if (json* ru = GetMut(*us, "rollingUpdate"); ru && ru->is_object()) {
        SetDefault(*ru, "partition", 0);
      }
    }
  }
  if (json* policy = EnsureObj(*spec, "persistentVolumeClaimRetentionPolicy")) {
    SetDefaultStr(*policy, "whenDeleted", "Retain");
    SetDefaultStr(*policy, "whenScaled", "Retain");
  }
  SetDefault(*spec, "replicas", 1);
  SetDefault(*spec, "revisionHistoryLimit", 10);
  DefaultTemplateOf(*spec);
  if (json* vcts = GetMut(*spec, "volumeClaimTemplates"); vcts && vcts->is_array()) {
    for (auto& pvc : *vcts) {
      if (!pvc.is_object()) continue;
      DefaultTemplateMetadata(pvc);
      if (json* s = EnsureObj(pvc, "spec")) DefaultPVCSpec(*s);
      if (json* st = EnsureObj(pvc, "status")) SetDefaultStr(*st, "phase", "Pending");
    }
  }
}

void PrepareEmptyStatus(json& obj) {
  if (obj.is_object()) obj["status"] = json::object();
}

}  // namespace skiff::apis::internal
