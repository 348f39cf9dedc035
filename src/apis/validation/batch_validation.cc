// batch/v1 validation (pkg/apis/batch/validation/validation.go).
#include <algorithm>

#include "cron_schedule.h"
#include "kinds.h"
#include "object_meta.h"
#include "pod_validation.h"
#include "skiff/common/string_util.h"

namespace skiff::apis::internal {
namespace {

constexpr int64_t kMaxParallelismForIndexedJob = 100000;
constexpr int64_t kMaxCompletionsForIndexedJobBackoffLimitPerIndex = 100000;

void ValidateHasLabel(FieldErrors& errs, const json& tmeta, const Path& path, const char* key,
                      const std::string& expected) {
  const json& labels = Obj(tmeta, "labels");
  const json* v = Get(labels, key);
  Path lp = path.Child("labels").Key(key);
  if (!v) {
    errs.push_back(FieldError::Required(lp, expected));
  } else if (!v->is_string() || v->get<std::string>() != expected) {
    errs.push_back(FieldError::Invalid(lp, labels, "must be '" + expected + "'"));
  }
}

void ValidateGeneratedSelector(FieldErrors& errs, const json& job) {
  const json& spec = Obj(job, "spec");
  if (IsTrue(spec, "manualSelector")) return;
  const json& meta = Obj(job, "metadata");
  std::string uid = Str(meta, "uid");
  if (uid.empty()) return;  // the API layer has not assigned one yet; nothing to compare
  const json* selector = Get(spec, "selector");
  if (!selector) return;
  const json& tmeta = Obj(Obj(spec, "template"), "metadata");
  Path tp = Path("spec").Child("template").Child("metadata");
  std::string name = Str(meta, "name");
  ValidateHasLabel(errs, tmeta, tp, "controller-uid", uid);
  ValidateHasLabel(errs, tmeta, tp, "job-name", name);
  ValidateHasLabel(errs, tmeta, tp, "batch.kubernetes.io/controller-uid", uid);
  ValidateHasLabel(errs, tmeta, tp, "batch.kubernetes.io/job-name", name);
  json expected = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
  if (!SemanticEqual(*selector, expected)) {
    errs.push_back(FieldError::Invalid(Path("spec").Child("selector"), *selector,
                                       "`selector` not auto-generated"));
  }
}

// validateJobSpec: the parts shared with a CronJob's jobTemplate.
void ValidateJobSpecCommon(FieldErrors& errs, const json& spec, const Path& path) {
  for (const char* key : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                          "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"}) {
    ValidateNonnegativeMember(errs, spec, key, path);
  }
  if (Get(spec, "maxFailedIndexes") && !Get(spec, "backoffLimitPerIndex")) {
    errs.push_back(FieldError::Required(path.Child("backoffLimitPerIndex"),
                                        "when maxFailedIndexes is specified"));
  }
  std::string mode = Str(spec, "completionMode");
  if (HasStr(spec, "completionMode")) {
    if (mode != "NonIndexed" && mode != "Indexed") {
      errs.push_back(
          FieldError::NotSupported(path.Child("completionMode"), mode, {"NonIndexed", "Indexed"}));
    }
    if (mode == "Indexed") {
      if (!Get(spec, "completions")) {
        errs.push_back(
            FieldError::Required(path.Child("completions"), "when completion mode is Indexed"));
      }
      if (auto p = Int(spec, "parallelism"); p && *p > kMaxParallelismForIndexedJob) {
        errs.push_back(FieldError::Invalid(
            path.Child("parallelism"), *p,
            "must be less than or equal to 100000 when completion mode is Indexed"));
      }
      auto c = Int(spec, "completions");
      auto mfi = Int(spec, "maxFailedIndexes");
      if (c && mfi && *mfi > *c) {
        errs.push_back(FieldError::Invalid(path.Child("maxFailedIndexes"), *mfi,
                                           "must be less than or equal to completions"));
      }
      if (c && Get(spec, "backoffLimitPerIndex") &&
          *c > kMaxCompletionsForIndexedJobBackoffLimitPerIndex) {
        errs.push_back(FieldError::Invalid(
            path.Child("completions"), *c,
            "must be less than or equal to 100000 when backoffLimitPerIndex is specified"));
      }
    }
  }
  if (Get(spec, "backoffLimitPerIndex") && mode != "Indexed") {
    errs.push_back(FieldError::Invalid(path.Child("backoffLimitPerIndex"),
                                       *Get(spec, "backoffLimitPerIndex"),
                                       "requires indexed completion mode"));
  }
  const json* pfp = Get(spec, "podFailurePolicy");
  if (pfp) {
    const json& rules = Arr(*pfp, "rules");
    Path rp = path.Child("podFailurePolicy").Child("rules");
    if (rules.size() > 20) {
      errs.push_back(FieldError{"FieldValueTooMany",
                                rp,
                                "must have at most 20 items",
                                static_cast<int64_t>(rules.size()),
                                {}});
    }
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string action = Str(rules[i], "action");
      static const std::vector<std::string> kActions = {"Count", "FailIndex", "FailJob", "Ignore"};
      if (std::find(kActions.begin(), kActions.end(), action) == kActions.end()) {
        errs.push_back(FieldError::NotSupported(rp.Index(i).Child("action"), action, kActions));
      }
      bool has_codes = HasObj(rules[i], "onExitCodes");
      bool has_conds = Len(rules[i], "onPodConditions") > 0;
      if (has_codes && has_conds) {
        errs.push_back(FieldError::Invalid(rp.Index(i), rules[i],
                                           "specifying both OnExitCodes and OnPodConditions is "
                                           "not supported"));
      } else if (!has_codes && !has_conds) {
        errs.push_back(FieldError::Invalid(rp.Index(i), rules[i],
                                           "specifying one of OnExitCodes and OnPodConditions is "
                                           "required"));
      }
    }
  }
  if (HasStr(spec, "podReplacementPolicy")) {
    std::string prp = Str(spec, "podReplacementPolicy");
    if (pfp) {
      if (prp != "Failed") {
        errs.push_back(
            FieldError::NotSupported(path.Child("podReplacementPolicy"), prp, {"Failed"}));
      }
    } else if (prp != "Failed" && prp != "TerminatingOrFailed") {
      errs.push_back(FieldError::NotSupported(path.Child("podReplacementPolicy"), prp,
                                              {"Failed", "TerminatingOrFailed"}));
    }
  }
  const json& tmpl = Obj(spec, "template");
  Path tp = path.Child("template");
  ValidatePodTemplateSpec(errs, tmpl, tp);
  std::string restart = Str(Obj(tmpl, "spec"), "restartPolicy");
  Path rpp = tp.Child("spec").Child("restartPolicy");
  if (restart == "Always" || restart.empty()) {
    errs.push_back(FieldError::Required(rpp, "valid values: \"OnFailure\", \"Never\""));
  } else if (restart != "OnFailure" && restart != "Never") {
    errs.push_back(FieldError::NotSupported(rpp, restart, {"OnFailure", "Never"}));
  } else if (pfp && restart != "Never") {
    errs.push_back(FieldError::Invalid(rpp, restart,
                                       "only \"Never\" is supported when podFailurePolicy is "
                                       "specified"));
  }
}

