// The Deployment controller's arithmetic and bookkeeping, as kube-controller-manager's
// deployment/util computes it: the pod-template hash, revisions and the annotations a
// Deployment writes on its ReplicaSets, maxSurge/maxUnavailable, replica counts, the order
// ReplicaSets are scaled in, proportional shares, and the Deployment's conditions.
//
// Everything here is a pure function of its JSON arguments (Deployments and ReplicaSets as the
// API serves them; absent fields read as Kubernetes' defaults: spec.replicas 1, status counts
// 0). Nothing throws; nothing keeps state. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controllers/name_hash.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers::deployment {

using nlohmann::json;
using RsPtr = client::ObjectPtr;  // a ReplicaSet; nullptr where "no new ReplicaSet yet"
using RsList = std::vector<RsPtr>;
using TimePoint = std::chrono::system_clock::time_point;

inline constexpr char kRevisionAnnotation[] = "deployment.kubernetes.io/revision";
inline constexpr char kRevisionHistoryAnnotation[] = "deployment.kubernetes.io/revision-history";
inline constexpr char kDesiredReplicasAnnotation[] = "deployment.kubernetes.io/desired-replicas";
inline constexpr char kMaxReplicasAnnotation[] = "deployment.kubernetes.io/max-replicas";
inline constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";
inline constexpr char kRollbackToAnnotation[] = "deprecated.deployment.rollback.to";
inline constexpr char kPodTemplateHashLabel[] = "pod-template-hash";
// revision-history is kept under this many characters (sync.go maxRevHistoryLengthInChars).
inline constexpr size_t kMaxRevisionHistoryChars = 2000;

// Condition reasons (deployment/util).
inline constexpr char kReplicaSetUpdatedReason[] = "ReplicaSetUpdated";
inline constexpr char kFailedRSCreateReason[] = "ReplicaSetCreateError";
inline constexpr char kNewReplicaSetReason[] = "NewReplicaSetCreated";
inline constexpr char kFoundNewRSReason[] = "FoundNewReplicaSet";
inline constexpr char kNewRSAvailableReason[] = "NewReplicaSetAvailable";
inline constexpr char kTimedOutReason[] = "ProgressDeadlineExceeded";
inline constexpr char kPausedDeployReason[] = "DeploymentPaused";
inline constexpr char kResumedDeployReason[] = "DeploymentResumed";
inline constexpr char kMinimumReplicasAvailable[] = "MinimumReplicasAvailable";
inline constexpr char kMinimumReplicasUnavailable[] = "MinimumReplicasUnavailable";

// --- Reading objects --------------------------------------------------------------------------

// The integer at `path`, or `fallback` when absent or not an integer.
int64_t IntAt(const json& obj, std::initializer_list<const char*> path, int64_t fallback);
std::string StrAt(const json& obj, std::initializer_list<const char*> path);
// spec.replicas (default 1) and status.<field> (default 0).
int32_t SpecReplicas(const json& obj);
int32_t StatusInt(const json& obj, const char* field);

// --- The pod-template hash (controller.ComputeHash) -------------------------------------------

// The template without null members and empty objects/arrays (Go's nil and empty are one).
json CanonicalTemplate(const json& pod_template);
// SafeEncodeString of the decimal FNV-1a 32 of the canonical template's compact JSON, followed
// (when collision_count is set) by the count as 8 little-endian bytes (a uint32 and 4 zeros).
std::string ComputeHash(const json& pod_template, std::optional<int64_t> collision_count);
// Templates equal once the pod-template-hash label is removed from both (EqualIgnoreHash).
bool EqualIgnoreHash(const json& t1, const json& t2);

// --- maxSurge / maxUnavailable ----------------------------------------------------------------

// intstr.GetValueFromIntOrPercent: an int is itself; "N%" is N% of total, rounded up or down.
// An absent value is 0. Other strings: kInvalidArgument.
Result<int32_t> IntOrPercentValue(const json& value, int32_t total, bool round_up);
struct Fenceposts {
  int32_t surge = 0;
  int32_t unavailable = 0;
};
// Both resolved at once: when both come out 0, maxUnavailable is 1.
Result<Fenceposts> ResolveFenceposts(const json& max_surge, const json& max_unavailable,
                                     int32_t desired);
