// Downward API values: what fieldRef and resourceFieldRef resolve to, for env vars
// (BuildOciSpec) and downwardAPI/projected volume files (skiff_volumes). Part of skiff_oci.
//
// Pure functions of their arguments; thread-safe; errors carry kubelet's messages.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"

namespace skiff::runtime {

// Which fieldRef paths are allowed: env vars accept the pod fields below plus spec.*/status.*
// ones; volume files only metadata.*.
enum class FieldRefUse { kEnv, kVolume };

// The value of a fieldRef ({apiVersion, fieldPath}) of `pod`:
//   metadata.name, metadata.namespace, metadata.uid, metadata.labels, metadata.annotations
//   (whole maps as sorted `key="value"` lines, Go-quoted), metadata.labels['k'],
//   metadata.annotations['k'] ("" when absent);
//   env only: spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs,
//   status.podIP, status.podIPs (comma-joined) from `info`.
// kInvalidArgument: `unsupported pod version: v2`, `field label not supported: spec.foo`,
// `unsupported fieldPath: spec.restartPolicy`, `fieldPath "metadata.name['x']" does not support
// subscript` (wording as kubelet's).
Result<std::string> PodFieldValue(const nlohmann::json& pod, const nlohmann::json& field_ref,
                                  const node::PodRuntimeInfo& info, FieldRefUse use);

// The value of a resourceFieldRef ({containerName, resource, divisor}) as kubelet computes it:
// limits.cpu/requests.cpu in units of the divisor (default 1), rounded up; limits.memory,
// requests.memory, limits/requests.ephemeral-storage and hugepages-* in units of the divisor,
// rounded up. A container without a cpu or memory limit gets the node's allocatable (from
// `info`; ephemeral-storage allocatable is not known to skiff, so 0). `container` is the
// container to use when containerName is empty (env vars); otherwise containerName is looked up
// among the pod's containers and initContainers (`container <name> not found`).
// kInvalidArgument for an unsupported resource (`unsupported container resource : foo`).
Result<std::string> ContainerResourceValue(const nlohmann::json& pod,
                                           const nlohmann::json* container,
                                           const nlohmann::json& resource_field_ref,
                                           const node::PodRuntimeInfo& info);

// Go's fieldpath.FormatMap: `key="value"` lines sorted by key, values quoted as Go's %q does,
// joined by newlines without a trailing one.
std::string FormatDownwardMap(const nlohmann::json& map);

}  // namespace skiff::runtime