void ValidateJobSpec(FieldErrors& errs, const json& spec, const Path& path) {
  ValidateJobSpecCommon(errs, spec, path);
  const json* selector = Get(spec, "selector");
  if (!selector) {
    errs.push_back(FieldError::Required(path.Child("selector")));
  } else {
    ValidateLabelSelector(errs, *selector, path.Child("selector"));
  }
  if (selector && !SelectorIsEmpty(*selector)) {
    const json& labels = Obj(Obj(Obj(spec, "template"), "metadata"), "labels");
    if (!SelectorMatches(selector, labels)) {
      errs.push_back(FieldError::Invalid(path.Child("template").Child("metadata").Child("labels"),
                                         labels, "`selector` does not match template `labels`"));
    }
  }
}

}  // namespace

FieldErrors ValidateJob(const json& obj) {
  FieldErrors errs;
  ValidateGeneratedSelector(errs, obj);
  const json& spec = Obj(obj, "spec");
  ValidateJobSpec(errs, spec, Path("spec"));
  auto completions = Int(spec, "completions");
  if (Str(spec, "completionMode") == "Indexed" && completions && *completions > 0) {
    std::string name = Str(Obj(obj, "metadata"), "name");
    std::string hostname = name + "-" + std::to_string(*completions - 1);
    if (!IsDNS1123Label(hostname).empty()) {
      errs.push_back(
          FieldError::Invalid(Path("metadata").Child("name"), name,
                              "will not able to create pod with invalid DNS label: " + hostname));
    }
  }
  return errs;
}

