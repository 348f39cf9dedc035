// SetUpPodVolumes / RefreshPodVolumes / TearDownPodVolumes: dispatch by volume type to the
// emptyDir, hostPath and atomic-writer (configMap, secret, downwardAPI, projected) code.
#include "skiff/node/volumes.h"

#include <limits.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>

#include "atomic_writer.h"
#include "claim_volume.h"
#include "empty_dir.h"
#include "host_path.h"
#include "json_fields.h"
#include "mount_table.h"
#include "nfs_mount.h"
#include "nfs_volume.h"
#include "payloads.h"
#include "skiff/apis/quantity.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/common/string_util.h"

namespace skiff::node {
namespace {

using internal::Field;
using internal::IntField;
using internal::Payload;
using internal::StrField;
using nlohmann::json;

constexpr mode_t kDefaultMode = 0644;

struct Context {
  const json& pod;
  std::string volumes_dir;  // <pod_dir>/volumes
  const ObjectLookup& lookup;
  const PodRuntimeInfo& info;
  std::string ns;
  std::optional<gid_t> fs_group;
};

Status SetUpFailed(const std::string& volume, const Status& cause) {
  return Status(cause.code(),
                "MountVolume.SetUp failed for volume \"" + volume + "\" : " + cause.message());
}

// The volume's source kind: the member other than "name".
std::string VolumeType(const json& volume) {
  static const char* const kKnown[] = {"emptyDir", "hostPath",    "configMap",
                                       "secret",   "downwardAPI", "projected"};
  for (const char* k : kKnown) {
    if (Field(volume, k).is_object()) return k;
  }
  if (volume.is_object()) {
    for (auto it = volume.begin(); it != volume.end(); ++it) {
      if (it.key() != "name" && !it->is_null()) return it.key();
    }
  }
  return "";
}

bool IsAtomicType(const std::string& type) {
  return type == "configMap" || type == "secret" || type == "downwardAPI" || type == "projected";
}

const char* PluginDir(const std::string& type) {
  if (type == "emptyDir") return kEmptyDirPlugin;
  if (type == "configMap") return kConfigMapPlugin;
  if (type == "secret") return kSecretPlugin;
  if (type == "downwardAPI") return kDownwardApiPlugin;
  return kProjectedPlugin;
}

mode_t DefaultMode(const json& source) {
  auto m = IntField(source, "defaultMode");
  return m ? static_cast<mode_t>(*m) : kDefaultMode;
}

void Merge(Payload& into, Payload from) {
  for (auto& [k, v] : from) into[k] = std::move(v);
}

Result<Payload> ProjectedPayload(const json& source, const Context& ctx,
                                 const std::string& volume) {
  Payload payload;
  std::vector<std::string> errors;
  mode_t mode = DefaultMode(source);
  const json& sources = Field(source, "sources");
  if (!sources.is_array()) return payload;
  for (const auto& s : sources) {
    Result<Payload> part = Payload();
    if (Field(s, "configMap").is_object() || Field(s, "secret").is_object()) {
      bool secret = Field(s, "secret").is_object();
      const json& ref = Field(s, secret ? "secret" : "configMap");
      bool optional = internal::BoolField(ref, "optional");
      auto obj = internal::GetObject(ctx.lookup, secret ? "Secret" : "ConfigMap", ctx.ns,
                                     StrField(ref, "name"), optional);
      if (!obj.ok()) {
        errors.push_back(obj.status().message());
        continue;
      }
      part = secret ? internal::SecretPayload(Field(ref, "items"), *obj, mode, optional)
                    : internal::ConfigMapPayload(Field(ref, "items"), *obj, mode, optional);
    } else if (Field(s, "downwardAPI").is_object()) {
      part = internal::DownwardApiPayload(Field(Field(s, "downwardAPI"), "items"), ctx.pod,
                                          ctx.info, mode);
    } else {
      // serviceAccountToken, clusterTrustBundle, podCertificate: not served by skiff yet.
      std::string kind;
      for (auto it = s.begin(); it != s.end(); ++it) kind = it.key();
      log::Warning("volumes", "projected volume source not supported yet, skipped",
                   {{"volume", volume}, {"source", kind}});
      continue;
    }
    if (!part.ok()) {
      errors.push_back(part.status().message());
      continue;
    }
    Merge(payload, std::move(*part));
  }
  if (!errors.empty()) return InvalidArgumentError(AggregateMessages(errors));
  return payload;
}

Result<Payload> AtomicPayload(const std::string& type, const json& source, const Context& ctx,
                              const std::string& volume) {
  if (type == "configMap" || type == "secret") {
    bool secret = type == "secret";
    bool optional = internal::BoolField(source, "optional");
    auto obj = internal::GetObject(ctx.lookup, secret ? "Secret" : "ConfigMap", ctx.ns,
                                   StrField(source, secret ? "secretName" : "name"), optional);
    if (!obj.ok()) return obj.status();
    return secret ? internal::SecretPayload(Field(source, "items"), *obj, DefaultMode(source),
                                            optional)
                  : internal::ConfigMapPayload(Field(source, "items"), *obj, DefaultMode(source),
                                               optional);
  }
  if (type == "downwardAPI") {
    return internal::DownwardApiPayload(Field(source, "items"), ctx.pod, ctx.info,
                                        DefaultMode(source));
  }
  return ProjectedPayload(source, ctx, volume);
}

// Writes one configMap/secret/downwardAPI/projected volume; the directory (a tmpfs except for
// configMap) is set up first when needed.
Result<VolumeSource> SetUpAtomic(const std::string& name, const std::string& type,
                                 const json& source, const Context& ctx) {
  auto payload = AtomicPayload(type, source, ctx, name);
  if (!payload.ok()) return payload.status();
  std::string dir = ctx.volumes_dir + "/" + PluginDir(type) + "/" + name;
  bool memory = type != "configMap";
  int64_t size = memory ? internal::MemoryVolumeSize(ctx.pod, json(), ctx.info) : 0;
  if (Status s = internal::SetUpEmptyDir(dir, memory, size); !s.ok()) return s;
  auto written = internal::WriteAtomically(dir, *payload, ctx.fs_group);
  if (!written.ok()) return written.status();
  if (ctx.fs_group && *written) {
    if (Status s = internal::ApplyFsGroup(dir, *ctx.fs_group, true); !s.ok()) return s;
  }
  return VolumeSource{dir, true, 0};
}

Result<VolumeSource> SetUpOne(const json& volume, const Context& ctx) {
  std::string name = StrField(volume, "name");
  std::string type = VolumeType(volume);
  const json& source = Field(volume, type.c_str());
  if (type == "hostPath") {
    std::string path = StrField(source, "path");
    if (Status s = internal::CheckHostPath(path, StrField(source, "type")); !s.ok()) return s;
    return VolumeSource{path, false, 0};
  }
  if (type == "emptyDir") {
    std::string medium = StrField(source, "medium");
    if (!medium.empty() && medium != "Memory") {
      return UnimplementedError("emptyDir medium " + medium + " is not supported by skiff");
    }
    std::string dir = ctx.volumes_dir + "/" + kEmptyDirPlugin + "/" + name;
    const json& size_limit = Field(source, "sizeLimit");
    bool memory = medium == "Memory";
    int64_t size = memory ? internal::MemoryVolumeSize(ctx.pod, size_limit, ctx.info) : 0;
    if (Status s = internal::SetUpEmptyDir(dir, memory, size); !s.ok()) return s;
    if (ctx.fs_group) {
      if (Status s = internal::ApplyFsGroup(dir, *ctx.fs_group, false); !s.ok()) return s;
    }
    int64_t limit = 0;
    if (!memory) {
      if (auto q = apis::QuantityFromJson(size_limit)) limit = apis::Value(*q);
    }
    return VolumeSource{dir, false, limit};
  }
  if (IsAtomicType(type)) return SetUpAtomic(name, type, source, ctx);
  if (type == "nfs") {  // inline: no mount options (those come with a PersistentVolume)
    return SetUpNfsVolume(source, {}, false, ctx.volumes_dir + "/" + kNfsPlugin + "/" + name);
  }
  if (type == "persistentVolumeClaim" || type == "ephemeral") {
    auto claimed = internal::SetUpClaimVolume(ctx.pod, volume, ctx.volumes_dir, ctx.lookup);
    // fsGroup: kubelet manages ownership of local volumes, not of host paths or NFS.
    if (claimed.ok() && ctx.fs_group && claimed->owned) {
      if (Status s = internal::ApplyFsGroup(claimed->path, *ctx.fs_group, false); !s.ok()) {
        return s;
      }
    }
    return claimed;
  }
  return UnimplementedError("volume type " + (type.empty() ? std::string("(none)") : type) +
                            " is not supported by skiff");
}

Context MakeContext(const json& pod, const std::string& pod_dir, const ObjectLookup& lookup,
                    const PodRuntimeInfo& info) {
  Context ctx{pod,
              pod_dir + "/volumes",
              lookup,
              info,
              StrField(Field(pod, "metadata"), "namespace"),
              std::nullopt};
  if (auto g = IntField(Field(Field(pod, "spec"), "securityContext"), "fsGroup")) {
    ctx.fs_group = static_cast<gid_t>(*g);
  }
  return ctx;
}

}  // namespace

Result<std::map<std::string, VolumeSource>> SetUpPodVolumes(const json& pod,
                                                            const std::string& pod_dir,
                                                            const ObjectLookup& lookup,
                                                            const PodRuntimeInfo& info) {
  try {
    Context ctx = MakeContext(pod, pod_dir, lookup, info);
    std::map<std::string, VolumeSource> out;
    const json& volumes = Field(Field(pod, "spec"), "volumes");
    if (!volumes.is_array()) return out;
    for (const auto& volume : volumes) {
      std::string name = StrField(volume, "name");
      auto source = SetUpOne(volume, ctx);
      if (!source.ok()) return SetUpFailed(name, source.status());
      out[name] = std::move(*source);
    }
    return out;
  } catch (const std::exception& e) {
    return InternalError("setting up the volumes of " + pod_dir + " failed: " + e.what());
  }
}

Status RefreshPodVolumes(const json& pod, const std::string& pod_dir, const ObjectLookup& lookup,
                         const PodRuntimeInfo& info) {
  try {
    Context ctx = MakeContext(pod, pod_dir, lookup, info);
    Status first;
    const json& volumes = Field(Field(pod, "spec"), "volumes");
    if (!volumes.is_array()) return first;
    for (const auto& volume : volumes) {
      std::string type = VolumeType(volume);
      if (!IsAtomicType(type)) continue;
      std::string name = StrField(volume, "name");
      auto source = SetUpAtomic(name, type, Field(volume, type.c_str()), ctx);
      if (!source.ok() && first.ok()) first = SetUpFailed(name, source.status());
    }
    return first;
  } catch (const std::exception& e) {
    return InternalError("refreshing the volumes of " + pod_dir + " failed: " + e.what());
  }
}

Status TearDownPodVolumes(const std::string& pod_dir) {
  std::string dir = pod_dir + "/volumes";
  char real[PATH_MAX];
  if (realpath(dir.c_str(), real) == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return InternalError("cannot resolve " + dir + ": " + std::strerror(errno));
  }
  auto mounts = internal::MountPointsUnder(real);
  if (!mounts.ok()) return mounts.status();
  for (const auto& m : *mounts) {
    // NFS: a plain umount could hang on a dead server; UnmountNfs forces and detaches.
    auto fs = internal::MountedAt(m);
    const bool nfs = fs.ok() && (fs->fs_type == "nfs" || fs->fs_type == "nfs4");
    if (Status s = nfs ? internal::UnmountNfs(m) : internal::Unmount(m); !s.ok()) return s;
  }
  auto left = internal::MountPointsUnder(real);
  if (!left.ok()) return left.status();
  if (!left->empty()) {
    return InternalError("cannot remove " + dir + ": " + left->front() + " is still mounted");
  }
  std::error_code ec;
  std::filesystem::remove_all(real, ec);
  if (ec) return InternalError("cannot remove " + dir + ": " + ec.message());
  return Status::Ok();
}

}  // namespace skiff::node
