// Facts about pods that several controllers need, as kube-controller-manager's podutil
// computes them, and the pod a controller creates from its template.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "controllers/controller_ref.h"

namespace skiff::controllers {

using Clock = std::chrono::system_clock;

// Not Succeeded, not Failed and not being deleted (controller.IsPodActive).
bool IsPodActive(const json& pod);
// The Ready condition is True.
bool IsPodReady(const json& pod);
// When the Ready condition last changed (its lastTransitionTime), if it has one.
std::optional<Clock::time_point> ReadySince(const json& pod);
// Ready for at least min_ready_seconds at `now` (podutil.IsPodAvailable). With 0, ready is
// available.
bool IsPodAvailable(const json& pod, int64_t min_ready_seconds, Clock::time_point now);
// How long until a ready pod becomes available (0 when it already is, or is not ready).
std::chrono::seconds UntilAvailable(const json& pod, int64_t min_ready_seconds,
                                    Clock::time_point now);

// The pod a controller creates from `pod_template` (a PodTemplateSpec): the template's labels,
// annotations and finalizers, generateName "<owner name>-", the owner's controller reference,
// and the template's spec. The caller may set a name or more metadata before creating it.
json PodFromTemplate(const json& pod_template, const json& owner, const OwnerKind& kind);

// kube's PodPVCIndex (pkg/controller/volume/common): pods filed under "<namespace>/<claim>"
// for every claim their volumes name (apis::PodClaimKeys: persistentVolumeClaim and ephemeral
// volumes). The PVC protection and ephemeral volume controllers share it on the pod informer.
inline constexpr char kPodClaimIndex[] = "pod-claims";
// Adds kPodClaimIndex to `pods` unless it is there already (always with the same function).
void AddPodClaimIndex(client::Informer& pods);

}  // namespace skiff::controllers
