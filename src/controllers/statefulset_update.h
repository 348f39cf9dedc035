// What one StatefulSet sync does, decided from a snapshot (kube-controller-manager's
// updateStatefulSet), and the status it reports.
//
// The pods in the ordinal range [start, start + replicas) are the replicas (a missing one is
// created at the current revision below the partition, else at the update revision); pods
// with other ordinals are condemned. Then, in order:
//   1. replicas, in ordinal order: a Failed or Succeeded pod is deleted (and recreated by a
//      later sync under the same name); a missing pod is created (unless a claim of its name
//      still belongs to the pod before it, under whenScaled Delete); a Pending pod gets its
//      missing claims; a pod whose identity, claim volumes or claim owner references drifted
//      is fixed. OrderedReady (monotonic) stops at the first creation, deletion, terminating
//      pod or pod not Running, Ready and available for minReadySeconds; Parallel goes on.
//   2. condemned pods get the owner references the retention policy wants on their claims;
//   3. condemned pods are deleted from the highest ordinal; OrderedReady deletes one per sync,
//      waits for terminating ones, and deletes only when every other pod is healthy (the first
//      unhealthy pod may go);
//   4. RollingUpdate only (OnDelete stops here): unless more than maxUnavailable (default 1;
//      an int or a percentage of replicas rounded down, at least 1) replicas are unavailable,
//      up to maxUnavailable - unavailable pods at an old revision are deleted, from the highest
//      ordinal down to the partition (ordinals below start + partition keep their revision).
// A step's failure ends its group and the sync (Parallel runs group 1 in slow-start batches of
// 1, 2, 4 ... and stops after a batch with a failure).
//
// Pure functions of their arguments. Thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "controllers/statefulset_pods.h"
#include "controllers/statefulset_revisions.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::statefulset {

enum class StepKind {
  kCreatePod,     // create the pod (its claims first)
  kDeletePod,     // delete the pod
  kEnsureClaims,  // create its missing claims, set their owner references
  kUpdatePod,     // fix its identity, claim volumes and claims' owner references
  kFixClaims,     // set its claims' owner references (a condemned pod)
};

struct Step {
  StepKind kind;
  json pod;  // the pod as cached (or, for kCreatePod, to be created)
};

struct Plan {
  bool monotonic = true;               // OrderedReady
  std::vector<Step> replicas;          // group 1
  std::vector<Step> condemned_claims;  // group 2
  std::vector<Step> condemned;         // group 3 (deletions)
  std::vector<Step> updates;           // group 4 (deletions for the update)
  // The status before any step ran (updateStatus over the replicas and condemned pods). Each
  // update deletion that succeeds lowers currentReplicas by one.
  json status;
};

// `pods` are the set's pods (claimed); `claims` reads the PVC cache.
Plan PlanSync(const json& set, const Revisions& revisions,
              const std::vector<client::ObjectPtr>& pods, const ClaimLookup& claims,
              Clock::time_point now);

// updateStatus: observedGeneration, replicas (created pods), readyReplicas (Running and Ready),
// availableReplicas (also ready for minReadySeconds), currentReplicas / updatedReplicas
// (created, not terminating, at the current / update revision), currentRevision,
// updateRevision, collisionCount.
json ComputeStatus(const json& set, const Revisions& revisions,
                   const std::vector<client::ObjectPtr>& pods, Clock::time_point now);
// completeRollingUpdate: under RollingUpdate, once replicas, readyReplicas and updatedReplicas
// all equal spec.replicas, the update revision becomes the current one.
void CompleteRollingUpdate(const json& set, json& status);
// The status differs from the set's (inconsistentStatus, plus collisionCount).
bool StatusChanged(const json& set, const json& status);
// How long until the first pod that is ready but not yet available becomes available, if any.
std::optional<std::chrono::milliseconds> NextAvailableCheck(
    const json& set, const std::vector<client::ObjectPtr>& pods, Clock::time_point now);

}  // namespace skiff::controllers::statefulset
