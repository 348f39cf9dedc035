// Pod volume validation (ValidateVolumes / validateVolumeSource and the per-source checks).
#include <algorithm>
#include <set>

#include "object_meta.h"
#include "pod_validation.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/validation.h"

namespace skiff::apis::internal {
namespace {

const char* kSourceKeys[] = {"hostPath",
                             "emptyDir",
                             "gitRepo",
                             "secret",
                             "nfs",
                             "iscsi",
                             "glusterfs",
                             "persistentVolumeClaim",
                             "rbd",
                             "quobyte",
                             "flexVolume",
                             "cinder",
                             "cephfs",
                             "flocker",
                             "downwardAPI",
                             "fc",
                             "azureFile",
                             "configMap",
                             "vsphereVolume",
                             "azureDisk",
                             "photonPersistentDisk",
                             "projected",
                             "portworxVolume",
                             "scaleIO",
                             "storageos",
                             "csi",
                             "ephemeral",
                             "image",
                             "gcePersistentDisk",
                             "awsElasticBlockStore"};

void ValidateLocalNonReservedPath(FieldErrors& errs, const std::string& p,
                                  const std::string& path) {
  if (!p.empty() && p[0] == '/') {
    errs.push_back(FieldError::Invalid(path, p, "must be a relative path"));
  }
  size_t start = 0;
  while (true) {
    size_t slash = p.find('/', start);
    if (p.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
      errs.push_back(FieldError::Invalid(path, p, "must not contain '..'"));
      break;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (p.rfind("..", 0) == 0 && p.rfind("../", 0) != 0) {
    errs.push_back(FieldError::Invalid(path, p, "must not start with '..'"));
  }
}

void ValidateMode(FieldErrors& errs, const json& o, const char* key, const Path& path) {
  if (auto mode = Int(o, key); mode && (*mode > 0777 || *mode < 0)) {
    errs.push_back(FieldError::Invalid(path.Child(key), *mode, kFileModeErrorMsg));
  }
}

void ValidateKeyToPaths(FieldErrors& errs, const json& items, const Path& path) {
  for (size_t i = 0; i < items.size(); ++i) {
    const json& kp = items[i];
    Path ip = path.Index(i);
    if (Str(kp, "key").empty()) errs.push_back(FieldError::Required(ip.Child("key")));
    std::string p = Str(kp, "path");
    if (p.empty()) errs.push_back(FieldError::Required(ip.Child("path")));
    ValidateLocalNonReservedPath(errs, p, ip.Child("path"));
    ValidateMode(errs, kp, "mode", ip);
  }
}

void ValidateDownwardAPIItems(FieldErrors& errs, const json& items, const Path& path) {
  static const std::vector<std::string> kPaths = {"metadata.annotations", "metadata.labels",
                                                  "metadata.name", "metadata.namespace",
                                                  "metadata.uid"};
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    Path ip = path.Index(i);
    std::string p = Str(item, "path");
    if (p.empty()) errs.push_back(FieldError::Required(ip.Child("path")));
    ValidateLocalNonReservedPath(errs, p, ip.Child("path"));
    ValidateMode(errs, item, "mode", ip);
    bool field_ref = HasObj(item, "fieldRef");
    bool resource_ref = HasObj(item, "resourceFieldRef");
    if (field_ref) {
      const json& ref = Obj(item, "fieldRef");
      std::string fp = Str(ref, "fieldPath");
      Path rp = ip.Child("fieldRef");
      if (Str(ref, "apiVersion").empty()) {
        errs.push_back(FieldError::Required(rp.Child("apiVersion")));
      } else if (fp.empty()) {
        errs.push_back(FieldError::Required(rp.Child("fieldPath")));
      } else if (fp.find("['") == std::string::npos &&
                 std::find(kPaths.begin(), kPaths.end(), fp) == kPaths.end()) {
        errs.push_back(FieldError::NotSupported(rp.Child("fieldPath"), fp, kPaths));
      }
    }
    if (field_ref && resource_ref) {
      errs.push_back(FieldError::Invalid(ip, "resource",
                                         "fieldRef and resourceFieldRef can not be specified "
                                         "simultaneously"));
    }
  }
}

// Whether a member of an ObjectMeta holds Go's zero value (absent, null, "", 0, false).
bool IsZeroValue(const json* v) {
  if (!v) return true;
  if (v->is_string()) return v->get_ref<const std::string&>().empty();
  if (v->is_number()) return *v == 0;
  if (v->is_boolean()) return !v->get<bool>();
  return false;  // an array or object, even empty (Go decodes [] to a non-nil slice)
}

// ValidateTemplateObjectMeta: the metadata of an ephemeral volume's claim template may carry
// labels and annotations only; any other member that is set is forbidden.
void ValidateTemplateObjectMeta(FieldErrors& errs, const json& meta, const Path& path) {
  ValidateAnnotations(errs, Obj(meta, "annotations"), path.Child("annotations"));
  ValidateLabels(errs, Obj(meta, "labels"), path.Child("labels"));
  // ObjectMeta's fields in their Go order. Kubernetes names each by lower-casing the first
  // letter of the Go field name, hence "uID".
  static const std::pair<const char*, const char*> kFields[] = {
      {"name", "name"},
      {"generateName", "generateName"},
      {"namespace", "namespace"},
      {"selfLink", "selfLink"},
      {"uid", "uID"},
      {"resourceVersion", "resourceVersion"},
      {"generation", "generation"},
      {"creationTimestamp", "creationTimestamp"},
      {"deletionTimestamp", "deletionTimestamp"},
      {"deletionGracePeriodSeconds", "deletionGracePeriodSeconds"},
      {"ownerReferences", "ownerReferences"},
      {"finalizers", "finalizers"},
      {"managedFields", "managedFields"}};
  for (const auto& [key, name] : kFields) {
    if (!IsZeroValue(Get(meta, key))) {
      errs.push_back(FieldError::Forbidden(path.Child(name), "cannot be set"));
    }
  }
}

// validateEphemeralVolumeSource: the claim template is required, and is a valid
// PersistentVolumeClaimTemplate.
void ValidateEphemeralSource(FieldErrors& errs, const json& src, const Path& path) {
  const json* tmpl = Get(src, "volumeClaimTemplate");
  Path tp = path.Child("volumeClaimTemplate");
  if (!tmpl || !tmpl->is_object()) {
    errs.push_back(FieldError::Required(tp));
    return;
  }
  ValidateTemplateObjectMeta(errs, Obj(*tmpl, "metadata"), tp.Child("metadata"));
  ValidatePersistentVolumeClaimSpec(errs, Obj(*tmpl, "spec"), tp.Child("spec"));
}

void ValidateSource(FieldErrors& errs, const std::string& key, const json& src, const Path& path) {
  if (key == "hostPath") {
    std::string p = Str(src, "path");
    if (p.empty()) {
      errs.push_back(FieldError::Required(path.Child("path")));
      return;
    }
    size_t start = 0;
    while (true) {
      size_t slash = p.find('/', start);
      if (p.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
        errs.push_back(FieldError::Invalid(path.Child("path"), p, "must not contain '..'"));
        break;
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    static const std::vector<std::string> kTypes = {
        "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
        "File", "FileOrCreate", "Socket"};
    if (const json* t = Get(src, "type"); t && t->is_string()) {
      std::string type = t->get<std::string>();
      if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
        errs.push_back(FieldError::NotSupported(path.Child("type"), type, kTypes));
      }
    }
  } else if (key == "emptyDir") {
    if (const json* sl = Get(src, "sizeLimit")) {
      auto q = QuantityFromJson(*sl);
      if (q && q->IsNegative()) {
        errs.push_back(FieldError::Forbidden(path.Child("sizeLimit"),
                                             "SizeLimit field must be a valid resource quantity"));
      }
    }
  } else if (key == "secret") {
    if (Str(src, "secretName").empty()) {
      errs.push_back(FieldError::Required(path.Child("secretName")));
    }
    ValidateMode(errs, src, "defaultMode", path);
    ValidateKeyToPaths(errs, Arr(src, "items"), path.Child("items"));
  } else if (key == "configMap") {
    if (Str(src, "name").empty()) errs.push_back(FieldError::Required(path.Child("name")));
    ValidateMode(errs, src, "defaultMode", path);
    ValidateKeyToPaths(errs, Arr(src, "items"), path.Child("items"));
  } else if (key == "persistentVolumeClaim") {
    if (Str(src, "claimName").empty()) {
      errs.push_back(FieldError::Required(path.Child("claimName")));
    }
  } else if (key == "nfs") {
    if (Str(src, "server").empty()) errs.push_back(FieldError::Required(path.Child("server")));
    std::string p = Str(src, "path");
    if (p.empty()) {
      errs.push_back(FieldError::Required(path.Child("path")));
    } else if (p[0] != '/') {
      errs.push_back(FieldError::Invalid(path.Child("path"), p, "must be an absolute path"));
    }
  } else if (key == "downwardAPI") {
    ValidateMode(errs, src, "defaultMode", path);
    ValidateDownwardAPIItems(errs, Arr(src, "items"), path.Child("items"));
  } else if (key == "projected") {
    ValidateMode(errs, src, "defaultMode", path);
    const json& sources = Arr(src, "sources");
    for (size_t i = 0; i < sources.size(); ++i) {
      const json& s = sources[i];
      Path sp = path.Child("sources").Index(i);
      int n = 0;
      for (const char* k :
           {"secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle"}) {
        if (!HasObj(s, k)) continue;
        if (++n > 1) {
          errs.push_back(
              FieldError::Forbidden(sp, "may not specify more than 1 volume type per source"));
        }
      }
      if (HasObj(s, "secret")) {
        ValidateKeyToPaths(errs, Arr(Obj(s, "secret"), "items"), sp.Child("secret").Child("items"));
      }
      if (HasObj(s, "configMap")) {
        ValidateKeyToPaths(errs, Arr(Obj(s, "configMap"), "items"),
                           sp.Child("configMap").Child("items"));
      }
      if (HasObj(s, "downwardAPI")) {
        ValidateDownwardAPIItems(errs, Arr(Obj(s, "downwardAPI"), "items"),
                                 sp.Child("downwardAPI").Child("items"));
      }
      if (HasObj(s, "serviceAccountToken")) {
        const json& t = Obj(s, "serviceAccountToken");
        Path tp = sp.Child("serviceAccountToken");
        auto exp = Int(t, "expirationSeconds").value_or(3600);
        if (exp < 600) {
          errs.push_back(FieldError::Invalid(tp.Child("expirationSeconds"), exp,
                                             "may not specify a duration less than 10 minutes"));
        } else if (exp > (int64_t{1} << 32)) {
          errs.push_back(
              FieldError::Invalid(tp.Child("expirationSeconds"), exp,
                                  "may not specify a duration larger than 2^32 seconds"));
        }
        if (Str(t, "path").empty()) errs.push_back(FieldError::Required(tp.Child("path")));
      }
    }
  } else if (key == "csi") {
    if (Str(src, "driver").empty()) errs.push_back(FieldError::Required(path.Child("driver")));
  } else if (key == "ephemeral") {
    ValidateEphemeralSource(errs, src, path);
  } else if (key == "iscsi") {
    if (Str(src, "targetPortal").empty()) {
      errs.push_back(FieldError::Required(path.Child("targetPortal")));
    }
    if (Str(src, "iqn").empty()) errs.push_back(FieldError::Required(path.Child("iqn")));
  } else if (key == "image") {
    if (Str(src, "reference").empty()) {
      errs.push_back(FieldError::Required(path.Child("reference")));
    }
  }
}

}  // namespace

void ValidateResourceQuantityValue(FieldErrors& errs, const std::string& resource,
                                   const json& value, const std::string& path) {
  auto q = QuantityFromJson(value);
  if (!q) {
    errs.push_back(FieldError::Invalid(path, value,
                                       "quantities must match the regular expression "
                                       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    return;
  }
  if (q->IsNegative()) {
    errs.push_back(FieldError::Invalid(path, CanonicalString(*q), kIsNegativeErrorMsg));
  }
  // Extended resources (a prefix outside kubernetes.io) must be whole numbers.
  bool extended = resource.find('/') != std::string::npos &&
                  resource.find("kubernetes.io/") == std::string::npos;
  if (extended && MilliValue(*q) % 1000 != 0) {
    errs.push_back(FieldError::Invalid(path, CanonicalString(*q), kIsNotIntegerErrorMsg));
  }
}

VolumeMap ValidateVolumes(FieldErrors& errs, const json& volumes, const Path& path,
                          const std::string& pod_name) {
  VolumeMap vols;
  std::set<std::string> names;
  if (!volumes.is_array()) return vols;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const json& v = volumes[i];
    Path ip = path.Index(i);
    FieldErrors el;
    int count = 0;
    std::string name = Str(v, "name");
    for (const char* key : kSourceKeys) {
      const json* src = Get(v, key);
      if (!src) continue;
      if (count > 0) {
        el.push_back(
            FieldError::Forbidden(ip.Child(key), "may not specify more than 1 volume type"));
        continue;
      }
      ++count;
      ValidateSource(el, key, *src, ip.Child(key));
      // The claim an ephemeral volume makes must have a valid name (checked for a pod, whose
      // name is known, not for a template).
      if (std::string(key) == "ephemeral" && !pod_name.empty() && !name.empty()) {
        const std::string claim = pod_name + "-" + name;
        for (const std::string& msg : NameIsDNSSubdomain(claim, false)) {
          el.push_back(
              FieldError::Invalid(ip.Child("name"), name, "PVC name \"" + claim + "\": " + msg));
        }
      }
    }
    if (count == 0) el.push_back(FieldError::Required(ip, "must specify a volume type"));
    if (name.empty()) {
      el.push_back(FieldError::Required(ip.Child("name")));
    } else {
      ValidateDNS1123Label(el, ip.Child("name"), name);
    }
    if (names.count(name)) el.push_back(FieldError::Duplicate(ip.Child("name"), name));
    if (el.empty()) {
      names.insert(name);
      vols[name] = &v;
    } else {
      Append(errs, std::move(el));
    }
  }
  return vols;
}

}  // namespace skiff::apis::internal
