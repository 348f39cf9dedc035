// Creating and deleting a ReplicaSet's pods (kube's manageReplicas and the pod control).
#include <algorithm>
#include <mutex>

#include "api/object_util.h"
#include "controllers/active_pods.h"
#include "controllers/pod_util.h"
#include "controllers/replicaset_controller.h"
#include "controllers/replicaset_status.h"
#include "controllers/slow_start.h"

namespace skiff::controllers {
namespace {

// Creations refused because the namespace is going away: not retried, no event (kube's
// NamespaceTerminatingCause; the cause travels only in the message across the Client).
bool NamespaceTerminating(const Status& s) {
  return s.message().find("because it is being terminated") != std::string::npos;
}

}  // namespace

Status ReplicaSetController::ManageReplicas(const std::vector<client::ObjectPtr>& pods,
                                            const json& rs, const std::string& key) {
  const int64_t diff = static_cast<int64_t>(pods.size()) - DesiredReplicas(rs);
  const int64_t burst = std::max(0, options_.burst_replicas);
  if (diff < 0) return CreatePods(rs, key, static_cast<int>(std::min(-diff, burst)));
  if (diff > 0) {
    const size_t count = static_cast<size_t>(std::min(diff, burst));
    return DeletePods(rs, key, PodsToDelete(pods, RelatedPods(rs), count, Clock::now()));
  }
  return Status::Ok();
}

Status ReplicaSetController::CreatePods(const json& rs, const std::string& key, int count) {
  if (count <= 0) return Status::Ok();
  // Expect them all before the first create: the informer may report a pod before Create
  // returns.
  expectations_.ExpectCreations(key, count);
  const std::string ns = api::GetString(rs, {"metadata", "namespace"});
  const json* tmpl = api::Find(rs, {"spec", "template"});
  const json pod = PodFromTemplate(tmpl ? *tmpl : json::object(), rs, ReplicaSetKind());
  const json* labels = api::Find(pod, {"metadata", "labels"});
  const bool labeled = labels && labels->is_object() && !labels->empty();

  SlowStartResult r = SlowStartBatch(count, 1, options_.write_parallelism, [&]() -> Status {
    if (!labeled) return InvalidArgumentError("unable to create pods, no labels");
    auto created = client_.Create(client::Pods(), ns, pod);
    if (!created.ok()) {
      if (NamespaceTerminating(created.status())) return Status::Ok();
      recorder_.Record(rs, "", "Warning", "FailedCreate",
                       "Error creating: " + created.status().message());
      return created.status();
    }
    recorder_.Record(rs, "", "Normal", "SuccessfulCreate",
                     "Created pod: " + api::GetString(*created, {"metadata", "name"}));
    return Status::Ok();
  });
  // Pods never created (failed, or their batch never started) will never be observed.
  for (int i = r.successes; i < count; ++i) expectations_.CreationObserved(key);
  return r.first_error;
}

Status ReplicaSetController::DeletePods(const json& rs, const std::string& key,
                                        const std::vector<client::ObjectPtr>& victims) {
  if (victims.empty()) return Status::Ok();
  std::vector<std::string> keys;
  for (const auto& pod : victims) keys.push_back(client::KeyOf(*pod));
  expectations_.ExpectDeletionsOf(key, keys);
  const std::string ns = api::GetString(rs, {"metadata", "namespace"});

  std::mutex mu;  // guards first_error
  Status first_error;
  ParallelFor(static_cast<int>(victims.size()), options_.write_parallelism, [&](int i) {
    const std::string name = api::GetString(*victims[i], {"metadata", "name"});
    Status s = client_.Delete(client::Pods(), ns, name, {});
    if (s.ok()) {
      recorder_.Record(rs, "", "Normal", "SuccessfulDelete", "Deleted pod: " + name);
      return;
    }
    // The informer will not report a deletion that did not happen.
    expectations_.DeletionObservedOf(key, keys[i]);
    if (s.code() == Code::kNotFound) return;  // already gone: nothing to do
    recorder_.Record(rs, "", "Warning", "FailedDelete", "Error deleting: " + s.message());
    std::lock_guard lock(mu);
    if (first_error.ok()) first_error = Status(s.code(), "unable to delete pods: " + s.message());
  });
  return first_error;
}

}  // namespace skiff::controllers
