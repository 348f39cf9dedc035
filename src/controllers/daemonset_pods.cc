// Creating and deleting a DaemonSet's pods (daemon_controller.go syncNodes, util.CreatePodTemplate
// and the pod control's events).
#include <algorithm>
#include <atomic>
#include <mutex>

#include "controllers/controller_ref.h"
#include "controllers/daemonset_sync.h"
#include "controllers/pod_util.h"
#include "controllers/slow_start.h"

namespace skiff::controllers::daemonset {
namespace {

// Creations refused because the namespace is going away: not retried, no event (kube's
// NamespaceTerminatingCause; the cause travels only in the message across the Client).
bool NamespaceTerminating(const Status& s) {
  return s.message().find("because it is being terminated") != std::string::npos;
}

// util.CreatePodTemplate: the template with the daemon tolerations, and labels
// pod-template-generation (when the DaemonSet has one) and controller-revision-hash.
json DaemonPodTemplate(const json& ds, const std::string& hash) {
  const json* tmpl = At(ds, {"spec", "template"});
  json out = tmpl && tmpl->is_object() ? *tmpl : json::object();
  AddDaemonPodTolerations(out["spec"]);
  json& meta = out["metadata"];
  if (!meta.is_object()) meta = json::object();
  json& labels = meta["labels"];
  if (!labels.is_object()) labels = json::object();
  if (auto generation = TemplateGeneration(ds)) {
    labels[kTemplateGenerationLabel] = std::to_string(*generation);
  }
  if (!hash.empty()) labels[kRevisionHashLabel] = hash;
  return out;
}

}  // namespace

Status SyncPass::SyncNodes(const std::vector<std::string>& pods_to_delete,
                           const std::vector<std::string>& nodes_needing) {
  const size_t burst = static_cast<size_t>(std::max(0, env_.options.burst_replicas));
  const int create_count = static_cast<int>(std::min(nodes_needing.size(), burst));
  const int delete_count = static_cast<int>(std::min(pods_to_delete.size(), burst));
  // Expect everything before the first call: the informer may report a pod before the call
  // returns.
  env_.expectations.ExpectCreations(key_, create_count);
  std::vector<std::string> keys;
  for (int i = 0; i < delete_count; ++i) keys.push_back(ns_ + "/" + pods_to_delete[i]);
  env_.expectations.ExpectDeletionsOf(DeletionsKey(key_), keys);

  Status created = CreatePods(nodes_needing, create_count);
  Status deleted = DeletePods(pods_to_delete, delete_count);
  return created.ok() ? deleted : created;
}

Status SyncPass::CreatePods(const std::vector<std::string>& nodes, int count) {
  if (count <= 0) return Status::Ok();
  const json tmpl = DaemonPodTemplate(ds_, hash_);
  std::atomic<int> next{0};
  SlowStartResult r = SlowStartBatch(count, 1, env_.options.write_parallelism, [&]() -> Status {
    const std::string& node = nodes[static_cast<size_t>(next++)];
    json pod = PodFromTemplate(tmpl, ds_, DaemonSetKind());
    // The scheduler binds it to its node; nothing else in the template can conflict (the
    // controller checked the template's own affinity against the node).
    ReplaceNodeNameAffinity(pod["spec"], node);
    auto result = env_.client.Create(client::Pods(), ns_, pod);
    if (!result.ok()) {
      if (NamespaceTerminating(result.status())) return Status::Ok();
      env_.recorder.Record(ds_, "", "Warning", "FailedCreate",
                           "Error creating: " + result.status().message());
      return result.status();
    }
    env_.recorder.Record(ds_, "", "Normal", "SuccessfulCreate", "Created pod: " + NameOf(*result));
    return Status::Ok();
  });
  // Pods never created (failed, or their batch never started) will never be observed.
  for (int i = r.successes; i < count; ++i) env_.expectations.CreationObserved(key_);
  return r.first_error;
}

Status SyncPass::DeletePods(const std::vector<std::string>& names, int count) {
  if (count <= 0) return Status::Ok();
  std::mutex mu;  // guards first_error
  Status first_error;
  ParallelFor(count, env_.options.write_parallelism, [&](int i) {
    const std::string& name = names[static_cast<size_t>(i)];
    Status s = env_.client.Delete(client::Pods(), ns_, name, {});
    if (s.ok()) {
      env_.recorder.Record(ds_, "", "Normal", "SuccessfulDelete", "Deleted pod: " + name);
      return;
    }
    // The informer will not report a deletion that did not happen.
    env_.expectations.DeletionObservedOf(DeletionsKey(key_), ns_ + "/" + name);
    if (s.code() == Code::kNotFound) return;  // already gone
    env_.recorder.Record(ds_, "", "Warning", "FailedDelete", "Error deleting: " + s.message());
    std::lock_guard lock(mu);
    if (first_error.ok()) first_error = Status(s.code(), "unable to delete pods: " + s.message());
  });
  return first_error;
}

}  // namespace skiff::controllers::daemonset
