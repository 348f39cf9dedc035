// Finalizer-based accounting of a Job's finished pods (Kubernetes 1.26+): every pod a Job
// creates carries the finalizer batch.kubernetes.io/job-tracking, so it cannot vanish before
// the controller counted it. The controller records a finished pod's uid in
// status.uncountedTerminatedPods, removes the pod's finalizer, then moves the uid into
// status.succeeded / status.failed. These are the pieces of that shared by the Job controller's
// files.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "skiff/client/client.h"

namespace skiff::controllers {

inline constexpr char kJobTrackingFinalizer[] = "batch.kubernetes.io/job-tracking";

bool HasJobTrackingFinalizer(const nlohmann::json& pod);

// Removes the tracking finalizer from the pod (a merge patch of metadata.finalizers pinned to
// the pod's resourceVersion; on a conflict the pod is read afresh and the patch retried a few
// times). OK when the pod has no such finalizer; kNotFound when the pod is gone.
Status RemoveJobTrackingFinalizer(client::Client& client, const nlohmann::json& pod);
// Adds it (to a pod just adopted); returns the patched pod.
Result<nlohmann::json> AddJobTrackingFinalizer(client::Client& client, const nlohmann::json& pod);

// kube's uidTrackingExpectations: the pods (by uid) of each Job whose finalizer removal the
// controller made and its pod informer has not shown yet; such pods are not counted again.
// Thread-safe.
class FinalizerExpectations {
 public:
  void Expect(const std::string& job_key, const std::vector<std::string>& uids);
  void Observed(const std::string& job_key, const std::string& uid);
  std::set<std::string> Expected(const std::string& job_key) const;
  void Delete(const std::string& job_key);

 private:
  mutable std::mutex mu_;  // guards uids_
  std::unordered_map<std::string, std::set<std::string>> uids_;
};

}  // namespace skiff::controllers