FieldErrors ValidateJobUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  Path sp("spec");
  const json& spec = Obj(obj, "spec");
  const json& old_spec = Obj(old, "spec");
  ValidateJobSpec(errs, spec, sp);
  // Completions: immutable, except an Indexed Job scaled with parallelism (elastic indexed jobs).
  const json* c = Get(spec, "completions");
  const json* oc = Get(old_spec, "completions");
  if (!SemanticEqual(c ? *c : json(), oc ? *oc : json())) {
    if (Str(spec, "completionMode") != "Indexed") {
      errs.push_back(
          FieldError::Invalid(sp.Child("completions"), c ? *c : json(), kFieldImmutableErrorMsg));
    } else if (c && Int(spec, "completions") != Int(spec, "parallelism")) {
      errs.push_back(FieldError::Invalid(sp.Child("completions"), *c,
                                         "can only be modified in tandem with spec.parallelism"));
    }
  }
  ValidateImmutableMember(errs, spec, old_spec, "selector", sp);
  // The pod template is immutable; a suspended Job that never started may change its
  // scheduling directives.
  json tmpl = Obj(spec, "template");
  json old_tmpl = Obj(old_spec, "template");
  bool mutable_scheduling = IsTrue(old_spec, "suspend") && !Get(Obj(old, "status"), "startTime");
  if (mutable_scheduling) {
    json& ot_spec = old_tmpl["spec"];
    const json& t_spec = Obj(tmpl, "spec");
    if (!ot_spec.is_object()) ot_spec = json::object();
    const json* aff = Get(t_spec, "affinity");
    const json* old_aff = Get(ot_spec, "affinity");
    if (!aff && old_aff) {
      json a = *old_aff;
      a.erase("nodeAffinity");
      if (a.empty()) {
        ot_spec.erase("affinity");
      } else {
        ot_spec["affinity"] = a;
      }
    } else if (aff) {
      json a = old_aff ? *old_aff : json::object();
      if (const json* na = Get(*aff, "nodeAffinity")) {
        a["nodeAffinity"] = *na;
      } else {
        a.erase("nodeAffinity");
      }
      ot_spec["affinity"] = a;
    }
    for (const char* key : {"nodeSelector", "tolerations", "schedulingGates"}) {
      if (const json* v = Get(t_spec, key)) {
        ot_spec[key] = *v;
      } else {
        ot_spec.erase(key);
      }
    }
    json& ot_meta = old_tmpl["metadata"];
    if (!ot_meta.is_object()) ot_meta = json::object();
    for (const char* key : {"labels", "annotations"}) {
      if (const json* v = Get(Obj(tmpl, "metadata"), key)) {
        ot_meta[key] = *v;
      } else {
        ot_meta.erase(key);
      }
    }
  }
  ValidateImmutable(errs, tmpl, old_tmpl, sp.Child("template"));
  for (const char* key : {"completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy",
                          "successPolicy"}) {
    ValidateImmutableMember(errs, spec, old_spec, key, sp);
  }
  return errs;
}

