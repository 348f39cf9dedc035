// Container validation: validateContainerCommon and the probe/lifecycle/port/env/mount/resource
// checks of pkg/apis/core/validation.
#include <algorithm>
#include <set>

#include "object_meta.h"
#include "pod_validation.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/validation.h"
#include "skiff/common/string_util.h"

namespace skiff::apis::internal {
namespace {

void ValidateContainerPorts(FieldErrors& errs, const json& ports, const Path& path) {
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const json& p = ports[i];
    Path ip = path.Index(i);
    std::string name = Str(p, "name");
    if (!name.empty()) {
      auto msgs = IsValidPortName(name);
      if (!msgs.empty()) {
        AddInvalid(errs, ip.Child("name"), name, msgs);
      } else if (names.count(name)) {
        errs.push_back(FieldError::Duplicate(ip.Child("name"), name));
      } else {
        names.insert(name);
      }
    }
    auto cport = Int(p, "containerPort").value_or(0);
    if (cport == 0) {
      errs.push_back(FieldError::Required(ip.Child("containerPort")));
    } else {
      AddInvalid(errs, ip.Child("containerPort"), cport, IsValidPortNum(cport));
    }
    auto hport = Int(p, "hostPort").value_or(0);
    if (hport != 0) AddInvalid(errs, ip.Child("hostPort"), hport, IsValidPortNum(hport));
    ValidatePortProtocol(errs, ip.Child("protocol"), Str(p, "protocol"));
  }
}

void ValidateObjectFieldSelector(FieldErrors& errs, const json& ref, const Path& path,
                                 const std::vector<std::string>& allowed) {
  std::string api_version = Str(ref, "apiVersion");
  std::string field_path = Str(ref, "fieldPath");
  if (api_version.empty()) {
    errs.push_back(FieldError::Required(path.Child("apiVersion")));
    return;
  }
  if (field_path.empty()) {
    errs.push_back(FieldError::Required(path.Child("fieldPath")));
    return;
  }
  if (api_version != "v1") {
    errs.push_back(
        FieldError::Invalid(path.Child("fieldPath"), field_path,
                            "error converting fieldPath: unsupported pod version: " + api_version));
    return;
  }
  // metadata.labels['key'] / metadata.annotations['key']
  auto open = field_path.find("['");
  if (open != std::string::npos && field_path.size() > open + 4 &&
      field_path.compare(field_path.size() - 2, 2, "']") == 0) {
    std::string base = field_path.substr(0, open);
    std::string subscript = field_path.substr(open + 2, field_path.size() - open - 4);
    if (base == "metadata.annotations") {
      ValidateQualifiedName(errs, path, AsciiLower(subscript));
    } else if (base == "metadata.labels") {
      ValidateQualifiedName(errs, path, subscript);
    } else {
      errs.push_back(FieldError::Invalid(path, base, "does not support subscript"));
    }
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), field_path) == allowed.end()) {
    errs.push_back(FieldError::NotSupported(path.Child("fieldPath"), field_path, allowed));
  }
}

void ValidateKeySelector(FieldErrors& errs, const json& sel, const Path& path) {
  std::string name = Str(sel, "name");
  AddInvalid(errs, path.Child("name"), name, NameIsDNSSubdomain(name, false));
  std::string key = Str(sel, "key");
  if (key.empty()) {
    errs.push_back(FieldError::Required(path.Child("key")));
  } else {
    AddInvalid(errs, path.Child("key"), key, IsConfigMapKey(key));
  }
}

const std::vector<std::string> kEnvFieldPaths = {"metadata.name",
                                                 "metadata.namespace",
                                                 "metadata.uid",
                                                 "spec.nodeName",
                                                 "spec.serviceAccountName",
                                                 "status.hostIP",
                                                 "status.hostIPs",
                                                 "status.podIP",
                                                 "status.podIPs"};

