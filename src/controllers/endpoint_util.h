// What the Endpoints, EndpointSlice and EndpointSlice-mirroring controllers share, as
// kube-controller-manager 1.32 computes it (k8s.io/endpointslice/util, pkg/api/v1/pod): the
// resources they use, the reserved labels and annotations, which pods back a Service and with
// which ports, which Services a pod change concerns, and the last-change-trigger-time.
//
// Everything here is a pure function of its arguments except ServiceSelectorCache and
// TriggerTimeTracker, which are thread-safe (each guards its state with its own mutex).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "skiff/apis/selector.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

// discovery.LabelServiceName, LabelManagedBy, LabelSkipMirror; v1.IsHeadlessService.
inline constexpr char kLabelServiceName[] = "kubernetes.io/service-name";
inline constexpr char kLabelManagedBy[] = "endpointslice.kubernetes.io/managed-by";
inline constexpr char kLabelSkipMirror[] = "endpointslice.kubernetes.io/skip-mirror";
inline constexpr char kLabelHeadless[] = "service.kubernetes.io/headless";
// v1.EndpointsLastChangeTriggerTime, v1.EndpointsOverCapacity.
inline constexpr char kAnnotationTriggerTime[] = "endpoints.kubernetes.io/last-change-trigger-time";
inline constexpr char kAnnotationOverCapacity[] = "endpoints.kubernetes.io/over-capacity";
// resourcelock.LeaderElectionRecordAnnotationKey, v1.LastAppliedConfigAnnotation.
inline constexpr char kAnnotationLeaderElection[] = "control-plane.alpha.kubernetes.io/leader";
inline constexpr char kAnnotationLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

// The EndpointSlice informer index of "<namespace>/<kubernetes.io/service-name label>" (slices
// without the label are not indexed). Shared by the slice and mirroring controllers.
inline constexpr char kSliceServiceIndex[] = "endpointslice-service";
std::vector<std::string> IndexSliceByService(const json& slice);
// Adds kSliceServiceIndex to `slices`, tolerating another controller having added it.
void EnsureSliceServiceIndex(client::Informer& slices, const char* component);

// --- Services ---------------------------------------------------------------------------------

// spec.selector as a selector, or nullopt when the Service has none. An empty map counts as
// none: the API stores it as nil (and a nil selector selects nothing, not everything).
std::optional<apis::LabelSelector> ServiceSelector(const json& service);
// spec.clusterIP is set and not "None" (helper.IsServiceIPSet).
bool IsServiceIPSet(const json& service);
bool IsExternalNameService(const json& service);
// metadata.labels as a map (empty when absent).
std::map<std::string, std::string> LabelMap(const json& obj);
std::map<std::string, std::string> AnnotationMap(const json& obj);

// --- Pods -------------------------------------------------------------------------------------

// ShouldPodBeInEndpoints: not Succeeded/Failed, has a pod IP, and (unless include_terminating)
// no deletionTimestamp.
bool ShouldPodBeInEndpoints(const json& pod, bool include_terminating);
// spec.hostname is set, spec.subdomain is the Service's name, same namespace.
bool ShouldSetHostname(const json& pod, const json& service);
// status.podIPs[].ip in order, or status.podIP alone when podIPs is empty.
std::vector<std::string> PodIPs(const json& pod);
// The pod's container port a ServicePort reaches (podutil.FindPort): a numeric targetPort as
// is (absent: the port itself), a named one looked up by name and protocol in the containers'
// ports, then in restartable (sidecar) init containers'. nullopt when the name is not found.
std::optional<int64_t> FindPort(const json& pod, const json& service_port);

// The canonical text of an IP (as Go's net.IP String), or "" when `ip` is not an IP.
std::string CanonicalIP(const std::string& ip);
bool IsIPv6(const std::string& ip);

// podEndpointsChanged: whether an update of a pod may change the endpoints it backs
// (deletionTimestamp, readiness, pod IPs, or turning terminal) and whether it may change which
// Services select it (labels, hostname or subdomain).
struct PodChange {
  bool pod_changed = false;
  bool labels_changed = false;
};
PodChange PodEndpointsChanged(const json& old_pod, const json& new_pod);

// --- Which Services a pod change concerns -----------------------------------------------------

// The selectors of every Service, per namespace, kept current by the Service informer's
// handlers, so that a pod notification finds its Services without parsing selectors.
class ServiceSelectorCache {
 public:
  // Records (or replaces) the Service's selector; a Service without one is forgotten.
  void Upsert(const json& service);
  void Remove(const json& service);

  // Keys ("ns/name") of the Services of `ns` whose selector matches `labels`.
  std::set<std::string> ServicesFor(const std::string& ns, const json& labels) const;
  // Keys of the Services a pod's add or delete concerns.
  std::set<std::string> ServicesForPod(const json& pod) const;
  // GetServicesToUpdateOnPodChange: nothing when the resourceVersion is the same or nothing
  // relevant changed; when the labels changed, the union of the old and new Services if the
  // pod's endpoints changed too, else only the Services that gained or lost the pod.
  std::set<std::string> ServicesForPodUpdate(const json& old_pod, const json& new_pod) const;

 private:
  mutable std::mutex mu_;  // guards by_namespace_
  std::unordered_map<std::string, std::map<std::string, apis::LabelSelector>> by_namespace_;
};

// --- endpoints.kubernetes.io/last-change-trigger-time -----------------------------------------

// TriggerTimeTracker: remembers, per Service, the pods' Ready transition times and the
// Service's creation time seen at its last sync; Compute returns the earliest of those that
// changed since (the Service's creation time on its first sync), or nullopt when none did.
// Calls for one Service must not run concurrently (the work queue guarantees it).
class TriggerTimeTracker {
 public:
  using Time = std::chrono::system_clock::time_point;
  std::optional<Time> Compute(const json& service, const std::vector<client::ObjectPtr>& pods);
  void Forget(const std::string& service_key);

 private:
  struct State {
    std::optional<Time> service_time;
    std::unordered_map<std::string, Time> pod_times;
  };
  std::mutex mu_;  // guards states_
  std::unordered_map<std::string, State> states_;
};

// The annotation's value for a trigger time (RFC 3339, UTC).
std::string FormatTriggerTime(TriggerTimeTracker::Time t);

// utilerrors.NewAggregate(...).Error(): one message as is, several as "[a, b]" (duplicates
// once). "" for none.
std::string AggregateMessages(const std::vector<std::string>& messages);

// A resourceVersion as a number (0 when it is not one), for telling which of two versions of
// one object is newer: skiff's resourceVersions are store revisions.
uint64_t ResourceVersionNumber(const json& obj);
uint64_t ResourceVersionNumber(const std::string& resource_version);

}  // namespace skiff::controllers