namespace {

void ValidateCronJobSpec(FieldErrors& errs, const json& spec, const json* old_spec) {
  Path sp("spec");
  std::string schedule = Str(spec, "schedule");
  const json* tz = Get(spec, "timeZone");
  if (schedule.empty()) {
    errs.push_back(FieldError::Required(sp.Child("schedule")));
  } else {
    bool allow_tz = old_spec && Str(*old_spec, "schedule").find("TZ") != std::string::npos;
    std::string err = ParseCronSchedule(schedule);
    if (!err.empty()) errs.push_back(FieldError::Invalid(sp.Child("schedule"), schedule, err));
    bool has_tz = schedule.find("TZ") != std::string::npos;
    if (allow_tz && has_tz && tz) {
      errs.push_back(FieldError::Invalid(sp.Child("schedule"), schedule,
                                         "cannot use both timeZone field and TZ or CRON_TZ in "
                                         "schedule"));
    } else if (!allow_tz && has_tz) {
      errs.push_back(
          FieldError::Invalid(sp.Child("schedule"), schedule,
                              "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
  }
  ValidateNonnegativeMember(errs, spec, "startingDeadlineSeconds", sp);
  const json* old_tz = old_spec ? Get(*old_spec, "timeZone") : nullptr;
  bool tz_changed = !old_spec || !SemanticEqual(tz ? *tz : json(), old_tz ? *old_tz : json());
  if (tz && tz_changed) {
    std::string zone = tz->is_string() ? tz->get<std::string>() : "";
    Path zp = sp.Child("timeZone");
    bool chars_ok = !zone.empty();
    size_t start = 0;
    while (chars_ok) {
      size_t slash = zone.find('/', start);
      std::string part =
          zone.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      bool part_ok =
          !part.empty() && part.size() <= 14 && part != "." && part != ".." && part[0] != '-';
      for (char ch : part) {
        part_ok = part_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' ||
                              ch == '-' || ch == '_' || ch == '+');
      }
      chars_ok = part_ok;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (zone.empty()) {
      errs.push_back(FieldError::Invalid(zp, zone, "timeZone must be nil or non-empty string"));
    } else if (!chars_ok) {
      errs.push_back(FieldError::Invalid(zp, zone, "unknown time zone " + zone));
    } else {
      if (AsciiLower(zone) == "local") {
        errs.push_back(FieldError::Invalid(zp, zone,
                                           "timeZone must be an explicit time zone as defined in "
                                           "https://www.iana.org/time-zones"));
      }
      std::string err = LoadTimeZone(zone);
      if (!err.empty()) errs.push_back(FieldError::Invalid(zp, zone, err));
    }
  }
  std::string cp = Str(spec, "concurrencyPolicy");
  if (cp.empty()) {
    errs.push_back(FieldError::Required(sp.Child("concurrencyPolicy")));
  } else if (cp != "Allow" && cp != "Forbid" && cp != "Replace") {
    errs.push_back(FieldError::NotSupported(sp.Child("concurrencyPolicy"), cp,
                                            {"Allow", "Forbid", "Replace"}));
  }
  const json& jt_spec = Obj(Obj(spec, "jobTemplate"), "spec");
  Path jp = sp.Child("jobTemplate").Child("spec");
  ValidateJobSpecCommon(errs, jt_spec, jp);
  if (const json* sel = Get(jt_spec, "selector")) {
    errs.push_back(
        FieldError::Invalid(jp.Child("selector"), *sel, "`selector` will be auto-generated"));
  }
  if (IsTrue(jt_spec, "manualSelector")) {
    errs.push_back(FieldError::NotSupported(jp.Child("manualSelector"), true, {"nil", "false"}));
  }
  ValidateNonnegativeMember(errs, spec, "successfulJobsHistoryLimit", sp);
  ValidateNonnegativeMember(errs, spec, "failedJobsHistoryLimit", sp);
}

}  // namespace

FieldErrors ValidateCronJob(const json& obj) {
  FieldErrors errs;
  ValidateCronJobSpec(errs, Obj(obj, "spec"), nullptr);
  std::string name = Str(Obj(obj, "metadata"), "name");
  if (name.size() > 52) {
    errs.push_back(FieldError::Invalid(Path("metadata").Child("name"), name,
                                       "must be no more than 52 characters"));
  }
  return errs;
}

FieldErrors ValidateCronJobUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  ValidateCronJobSpec(errs, Obj(obj, "spec"), &Obj(old, "spec"));
  return errs;
}

}  // namespace skiff::apis::internal
