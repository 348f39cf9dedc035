// PodSpec validation (ValidatePodSpec): containers, policies, scheduling fields, templates.
#include <algorithm>
#include <climits>
#include <set>

#include "object_meta.h"
#include "pod_validation.h"
#include "skiff/apis/validation.h"

namespace skiff::apis::internal {
namespace {

bool OneOf(const std::string& v, const std::vector<std::string>& values) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Required when empty, NotSupported when not one of `values`.
void ValidateEnum(FieldErrors& errs, const json& o, const char* key, const Path& parent,
                  const std::vector<std::string>& values) {
  std::string v = Str(o, key);
  if (v.empty()) {
    errs.push_back(FieldError::Required(parent.Child(key)));
  } else if (!OneOf(v, values)) {
    errs.push_back(FieldError::NotSupported(parent.Child(key), v, values));
  }
}

void CheckHostPortConflicts(FieldErrors& errs, const json& containers, const Path& path,
                            std::set<std::string>& seen) {
  for (size_t ci = 0; ci < containers.size(); ++ci) {
    const json& ports = Arr(containers[ci], "ports");
    for (size_t pi = 0; pi < ports.size(); ++pi) {
      auto host_port = Int(ports[pi], "hostPort").value_or(0);
      if (host_port == 0) continue;
      std::string key = Str(ports[pi], "protocol") + "/" + Str(ports[pi], "hostIP") + "/" +
                        std::to_string(host_port);
      if (seen.count(key)) {
        errs.push_back(
            FieldError::Duplicate(path.Index(ci).Child("ports").Index(pi).Child("hostPort"), key));
      } else {
        seen.insert(key);
      }
    }
  }
}

void ValidateContainers(FieldErrors& errs, const json& spec, const Path& path,
                        const ContainerContext& ctx) {
  const json& containers = Arr(spec, "containers");
  if (containers.empty()) {
    errs.push_back(FieldError::Required(path));
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < containers.size(); ++i) {
    const json& c = containers[i];
    Path ip = path.Index(i);
    ValidateContainerCommon(errs, c, ip, ctx);
    std::string name = Str(c, "name");
    if (names.count(name)) {
      errs.push_back(FieldError::Duplicate(ip.Child("name"), name));
    } else {
      names.insert(name);
    }
    if (const json* lc = Get(c, "lifecycle")) {
      ValidateLifecycle(errs, *lc, ip.Child("lifecycle"), ctx.grace_period);
    }
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
      if (const json* p = Get(c, probe)) ValidateProbe(errs, *p, ip.Child(probe), probe);
    }
    if (Get(c, "restartPolicy")) {
      errs.push_back(FieldError::Forbidden(ip.Child("restartPolicy"),
                                           "may not be set for non-init containers"));
    }
  }
  std::set<std::string> seen;
  CheckHostPortConflicts(errs, containers, path, seen);
}

void ValidateInitContainers(FieldErrors& errs, const json& spec, const Path& path,
                            const ContainerContext& ctx) {
  const json& inits = Arr(spec, "initContainers");
  std::set<std::string> names;
  for (const auto& c : Arr(spec, "containers")) names.insert(Str(c, "name"));
  for (size_t i = 0; i < inits.size(); ++i) {
    const json& c = inits[i];
    Path ip = path.Index(i);
    ValidateContainerCommon(errs, c, ip, ctx);
    bool always = false;
    if (const json* rp = Get(c, "restartPolicy")) {
      std::string v = rp->is_string() ? rp->get<std::string>() : "";
      if (v.empty()) {
        errs.push_back(FieldError::Required(ip.Child("restartPolicy")));
      } else if (v != "Always") {
        errs.push_back(FieldError::NotSupported(ip.Child("restartPolicy"), v, {"Always"}));
      }
      always = v == "Always";
    }
    std::string name = Str(c, "name");
    if (names.count(name)) {
      errs.push_back(FieldError::Duplicate(ip.Child("name"), name));
    } else if (!name.empty()) {
      names.insert(name);
    }
    std::set<std::string> seen;
    CheckHostPortConflicts(errs, json::array({c}), path, seen);
    if (always) {
      if (const json* lc = Get(c, "lifecycle")) {
        ValidateLifecycle(errs, *lc, ip.Child("lifecycle"), ctx.grace_period);
      }
      for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
        if (const json* p = Get(c, probe)) ValidateProbe(errs, *p, ip.Child(probe), probe);
      }
    } else {
      for (const char* key : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"}) {
        if (Get(c, key)) {
          errs.push_back(FieldError::Forbidden(
              ip.Child(key), "may not be set for init containers without restartPolicy=Always"));
        }
      }
    }
  }
}

