#include "claim_volume.h"

#include "host_path.h"
#include "json_fields.h"
#include "local_path.h"
#include "nfs_volume.h"
#include "skiff/apis/pod_claims.h"

namespace skiff::node::internal {
namespace {

using nlohmann::json;

// The member of a PersistentVolumeSpec that is its source.
std::string SourceType(const json& spec) {
  static const char* const kNotSources[] = {
      "capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
      "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"};
  if (!spec.is_object()) return "";
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    bool source = !it->is_null();
    for (const char* k : kNotSources) source = source && it.key() != k;
    if (source) return it.key();
  }
  return "";
}

std::vector<std::string> MountOptions(const json& spec) {
  std::vector<std::string> out;
  const json& options = Field(spec, "mountOptions");
  if (!options.is_array()) return out;
  for (const json& o : options) {
    if (o.is_string()) out.push_back(o.get<std::string>());
  }
  return out;
}

}  // namespace

Result<VolumeSource> SetUpClaimVolume(const json& pod, const json& volume,
                                      const std::string& volumes_dir, const ObjectLookup& lookup) {
  const std::string ns = StrField(Field(pod, "metadata"), "namespace");
  // An ephemeral volume is handled as a persistentVolumeClaim volume of its claim.
  const std::optional<apis::PodClaim> named = apis::ClaimOfVolume(pod, volume);
  const std::string claim_name = named ? named->claim : std::string();
  const json& source = Field(volume, "persistentVolumeClaim");
  auto claim = lookup("PersistentVolumeClaim", ns, claim_name);
  if (!claim.ok()) {
    if (claim.status().code() == Code::kNotFound) {
      return NotFoundError("persistentvolumeclaim \"" + claim_name + "\" not found");
    }
    return claim.status();
  }
  const std::string volume_name = StrField(Field(*claim, "spec"), "volumeName");
  if (volume_name.empty() || StrField(Field(*claim, "status"), "phase") == "Lost") {
    return UnavailableError("error processing PVC " + ns + "/" + claim_name + ": PVC is not bound");
  }
  // kubelet checks the owner of a bound claim (ephemeral.VolumeIsForPod).
  if (named && named->ephemeral) {
    if (std::string refused = apis::EphemeralClaimNotForPod(pod, *claim); !refused.empty()) {
      return AlreadyExistsError(refused);
    }
  }
  auto pv = lookup("PersistentVolume", "", volume_name);
  if (!pv.ok()) {
    if (pv.status().code() == Code::kNotFound) {
      return UnavailableError("error processing PVC " + ns + "/" + claim_name +
                              ": persistentvolume \"" + volume_name + "\" not found");
    }
    return pv.status();
  }
  const json& spec = Field(*pv, "spec");
  const std::string type = SourceType(spec);
  const json& pv_source = Field(spec, type.c_str());
  const bool read_only = BoolField(source, "readOnly") || BoolField(pv_source, "readOnly");
  if (type == "hostPath") {
    const std::string path = StrField(pv_source, "path");
    if (Status s = CheckHostPath(path, StrField(pv_source, "type")); !s.ok()) return s;
    return VolumeSource{path, read_only, 0};
  }
  if (type == "local") {
    auto dir = PrepareLocalPathVolume(*pv);
    if (!dir.ok()) return dir.status();
    return VolumeSource{*dir, read_only, 0, true};
  }
  if (type == "nfs") {
    const std::string name = StrField(volume, "name");
    return SetUpNfsVolume(pv_source, MountOptions(spec), read_only,
                          volumes_dir + "/kubernetes.io~nfs/" + name);
  }
  return UnimplementedError("persistentvolume \"" + volume_name + "\" has a volume type (" +
                            (type.empty() ? std::string("none") : type) +
                            ") skiff does not support");
}

}  // namespace skiff::node::internal
