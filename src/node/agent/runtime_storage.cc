// RuntimeImpl::MeasureStorage: the local ephemeral storage a pod takes, for StorageEviction.
#include "api/object_util.h"
#include "runtime_impl.h"
#include "skiff/node/container_logs.h"
#include "skiff/node/volumes.h"

namespace skiff::node {

PodStorageUsage RuntimeImpl::MeasureStorage(const nlohmann::json& pod) const {
  PodStorageUsage usage;
  const std::string uid = pod["metadata"].value("uid", "");
  if (uid.empty()) return usage;
  const std::string pod_dir = PodDir(uid);
  if (const nlohmann::json* volumes = api::Find(pod, {"spec", "volumes"}); volumes && volumes->is_array()) {
    for (const nlohmann::json& v : *volumes) {
      if (!v.contains("emptyDir") || v["emptyDir"].value("medium", "") == "Memory") continue;
      const std::string name = v.value("name", "");
      usage.empty_dirs[name] = DiskUsage(pod_dir + "/volumes/" + kEmptyDirPlugin + "/" + name);
    }
  }
  auto record = LoadRecord(pod_dir);
  if (!record.ok()) return usage;
  const std::string logs =
      PodLogsDir(config_.pod_logs_dir, record->ns, record->name, record->uid);
  for (const ContainerRecord& c : record->containers) {
    int64_t bytes = DiskUsage(logs + "/" + c.name);
    if (!c.id.empty()) bytes += DiskUsage(BundleDir(c.id) + "/upper");
    usage.containers[c.name] += bytes;  // names are unique across init and app containers
  }
  return usage;
}

}  // namespace skiff::node
