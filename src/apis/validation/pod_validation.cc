// Pod create/update/status validation.
#include "pod_validation.h"

#include <arpa/inet.h>

#include <algorithm>

#include "object_meta.h"
#include "skiff/apis/validation.h"

namespace skiff::apis::internal {
namespace {

constexpr const char* kUpdatablePodSpecFields =
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

bool IsIPv6(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

void ValidateIPList(FieldErrors& errs, const json& list, const Path& path) {
  for (size_t i = 0; i < list.size(); ++i) {
    std::string ip = Str(list[i], "ip");
    AddInvalid(errs, path.Index(i), ip, IsValidIP(ip));
  }
  if (list.size() > 1) {
    bool v4 = false, v6 = false, dual = list.size() == 2;
    for (const auto& e : list) {
      bool six = IsIPv6(Str(e, "ip"));
      if ((six && v6) || (!six && v4)) dual = false;
      (six ? v6 : v4) = true;
    }
    if (!dual) {
      errs.push_back(
          FieldError::Invalid(path, list, "may specify no more than one IP for each IP family"));
    }
  }
}

void ValidateOnlyAddedTolerations(FieldErrors& errs, const json& new_tols, const json& old_tols,
                                  const Path& path) {
  for (const auto& old_t : old_tols) {
    bool found = false;
    for (const auto& new_t : new_tols) {
      json clone = old_t;
      if (clone.is_object()) {
        clone.erase("tolerationSeconds");
        if (const json* s = Get(new_t, "tolerationSeconds")) clone["tolerationSeconds"] = *s;
      }
      if (SemanticEqual(clone, new_t)) {
        found = true;
        break;
      }
    }
    if (!found) {
      errs.push_back(FieldError::Forbidden(
          path, "existing toleration can not be modified except its tolerationSeconds"));
      return;
    }
  }
}

void ValidateContainerStateTransition(FieldErrors& errs, const json& new_statuses,
                                      const json& old_statuses, const Path& path,
                                      const std::string& restart_policy) {
  if (restart_policy == "Always") return;
  for (size_t i = 0; i < old_statuses.size(); ++i) {
    const json& old_s = old_statuses[i];
    const json* term = Get(Obj(old_s, "state"), "terminated");
    if (!term) continue;
    if (Int(*term, "exitCode").value_or(0) != 0 && restart_policy == "OnFailure") continue;
    for (const auto& new_s : new_statuses) {
      if (Str(new_s, "name") == Str(old_s, "name") && !Get(Obj(new_s, "state"), "terminated")) {
        errs.push_back(FieldError::Forbidden(path.Index(i).Child("state"),
                                             "may not be transitioned to non-terminated state"));
      }
    }
  }
}

}  // namespace

FieldErrors ValidatePod(const json& pod) {
  FieldErrors errs;
  Path spec_path("spec");
  const json& spec = Obj(pod, "spec");
  PodSpecOptions opts;
  opts.pod_name = Str(Obj(pod, "metadata"), "name");
  ValidatePodSpec(errs, spec, spec_path, opts);
  if (Len(spec, "ephemeralContainers") > 0) {
    errs.push_back(
        FieldError::Forbidden(spec_path.Child("ephemeralContainers"), "cannot be set on create"));
  }
  if (!Str(spec, "nodeName").empty() && Len(spec, "schedulingGates") > 0) {
    errs.push_back(FieldError::Forbidden(
        spec_path.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"));
  }
  const json& status = Obj(pod, "status");
  ValidateIPList(errs, Arr(status, "podIPs"), Path("status").Child("podIPs"));
  ValidateIPList(errs, Arr(status, "hostIPs"), Path("status").Child("hostIPs"));
  return errs;
}

FieldErrors ValidatePodUpdate(const json& pod, const json& old) {
  FieldErrors errs;
  Path spec_path("spec");
  const json& spec = Obj(pod, "spec");
  const json& old_spec = Obj(old, "spec");
  PodSpecOptions opts;
  opts.pod_name = Str(Obj(pod, "metadata"), "name");
  ValidatePodSpec(errs, spec, spec_path, opts);

  for (const char* key : {"containers", "initContainers"}) {
    const json& cs = Arr(spec, key);
    if (cs.size() != Arr(old_spec, key).size()) {
      errs.push_back(FieldError::Forbidden(spec_path.Child(key),
                                           "pod updates may not add or remove containers"));
      return errs;
    }
    for (size_t i = 0; i < cs.size(); ++i) {
      std::string image = Str(cs[i], "image");
      Path ip = spec_path.Child(key).Index(i).Child("image");
      if (image.empty()) {
        errs.push_back(FieldError::Required(ip));
      } else if (image.find_first_not_of(" \t\n\r") != 0 ||
                 image.find_last_not_of(" \t\n\r") != image.size() - 1) {
        errs.push_back(
            FieldError::Invalid(ip, image, "must not have leading or trailing whitespace"));
      }
    }
  }
  Path ads_path = spec_path.Child("activeDeadlineSeconds");
  if (auto ads = Int(spec, "activeDeadlineSeconds")) {
    if (*ads < 0 || *ads > INT32_MAX) {
      errs.push_back(FieldError::Invalid(ads_path, *ads, InclusiveRangeError(0, INT32_MAX)));
      return errs;
    }
    if (auto old_ads = Int(old_spec, "activeDeadlineSeconds"); old_ads && *old_ads < *ads) {
      errs.push_back(
          FieldError::Invalid(ads_path, *ads, "must be less than or equal to previous value"));
      return errs;
    }
  } else if (Get(old_spec, "activeDeadlineSeconds")) {
    errs.push_back(FieldError::Invalid(ads_path, nullptr,
                                       "must not update from a positive integer to nil value"));
  }

  // Munge the mutable fields to their old values, then the specs must be equal.
  json munged = spec;
  for (const char* key : {"containers", "initContainers"}) {
    if (json* cs = GetMut(munged, key); cs && cs->is_array()) {
      const json& old_cs = Arr(old_spec, key);
      for (size_t i = 0; i < cs->size() && i < old_cs.size(); ++i) {
        if ((*cs)[i].is_object()) {
          if (const json* img = Get(old_cs[i], "image")) {
            (*cs)[i]["image"] = *img;
          } else {
            (*cs)[i].erase("image");
          }
        }
      }
    }
  }
  auto restore = [&](const char* key) {
    if (const json* v = Get(old_spec, key)) {
      munged[key] = *v;
    } else {
      munged.erase(key);
    }
  };
  if (munged.is_object()) {
    restore("activeDeadlineSeconds");
    ValidateOnlyAddedTolerations(errs, Arr(spec, "tolerations"), Arr(old_spec, "tolerations"),
                                 spec_path.Child("tolerations"));
    restore("tolerations");
    auto old_grace = Int(old_spec, "terminationGracePeriodSeconds");
    if (old_grace && *old_grace < 0 && Int(spec, "terminationGracePeriodSeconds") == 1) {
      restore("terminationGracePeriodSeconds");
    }
    // Scheduling gates may only be removed.
    bool subset = true;
    for (const auto& g : Arr(spec, "schedulingGates")) {
      const json& old_gates = Arr(old_spec, "schedulingGates");
      subset = subset && std::find(old_gates.begin(), old_gates.end(), g) != old_gates.end();
    }
    if (subset) restore("schedulingGates");
  }
  if (!SemanticEqual(munged, old_spec)) {
    std::string diff = DescribeDiff(old_spec, munged, "spec");
    errs.push_back(
        FieldError::Forbidden("spec", std::string("pod updates may not change fields other than ") +
                                          kUpdatablePodSpecFields + "\n" + diff));
  }
  return errs;
}

FieldErrors ValidatePodStatusUpdate(const json& pod, const json& old) {
  Path meta("metadata");
  FieldErrors errs;
  const json& status = Obj(pod, "status");
  const json& conditions = Arr(status, "conditions");
  for (size_t i = 0; i < conditions.size(); ++i) {
    std::string type = Str(conditions[i], "type");
    if (type == "PodScheduled" || type == "Ready" || type == "Initialized") continue;
    // Kubernetes reports these under metadata.conditions[i].Type.
    ValidateQualifiedName(errs, meta.Child("conditions").Index(i).Child("Type"), type);
  }
  Path sp("status");
  if (Str(Obj(pod, "spec"), "nodeName") != Str(Obj(old, "spec"), "nodeName")) {
    errs.push_back(FieldError::Forbidden(sp.Child("nodeName"), "may not be changed directly"));
  }
  std::string nominated = Str(status, "nominatedNodeName");
  if (!nominated.empty() && nominated != Str(Obj(old, "status"), "nominatedNodeName")) {
    AddInvalid(errs, sp.Child("nominatedNodeName"), nominated,
               NameIsDNSSubdomain(nominated, false));
  }
  std::string restart = Str(Obj(old, "spec"), "restartPolicy");
  const json& old_status = Obj(old, "status");
  ValidateContainerStateTransition(errs, Arr(status, "containerStatuses"),
                                   Arr(old_status, "containerStatuses"),
                                   sp.Child("containerStatuses"), restart);
  ValidateContainerStateTransition(errs, Arr(status, "initContainerStatuses"),
                                   Arr(old_status, "initContainerStatuses"),
                                   sp.Child("initContainerStatuses"), restart);
  ValidateIPList(errs, Arr(status, "podIPs"), sp.Child("podIPs"));
  ValidateIPList(errs, Arr(status, "hostIPs"), sp.Child("hostIPs"));
  return errs;
}

}  // namespace skiff::apis::internal
