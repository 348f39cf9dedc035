// One pass over a DaemonSet (daemon_controller.go syncDaemonSet, manage, updateDaemonSetStatus;
// update.go rollingUpdate, cleanupHistory).
#include "controllers/daemonset_sync.h"

#include <algorithm>
#include <set>

#include "controllers/controller_ref.h"
#include "controllers/daemonset_history.h"
#include "controllers/daemonset_status.h"
#include "controllers/daemonset_update.h"
#include "skiff/common/log.h"

namespace skiff::controllers::daemonset {
namespace {

constexpr char kComponent[] = "daemonset-controller";

// reflect.DeepEqual(ds.Spec.Selector, &metav1.LabelSelector{}): neither member set.
bool SelectsEverything(const json& selector) {
  if (!selector.is_object()) return false;
  return !At(selector, {"matchLabels"}) && !At(selector, {"matchExpressions"});
}

bool IsTerminal(const json& pod) {
  const std::string phase = StrAt(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

Status Wrap(const Status& s, const std::string& prefix) {
  return s.ok() ? s : Status(s.code(), prefix + s.message());
}

}  // namespace

std::string DeletionsKey(const std::string& key) { return key + "#deletions"; }

bool Env::Satisfied(const std::string& key) const {
  return expectations.Satisfied(key) && expectations.Satisfied(DeletionsKey(key));
}

void Env::ForgetExpectations(const std::string& key) {
  expectations.Delete(key);
  expectations.Delete(DeletionsKey(key));
}

SyncPass::SyncPass(Env& env, std::string key, client::ObjectPtr ds)
    : env_(env),
      key_(std::move(key)),
      ds_ptr_(std::move(ds)),
      ds_(*ds_ptr_),
      ns_(NamespaceOf(ds_)) {}

Status SyncPass::Run() {
  nodes_ = env_.nodes.List();
  std::sort(nodes_.begin(), nodes_.end(),
            [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
              return NameOf(*a) < NameOf(*b);
            });
  const json* selector_json = At(ds_, {"spec", "selector"});
  if (selector_json && SelectsEverything(*selector_json)) {
    env_.recorder.Record(
        ds_, "", "Warning", "SelectingAll",
        "This daemon set is selecting all pods. A non-empty selector is required.");
    return Status::Ok();
  }
  auto selector = apis::LabelSelectorFromJson(selector_json ? *selector_json : json(nullptr));
  if (!selector.ok()) {
    // Not retried: only a change of the DaemonSet can mend it (validation rejects it anyway).
    log::Warning(kComponent, "invalid selector",
                 {{"key", key_}, {"error", selector.status().message()}});
    return Status::Ok();
  }
  selector_ = std::move(selector).value();
  // The garbage collector removes a deleted DaemonSet's pods and revisions; its status cannot
  // be trusted meanwhile.
  if (IsBeingDeleted(ds_)) return Status::Ok();
  placement_.emplace(ds_);

  auto history = ConstructHistory(env_.client, ds_, selector_, env_.histories.ListNamespace(ns_),
                                  [this] { return ClaimPods(); });
  if (!history.ok()) {
    return Wrap(history.status(), "failed to construct revisions of DaemonSet: ");
  }
  hash_ = LabelOf(*history->current, kRevisionHashLabel);

  if (!env_.Satisfied(key_)) {
    // Earlier creations or deletions are not in the cache yet: report, do not act.
    return UpdateStatus(false);
  }
  Status err = Manage();
  if (err.ok() && env_.Satisfied(key_)) {
    if (UpdateStrategyType(ds_) == "RollingUpdate") err = RollingUpdate();
    if (err.ok()) {
      err = Wrap(CleanupHistory(history->old), "failed to clean up revisions of DaemonSet: ");
    }
  }
  Status status = UpdateStatus(true);
  if (!err.ok()) {
    if (!status.ok()) {
      log::Warning(kComponent, "failed to update status",
                   {{"key", key_}, {"error", status.message()}});
    }
    return err;
  }
  return status;
}

Result<PodList> SyncPass::ClaimPods() {
  const std::string uid = UidOf(ds_);
  if (!claimed_) {
    const PodList candidates = env_.pods.ListNamespace(ns_);
    ClaimResult claimed =
        Claim(env_.client, client::Pods(), ds_, DaemonSetKind(), selector_, candidates);
    if (!claimed.status.ok()) return claimed.status;
    claimed_.emplace();
    for (const auto& pod : claimed.owned) (*claimed_)[UidOf(*pod)] = pod;
    for (const auto& pod : candidates) {
      if (IsControlledBy(*pod, uid) && !claimed_->count(UidOf(*pod))) released_.insert(UidOf(*pod));
    }
    return std::move(claimed.owned);
  }
  // Later in the same pass: the cache's current view of the pods claimed, where the cache does
  // not show this pass's adoptions and releases yet the claim's own result (claiming again from
  // a cache that lags would conflict with the adoptions just made).
  PodList out;
  for (auto& pod : env_.pods.ListNamespace(ns_)) {
    const std::string pod_uid = UidOf(*pod);
    if (IsControlledBy(*pod, uid)) {
      if (!released_.count(pod_uid)) out.push_back(std::move(pod));
      continue;
    }
    auto it = claimed_->find(pod_uid);
    if (it != claimed_->end() && !IsControlledBy(*it->second, uid)) continue;
    if (it != claimed_->end()) out.push_back(it->second);
  }
  return out;
}

Result<NodeToPods> SyncPass::DaemonPods(bool include_deleted_terminal) {
  auto claimed = ClaimPods();
  if (!claimed.ok()) {
    return Wrap(claimed.status(),
                "couldn't get node to daemon pod mapping for daemon set \"" + NameOf(ds_) + "\": ");
  }
  NodeToPods out;
  for (auto& pod : *claimed) {
    // Terminal pods being deleted (a finalizer, or the kubelet's last word) are nobody's work.
    if (!include_deleted_terminal && IsTerminal(*pod) && IsBeingDeleted(*pod)) continue;
    std::optional<std::string> node = TargetNodeName(*pod);
    if (!node) continue;
    out[*node].push_back(std::move(pod));
  }
  return out;
}

Status SyncPass::Manage() {
  auto node_to_pods = DaemonPods(false);
  if (!node_to_pods.ok()) return node_to_pods.status();
  const bool surge = AllowsSurge(ds_);
  const auto now = std::chrono::system_clock::now();
  const auto steady_now = FailedPodBackoff::Clock::now();
  std::vector<std::string> nodes_needing, pods_to_delete;
  std::set<std::string> node_names;
  for (const auto& node : nodes_) {
    const std::string name = NameOf(*node);
    node_names.insert(name);
    auto it = node_to_pods->find(name);
    NodePlan plan = PlanNode(NodePlanInput{ds_, name, placement_->Check(*node),
                                           it == node_to_pods->end() ? nullptr : &it->second, hash_,
                                           surge, now, steady_now},
                             env_.failed_backoff);
    for (const auto& pod : plan.failed) {
      env_.recorder.Record(ds_, "", "Warning", "FailedDaemonPod",
                           "Found failed daemon pod " + ns_ + "/" + NameOf(*pod) + " on node " +
                               name + ", will try to kill it");
    }
    for (const auto& pod : plan.succeeded) {
      env_.recorder.Record(ds_, "", "Normal", "SucceededDaemonPod",
                           "Found succeeded daemon pod " + ns_ + "/" + NameOf(*pod) + " on node " +
                               name + ", will try to delete it");
    }
    if (plan.retry_after) env_.enqueue_after(key_, *plan.retry_after);
    if (plan.needs_pod) nodes_needing.push_back(name);
    pods_to_delete.insert(pods_to_delete.end(), plan.delete_pods.begin(), plan.delete_pods.end());
  }
  // Unbound pods meant for nodes that are gone: the scheduler can never place them.
  for (auto& name : UnscheduledPodsWithoutNode(node_names, *node_to_pods)) {
    pods_to_delete.push_back(std::move(name));
  }
  return SyncNodes(pods_to_delete, nodes_needing);
}

Status SyncPass::RollingUpdate() {
  auto node_to_pods = DaemonPods(false);
  if (!node_to_pods.ok()) return node_to_pods.status();
  auto plan = PlanRollingUpdate(RollingUpdateInput{ds_, nodes_, *placement_,
                                                   std::move(node_to_pods).value(), hash_,
                                                   std::chrono::system_clock::now()});
  if (!plan.ok()) return plan.status();
  return SyncNodes(plan->delete_pods, plan->create_on_nodes);
}

Status SyncPass::CleanupHistory(const std::vector<client::ObjectPtr>& old) {
  // Terminal pods being deleted still pin their revision.
  auto node_to_pods = DaemonPods(true);
  if (!node_to_pods.ok()) return node_to_pods.status();
  std::set<std::string> live;
  for (const auto& [node, pods] : *node_to_pods) {
    for (const auto& pod : pods) {
      std::string hash = LabelOf(*pod, kRevisionHashLabel);
      if (!hash.empty()) live.insert(std::move(hash));
    }
  }
  return daemonset::CleanupHistory(env_.client, ds_, old, live);
}

Status SyncPass::UpdateStatus(bool observe_generation) {
  auto node_to_pods = DaemonPods(false);
  if (!node_to_pods.ok()) return node_to_pods.status();
  const DaemonSetCounts counts = CountDaemonPods(ds_, nodes_, *placement_, *node_to_pods, hash_,
                                                 std::chrono::system_clock::now());
  // Without observedGeneration to raise, equal counts leave nothing to write (kube would write
  // the same status again, and hear of its own write).
  const bool changed =
      observe_generation ? NeedsStatusWrite(ds_, counts) : CurrentCounts(ds_) != counts;
  if (changed) {
    auto written = env_.client.MergePatch(client::DaemonSets(), ns_, NameOf(ds_),
                                          StatusPatch(ds_, counts, observe_generation), "status");
    if (!written.ok() && written.status().code() != Code::kNotFound) {
      return Wrap(written.status(), "error storing status for daemon set " + key_ + ": ");
    }
  }
  // A last look once ready pods should have become available (against clock skew).
  const int64_t min_ready = MinReadySeconds(ds_);
  if (min_ready > 0 && counts.ready != counts.available) {
    env_.enqueue_after(key_, std::chrono::seconds(min_ready));
  }
  return Status::Ok();
}

}  // namespace skiff::controllers::daemonset
