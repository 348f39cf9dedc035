// Validation of pods, pod specs and pod templates (pkg/apis/core/validation: ValidatePodSpec and
// its helpers), split over container_validation.cc, volume_validation.cc,
// pod_spec_validation.cc and pod_validation.cc.
#pragma once

#include <map>
#include <set>
#include <string>

#include "json_util.h"

namespace skiff::apis::internal {

// Volumes that validated, by name (the value points into the validated spec).
using VolumeMap = std::map<std::string, const json*>;

struct PodSpecOptions {
  // Names a container may mount besides spec.volumes (a StatefulSet's volumeClaimTemplates).
  std::set<std::string> extra_volume_names;
  // The pod's metadata.name ("" in a template): an ephemeral volume's claim name
  // "<pod>-<volume>" must then be a valid PersistentVolumeClaim name.
  std::string pod_name;
};

// --- volume_validation.cc
// spec.volumes; `pod_name` as PodSpecOptions::pod_name.
VolumeMap ValidateVolumes(FieldErrors& errs, const json& volumes, const Path& path,
                          const std::string& pod_name = "");
void ValidateResourceQuantityValue(FieldErrors& errs, const std::string& resource,
                                   const json& value, const std::string& path);

// --- container_validation.cc
struct ContainerContext {
  const VolumeMap* volumes = nullptr;
  const std::set<std::string>* extra_volume_names = nullptr;
  int64_t grace_period = 30;
};
// The checks shared by all container kinds (name, image, ports, env, mounts, resources, ...).
void ValidateContainerCommon(FieldErrors& errs, const json& c, const Path& path,
                             const ContainerContext& ctx);
void ValidateProbe(FieldErrors& errs, const json& probe, const Path& path, const char* kind);
void ValidateLifecycle(FieldErrors& errs, const json& lifecycle, const Path& path,
                       int64_t grace_period);
void ValidateResourceRequirements(FieldErrors& errs, const json& resources, const Path& path);
void ValidatePortNumOrName(FieldErrors& errs, const json& port, const std::string& path);

// --- core_validation.cc
// A PersistentVolumeClaimSpec at `path` (a claim's spec, or an ephemeral volume's
// volumeClaimTemplate.spec): access modes, selector, resources.requests.storage, class name,
// volumeMode.
void ValidatePersistentVolumeClaimSpec(FieldErrors& errs, const json& spec, const Path& path);

// --- pod_spec_validation.cc
void ValidatePodSpec(FieldErrors& errs, const json& spec, const Path& path,
                     const PodSpecOptions& opts = {});
// A PodTemplateSpec's labels, annotations and spec (ephemeral containers forbidden).
void ValidatePodTemplateSpec(FieldErrors& errs, const json& tmpl, const Path& path,
                             const PodSpecOptions& opts = {});
void ValidateTolerations(FieldErrors& errs, const json& tolerations, const Path& path);
void ValidateTaintEffect(FieldErrors& errs, const json& effect, bool allow_empty,
                         const std::string& path);
void ValidateNodeSelector(FieldErrors& errs, const json& selector, const Path& path);

// --- pod_validation.cc (the kind's own rules; metadata is checked by the caller)
FieldErrors ValidatePod(const json& pod);
FieldErrors ValidatePodUpdate(const json& pod, const json& old);
FieldErrors ValidatePodStatusUpdate(const json& pod, const json& old);

}  // namespace skiff::apis::internal