bool IsRollingUpdate(const json& d);
int32_t MaxSurge(const json& d);        // 0 unless RollingUpdate
int32_t MaxUnavailable(const json& d);  // 0 unless RollingUpdate with replicas > 0; <= replicas
bool HasProgressDeadline(const json& d);
bool HasRevisionHistoryLimit(const json& d);

// --- Sets of ReplicaSets ----------------------------------------------------------------------

int32_t SumSpecReplicas(const RsList& rss);
int32_t SumStatus(const RsList& rss, const char* field);  // replicas, readyReplicas, ...
// The ones with spec.replicas > 0 (nullptrs dropped).
RsList FilterActive(const RsList& rss);
// Sorting (Kubernetes' sort.Interfaces): by creationTimestamp then name; by size descending
// with older (SizeOlder) or newer (SizeNewer) first among equals; by revision, then age.
void SortByCreation(RsList& rss);
void SortBySizeOlder(RsList& rss);
void SortBySizeNewer(RsList& rss);
void SortByRevision(RsList& rss);

// The oldest ReplicaSet whose template equals the Deployment's (ignoring the hash), or nullptr.
RsPtr FindNewReplicaSet(const json& d, RsList rss);
// Every other one.
RsList FindOldReplicaSets(const json& d, const RsList& rss);
// The single active one, or the newest when none is active; nullptr with several active.
RsPtr FindActiveOrLatest(const RsPtr& new_rs, RsList old_rss);

// --- Revisions and annotations ----------------------------------------------------------------

// The revision annotation as a number: 0 when absent, nullopt when it is not a number.
std::optional<int64_t> Revision(const json& obj);
int64_t MaxRevision(const RsList& rss);
// SetNewReplicaSetAnnotations on `rs` (a ReplicaSet being built or a copy): copies d's
// annotations but the skipped ones, raises the revision to new_revision (keeping the previous
// one in revision-history), and, when !exists, sets desired/max-replicas. True when changed.
bool SetNewReplicaSetAnnotations(const json& d, json& rs, const std::string& new_revision,
                                 bool exists);
// desired-replicas and max-replicas; true when changed.
bool SetReplicasAnnotations(json& rs, int32_t desired, int32_t max);
bool ReplicasAnnotationsNeedUpdate(const json& rs, int32_t desired, int32_t max);
// An int annotation of the ReplicaSet, if present and numeric.
std::optional<int32_t> IntAnnotation(const json& rs, const char* key);

// --- Replica arithmetic -----------------------------------------------------------------------

// How many replicas the new ReplicaSet may have now (NewRSNewReplicas).
Result<int32_t> NewRSNewReplicas(const json& d, const RsList& all_rss, const json& new_rs);
// The new ReplicaSet owns all desired replicas and all are available (IsSaturated).
bool IsSaturated(const json& d, const RsPtr& rs);
// The share of a scaling of to_add replicas (added so far: added) that `rs` takes
// (GetProportion / getReplicaSetFraction, using the max-replicas annotation).
int32_t GetProportion(const RsPtr& rs, const json& d, int32_t to_add, int32_t added);

// --- Conditions and progress ------------------------------------------------------------------

json NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, TimePoint now);
// The condition of that type in a DeploymentStatus (or ReplicaSetStatus), or nullptr.
const json* GetCondition(const json& status, const std::string& type);
// SetDeploymentCondition: no-op when one with the same status and reason exists; keeps
// lastTransitionTime when the status is unchanged; the condition moves to the end.
void SetCondition(json& status, json condition);
void RemoveCondition(json& status, const std::string& type);
// All desired replicas updated and available, none old, generation observed.
bool DeploymentComplete(const json& d, const json& new_status);
// new_status shows progress over d's status (more updated, ready or available, fewer old).
bool DeploymentProgressing(const json& d, const json& new_status);
// The Progressing condition of new_status is older than progressDeadlineSeconds at `now`.
bool DeploymentTimedOut(const json& d, const json& new_status, TimePoint now);

}  // namespace skiff::controllers::deployment
