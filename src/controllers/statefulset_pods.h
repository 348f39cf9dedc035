// The identity of a StatefulSet's pods and claims, as kube-controller-manager's statefulset
// package computes it (stateful_set_utils.go): names "<set>-<ordinal>", the hostname and
// subdomain, the identity labels, the PersistentVolumeClaims of spec.volumeClaimTemplates
// ("<template>-<set>-<ordinal>") and the owner references that carry
// spec.persistentVolumeClaimRetentionPolicy; and the pod predicates the controller decides by.
//
// Pure functions of their JSON arguments (StatefulSets, pods and claims as the API serves them;
// absent fields read as Kubernetes' defaults). Nothing throws; nothing keeps state. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers::statefulset {

using nlohmann::json;
using Clock = std::chrono::system_clock;

inline constexpr char kPodNameLabel[] = "statefulset.kubernetes.io/pod-name";
inline constexpr char kPodIndexLabel[] = "apps.kubernetes.io/pod-index";
inline constexpr char kRevisionLabel[] = "controller-revision-hash";

// --- The set ----------------------------------------------------------------------------------

std::string Name(const json& obj);
std::string Namespace(const json& obj);
std::string Uid(const json& obj);
int32_t SpecReplicas(const json& set);     // spec.replicas, default 1
int32_t StartOrdinal(const json& set);     // spec.ordinals.start, default 0
int32_t EndOrdinal(const json& set);       // start + replicas - 1 (inclusive)
int32_t MinReadySeconds(const json& set);  // spec.minReadySeconds, default 0
bool AllowsBurst(const json& set);         // podManagementPolicy Parallel
bool IsOnDelete(const json& set);          // updateStrategy.type OnDelete
bool IsRollingUpdate(const json& set);     // updateStrategy.type RollingUpdate (or unset)
struct RetentionPolicy {
  bool delete_when_deleted = false;  // whenDeleted: Delete
  bool delete_when_scaled = false;   // whenScaled: Delete
};
RetentionPolicy RetentionPolicyOf(const json& set);

// --- Pod identity -----------------------------------------------------------------------------

// The parent name and ordinal from a pod name "<parent>-<digits>" (the ordinal fitting an
// int32); {"", -1} otherwise.
std::pair<std::string, int> ParentAndOrdinal(const std::string& pod_name);
int OrdinalOf(const json& pod);
bool IsMemberOf(const json& set, const json& pod);
bool InOrdinalRange(const json& set, const json& pod);
std::string PodName(const json& set, int ordinal);
std::string ClaimName(const json& set, const json& claim_template, int ordinal);
std::string PodRevision(const json& pod);  // the controller-revision-hash label, or ""

// Name, namespace, pod-name label (identityMatches), and the volumes naming the set's claims
// (storageMatches).
bool IdentityMatches(const json& set, const json& pod);
bool StorageMatches(const json& set, const json& pod);
// updateIdentity: name, namespace, the pod-name and pod-index labels.
void UpdateIdentity(const json& set, json& pod);
// updateStorage: a persistentVolumeClaim volume per claim template (named after the template),
// in template order, then the pod's other volumes.
void UpdateStorage(const json& set, json& pod);

// The pod of `set` (whose spec.template is the revision's) at `ordinal`, labelled with
// `revision`: PodFromTemplate, name "<set>-<ordinal>", identity labels, spec.hostname = name,
// spec.subdomain = spec.serviceName (when set), claim volumes.
json NewStatefulSetPod(const json& set, int ordinal, const std::string& revision);

// The claims a pod of `set` at `ordinal` uses, keyed by template name: the template's
// metadata and spec, name ClaimName, the set's namespace, labels = template labels plus the
// selector's matchLabels.
std::map<std::string, json> ClaimsFor(const json& set, int ordinal);

// --- Pod state --------------------------------------------------------------------------------

bool IsCreated(const json& pod);      // status.phase set
bool IsPending(const json& pod);      // Pending
bool IsFailed(const json& pod);       // Failed
bool IsSucceeded(const json& pod);    // Succeeded
bool IsTerminating(const json& pod);  // deletionTimestamp set
bool IsRunningAndReady(const json& pod);
bool IsRunningAndAvailable(const json& pod, int32_t min_ready_seconds, Clock::time_point now);
// Not running, ready and available, or terminating.
bool IsUnavailable(const json& pod, int32_t min_ready_seconds, Clock::time_point now);

// --- Claims and the retention policy ----------------------------------------------------------

// A PVC of the set's namespace by name, from a cache (nullptr when absent).
using ClaimLookup = std::function<client::ObjectPtr(const std::string& name)>;

// isClaimOwnerUpToDate: the claim's owner references agree with the retention policy (Retain
// and Retain: neither the set nor the pod; whenDeleted Delete: the set; whenScaled Delete: the
// pod once it is scaled down, the set (if whenDeleted Delete) while it is not). Stale
// references (a same-named set or pod of another uid) and unexpected controllers leave the
// claim alone (up to date).
bool ClaimOwnerUpToDate(const json& claim, const json& set, const json& pod);
// updateClaimOwnerRefForSetAndPod: the owner references the claim should have.
json UpdatedClaimOwnerRefs(const json& claim, const json& set, const json& pod);
// A claim has a controller that is neither the set nor the pod, under a Delete policy.
bool HasUnexpectedController(const json& claim, const json& set, const json& pod);
// PodClaimIsStale: under whenScaled Delete, an existing claim refers to a pod of this name
// with another uid (the pod before, whose claim the garbage collector is about to delete).
bool PodClaimIsStale(const json& set, const json& pod, const ClaimLookup& claims);
// Every claim of the pod exists (and is not being deleted).
bool ClaimsExist(const json& set, const json& pod, const ClaimLookup& claims);
// ClaimsMatchRetentionPolicy: every existing claim is ClaimOwnerUpToDate.
bool ClaimsMatchRetentionPolicy(const json& set, const json& pod, const ClaimLookup& claims);

}  // namespace skiff::controllers::statefulset
