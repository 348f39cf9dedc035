// A container's environment as kubelet computes it (makeEnvironmentVariables) and as
// containerd merges it with the image's (WithEnv). Internal to skiff_oci.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"

namespace skiff::runtime::internal {

struct EnvVar {
  std::string name;
  std::string value;
};

// Reads ConfigMaps and Secrets once per call, whatever the number of references.
class ObjectCache {
 public:
  ObjectCache(const node::ObjectLookup& lookup, std::string ns) : lookup_(lookup), ns_(ns) {}
  // The object, or kNotFound with kubelet's message (`configmap "x" not found`,
  // `secret "x" not found`), or the lookup's own error.
  Result<nlohmann::json> Get(const std::string& kind, const std::string& name);

 private:
  const node::ObjectLookup& lookup_;
  std::string ns_;
  std::vector<std::pair<std::string, nlohmann::json>> seen_;  // "kind/name" -> object
};

// The container's own variables: envFrom first (each source's keys in sorted order, prefix
// applied, invalid names skipped), then env in declaration order with $(VAR) expansion of
// values and valueFrom resolved; a later definition replaces an earlier one in place.
Result<std::vector<EnvVar>> MakeContainerEnv(const nlohmann::json& pod,
                                             const nlohmann::json& container,
                                             const node::ObjectLookup& lookup,
                                             const node::PodRuntimeInfo& info);

// The process env: containerd's default PATH, HOSTNAME, the image env, then `container_env`;
// a later "K=V" replaces an earlier one with the same K in place.
std::vector<std::string> MergeProcessEnv(const std::string& hostname,
                                         const std::vector<std::string>& image_env,
                                         const std::vector<EnvVar>& container_env);

}  // namespace skiff::runtime::internal
