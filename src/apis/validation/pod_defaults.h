// Defaults of core/v1 pods and pod templates (pkg/apis/core/v1/defaults.go and the generated
// defaulters that walk a PodSpec).
#pragma once

#include "json_util.h"

namespace skiff::apis::internal {

// A PodSpec anywhere (Pod, or a template in a workload): SetDefaults_PodSpec plus containers,
// init/ephemeral containers, probes, ports, env, volumes and resource lists.
void DefaultPodSpec(json& spec);
// A PodTemplateSpec ({metadata, spec}).
void DefaultPodTemplateSpec(json& tmpl);
// A Pod: DefaultPodSpec plus SetDefaults_Pod (requests from limits, enableServiceLinks, host
// network ports).
void DefaultPod(json& pod);
// A core/v1 ResourceList: each quantity rounded up to milli precision and printed canonically.
void DefaultResourceList(json& list);
// A PersistentVolumeClaimSpec (volumeMode Filesystem, resources).
void DefaultPVCSpec(json& spec);

// Go always serializes an ObjectMeta value's zero creationTimestamp as null, so templates show
// `metadata: {creationTimestamp: null}`; this adds that (and the metadata object) when missing.
void DefaultTemplateMetadata(json& holder);

// The pull policy Kubernetes defaults for an image: "Always" for ":latest" or no tag (and no
// digest), else "IfNotPresent".
std::string DefaultPullPolicy(const std::string& image);

}  // namespace skiff::apis::internal
