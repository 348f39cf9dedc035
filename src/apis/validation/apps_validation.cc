// apps/v1 validation (pkg/apis/apps/validation and the strategies' selector immutability).
#include <algorithm>
#include <climits>

#include "kinds.h"
#include "object_meta.h"
#include "pod_validation.h"

namespace skiff::apis::internal {
namespace {

const Path kSpec("spec");

// The value of an int-or-percent: (value, is_percent).
std::pair<int64_t, bool> IntOrPercentValue(const json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (!s.empty() && s.back() == '%') {
      try {
        return {std::stoll(s.substr(0, s.size() - 1)), true};
      } catch (...) {
        return {0, true};
      }
    }
    return {0, false};
  }
  if (v.is_number_integer()) return {v.get<int64_t>(), false};
  return {0, false};
}

void ValidatePositiveIntOrPercent(FieldErrors& errs, const json& v, const std::string& path) {
  if (v.is_string()) {
    AddInvalid(errs, path, v, IsValidPercent(v.get<std::string>()));
  } else if (v.is_number_integer()) {
    ValidateNonnegative(errs, path, v.get<int64_t>());
  }
}

void IsNotMoreThan100Percent(FieldErrors& errs, const json& v, const std::string& path) {
  auto [value, percent] = IntOrPercentValue(v);
  if (percent && value > 100) {
    errs.push_back(FieldError::Invalid(path, v, "must not be greater than 100%"));
  }
}

// spec.selector (required, strict, non-empty) and its match with the template labels.
void ValidateSelector(FieldErrors& errs, const json& spec, const char* kind_for_empty) {
  const json* selector = Get(spec, "selector");
  if (!selector) {
    errs.push_back(FieldError::Required(kSpec.Child("selector")));
  } else {
    ValidateLabelSelector(errs, *selector, kSpec.Child("selector"));
    if (SelectorIsEmpty(*selector)) {
      errs.push_back(
          FieldError::Invalid(kSpec.Child("selector"), *selector,
                              std::string("empty selector is invalid for ") + kind_for_empty));
    }
  }
}

void ValidateTemplateLabelsMatch(FieldErrors& errs, const json& spec) {
  const json* selector = Get(spec, "selector");
  if (selector && SelectorIsEmpty(*selector)) return;  // matches everything
  const json& labels = Obj(Obj(Obj(spec, "template"), "metadata"), "labels");
  if (!SelectorMatches(selector, labels)) {
    errs.push_back(FieldError::Invalid(kSpec.Child("template").Child("metadata").Child("labels"),
                                       labels, "`selector` does not match template `labels`"));
  }
}

// ValidatePodTemplateSpecForReplicaSet, and the same checks for DaemonSets.
void ValidateReplicatedTemplate(FieldErrors& errs, const json& spec, const char* kind_name,
                                bool adsl_forbidden) {
  const json& tmpl = Obj(spec, "template");
  Path tp = kSpec.Child("template");
  ValidateTemplateLabelsMatch(errs, spec);
  ValidatePodTemplateSpec(errs, tmpl, tp);
  std::string restart = Str(Obj(tmpl, "spec"), "restartPolicy");
  if (restart != "Always") {
    errs.push_back(
        FieldError::NotSupported(tp.Child("spec").Child("restartPolicy"), restart, {"Always"}));
  }
  if (const json* ads = Get(Obj(tmpl, "spec"), "activeDeadlineSeconds")) {
    Path p = tp.Child("spec").Child("activeDeadlineSeconds");
    std::string msg = std::string("activeDeadlineSeconds in ") + kind_name + " is not Supported";
    if (adsl_forbidden) {
      errs.push_back(FieldError::Forbidden(p, msg));
    } else {
      errs.push_back(FieldError::Invalid(p, *ads, msg));
    }
  }
}

void ValidateDeploymentSpec(FieldErrors& errs, const json& spec) {
  ValidateNonnegativeMember(errs, spec, "replicas", kSpec);
  ValidateSelector(errs, spec, "deployment");
  ValidateReplicatedTemplate(errs, spec, "ReplicaSet", true);
  const json& strategy = Obj(spec, "strategy");
  Path sp = kSpec.Child("strategy");
  std::string type = Str(strategy, "type");
  if (type == "Recreate") {
    if (Get(strategy, "rollingUpdate")) {
      errs.push_back(FieldError::Forbidden(
          sp.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type == "RollingUpdate") {
    const json* ru = Get(strategy, "rollingUpdate");
    if (!ru) {
      errs.push_back(FieldError::Required(sp.Child("rollingUpdate"),
                                          "this should be defaulted and never be nil"));
    } else {
      Path rp = sp.Child("rollingUpdate");
      json mu = Get(*ru, "maxUnavailable") ? *Get(*ru, "maxUnavailable") : json();
      json ms = Get(*ru, "maxSurge") ? *Get(*ru, "maxSurge") : json();
      ValidatePositiveIntOrPercent(errs, mu, rp.Child("maxUnavailable"));
      ValidatePositiveIntOrPercent(errs, ms, rp.Child("maxSurge"));
      if (IntOrPercentValue(mu).first == 0 && IntOrPercentValue(ms).first == 0) {
        errs.push_back(FieldError::Invalid(rp.Child("maxUnavailable"), mu,
                                           "may not be 0 when `maxSurge` is 0"));
      }
      IsNotMoreThan100Percent(errs, mu, rp.Child("maxUnavailable"));
    }
  } else {
    errs.push_back(FieldError::NotSupported(sp, strategy, {"Recreate", "RollingUpdate"}));
  }
  ValidateNonnegativeMember(errs, spec, "minReadySeconds", kSpec);
  ValidateNonnegativeMember(errs, spec, "revisionHistoryLimit", kSpec);
  if (auto pds = Int(spec, "progressDeadlineSeconds")) {
    ValidateNonnegative(errs, kSpec.Child("progressDeadlineSeconds"), *pds);
    if (*pds <= Int(spec, "minReadySeconds").value_or(0)) {
      errs.push_back(FieldError::Invalid(kSpec.Child("progressDeadlineSeconds"), *pds,
                                         "must be greater than minReadySeconds"));
    }
  }
}

void ValidateSelectorImmutable(FieldErrors& errs, const json& obj, const json& old) {
  ValidateImmutableMember(errs, Obj(obj, "spec"), Obj(old, "spec"), "selector", kSpec);
}

void ValidateStatefulSetSpec(FieldErrors& errs, const json& spec) {
  std::string pmp = Str(spec, "podManagementPolicy");
  if (pmp.empty()) {
    errs.push_back(FieldError::Required(kSpec.Child("podManagementPolicy")));
  } else if (pmp != "OrderedReady" && pmp != "Parallel") {
    errs.push_back(FieldError::Invalid(kSpec.Child("podManagementPolicy"), pmp,
                                       "must be 'OrderedReady' or 'Parallel'"));
  }
  const json& us = Obj(spec, "updateStrategy");
  Path up = kSpec.Child("updateStrategy");
  std::string type = Str(us, "type");
  if (type.empty()) {
    errs.push_back(FieldError::Required(up));
  } else if (type == "OnDelete") {
    if (const json* ru = Get(us, "rollingUpdate")) {
      errs.push_back(FieldError::Invalid(up.Child("rollingUpdate"), *ru,
                                         "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (type == "RollingUpdate") {
    if (const json* ru = Get(us, "rollingUpdate")) {
      ValidateNonnegativeMember(errs, *ru, "partition", up.Child("rollingUpdate"));
      if (const json* mu = Get(*ru, "maxUnavailable")) {
        Path mp = up.Child("rollingUpdate").Child("maxUnavailable");
        ValidatePositiveIntOrPercent(errs, *mu, mp);
        if (IntOrPercentValue(*mu).first == 0) {
          errs.push_back(FieldError::Invalid(mp, *mu, "cannot be 0"));
        }
        IsNotMoreThan100Percent(errs, *mu, mp);
      }
    }
  } else {
    errs.push_back(FieldError::Invalid(up, us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (const json* policy = Get(spec, "persistentVolumeClaimRetentionPolicy")) {
    Path pp = kSpec.Child("persistentVolumeClaimRetentionPolicy");
    for (const char* key : {"whenDeleted", "whenScaled"}) {
      std::string v = Str(*policy, key);
      if (v != "Retain" && v != "Delete") {
        errs.push_back(FieldError::NotSupported(pp.Child(key), v, {"Delete", "Retain"}));
      }
    }
  }
  ValidateNonnegativeMember(errs, spec, "replicas", kSpec);
  ValidateNonnegativeMember(errs, spec, "minReadySeconds", kSpec);
  if (const json* ord = Get(spec, "ordinals")) {
    if (auto start = Int(*ord, "start")) {
      ValidateNonnegative(errs, kSpec.Child("ordinals.start"), *start);
    }
  }
  ValidateSelector(errs, spec, "statefulset");
  ValidateTemplateLabelsMatch(errs, spec);
  // Kubernetes checks only the template's labels and annotations here; skiff also checks the pod
  // spec, counting volumeClaimTemplates as volumes containers may mount.
  PodSpecOptions opts;
  for (const auto& vct : Arr(spec, "volumeClaimTemplates")) {
    opts.extra_volume_names.insert(Str(Obj(vct, "metadata"), "name"));
  }
  const json& tmpl = Obj(spec, "template");
  Path tp = kSpec.Child("template");
  ValidatePodTemplateSpec(errs, tmpl, tp, opts);
  std::string restart = Str(Obj(tmpl, "spec"), "restartPolicy");
  if (restart != "Always") {
    errs.push_back(
        FieldError::NotSupported(tp.Child("spec").Child("restartPolicy"), restart, {"Always"}));
  }
  if (Get(Obj(tmpl, "spec"), "activeDeadlineSeconds")) {
    errs.push_back(FieldError::Forbidden(tp.Child("spec").Child("activeDeadlineSeconds"),
                                         "activeDeadlineSeconds in StatefulSet is not Supported"));
  }
  const json& vcts = Arr(spec, "volumeClaimTemplates");
  for (size_t i = 0; i < vcts.size(); ++i) {
    Path vp = kSpec.Child("volumeClaimTemplates").Index(i);
    std::string name = Str(Obj(vcts[i], "metadata"), "name");
    if (name.empty()) {
      errs.push_back(FieldError::Required(vp.Child("metadata").Child("name"),
                                          "name or generateName is required"));
    } else {
      AddInvalid(errs, vp.Child("metadata").Child("name"), name, NameIsPathSegment(name, false));
    }
  }
}

void ValidateDaemonSetSpec(FieldErrors& errs, const json& spec) {
  const json* selector = Get(spec, "selector");
  if (!selector) {
    errs.push_back(FieldError::Required(kSpec.Child("selector")));
  } else {
    ValidateLabelSelector(errs, *selector, kSpec.Child("selector"));
  }
  ValidateTemplateLabelsMatch(errs, spec);
  if (selector && SelectorIsEmpty(*selector)) {
    errs.push_back(FieldError::Invalid(kSpec.Child("selector"), *selector,
                                       "empty selector is invalid for daemonset"));
  }
  ValidatePodTemplateSpec(errs, Obj(spec, "template"), kSpec.Child("template"));
  const json& tspec = Obj(Obj(spec, "template"), "spec");
  Path tp = kSpec.Child("template").Child("spec");
  std::string restart = Str(tspec, "restartPolicy");
  if (restart != "Always") {
    errs.push_back(FieldError::NotSupported(tp.Child("restartPolicy"), restart, {"Always"}));
  }
  if (const json* ads = Get(tspec, "activeDeadlineSeconds")) {
    errs.push_back(FieldError::Invalid(tp.Child("activeDeadlineSeconds"), *ads,
                                       "activeDeadlineSeconds in DaemonSet is not Supported"));
  }
  ValidateNonnegativeMember(errs, spec, "minReadySeconds", kSpec);
  ValidateNonnegativeMember(errs, spec, "templateGeneration", kSpec);
  const json& us = Obj(spec, "updateStrategy");
  Path up = kSpec.Child("updateStrategy");
  std::string type = Str(us, "type");
  if (type == "RollingUpdate") {
    const json* ru = Get(us, "rollingUpdate");
    if (!ru) {
      errs.push_back(FieldError::Required(up.Child("rollingUpdate")));
    } else {
      Path rp = up.Child("rollingUpdate");
      json mu = Get(*ru, "maxUnavailable") ? *Get(*ru, "maxUnavailable") : json();
      json ms = Get(*ru, "maxSurge") ? *Get(*ru, "maxSurge") : json();
      ValidatePositiveIntOrPercent(errs, mu, rp.Child("maxUnavailable"));
      ValidatePositiveIntOrPercent(errs, ms, rp.Child("maxSurge"));
      IsNotMoreThan100Percent(errs, mu, rp.Child("maxUnavailable"));
      IsNotMoreThan100Percent(errs, ms, rp.Child("maxSurge"));
      bool has_unavailable = IntOrPercentValue(mu).first != 0;
      bool has_surge = IntOrPercentValue(ms).first != 0;
      if (has_unavailable && has_surge) {
        errs.push_back(FieldError::Invalid(rp.Child("maxSurge"), ms,
                                           "may not be set when maxUnavailable is non-zero"));
      } else if (!has_unavailable && !has_surge) {
        errs.push_back(
            FieldError::Required(rp.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
      }
    }
  } else if (type != "OnDelete") {
    errs.push_back(FieldError::NotSupported(up, us, {"RollingUpdate", "OnDelete"}));
  }
  ValidateNonnegativeMember(errs, spec, "revisionHistoryLimit", kSpec);
}

}  // namespace

FieldErrors ValidateDeployment(const json& obj) {
  FieldErrors errs;
  ValidateDeploymentSpec(errs, Obj(obj, "spec"));
  return errs;
}

FieldErrors ValidateDeploymentUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateDeployment(obj);
  ValidateSelectorImmutable(errs, obj, old);
  return errs;
}

FieldErrors ValidateReplicaSet(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  ValidateNonnegativeMember(errs, spec, "replicas", kSpec);
  ValidateNonnegativeMember(errs, spec, "minReadySeconds", kSpec);
  ValidateSelector(errs, spec, "deployment");  // sic: Kubernetes says "deployment" here too
  ValidateReplicatedTemplate(errs, spec, "ReplicaSet", true);
  return errs;
}

FieldErrors ValidateReplicaSetUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateReplicaSet(obj);
  ValidateSelectorImmutable(errs, obj, old);
  return errs;
}

FieldErrors ValidateStatefulSet(const json& obj) {
  FieldErrors errs;
  ValidateStatefulSetSpec(errs, Obj(obj, "spec"));
  return errs;
}

FieldErrors ValidateStatefulSetUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateStatefulSet(obj);
  json clone = Obj(obj, "spec");
  const json& old_spec = Obj(old, "spec");
  for (const char* key : {"replicas", "template", "updateStrategy", "minReadySeconds", "ordinals",
                          "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy"}) {
    if (const json* v = Get(old_spec, key)) {
      clone[key] = *v;
    } else {
      clone.erase(key);
    }
  }
  if (!SemanticEqual(clone, old_spec)) {
    errs.push_back(FieldError::Forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
        "forbidden"));
  }
  return errs;
}

FieldErrors ValidateDaemonSet(const json& obj) {
  FieldErrors errs;
  ValidateDaemonSetSpec(errs, Obj(obj, "spec"));
  return errs;
}

FieldErrors ValidateDaemonSetUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateDaemonSet(obj);
  ValidateSelectorImmutable(errs, obj, old);
  auto new_gen = Int(Obj(obj, "spec"), "templateGeneration").value_or(0);
  auto old_gen = Int(Obj(old, "spec"), "templateGeneration").value_or(0);
  if (new_gen < old_gen) {
    errs.push_back(
        FieldError::Invalid(kSpec.Child("templateGeneration"), new_gen, "must not be decremented"));
  }
  return errs;
}

FieldErrors ValidateControllerRevision(const json& obj) {
  FieldErrors errs;
  if (!Get(obj, "data")) errs.push_back(FieldError::Required(Path("data")));
  ValidateNonnegativeMember(errs, obj, "revision", Path());
  return errs;
}

FieldErrors ValidateControllerRevisionUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateControllerRevision(obj);
  ValidateImmutableMember(errs, obj, old, "data", Path());
  return errs;
}

}  // namespace skiff::apis::internal

namespace skiff::apis::internal {
namespace {

// Non-negative counters and "cannot be greater than" relations of a workload status.
FieldErrors ValidateReplicaCounts(const json& obj, std::initializer_list<const char*> counters,
                                  std::initializer_list<const char*> at_most_replicas,
                                  bool available_within_ready) {
  FieldErrors errs;
  const json& status = Obj(obj, "status");
  Path sp("status");
  ValidateNonnegativeMember(errs, status, "observedGeneration", sp);
  for (const char* key : counters) ValidateNonnegativeMember(errs, status, key, sp);
  ValidateNonnegativeMember(errs, status, "collisionCount", sp);
  auto replicas = Int(status, "replicas").value_or(0);
  for (const char* key : at_most_replicas) {
    auto v = Int(status, key).value_or(0);
    if (v > replicas) {
      errs.push_back(
          FieldError::Invalid(sp.Child(key), v, "cannot be greater than status.replicas"));
    }
  }
  if (available_within_ready) {
    auto available = Int(status, "availableReplicas").value_or(0);
    if (available > Int(status, "readyReplicas").value_or(0)) {
      errs.push_back(FieldError::Invalid(sp.Child("availableReplicas"), available,
                                         "cannot be greater than readyReplicas"));
    }
  }
  return errs;
}

}  // namespace

FieldErrors ValidateDeploymentStatus(const json& obj, const json& old) {
  (void)old;
  return ValidateReplicaCounts(
      obj,
      {"replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"},
      {"updatedReplicas", "readyReplicas", "availableReplicas"}, true);
}

FieldErrors ValidateReplicaSetStatus(const json& obj, const json& old) {
  (void)old;
  return ValidateReplicaCounts(
      obj, {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas"},
      {"fullyLabeledReplicas", "readyReplicas", "availableReplicas"}, true);
}

FieldErrors ValidateStatefulSetStatus(const json& obj, const json& old) {
  (void)old;
  return ValidateReplicaCounts(
      obj, {"replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"},
      {"readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"}, true);
}

FieldErrors ValidateDaemonSetStatus(const json& obj, const json& old) {
  (void)old;
  FieldErrors errs;
  const json& status = Obj(obj, "status");
  Path sp("status");
  for (const char* key : {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                          "numberReady", "observedGeneration", "updatedNumberScheduled",
                          "numberAvailable", "numberUnavailable", "collisionCount"}) {
    ValidateNonnegativeMember(errs, status, key, sp);
  }
  return errs;
}

}  // namespace skiff::apis::internal