void ValidateNodeSelectorRequirements(FieldErrors& errs, const json& reqs, const Path& path) {
  for (size_t i = 0; i < reqs.size(); ++i) {
    const json& r = reqs[i];
    Path rp = path.Index(i);
    std::string op = Str(r, "operator");
    size_t n = Len(r, "values");
    if (op == "In" || op == "NotIn") {
      if (n == 0) {
        errs.push_back(FieldError::Required(
            rp.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (n > 0) {
        errs.push_back(FieldError::Forbidden(
            rp.Child("values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else if (op == "Gt" || op == "Lt") {
      if (n != 1) {
        errs.push_back(FieldError::Required(
            rp.Child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      }
    } else {
      errs.push_back(
          FieldError::Invalid(rp.Child("operator"), op, "not a valid selector operator"));
    }
    ValidateQualifiedName(errs, rp.Child("key"), Str(r, "key"));
  }
}

void ValidateNodeSelectorTerm(FieldErrors& errs, const json& term, const Path& path) {
  ValidateNodeSelectorRequirements(errs, Arr(term, "matchExpressions"),
                                   path.Child("matchExpressions"));
  const json& fields = Arr(term, "matchFields");
  for (size_t i = 0; i < fields.size(); ++i) {
    Path fp = path.Child("matchFields").Index(i);
    if (Str(fields[i], "key") != "metadata.name") {
      errs.push_back(FieldError::Invalid(fp.Child("key"), Str(fields[i], "key"),
                                         "not a valid field selector key"));
    }
  }
}

void ValidatePodAffinityTerms(FieldErrors& errs, const json& terms, const Path& path,
                              bool weighted) {
  for (size_t i = 0; i < terms.size(); ++i) {
    Path ip = path.Index(i);
    const json* term = &terms[i];
    if (weighted) {
      auto w = Int(*term, "weight").value_or(0);
      if (w <= 0 || w > 100) {
        errs.push_back(FieldError::Invalid(ip.Child("weight"), w, "must be in the range 1-100"));
      }
      ip = ip.Child("podAffinityTerm");
      term = &Obj(*term, "podAffinityTerm");
    }
    if (const json* sel = Get(*term, "labelSelector")) {
      ValidateLabelSelector(errs, *sel, ip.Child("labelSelector"));
    }
    if (const json* sel = Get(*term, "namespaceSelector")) {
      ValidateLabelSelector(errs, *sel, ip.Child("namespaceSelector"));
    }
    const json& nss = Arr(*term, "namespaces");
    for (size_t j = 0; j < nss.size(); ++j) {
      std::string ns = nss[j].is_string() ? nss[j].get<std::string>() : "";
      AddInvalid(errs, ip.Child("namespaces").Index(j), ns, NameIsDNSLabel(ns, false));
    }
    std::string key = Str(*term, "topologyKey");
    if (key.empty()) {
      errs.push_back(FieldError::Required(ip.Child("topologyKey"), "can not be empty"));
    } else {
      ValidateQualifiedName(errs, ip.Child("topologyKey"), key);
    }
  }
}

void ValidateAffinity(FieldErrors& errs, const json& affinity, const Path& path) {
  if (const json* na = Get(affinity, "nodeAffinity")) {
    Path np = path.Child("nodeAffinity");
    if (const json* req = Get(*na, "requiredDuringSchedulingIgnoredDuringExecution")) {
      ValidateNodeSelector(errs, *req, np.Child("requiredDuringSchedulingIgnoredDuringExecution"));
    }
    const json& pref = Arr(*na, "preferredDuringSchedulingIgnoredDuringExecution");
    Path pp = np.Child("preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < pref.size(); ++i) {
      auto w = Int(pref[i], "weight").value_or(0);
      if (w <= 0 || w > 100) {
        errs.push_back(
            FieldError::Invalid(pp.Index(i).Child("weight"), w, "must be in the range 1-100"));
      }
      ValidateNodeSelectorTerm(errs, Obj(pref[i], "preference"), pp.Index(i).Child("preference"));
    }
  }
  for (const char* key : {"podAffinity", "podAntiAffinity"}) {
    const json* pa = Get(affinity, key);
    if (!pa) continue;
    Path p = path.Child(key);
    ValidatePodAffinityTerms(errs, Arr(*pa, "requiredDuringSchedulingIgnoredDuringExecution"),
                             p.Child("requiredDuringSchedulingIgnoredDuringExecution"), false);
    ValidatePodAffinityTerms(errs, Arr(*pa, "preferredDuringSchedulingIgnoredDuringExecution"),
                             p.Child("preferredDuringSchedulingIgnoredDuringExecution"), true);
  }
}

void ValidateTopologySpread(FieldErrors& errs, const json& constraints, const Path& path) {
  for (size_t i = 0; i < constraints.size(); ++i) {
    const json& c = constraints[i];
    Path ip = path.Index(i);
    auto skew = Int(c, "maxSkew").value_or(0);
    if (skew <= 0)
      errs.push_back(FieldError::Invalid(ip.Child("maxSkew"), skew, kIsNotPositiveErrorMsg));
    std::string key = Str(c, "topologyKey");
    if (key.empty()) {
      errs.push_back(FieldError::Required(ip.Child("topologyKey"), "can not be empty"));
    } else {
      ValidateQualifiedName(errs, ip.Child("topologyKey"), key);
    }
    std::string action = Str(c, "whenUnsatisfiable");
    if (action != "DoNotSchedule" && action != "ScheduleAnyway") {
      errs.push_back(FieldError::NotSupported(ip.Child("whenUnsatisfiable"), action,
                                              {"DoNotSchedule", "ScheduleAnyway"}));
    }
    for (size_t j = i + 1; j < constraints.size(); ++j) {
      if (Str(constraints[j], "topologyKey") == key &&
          Str(constraints[j], "whenUnsatisfiable") == action) {
        errs.push_back(FieldError::Duplicate(ip.Child("{topologyKey, whenUnsatisfiable}"),
                                             "{" + key + ", " + action + "}"));
        break;
      }
    }
    if (auto md = Int(c, "minDomains")) {
      if (*md <= 0) {
        errs.push_back(FieldError::Invalid(ip.Child("minDomains"), *md, kIsNotPositiveErrorMsg));
      } else if (action != "DoNotSchedule") {
        errs.push_back(FieldError::Invalid(
            ip.Child("minDomains"), *md,
            "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " + action));
      }
    }
    if (const json* sel = Get(c, "labelSelector")) {
      ValidateLabelSelector(errs, *sel, ip.Child("labelSelector"));
    }
  }
}

void ValidateDNSConfig(FieldErrors& errs, const json& spec, const Path& path) {
  const json* cfg = Get(spec, "dnsConfig");
  if (Str(spec, "dnsPolicy") == "None") {
    if (!cfg) {
      errs.push_back(
          FieldError::Required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
      return;
    }
    if (Len(*cfg, "nameservers") == 0) {
      errs.push_back(FieldError::Required(path.Child("nameservers"),
                                          "must provide at least one DNS nameserver when "
                                          "`dnsPolicy` is None"));
    }
  }
  if (!cfg) return;
  const json& ns = Arr(*cfg, "nameservers");
  if (ns.size() > 3) {
    errs.push_back(FieldError::Invalid(path.Child("nameservers"), ns,
                                       "must not have more than 3 nameservers"));
  }
  for (size_t i = 0; i < ns.size(); ++i) {
    std::string ip = ns[i].is_string() ? ns[i].get<std::string>() : "";
    AddInvalid(errs, path.Child("nameservers").Index(i), ip, IsValidIP(ip));
  }
  const json& searches = Arr(*cfg, "searches");
  if (searches.size() > 32) {
    errs.push_back(FieldError::Invalid(path.Child("searches"), searches,
                                       "must not have more than 32 search paths"));
  }
  for (size_t i = 0; i < searches.size(); ++i) {
    std::string s = searches[i].is_string() ? searches[i].get<std::string>() : "";
    if (s == ".") continue;
    if (!s.empty() && s.back() == '.') s.pop_back();
    ValidateDNS1123Subdomain(errs, path.Child("searches").Index(i), s);
  }
  const json& options = Arr(*cfg, "options");
  for (size_t i = 0; i < options.size(); ++i) {
    if (Str(options[i], "name").empty()) {
      errs.push_back(FieldError::Required(path.Child("options").Index(i), "must not be empty"));
    }
  }
}

void ValidatePodSecurityContext(FieldErrors& errs, const json& sc, const Path& path) {
  if (!sc.is_object()) return;
  if (auto v = Int(sc, "fsGroup")) AddInvalid(errs, path.Child("fsGroup"), *v, IsValidGroupID(*v));
  if (auto v = Int(sc, "runAsUser")) {
    AddInvalid(errs, path.Child("runAsUser"), *v, IsValidUserID(*v));
  }
  if (auto v = Int(sc, "runAsGroup")) {
    AddInvalid(errs, path.Child("runAsGroup"), *v, IsValidGroupID(*v));
  }
  const json& groups = Arr(sc, "supplementalGroups");
  for (size_t i = 0; i < groups.size(); ++i) {
    int64_t g = groups[i].is_number() ? groups[i].get<int64_t>() : -1;
    AddInvalid(errs, path.Child("supplementalGroups").Index(i), g, IsValidGroupID(g));
  }
  if (HasStr(sc, "fsGroupChangePolicy")) {
    std::string v = Str(sc, "fsGroupChangePolicy");
    if (v != "OnRootMismatch" && v != "Always") {
      errs.push_back(FieldError::NotSupported(path.Child("fsGroupChangePolicy"), v,
                                              {"OnRootMismatch", "Always"}));
    }
  }
  const json& sysctls = Arr(sc, "sysctls");
  std::set<std::string> names;
  for (size_t i = 0; i < sysctls.size(); ++i) {
    std::string name = Str(sysctls[i], "name");
    Path sp = path.Child("sysctls").Index(i);
    if (name.empty()) {
      errs.push_back(FieldError::Required(sp.Child("name")));
    } else if (names.count(name)) {
      errs.push_back(FieldError::Duplicate(sp.Child("name"), name));
    }
    names.insert(name);
  }
}

}  // namespace

void ValidateNodeSelector(FieldErrors& errs, const json& selector, const Path& path) {
  const json& terms = Arr(selector, "nodeSelectorTerms");
  if (terms.empty()) {
    errs.push_back(FieldError::Required(path.Child("nodeSelectorTerms"),
                                        "must have at least one node selector term"));
    return;
  }
  for (size_t i = 0; i < terms.size(); ++i) {
    ValidateNodeSelectorTerm(errs, terms[i], path.Child("nodeSelectorTerms").Index(i));
  }
}

void ValidateTaintEffect(FieldErrors& errs, const json& effect, bool allow_empty,
                         const std::string& path) {
  std::string e = effect.is_string() ? effect.get<std::string>() : "";
  if (e.empty() && allow_empty) return;
  if (e.empty()) {
    errs.push_back(FieldError::Required(path));
  } else if (e != "NoSchedule" && e != "PreferNoSchedule" && e != "NoExecute") {
    errs.push_back(
        FieldError::NotSupported(path, e, {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
  }
}

void ValidateTolerations(FieldErrors& errs, const json& tolerations, const Path& path) {
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const json& t = tolerations[i];
    Path ip = path.Index(i);
    std::string key = Str(t, "key");
    std::string op = Str(t, "operator");
    std::string effect = Str(t, "effect");
    if (!key.empty()) ValidateQualifiedName(errs, ip.Child("key"), key);
    if (key.empty() && op != "Exists") {
      errs.push_back(FieldError::Invalid(
          ip.Child("operator"), op,
          "operator must be Exists when `key` is empty, which means \"match all values and all "
          "keys\""));
    }
    if (Get(t, "tolerationSeconds") && effect != "NoExecute") {
      errs.push_back(
          FieldError::Invalid(ip.Child("effect"), effect,
                              "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op == "Equal" || op.empty()) {
      std::string value = Str(t, "value");
      AddInvalid(errs, ip.Child("operator"), value, IsValidLabelValue(value));
    } else if (op == "Exists") {
      if (!Str(t, "value").empty()) {
        errs.push_back(FieldError::Invalid(ip.Child("operator"), t,
                                           "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errs.push_back(FieldError::NotSupported(ip.Child("operator"), op, {"Equal", "Exists"}));
    }
    if (!effect.empty()) ValidateTaintEffect(errs, effect, true, ip.Child("effect"));
  }
}

void ValidatePodSpec(FieldErrors& errs, const json& spec, const Path& path,
                     const PodSpecOptions& opts) {
  VolumeMap vols =
      ValidateVolumes(errs, Arr(spec, "volumes"), path.Child("volumes"), opts.pod_name);
  ContainerContext ctx;
  ctx.volumes = &vols;
  ctx.extra_volume_names = &opts.extra_volume_names;
  ctx.grace_period = Int(spec, "terminationGracePeriodSeconds").value_or(30);
  ValidateContainers(errs, spec, path.Child("containers"), ctx);
  ValidateInitContainers(errs, spec, path.Child("initContainers"), ctx);
  if (IsTrue(spec, "hostNetwork")) {
    const json& containers = Arr(spec, "containers");
    for (size_t i = 0; i < containers.size(); ++i) {
      const json& ports = Arr(containers[i], "ports");
      for (size_t j = 0; j < ports.size(); ++j) {
        auto hp = Int(ports[j], "hostPort").value_or(0);
        auto cp = Int(ports[j], "containerPort").value_or(0);
        if (hp != 0 && hp != cp) {
          errs.push_back(FieldError::Invalid(
              path.Child("containers").Index(i).Child("ports").Index(j).Child("hostPort"), hp,
              "must match `containerPort` when `hostNetwork` is true"));
        }
      }
    }
  }
  ValidateEnum(errs, spec, "restartPolicy", path, {"Always", "OnFailure", "Never"});
  ValidateEnum(errs, spec, "dnsPolicy", path,
               {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
  ValidateLabels(errs, Obj(spec, "nodeSelector"), path.Child("nodeSelector"));
  ValidatePodSecurityContext(errs, Obj(spec, "securityContext"), path.Child("securityContext"));
  const json& pull_secrets = Arr(spec, "imagePullSecrets");
  for (size_t i = 0; i < pull_secrets.size(); ++i) {
    for (const auto& [k, v] : pull_secrets[i].items()) {
      if (k != "name" && !v.is_null()) {
        errs.push_back(FieldError::Invalid(path.Child("imagePullSecrets").Index(i), pull_secrets[i],
                                           "only name may be set"));
        break;
      }
    }
  }
  if (const json* aff = Get(spec, "affinity")) ValidateAffinity(errs, *aff, path.Child("affinity"));
  ValidateDNSConfig(errs, spec, path.Child("dnsConfig"));
  const json& gates = Arr(spec, "readinessGates");
  for (size_t i = 0; i < gates.size(); ++i) {
    ValidateQualifiedName(errs, path.Child("readinessGates").Index(i).Child("conditionType"),
                          Str(gates[i], "conditionType"));
  }
  ValidateTopologySpread(errs, Arr(spec, "topologySpreadConstraints"),
                         path.Child("topologySpreadConstraints"));
  for (const char* key : {"serviceAccountName", "nodeName", "priorityClassName"}) {
    std::string v = Str(spec, key);
    if (!v.empty()) AddInvalid(errs, path.Child(key), v, NameIsDNSSubdomain(v, false));
  }
  if (auto ads = Int(spec, "activeDeadlineSeconds"); ads && (*ads < 1 || *ads > INT32_MAX)) {
    errs.push_back(FieldError::Invalid(path.Child("activeDeadlineSeconds"), *ads,
                                       InclusiveRangeError(1, INT32_MAX)));
  }
  for (const char* key : {"hostname", "subdomain"}) {
    std::string v = Str(spec, key);
    if (!v.empty()) ValidateDNS1123Label(errs, path.Child(key), v);
  }
  ValidateTolerations(errs, Arr(spec, "tolerations"), path.Child("tolerations"));
  const json& aliases = Arr(spec, "hostAliases");
  for (size_t i = 0; i < aliases.size(); ++i) {
    Path ap = path.Child("hostAliases").Index(i);
    std::string ip = Str(aliases[i], "ip");
    AddInvalid(errs, ap.Child("ip"), ip, IsValidIP(ip));
    const json& hostnames = Arr(aliases[i], "hostnames");
    for (size_t j = 0; j < hostnames.size(); ++j) {
      std::string h = hostnames[j].is_string() ? hostnames[j].get<std::string>() : "";
      ValidateDNS1123Subdomain(errs, ap.Child("hostnames").Index(j), h);
    }
  }
  if (const json* rc = Get(spec, "runtimeClassName"); rc && rc->is_string()) {
    std::string v = rc->get<std::string>();
    AddInvalid(errs, path.Child("runtimeClassName"), v, NameIsDNSSubdomain(v, false));
  }
  if (HasStr(spec, "preemptionPolicy")) {
    std::string v = Str(spec, "preemptionPolicy");
    if (v != "PreemptLowerPriority" && v != "Never") {
      errs.push_back(FieldError::NotSupported(path.Child("preemptionPolicy"), v,
                                              {"PreemptLowerPriority", "Never"}));
    }
  }
  for (const auto& [name, q] : Obj(spec, "overhead").items()) {
    ValidateResourceQuantityValue(errs, name, q, path.Child("overhead").Key(name));
  }
  if (const json* os = Get(spec, "os")) {
    std::string name = Str(*os, "name");
    if (name.empty()) {
      errs.push_back(FieldError::Required(path.Child("os").Child("name")));
    } else if (name != "linux" && name != "windows") {
      errs.push_back(FieldError::NotSupported(path.Child("os"), name, {"linux", "windows"}));
    }
  }
  const json& sgates = Arr(spec, "schedulingGates");
  std::set<std::string> gate_names;
  for (size_t i = 0; i < sgates.size(); ++i) {
    std::string name = Str(sgates[i], "name");
    Path gp = path.Child("schedulingGates").Index(i);
    ValidateQualifiedName(errs, gp.Child("name"), name);
    if (gate_names.count(name)) errs.push_back(FieldError::Duplicate(gp.Child("name"), name));
    gate_names.insert(name);
  }
}

void ValidatePodTemplateSpec(FieldErrors& errs, const json& tmpl, const Path& path,
                             const PodSpecOptions& opts) {
  const json& meta = Obj(tmpl, "metadata");
  // Kubernetes names these paths without "metadata" (ObjectMeta is embedded there).
  ValidateLabels(errs, Obj(meta, "labels"), path.Child("labels"));
  ValidateAnnotations(errs, Obj(meta, "annotations"), path.Child("annotations"));
  const json& spec = Obj(tmpl, "spec");
  ValidatePodSpec(errs, spec, path.Child("spec"), opts);
  if (Len(spec, "ephemeralContainers") > 0) {
    errs.push_back(FieldError::Forbidden(path.Child("spec").Child("ephemeralContainers"),
                                         "ephemeral containers not allowed in pod template"));
  }
}

}  // namespace skiff::apis::internal
