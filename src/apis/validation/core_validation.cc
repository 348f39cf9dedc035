// core/v1 validation of the kinds other than Pod and Service.
#include <algorithm>
#include <map>
#include <set>

#include "kinds.h"
#include "object_meta.h"
#include "pod_validation.h"
#include "skiff/apis/quantity.h"
#include "skiff/common/base64.h"

namespace skiff::apis::internal {
namespace {

constexpr size_t kMaxSecretSize = 1024 * 1024;
const Path kSpec("spec");

const std::vector<std::string> kAccessModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                               "ReadWriteOncePod"};

void ValidateAccessModes(FieldErrors& errs, const json& spec, const Path& path,
                         const std::string& required_detail) {
  const json& modes = Arr(spec, "accessModes");
  if (modes.empty()) errs.push_back(FieldError::Required(path, required_detail));
  bool rwop = false, other = false;
  for (const auto& m : modes) {
    std::string mode = m.is_string() ? m.get<std::string>() : "";
    if (std::find(kAccessModes.begin(), kAccessModes.end(), mode) == kAccessModes.end()) {
      errs.push_back(FieldError::NotSupported(path, mode, kAccessModes));
    } else if (mode == "ReadWriteOncePod") {
      rwop = true;
    } else {
      other = true;
    }
  }
  if (rwop && other) {
    errs.push_back(
        FieldError::Forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  }
}

void ValidatePositiveQuantity(FieldErrors& errs, const json& v, const std::string& path) {
  auto q = QuantityFromJson(v);
  if (!q) {
    errs.push_back(FieldError::Invalid(path, v, "must be a valid resource quantity"));
  } else if (q->IsNegative() || q->IsZero()) {
    errs.push_back(FieldError::Invalid(path, CanonicalString(*q), kIsNotPositiveErrorMsg));
  }
}

void ValidateVolumeMode(FieldErrors& errs, const json& spec, const Path& path) {
  if (HasStr(spec, "volumeMode")) {
    std::string m = Str(spec, "volumeMode");
    if (m != "Block" && m != "Filesystem") {
      errs.push_back(
          FieldError::NotSupported(path.Child("volumeMode"), m, {"Block", "Filesystem"}));
    }
  }
}

// The keys of a PersistentVolumeSpec that make up its PersistentVolumeSource.
const char* kPVSourceKeys[] = {"gcePersistentDisk",
                               "awsElasticBlockStore",
                               "hostPath",
                               "glusterfs",
                               "nfs",
                               "rbd",
                               "iscsi",
                               "cinder",
                               "cephfs",
                               "fc",
                               "flocker",
                               "flexVolume",
                               "azureFile",
                               "vsphereVolume",
                               "quobyte",
                               "azureDisk",
                               "photonPersistentDisk",
                               "portworxVolume",
                               "scaleIO",
                               "local",
                               "storageos",
                               "csi"};

}  // namespace

FieldErrors ValidateNamespace(const json& obj) {
  FieldErrors errs;
  const json& finalizers = Arr(Obj(obj, "spec"), "finalizers");
  for (const auto& f : finalizers) {
    std::string name = f.is_string() ? f.get<std::string>() : "";
    Path p = kSpec.Child("finalizers");
    ValidateQualifiedName(errs, p, name);
    if (name.find('/') == std::string::npos && name != "kubernetes") {
      errs.push_back(FieldError::Invalid(
          p, name, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  return errs;
}

FieldErrors ValidateNamespaceUpdate(const json& obj, const json& old) {
  (void)obj;
  (void)old;
  return {};
}

FieldErrors ValidateNamespaceStatus(const json& obj, const json& old) {
  (void)old;
  FieldErrors errs;
  std::string phase = Str(Obj(obj, "status"), "phase");
  Path p = Path("status").Child("Phase");
  if (!Get(Obj(obj, "metadata"), "deletionTimestamp")) {
    if (phase != "Active") {
      errs.push_back(
          FieldError::Invalid(p, phase, "may only be 'Active' if `deletionTimestamp` is empty"));
    }
  } else if (phase != "Terminating") {
    errs.push_back(FieldError::Invalid(
        p, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

FieldErrors ValidateSecret(const json& obj) {
  FieldErrors errs;
  Path dp("data");
  size_t total = 0;
  std::map<std::string, std::string> data;
  for (const auto& [k, v] : Obj(obj, "data").items()) {
    AddInvalid(errs, dp.Key(k), k, IsConfigMapKey(k));
    auto decoded = v.is_string() ? Base64Decode(v.get<std::string>()) : std::nullopt;
    if (!decoded) {
      errs.push_back(FieldError::Invalid(dp.Key(k), "<secret contents redacted>",
                                         "must be a base64 encoded string"));
      continue;
    }
    total += decoded->size();
    data[k] = *decoded;
  }
  if (total > kMaxSecretSize) errs.push_back(FieldError::TooLong(dp, "", kMaxSecretSize));
  std::string type = Str(obj, "type");
  auto require_json = [&](const char* key) {
    auto it = data.find(key);
    if (it == data.end()) {
      errs.push_back(FieldError::Required(dp.Key(key)));
      return;
    }
    auto parsed = json::parse(it->second, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      errs.push_back(FieldError::Invalid(dp.Key(key), "<secret contents redacted>",
                                         "invalid character in JSON value"));
    }
  };
  if (type == "kubernetes.io/service-account-token") {
    if (Str(Obj(Obj(obj, "metadata"), "annotations"), "kubernetes.io/service-account.name")
            .empty()) {
      errs.push_back(FieldError::Required(
          Path("metadata").Child("annotations").Key("kubernetes.io/service-account.name")));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    require_json(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    require_json(".dockerconfigjson");
  } else if (type == "kubernetes.io/basic-auth") {
    if (!data.count("username") && !data.count("password")) {
      errs.push_back(FieldError::Required(dp.Key("username")));
      errs.push_back(FieldError::Required(dp.Key("password")));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (data["ssh-privatekey"].empty())
      errs.push_back(FieldError::Required(dp.Key("ssh-privatekey")));
  } else if (type == "kubernetes.io/tls") {
    if (!data.count("tls.crt")) errs.push_back(FieldError::Required(dp.Key("tls.crt")));
    if (!data.count("tls.key")) errs.push_back(FieldError::Required(dp.Key("tls.key")));
  }
  return errs;
}

FieldErrors ValidateSecretUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  ValidateImmutableMember(errs, obj, old, "type", Path());
  if (IsTrue(old, "immutable")) {
    if (!IsTrue(obj, "immutable")) {
      errs.push_back(
          FieldError::Forbidden("immutable", "field is immutable when `immutable` is set"));
    }
    if (!SemanticEqual(Obj(obj, "data"), Obj(old, "data"))) {
      errs.push_back(FieldError::Forbidden("data", "field is immutable when `immutable` is set"));
    }
  }
  Append(errs, ValidateSecret(obj));
  return errs;
}

FieldErrors ValidateConfigMap(const json& obj) {
  FieldErrors errs;
  size_t total = 0;
  const json& binary = Obj(obj, "binaryData");
  for (const auto& [k, v] : Obj(obj, "data").items()) {
    Path p = Path("data").Key(k);
    AddInvalid(errs, p, k, IsConfigMapKey(k));
    if (binary.contains(k)) {
      errs.push_back(FieldError::Invalid(p, k, "duplicate of key present in binaryData"));
    }
    total += v.is_string() ? v.get<std::string>().size() : 0;
  }
  for (const auto& [k, v] : binary.items()) {
    AddInvalid(errs, Path("binaryData").Key(k), k, IsConfigMapKey(k));
    auto decoded = v.is_string() ? Base64Decode(v.get<std::string>()) : std::nullopt;
    total += decoded ? decoded->size() : 0;
  }
  if (total > kMaxSecretSize) errs.push_back(FieldError::TooLong("", "", kMaxSecretSize));
  return errs;
}

FieldErrors ValidateConfigMapUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  if (IsTrue(old, "immutable")) {
    if (!IsTrue(obj, "immutable")) {
      errs.push_back(
          FieldError::Forbidden("immutable", "field is immutable when `immutable` is set"));
    }
    if (!SemanticEqual(Obj(obj, "data"), Obj(old, "data"))) {
      errs.push_back(FieldError::Forbidden("data", "field is immutable when `immutable` is set"));
    }
    if (!SemanticEqual(Obj(obj, "binaryData"), Obj(old, "binaryData"))) {
      errs.push_back(
          FieldError::Forbidden("binaryData", "field is immutable when `immutable` is set"));
    }
  }
  Append(errs, ValidateConfigMap(obj));
  return errs;
}

void ValidatePersistentVolumeClaimSpec(FieldErrors& errs, const json& spec, const Path& path) {
  ValidateAccessModes(errs, spec, path.Child("accessModes"), "at least 1 access mode is required");
  if (const json* sel = Get(spec, "selector")) {
    ValidateLabelSelector(errs, *sel, path.Child("selector"));
  }
  Path sp = path.Child("resources").Key("storage");
  const json* storage = Get(Obj(Obj(spec, "resources"), "requests"), "storage");
  if (!storage) {
    errs.push_back(FieldError::Required(sp));
  } else {
    FieldErrors pos;
    ValidatePositiveQuantity(pos, *storage, sp);
    if (pos.empty()) {
      ValidateResourceQuantityValue(errs, "storage", *storage, sp);
    } else {
      Append(errs, std::move(pos));
    }
  }
  if (const json* sc = Get(spec, "storageClassName");
      sc && sc->is_string() && !sc->get<std::string>().empty()) {
    std::string name = sc->get<std::string>();
    AddInvalid(errs, path.Child("storageClassName"), name, NameIsDNSSubdomain(name, false));
  }
  ValidateVolumeMode(errs, spec, path);
}

FieldErrors ValidatePVC(const json& obj) {
  FieldErrors errs;
  ValidatePersistentVolumeClaimSpec(errs, Obj(obj, "spec"), kSpec);
  return errs;
}

FieldErrors ValidatePVCUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidatePVC(obj);
  json spec = Obj(obj, "spec");
  json old_spec = Obj(old, "spec");
  if (Str(old_spec, "volumeName").empty()) {
    if (const json* v = Get(spec, "volumeName")) {
      old_spec["volumeName"] = *v;
    } else {
      old_spec.erase("volumeName");
    }
  }
  // A storage class may be set once on a claim that had none.
  if (!Get(old_spec, "storageClassName") && Get(spec, "storageClassName") &&
      Str(Obj(Obj(old, "metadata"), "annotations"), "volume.beta.kubernetes.io/storage-class")
          .empty() &&
      Str(old_spec, "volumeName").empty()) {
    old_spec["storageClassName"] = spec["storageClassName"];
  }
  std::string phase = Str(Obj(old, "status"), "phase");
  const json* new_storage = Get(Obj(Obj(spec, "resources"), "requests"), "storage");
  const json* old_storage = Get(Obj(Obj(old_spec, "resources"), "requests"), "storage");
  if (phase == "Bound" && new_storage) {
    if (old_storage) {
      spec["resources"]["requests"]["storage"] = *old_storage;
    } else {
      spec["resources"]["requests"].erase("storage");
    }
  }
  if (!SemanticEqual(spec, old_spec)) {
    errs.push_back(
        FieldError::Forbidden("spec",
                              "spec is immutable after creation except resources.requests and "
                              "volumeAttributesClassName for bound claims\n" +
                                  DescribeDiff(old_spec, spec, "spec")));
  }
  // A request may go down (RecoverVolumeExpansionFailure, on by default since 1.32), but
  // only to above what the volume already has: Kubernetes never shrinks a volume.
  const json* orig_new = Get(Obj(Obj(Obj(obj, "spec"), "resources"), "requests"), "storage");
  const json* orig_old = Get(Obj(Obj(Obj(old, "spec"), "resources"), "requests"), "storage");
  if (orig_new && orig_old) {
    auto nq = QuantityFromJson(*orig_new);
    auto oq = QuantityFromJson(*orig_old);
    const json* status_size = Get(Obj(Obj(old, "status"), "capacity"), "storage");
    auto sq = status_size ? QuantityFromJson(*status_size) : std::nullopt;
    if (nq && oq && CompareQuantity(*nq, *oq) < 0 &&
        CompareQuantity(*nq, sq.value_or(Quantity{})) <= 0) {
      errs.push_back(
          FieldError::Forbidden(Path("spec").Child("resources").Child("requests").Child("storage"),
                                "field can not be less than status.capacity"));
    }
  }
  ValidateImmutableMember(errs, Obj(obj, "spec"), Obj(old, "spec"), "volumeMode", Path());
  return errs;
}

FieldErrors ValidatePV(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  ValidateAccessModes(errs, spec, kSpec.Child("accessModes"), "");
  const json& capacity = Obj(spec, "capacity");
  Path cp = kSpec.Child("capacity");
  if (capacity.empty()) errs.push_back(FieldError::Required(cp));
  if (!capacity.contains("storage") || capacity.size() > 1) {
    errs.push_back(FieldError::NotSupported(cp, capacity, {"storage"}));
  }
  for (const auto& [k, v] : capacity.items()) ValidatePositiveQuantity(errs, v, cp.Key(k));
  if (HasStr(spec, "persistentVolumeReclaimPolicy")) {
    std::string p = Str(spec, "persistentVolumeReclaimPolicy");
    if (p != "Delete" && p != "Recycle" && p != "Retain") {
      errs.push_back(FieldError::NotSupported(kSpec.Child("persistentVolumeReclaimPolicy"), p,
                                              {"Delete", "Recycle", "Retain"}));
    }
  }
  const json* affinity = Get(spec, "nodeAffinity");
  if (affinity) {
    if (const json* req = Get(*affinity, "required")) {
      ValidateNodeSelector(errs, *req, kSpec.Child("nodeAffinity").Child("required"));
    } else {
      errs.push_back(FieldError::Required(kSpec.Child("nodeAffinity").Child("required"),
                                          "must specify required node constraints"));
    }
  }
  int sources = 0;
  for (const char* key : kPVSourceKeys) {
    const json* src = Get(spec, key);
    if (!src) continue;
    Path sp = kSpec.Child(key);
    if (sources++ > 0) {
      errs.push_back(FieldError::Forbidden(sp, "may not specify more than 1 volume type"));
      continue;
    }
    std::string k = key;
    if (k == "hostPath" || k == "local") {
      if (Str(*src, "path").empty()) errs.push_back(FieldError::Required(sp.Child("path")));
    } else if (k == "nfs") {
      if (Str(*src, "server").empty()) errs.push_back(FieldError::Required(sp.Child("server")));
      if (Str(*src, "path").empty()) errs.push_back(FieldError::Required(sp.Child("path")));
    } else if (k == "csi") {
      if (Str(*src, "driver").empty()) errs.push_back(FieldError::Required(sp.Child("driver")));
      if (Str(*src, "volumeHandle").empty()) {
        errs.push_back(FieldError::Required(sp.Child("volumeHandle")));
      }
    }
    if (k == "local" && !affinity) {
      errs.push_back(
          FieldError::Required(kSpec.Child("nodeAffinity"), "Local volume requires node affinity"));
    }
  }
  if (sources == 0) errs.push_back(FieldError::Required(kSpec, "must specify a volume type"));
  if (Str(Obj(spec, "hostPath"), "path") == "/" &&
      Str(spec, "persistentVolumeReclaimPolicy") == "Recycle") {
    errs.push_back(FieldError::Forbidden(kSpec.Child("persistentVolumeReclaimPolicy"),
                                         "may not be 'recycle' for a hostPath mount of '/'"));
  }
  std::string sc = Str(spec, "storageClassName");
  if (!sc.empty())
    AddInvalid(errs, kSpec.Child("storageClassName"), sc, NameIsDNSSubdomain(sc, false));
  ValidateVolumeMode(errs, spec, kSpec);
  return errs;
}

FieldErrors ValidatePVUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidatePV(obj);
  const json& spec = Obj(obj, "spec");
  const json& old_spec = Obj(old, "spec");
  json src = json::object(), old_src = json::object();
  for (const char* key : kPVSourceKeys) {
    if (const json* v = Get(spec, key)) src[key] = *v;
    if (const json* v = Get(old_spec, key)) old_src[key] = *v;
  }
  if (!SemanticEqual(src, old_src)) {
    errs.push_back(
        FieldError::Forbidden(Path("spec").Child("persistentvolumesource"),
                              "spec.persistentvolumesource is immutable after creation\n" +
                                  DescribeDiff(old_src, src, "spec")));
  }
  ValidateImmutableMember(errs, spec, old_spec, "volumeMode", Path());
  if (Get(old_spec, "nodeAffinity")) {
    ValidateImmutableMember(errs, spec, old_spec, "nodeAffinity", Path());
  }
  return errs;
}

FieldErrors ValidateNode(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  const json& taints = Arr(spec, "taints");
  std::set<std::string> seen;
  for (size_t i = 0; i < taints.size(); ++i) {
    const json& t = taints[i];
    Path tp = kSpec.Child("taints").Index(i);
    std::string key = Str(t, "key");
    ValidateQualifiedName(errs, tp.Child("key"), key);
    std::string value = Str(t, "value");
    AddInvalid(errs, tp.Child("value"), value, IsValidLabelValue(value));
    ValidateTaintEffect(errs, Get(t, "effect") ? *Get(t, "effect") : json(""), false,
                        tp.Child("effect"));
    std::string k = key + ":" + Str(t, "effect");
    if (seen.count(k)) {
      errs.push_back(FieldError::Duplicate(tp, "taints must be unique by key and effect pair"));
    }
    seen.insert(k);
  }
  const json& cidrs = Arr(spec, "podCIDRs");
  for (size_t i = 0; i < cidrs.size(); ++i) {
    std::string c = cidrs[i].is_string() ? cidrs[i].get<std::string>() : "";
    AddInvalid(errs, kSpec.Child("podCIDRs").Index(i), c, IsValidCIDR(c));
  }
  if (cidrs.size() > 2) {
    errs.push_back(FieldError::Invalid(kSpec.Child("podCIDRs"), cidrs,
                                       "may specify no more than one CIDR for each IP family"));
  }
  std::string pod_cidr = Str(spec, "podCIDR");
  if (!pod_cidr.empty()) AddInvalid(errs, kSpec.Child("podCIDR"), pod_cidr, IsValidCIDR(pod_cidr));
  return errs;
}

FieldErrors ValidateNodeUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateNode(obj);
  const json& spec = Obj(obj, "spec");
  const json& old_spec = Obj(old, "spec");
  if (Len(old_spec, "podCIDRs") > 0 &&
      !SemanticEqual(Arr(spec, "podCIDRs"), Arr(old_spec, "podCIDRs"))) {
    errs.push_back(FieldError::Forbidden(Path("spec").Child("podCIDRs"),
                                         "node updates may not change podCIDR except from \"\" to "
                                         "valid"));
  }
  std::string old_pid = Str(old_spec, "providerID");
  if (!old_pid.empty() && old_pid != Str(spec, "providerID")) {
    errs.push_back(FieldError::Forbidden(Path("spec").Child("providerID"),
                                         "node updates may not change providerID except from \"\" "
                                         "to valid"));
  }
  return errs;
}

FieldErrors ValidateEndpoints(const json& obj) {
  FieldErrors errs;
  const json& subsets = Arr(obj, "subsets");
  for (size_t i = 0; i < subsets.size(); ++i) {
    Path sp = Path("subsets").Index(i);
    const json& ss = subsets[i];
    if (Len(ss, "addresses") == 0 && Len(ss, "notReadyAddresses") == 0) {
      errs.push_back(FieldError::Required(sp, "must specify `addresses` or `notReadyAddresses`"));
    }
    for (const char* key : {"addresses", "notReadyAddresses"}) {
      const json& addrs = Arr(ss, key);
      for (size_t j = 0; j < addrs.size(); ++j) {
        Path ap = sp.Child(key).Index(j);
        std::string ip = Str(addrs[j], "ip");
        AddInvalid(errs, ap.Child("ip"), ip, IsValidIP(ip));
        std::string host = Str(addrs[j], "hostname");
        if (!host.empty()) ValidateDNS1123Label(errs, ap.Child("hostname"), host);
        std::string node = Str(addrs[j], "nodeName");
        if (!node.empty())
          AddInvalid(errs, ap.Child("nodeName"), node, NameIsDNSSubdomain(node, false));
      }
    }
    const json& ports = Arr(ss, "ports");
    for (size_t j = 0; j < ports.size(); ++j) {
      Path pp = sp.Child("ports").Index(j);
      std::string name = Str(ports[j], "name");
      if (ports.size() > 1 || !name.empty()) ValidateDNS1123Label(errs, pp.Child("name"), name);
      auto port = Int(ports[j], "port").value_or(0);
      AddInvalid(errs, pp.Child("port"), port, IsValidPortNum(port));
      ValidatePortProtocol(errs, pp.Child("protocol"), Str(ports[j], "protocol"));
    }
  }
  return errs;
}

FieldErrors ValidateCoreEvent(const json& obj) {
  FieldErrors errs;
  const json& involved = Obj(obj, "involvedObject");
  std::string ns = Str(Obj(obj, "metadata"), "namespace");
  std::string ins = Str(involved, "namespace");
  Path ip = Path("involvedObject").Child("namespace");
  if (!Get(obj, "eventTime")) {
    if (ins.empty()) {
      if (!ns.empty() && ns != "default") {
        errs.push_back(FieldError::Invalid(ip, ins, "does not match event.namespace"));
      }
    } else if (ns != ins) {
      errs.push_back(FieldError::Invalid(ip, ins, "does not match event.namespace"));
    }
  } else {
    if (ins.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(FieldError::Invalid(ip, ins, "does not match event.namespace"));
    }
    std::string rc = Str(obj, "reportingComponent");
    if (rc.empty()) {
      errs.push_back(FieldError::Required(Path("source")));
    } else {
      ValidateQualifiedName(errs, "source", rc);
    }
    if (Str(obj, "reportingInstance").empty()) {
      errs.push_back(FieldError::Required(Path("reportingInstance")));
    }
    if (Str(obj, "action").empty()) errs.push_back(FieldError::Required(Path("action")));
    if (Str(obj, "reason").empty()) errs.push_back(FieldError::Required(Path("reason")));
  }
  return errs;
}

FieldErrors ValidateServiceAccount(const json& obj) {
  FieldErrors errs;
  const json& secrets = Arr(obj, "imagePullSecrets");
  for (size_t i = 0; i < secrets.size(); ++i) {
    if (Str(secrets[i], "name").empty()) {
      errs.push_back(FieldError::Required(Path("imagePullSecrets").Index(i).Child("name")));
    }
  }
  return errs;
}

FieldErrors ValidateLimitRange(const json& obj) {
  FieldErrors errs;
  const json& limits = Arr(Obj(obj, "spec"), "limits");
  static const std::vector<std::string> kTypes = {"Container", "PersistentVolumeClaim", "Pod"};
  for (size_t i = 0; i < limits.size(); ++i) {
    Path lp = kSpec.Child("limits").Index(i);
    std::string type = Str(limits[i], "type");
    if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
      errs.push_back(FieldError::NotSupported(lp.Child("type"), type, kTypes));
    }
    for (const char* key : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"}) {
      for (const auto& [name, q] : Obj(limits[i], key).items()) {
        ValidateResourceQuantityValue(errs, name, q, lp.Child(key).Key(name));
      }
    }
  }
  return errs;
}

FieldErrors ValidateResourceQuota(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  for (const auto& [name, q] : Obj(spec, "hard").items()) {
    Path p = kSpec.Child("hard").Key(name);
    ValidateQualifiedName(errs, p, name);
    ValidateResourceQuantityValue(errs, name, q, p);
  }
  static const std::vector<std::string> kScopes = {
      "BestEffort",           "CrossNamespacePodAffinity",
      "NotBestEffort",        "NotTerminating",
      "PriorityClass",        "Terminating",
      "VolumeAttributesClass"};
  const json& scopes = Arr(spec, "scopes");
  for (const auto& s : scopes) {
    std::string scope = s.is_string() ? s.get<std::string>() : "";
    if (std::find(kScopes.begin(), kScopes.end(), scope) == kScopes.end()) {
      errs.push_back(FieldError::Invalid(kSpec.Child("scopes"), scope, "unsupported scope"));
    }
  }
  return errs;
}

FieldErrors ValidatePodTemplate(const json& obj) {
  FieldErrors errs;
  ValidatePodTemplateSpec(errs, Obj(obj, "template"), Path("template"));
  return errs;
}

FieldErrors ValidateReplicationController(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  ValidateNonnegativeMember(errs, spec, "replicas", kSpec);
  ValidateNonnegativeMember(errs, spec, "minReadySeconds", kSpec);
  const json& selector = Obj(spec, "selector");
  if (selector.empty()) {
    errs.push_back(FieldError::Required(kSpec.Child("selector")));
  } else {
    ValidateLabels(errs, selector, kSpec.Child("selector"));
  }
  const json* tmpl = Get(spec, "template");
  if (!tmpl) {
    errs.push_back(FieldError::Required(kSpec.Child("template")));
    return errs;
  }
  const json& labels = Obj(Obj(*tmpl, "metadata"), "labels");
  for (const auto& [k, v] : selector.items()) {
    if (!labels.contains(k) || labels[k] != v) {
      errs.push_back(FieldError::Invalid(kSpec.Child("template").Child("metadata").Child("labels"),
                                         labels, "`selector` does not match template `labels`"));
      break;
    }
  }
  ValidatePodTemplateSpec(errs, *tmpl, kSpec.Child("template"));
  std::string restart = Str(Obj(*tmpl, "spec"), "restartPolicy");
  if (restart != "Always") {
    errs.push_back(FieldError::NotSupported(
        kSpec.Child("template").Child("spec").Child("restartPolicy"), restart, {"Always"}));
  }
  return errs;
}

}  // namespace skiff::apis::internal