void ValidateResourceFieldRef(FieldErrors& errs, const json& ref, const Path& path) {
  static const std::vector<std::string> kResources = {
      "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
  std::string resource = Str(ref, "resource");
  if (resource.empty()) {
    errs.push_back(FieldError::Required(path.Child("resource")));
    return;
  }
  bool hugepages =
      resource.rfind("limits.hugepages-", 0) == 0 || resource.rfind("requests.hugepages-", 0) == 0;
  if (!hugepages && std::find(kResources.begin(), kResources.end(), resource) == kResources.end()) {
    errs.push_back(FieldError::NotSupported(path.Child("resource"), resource, kResources));
  }
  if (const json* d = Get(ref, "divisor")) {
    auto q = QuantityFromJson(*d);
    if (!q || q->IsNegative() || q->IsZero()) {
      errs.push_back(FieldError::Invalid(path.Child("divisor"), *d, "must be greater than zero"));
    }
  }
}

void ValidateEnv(FieldErrors& errs, const json& env, const Path& path) {
  for (size_t i = 0; i < env.size(); ++i) {
    const json& ev = env[i];
    Path ip = path.Index(i);
    std::string name = Str(ev, "name");
    if (name.empty()) {
      errs.push_back(FieldError::Required(ip.Child("name")));
    } else {
      AddInvalid(errs, ip.Child("name"), name, IsRelaxedEnvVarName(name));
    }
    const json* from = Get(ev, "valueFrom");
    if (!from) continue;
    Path fp = ip.Child("valueFrom");
    int sources = 0;
    if (HasObj(*from, "fieldRef")) {
      ++sources;
      ValidateObjectFieldSelector(errs, Obj(*from, "fieldRef"), fp.Child("fieldRef"),
                                  kEnvFieldPaths);
    }
    if (HasObj(*from, "resourceFieldRef")) {
      ++sources;
      ValidateResourceFieldRef(errs, Obj(*from, "resourceFieldRef"), fp.Child("resourceFieldRef"));
    }
    if (HasObj(*from, "configMapKeyRef")) {
      ++sources;
      ValidateKeySelector(errs, Obj(*from, "configMapKeyRef"), fp.Child("configMapKeyRef"));
    }
    if (HasObj(*from, "secretKeyRef")) {
      ++sources;
      ValidateKeySelector(errs, Obj(*from, "secretKeyRef"), fp.Child("secretKeyRef"));
    }
    if (sources == 0) {
      errs.push_back(FieldError::Invalid(
          fp, "",
          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
          "`secretKeyRef`"));
    } else if (!Str(ev, "value").empty()) {
      errs.push_back(FieldError::Invalid(fp, "", "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      errs.push_back(
          FieldError::Invalid(fp, "", "may not have more than one field specified at a time"));
    }
  }
}

void ValidateEnvFrom(FieldErrors& errs, const json& env_from, const Path& path) {
  for (size_t i = 0; i < env_from.size(); ++i) {
    const json& ev = env_from[i];
    Path ip = path.Index(i);
    std::string prefix = Str(ev, "prefix");
    if (!prefix.empty()) AddInvalid(errs, ip.Child("prefix"), prefix, IsRelaxedEnvVarName(prefix));
    int sources = 0;
    for (const char* key : {"configMapRef", "secretRef"}) {
      if (!HasObj(ev, key)) continue;
      ++sources;
      std::string name = Str(Obj(ev, key), "name");
      Path np = ip.Child(key).Child("name");
      if (name.empty()) {
        errs.push_back(FieldError::Required(np));
      } else {
        AddInvalid(errs, np, name, NameIsDNSSubdomain(name, true));
      }
    }
    if (sources == 0) {
      errs.push_back(
          FieldError::Invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      errs.push_back(
          FieldError::Invalid(path, "", "may not have more than one field specified at a time"));
    }
  }
}

void ValidateLocalDescendingPath(FieldErrors& errs, const std::string& p, const std::string& path) {
  if (!p.empty() && p[0] == '/') {
    errs.push_back(FieldError::Invalid(path, p, "must be a relative path"));
  }
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string part =
        p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      errs.push_back(FieldError::Invalid(path, p, "must not contain '..'"));
      break;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

void ValidateVolumeMounts(FieldErrors& errs, const json& c, const Path& path,
                          const ContainerContext& ctx) {
  const json& mounts = Arr(c, "volumeMounts");
  std::set<std::string> device_names, device_paths;
  for (const auto& d : Arr(c, "volumeDevices")) {
    device_names.insert(Str(d, "name"));
    device_paths.insert(Str(d, "devicePath"));
  }
  std::set<std::string> mount_points;
  for (size_t i = 0; i < mounts.size(); ++i) {
    const json& m = mounts[i];
    Path ip = path.Index(i);
    std::string name = Str(m, "name");
    std::string mount_path = Str(m, "mountPath");
    if (name.empty()) errs.push_back(FieldError::Required(ip.Child("name")));
    bool known = (ctx.volumes && ctx.volumes->count(name)) ||
                 (ctx.extra_volume_names && ctx.extra_volume_names->count(name));
    if (!known) {
      errs.push_back(FieldError{"FieldValueNotFound", ip.Child("name"), "", name, {}});
    }
    if (mount_path.empty()) errs.push_back(FieldError::Required(ip.Child("mountPath")));
    if (mount_points.count(mount_path)) {
      errs.push_back(FieldError::Invalid(ip.Child("mountPath"), mount_path, "must be unique"));
    }
    mount_points.insert(mount_path);
    if (device_names.count(name)) {
      errs.push_back(
          FieldError::Invalid(ip.Child("name"), name, "must not already exist in volumeDevices"));
    }
    if (device_paths.count(mount_path)) {
      errs.push_back(FieldError::Invalid(ip.Child("mountPath"), mount_path,
                                         "must not already exist as a path in volumeDevices"));
    }
    std::string sub_path = Str(m, "subPath");
    if (!sub_path.empty()) ValidateLocalDescendingPath(errs, sub_path, path.Child("subPath"));
    std::string expr = Str(m, "subPathExpr");
    if (!expr.empty()) {
      if (!sub_path.empty()) {
        errs.push_back(FieldError::Invalid(ip.Child("subPathExpr"), expr,
                                           "subPathExpr and subPath are mutually exclusive"));
      }
      ValidateLocalDescendingPath(errs, expr, path.Child("subPathExpr"));
    }
    if (HasStr(m, "mountPropagation")) {
      static const std::vector<std::string> kModes = {"Bidirectional", "HostToContainer", "None"};
      std::string mode = Str(m, "mountPropagation");
      if (std::find(kModes.begin(), kModes.end(), mode) == kModes.end()) {
        errs.push_back(FieldError::NotSupported(path.Child("mountPropagation"), mode, kModes));
      }
    }
    if (HasStr(m, "recursiveReadOnly")) {
      static const std::vector<std::string> kRRO = {"Disabled", "IfPossible", "Enabled"};
      std::string rro = Str(m, "recursiveReadOnly");
      if (std::find(kRRO.begin(), kRRO.end(), rro) == kRRO.end()) {
        errs.push_back(FieldError::NotSupported(path.Child("recursiveReadOnly"), rro, kRRO));
      }
    }
  }
}

void ValidateHandler(FieldErrors& errs, const json& handler, const Path& path, bool allow_sleep,
                     int64_t grace_period) {
  int handlers = 0;
  auto one = [&](const char* key) {
    if (!HasObj(handler, key)) return false;
    if (handlers > 0) {
      errs.push_back(
          FieldError::Forbidden(path.Child(key), "may not specify more than 1 handler type"));
      return false;
    }
    ++handlers;
    return true;
  };
  if (one("exec")) {
    if (Len(Obj(handler, "exec"), "command") == 0) {
      errs.push_back(FieldError::Required(path.Child("exec").Child("command")));
    }
  }
  if (one("httpGet")) {
    const json& h = Obj(handler, "httpGet");
    Path hp = path.Child("httpGet");
    if (Str(h, "path").empty()) errs.push_back(FieldError::Required(hp.Child("path")));
    ValidatePortNumOrName(errs, Get(h, "port") ? *Get(h, "port") : json(), hp.Child("port"));
    std::string scheme = Str(h, "scheme");
    if (scheme != "HTTP" && scheme != "HTTPS") {
      errs.push_back(FieldError::NotSupported(hp.Child("scheme"), scheme, {"HTTP", "HTTPS"}));
    }
    for (const auto& header : Arr(h, "httpHeaders")) {
      std::string name = Str(header, "name");
      AddInvalid(errs, hp.Child("httpHeaders"), name, IsHTTPHeaderName(name));
    }
  }
  if (one("tcpSocket")) {
    const json& t = Obj(handler, "tcpSocket");
    ValidatePortNumOrName(errs, Get(t, "port") ? *Get(t, "port") : json(),
                          path.Child("tcpSocket").Child("port"));
  }
  if (one("grpc")) {
    auto port = Int(Obj(handler, "grpc"), "port").value_or(0);
    AddInvalid(errs, path.Child("grpc").Child("port"), port, IsValidPortNum(port));
  }
  if (allow_sleep && one("sleep")) {
    auto seconds = Int(Obj(handler, "sleep"), "seconds").value_or(0);
    if (seconds <= 0 || seconds > grace_period) {
      errs.push_back(FieldError::Invalid(
          path.Child("sleep").Child("seconds"), seconds,
          "must be greater than 0 and less than terminationGracePeriodSeconds (" +
              std::to_string(grace_period) + ")"));
    }
  }
  if (handlers == 0) errs.push_back(FieldError::Required(path, "must specify a handler type"));
}

void ValidateContainerSecurityContext(FieldErrors& errs, const json& sc, const Path& path) {
  if (!sc.is_object()) return;
  if (auto uid = Int(sc, "runAsUser")) {
    AddInvalid(errs, path.Child("runAsUser"), *uid, IsValidUserID(*uid));
  }
  if (auto gid = Int(sc, "runAsGroup")) {
    AddInvalid(errs, path.Child("runAsGroup"), *gid, IsValidGroupID(*gid));
  }
  if (IsTrue(sc, "privileged") && Bool(sc, "allowPrivilegeEscalation") == false) {
    errs.push_back(FieldError::Invalid(path, sc,
                                       "cannot set `allowPrivilegeEscalation` to false and "
                                       "`privileged` to true"));
  }
  if (HasStr(sc, "procMount")) {
    std::string pm = Str(sc, "procMount");
    if (pm != "Default" && pm != "Unmasked") {
      errs.push_back(
          FieldError::NotSupported(path.Child("procMount"), pm, {"Default", "Unmasked"}));
    }
  }
}

}  // namespace

void ValidatePortNumOrName(FieldErrors& errs, const json& port, const std::string& path) {
  if (port.is_string()) {
    std::string s = port.get<std::string>();
    AddInvalid(errs, path, s, IsValidPortName(s));
  } else if (port.is_number_integer() || port.is_number_unsigned()) {
    int64_t v = port.get<int64_t>();
    AddInvalid(errs, path, v, IsValidPortNum(v));
  } else {
    AddInvalid(errs, path, 0, IsValidPortNum(0));
  }
}

void ValidateProbe(FieldErrors& errs, const json& probe, const Path& path, const char* kind) {
  if (!probe.is_object()) return;
  ValidateHandler(errs, probe, path, false, 0);
  for (const char* key : {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
                          "successThreshold", "failureThreshold"}) {
    ValidateNonnegativeMember(errs, probe, key, path);
  }
  if (auto tgps = Int(probe, "terminationGracePeriodSeconds"); tgps && *tgps <= 0) {
    errs.push_back(FieldError::Invalid(path.Child("terminationGracePeriodSeconds"), *tgps,
                                       "must be greater than 0"));
  }
  std::string k = kind;
  if (k == "livenessProbe" || k == "startupProbe") {
    auto st = Int(probe, "successThreshold").value_or(0);
    if (st != 1)
      errs.push_back(FieldError::Invalid(path.Child("successThreshold"), st, "must be 1"));
  } else if (k == "readinessProbe") {
    if (const json* t = Get(probe, "terminationGracePeriodSeconds")) {
      errs.push_back(FieldError::Invalid(path.Child("terminationGracePeriodSeconds"), *t,
                                         "must not be set for readinessProbes"));
    }
  }
}

void ValidateLifecycle(FieldErrors& errs, const json& lifecycle, const Path& path,
                       int64_t grace_period) {
  for (const char* key : {"postStart", "preStop"}) {
    if (const json* h = Get(lifecycle, key); h && h->is_object()) {
      ValidateHandler(errs, *h, path.Child(key), true, grace_period);
    }
  }
}

void ValidateResourceRequirements(FieldErrors& errs, const json& resources, const Path& path) {
  Path lim_path = path.Child("limits");
  Path req_path = path.Child("requests");
  const json& limits = Obj(resources, "limits");
  const json& requests = Obj(resources, "requests");
  auto check_name = [&](const std::string& name, const std::string& p) {
    AddInvalid(errs, p, name, IsQualifiedName(name));
    bool has_slash = name.find('/') != std::string::npos;
    if (!has_slash) {
      bool standard = name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
                      name.rfind("hugepages-", 0) == 0;
      if (!standard) {
        errs.push_back(FieldError::Invalid(p, name, "must be a standard resource for containers"));
      }
    } else if (name.rfind("requests.", 0) == 0) {
      errs.push_back(
          FieldError::Invalid(p, name, "doesn't follow extended resource name standard"));
    }
  };
  // Extended resources (prefixed names outside kubernetes.io) and hugepages can't overcommit.
  auto overcommit = [](const std::string& name) {
    bool native =
        name.find('/') == std::string::npos || name.find("kubernetes.io/") != std::string::npos;
    return native && name.rfind("hugepages-", 0) != 0;
  };
  for (const auto& [name, q] : limits.items()) {
    Path p = lim_path.Key(name);
    check_name(name, p);
    ValidateResourceQuantityValue(errs, name, q, p);
  }
  for (const auto& [name, q] : requests.items()) {
    Path p = req_path.Key(name);
    check_name(name, p);
    ValidateResourceQuantityValue(errs, name, q, p);
    auto rq = QuantityFromJson(q);
    const json* lim = Get(limits, name);
    if (lim) {
      auto lq = QuantityFromJson(*lim);
      if (rq && lq) {
        int cmp = CompareQuantity(*rq, *lq);
        std::string rs = CanonicalString(*rq), ls = CanonicalString(*lq);
        if (cmp != 0 && !overcommit(name)) {
          errs.push_back(
              FieldError::Invalid(req_path, rs, "must be equal to " + name + " limit of " + ls));
        } else if (cmp > 0) {
          errs.push_back(FieldError::Invalid(
              req_path, rs, "must be less than or equal to " + name + " limit of " + ls));
        }
      }
    } else if (!overcommit(name)) {
      errs.push_back(
          FieldError::Required(lim_path, "Limit must be set for non overcommitable resources"));
    }
  }
}

void ValidateContainerCommon(FieldErrors& errs, const json& c, const Path& path,
                             const ContainerContext& ctx) {
  std::string name = Str(c, "name");
  if (name.empty()) {
    errs.push_back(FieldError::Required(path.Child("name")));
  } else {
    ValidateDNS1123Label(errs, path.Child("name"), name);
  }
  if (Str(c, "image").empty()) errs.push_back(FieldError::Required(path.Child("image")));
  std::string tmp = Str(c, "terminationMessagePolicy");
  if (tmp.empty()) {
    errs.push_back(FieldError::Required(path.Child("terminationMessagePolicy")));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    errs.push_back(FieldError::NotSupported(path.Child("terminationMessagePolicy"), tmp,
                                            {"File", "FallbackToLogsOnError"}));
  }
  ValidateContainerPorts(errs, Arr(c, "ports"), path.Child("ports"));
  ValidateEnv(errs, Arr(c, "env"), path.Child("env"));
  ValidateEnvFrom(errs, Arr(c, "envFrom"), path.Child("envFrom"));
  ValidateVolumeMounts(errs, c, path.Child("volumeMounts"), ctx);
  const json& devices = Arr(c, "volumeDevices");
  std::set<std::string> device_paths;
  for (size_t i = 0; i < devices.size(); ++i) {
    Path dp = path.Child("volumeDevices").Index(i);
    std::string dname = Str(devices[i], "name");
    std::string dpath = Str(devices[i], "devicePath");
    if (dname.empty()) errs.push_back(FieldError::Required(dp.Child("name")));
    if (dpath.empty()) errs.push_back(FieldError::Required(dp.Child("devicePath")));
    if (device_paths.count(dpath)) {
      errs.push_back(FieldError::Invalid(dp.Child("devicePath"), dpath, "must be unique"));
    }
    device_paths.insert(dpath);
  }
  std::string pull = Str(c, "imagePullPolicy");
  if (pull.empty()) {
    errs.push_back(FieldError::Required(path.Child("imagePullPolicy")));
  } else if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
    errs.push_back(FieldError::NotSupported(path.Child("imagePullPolicy"), pull,
                                            {"Always", "IfNotPresent", "Never"}));
  }
  ValidateResourceRequirements(errs, Obj(c, "resources"), path.Child("resources"));
  const json& resize = Arr(c, "resizePolicy");
  std::set<std::string> resize_names;
  for (size_t i = 0; i < resize.size(); ++i) {
    Path rp = path.Child("resizePolicy").Index(i);
    std::string rname = Str(resize[i], "resourceName");
    if (rname != "cpu" && rname != "memory") {
      errs.push_back(FieldError::NotSupported(rp.Child("resourceName"), rname, {"cpu", "memory"}));
    } else if (resize_names.count(rname)) {
      errs.push_back(FieldError::Duplicate(rp.Child("resourceName"), rname));
    }
    resize_names.insert(rname);
    std::string policy = Str(resize[i], "restartPolicy");
    if (policy != "NotRequired" && policy != "RestartContainer") {
      errs.push_back(FieldError::NotSupported(rp.Child("restartPolicy"), policy,
                                              {"NotRequired", "RestartContainer"}));
    }
  }
  ValidateContainerSecurityContext(errs, Obj(c, "securityContext"), path.Child("securityContext"));
}

}  // namespace skiff::apis::internal
