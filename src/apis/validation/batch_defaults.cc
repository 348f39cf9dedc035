// batch/v1 defaults (pkg/apis/batch/v1/defaults.go) and the Job strategy's generated selector.
#include <climits>

#include "kinds.h"
#include "pod_defaults.h"

namespace skiff::apis::internal {
namespace {

constexpr const char* kControllerUidLabel = "batch.kubernetes.io/controller-uid";
constexpr const char* kLegacyControllerUidLabel = "controller-uid";
constexpr const char* kJobNameLabel = "batch.kubernetes.io/job-name";
constexpr const char* kLegacyJobNameLabel = "job-name";

void CopyTemplateLabelsToJob(json& obj, const json& spec) {
  const json* labels = Get(Obj(Obj(spec, "template"), "metadata"), "labels");
  if (!labels || !labels->is_object()) return;
  json* meta = EnsureObj(obj, "metadata");
  if (meta && Len(*meta, "labels") == 0) (*meta)["labels"] = *labels;
}

}  // namespace

void DefaultJob(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  if (!Get(*spec, "completions") && !Get(*spec, "parallelism")) {
    (*spec)["completions"] = 1;
    (*spec)["parallelism"] = 1;
  }
  SetDefault(*spec, "parallelism", 1);
  if (!Get(*spec, "backoffLimit")) {
    (*spec)["backoffLimit"] = Get(*spec, "backoffLimitPerIndex") ? INT32_MAX : 6;
  }
  CopyTemplateLabelsToJob(obj, *spec);
  SetDefault(*spec, "completionMode", "NonIndexed");
  SetDefault(*spec, "suspend", false);
  if (json* pfp = GetMut(*spec, "podFailurePolicy"); pfp && pfp->is_object()) {
    if (json* rules = GetMut(*pfp, "rules"); rules && rules->is_array()) {
      for (auto& rule : *rules) {
        if (json* conds = GetMut(rule, "onPodConditions"); conds && conds->is_array()) {
          for (auto& c : *conds) SetDefaultStr(c, "status", "True");
        }
      }
    }
  }
  SetDefault(*spec, "podReplacementPolicy",
             Get(*spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
  if (json* tmpl = GetMut(*spec, "template"); tmpl && tmpl->is_object()) {
    DefaultPodTemplateSpec(*tmpl);
  }
}

void PrepareJobCreate(json& obj) {
  if (!obj.is_object()) return;
  obj["status"] = json::object();
  json* spec = EnsureObj(obj, "spec");
  if (!spec || IsTrue(*spec, "manualSelector")) return;
  const json& meta = Obj(obj, "metadata");
  std::string name = Str(meta, "name");
  std::string uid = Str(meta, "uid");
  json* tmpl = EnsureObj(*spec, "template");
  json* tmeta = tmpl ? EnsureObj(*tmpl, "metadata") : nullptr;
  json* labels = tmeta ? EnsureObj(*tmeta, "labels") : nullptr;
  if (!labels) return;
  for (const char* key : {kLegacyJobNameLabel, kJobNameLabel}) {
    if (!labels->contains(key)) (*labels)[key] = name;
  }
  for (const char* key : {kLegacyControllerUidLabel, kControllerUidLabel}) {
    if (!labels->contains(key)) (*labels)[key] = uid;
  }
  json* selector = EnsureObj(*spec, "selector");
  json* match = selector ? EnsureObj(*selector, "matchLabels") : nullptr;
  if (match && !match->contains(kControllerUidLabel)) (*match)[kControllerUidLabel] = uid;
  // Kubernetes re-defaults the object when reading it back, which copies the template labels
  // (now including the generated ones) onto a Job created without labels.
  CopyTemplateLabelsToJob(obj, *spec);
}

void DefaultCronJob(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefaultStr(*spec, "concurrencyPolicy", "Allow");
  SetDefault(*spec, "suspend", false);
  SetDefault(*spec, "successfulJobsHistoryLimit", 3);
  SetDefault(*spec, "failedJobsHistoryLimit", 1);
  if (json* jt = GetMut(*spec, "jobTemplate"); jt && jt->is_object()) {
    DefaultTemplateMetadata(*jt);
    if (json* jspec = GetMut(*jt, "spec"); jspec && jspec->is_object()) {
      if (json* tmpl = GetMut(*jspec, "template"); tmpl && tmpl->is_object()) {
        DefaultPodTemplateSpec(*tmpl);
      }
    }
  }
}

}  // namespace skiff::apis::internal
