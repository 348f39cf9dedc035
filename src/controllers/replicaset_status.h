// The status a ReplicaSet reports, as kube-controller-manager's calculateStatus and
// updateReplicaSetStatus compute and write it.
//
// From the active pods the ReplicaSet owns:
//   replicas              how many there are
//   fullyLabeledReplicas  those whose labels include every label of spec.template
//   readyReplicas         those that are Ready
//   availableReplicas     those Ready for at least spec.minReadySeconds
//   observedGeneration    metadata.generation
//   conditions            ReplicaFailure (True, reason FailedCreate or FailedDelete, the error
//                         as message) added when creating or deleting failed and there is none
//                         yet; removed once managing replicas succeeds.
// Zero counts are left out, as the API serves them (omitempty), except replicas.
//
// Pure functions over JSON; thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "controllers/pod_util.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

// spec.replicas (1 when unset, as the API defaults it).
int64_t DesiredReplicas(const json& rs);

// The new status of `rs` (its current status updated), given the active pods it owns and the
// outcome of managing its replicas.
json CalculateReplicaSetStatus(const json& rs, const std::vector<client::ObjectPtr>& owned,
                               const Status& manage_error, Clock::time_point now);

// True when `status` differs from rs.status in what the controller writes, or rs.status has
// not observed rs's generation: only then is it written.
bool ReplicaSetStatusChanged(const json& rs, const json& status);

// The merge patch of the status subresource that writes `status`.
json ReplicaSetStatusPatch(const json& status);

// How long until the first owned pod that is ready but not yet available becomes available;
// nullopt when there is none.
std::optional<std::chrono::seconds> NextAvailable(const std::vector<client::ObjectPtr>& owned,
                                                  int64_t min_ready_seconds, Clock::time_point now);

}  // namespace skiff::controllers
