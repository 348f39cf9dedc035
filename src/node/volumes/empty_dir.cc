#include "empty_dir.h"

#include <limits.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "json_fields.h"
#include "mount_table.h"
#include "skiff/apis/quantity.h"
#include "skiff/common/file_util.h"

namespace skiff::node::internal {
namespace {

using nlohmann::json;

int64_t MemoryLimit(const json& container) {
  auto q = apis::QuantityFromJson(Field(Field(Field(container, "resources"), "limits"), "memory"));
  return q ? apis::Value(*q) : 0;
}

// ResourceConfigForPod's memory: the sum of the containers' limits (or the largest init
// container's, when larger) plus overhead; 0 when some container has no limit.
int64_t PodMemoryLimit(const json& pod) {
  const json& spec = Field(pod, "spec");
  int64_t sum = 0;
  const json& containers = Field(spec, "containers");
  if (!containers.is_array()) return 0;
  for (const auto& c : containers) {
    int64_t l = MemoryLimit(c);
    if (l <= 0) return 0;
    sum += l;
  }
  const json& init = Field(spec, "initContainers");
  if (init.is_array()) {
    for (const auto& c : init) {
      int64_t l = MemoryLimit(c);
      if (l <= 0) return 0;
      sum = std::max(sum, l);
    }
  }
  if (auto q = apis::QuantityFromJson(Field(Field(spec, "overhead"), "memory"))) {
    sum += apis::Value(*q);
  }
  return sum;
}

}  // namespace

int64_t MemoryVolumeSize(const json& pod, const json& size_limit, const PodRuntimeInfo& info) {
  int64_t size = 0;
  if (auto q = apis::ParseQuantity(info.node_allocatable_memory)) size = apis::Value(*q);
  auto lower = [&size](int64_t v) {
    if (v > 0 && (size == 0 || v <= size)) size = v;
  };
  lower(PodMemoryLimit(pod));
  if (auto q = apis::QuantityFromJson(size_limit)) lower(apis::Value(*q));
  return size;
}

Status SetUpEmptyDir(const std::string& dir, bool memory, int64_t tmpfs_size) {
  if (Status s = MakeDirs(dir, 0750); !s.ok()) return s;
  char real[PATH_MAX];
  if (realpath(dir.c_str(), real) == nullptr) {
    return InternalError("cannot resolve " + dir + ": " + std::strerror(errno));
  }
  if (memory) {
    auto mounted = IsMountPoint(real);
    if (!mounted.ok()) return mounted.status();
    if (!*mounted) {
      if (chmod(real, 0777) != 0) {
        return InternalError("cannot chmod " + dir + ": " + std::strerror(errno));
      }
      return MountTmpfs(real, tmpfs_size);
    }
    return Status::Ok();
  }
  if (chmod(real, 0777) != 0) {
    return InternalError("cannot chmod " + dir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace skiff::node::internal
