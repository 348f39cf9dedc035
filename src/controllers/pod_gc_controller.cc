#include "controllers/pod_gc_controller.h"

#include <algorithm>
#include <set>

#include "api/object_util.h"
#include "controllers/node_taints.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "pod-garbage-collector";
constexpr char kGcKey[] = "gc";

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Phase(const json& pod) { return api::GetString(pod, {"status", "phase"}); }
bool IsTerminal(const std::string& phase) { return phase == "Succeeded" || phase == "Failed"; }
bool IsTerminating(const json& pod) {
  return api::Find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
}
// eviction.PodIsEvicted.
bool IsEvicted(const json& pod) {
  return Phase(pod) == "Failed" && api::GetString(pod, {"status", "reason"}) == "Evicted";
}

// byEvictionAndCreationTimestamp: evicted first, then oldest, then by name.
void SortForDeletion(std::vector<client::ObjectPtr>& pods) {
  auto created = [](const json& pod) {
    return ParseTime(api::GetString(pod, {"metadata", "creationTimestamp"}))
        .value_or(std::chrono::system_clock::time_point{});
  };
  std::sort(pods.begin(), pods.end(), [&](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    if (IsEvicted(*a) != IsEvicted(*b)) return IsEvicted(*a);
    const auto ca = created(*a), cb = created(*b);
    if (ca != cb) return ca < cb;
    return Name(*a) < Name(*b);
  });
}

void Keep(Status& first, const Status& s) {
  if (first.ok() && !s.ok()) first = s;
}

}  // namespace

PodGcController::PodGcController(client::Client& client, client::SharedInformerFactory& informers,
                                 PodGcControllerOptions options)
    : client_(client),
      node_informer_(informers.For(client::Nodes())),
      pod_informer_(informers.For(client::Pods())),
      options_(std::move(options)),
      loop_(ControllerLoopOptions{kComponent, 1, options_.base_backoff, options_.max_backoff},
            [this](const std::string&) { return Gc(); }) {}

PodGcController::~PodGcController() { Stop(); }

void PodGcController::Start() {
  loop_.Start();
  loop_.Enqueue(kGcKey);
}

void PodGcController::Stop() { loop_.Stop(); }

Status PodGcController::Gc() {
  std::lock_guard pass(pass_mu_);
  loop_.EnqueueAfter(kGcKey, options_.gc_period);
  if (!node_informer_.HasSynced() || !pod_informer_.HasSynced()) {
    return UnavailableError("the node and pod caches have not synced yet");
  }
  const Time now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  const std::vector<client::ObjectPtr> pods = pod_informer_.List();
  Status first;
  if (options_.terminated_pod_threshold > 0) Keep(first, GcTerminated(pods, now));
  Keep(first, GcTerminating(pods, now));
  Keep(first, GcOrphaned(pods, now));
  Keep(first, GcUnscheduledTerminating(pods, now));
  return first;
}

Status PodGcController::GcTerminated(const std::vector<client::ObjectPtr>& pods, Time now) {
  std::vector<client::ObjectPtr> terminated;
  for (const auto& pod : pods) {
    if (IsTerminal(Phase(*pod))) terminated.push_back(pod);
  }
  const int excess = static_cast<int>(terminated.size()) - options_.terminated_pod_threshold;
  if (excess <= 0) return Status::Ok();
  log::Info(kComponent, "garbage collecting terminated pods", {{"count", std::to_string(excess)}});
  SortForDeletion(terminated);
  Status first;
  for (int i = 0; i < excess; ++i) Keep(first, MarkFailedAndDelete(*terminated[i], nullptr, now));
  return first;
}

Status PodGcController::GcTerminating(const std::vector<client::ObjectPtr>& pods, Time now) {
  std::vector<client::ObjectPtr> victims;
  for (const auto& pod : pods) {
    if (!IsTerminating(*pod)) continue;
    client::ObjectPtr node = node_informer_.Get(api::GetString(*pod, {"spec", "nodeName"}));
    if (node && !IsNodeReady(*node) && HasTaintKey(*node, kTaintOutOfService)) {
      victims.push_back(pod);
    }
  }
  SortForDeletion(victims);
  Status first;
  for (const auto& pod : victims) Keep(first, MarkFailedAndDelete(*pod, nullptr, now));
  return first;
}

Status PodGcController::GcOrphaned(const std::vector<client::ObjectPtr>& pods, Time now) {
  std::set<std::string> missing;
  for (const auto& pod : pods) {
    const std::string node = api::GetString(*pod, {"spec", "nodeName"});
    if (!node.empty() && !node_informer_.Get(node)) missing.insert(node);
  }
  // Newly missing nodes start their quarantine.
  for (const std::string& node : missing) quarantined_.emplace(node, now + options_.quarantine);
  // Nodes whose quarantine is over are checked against the API.
  std::set<std::string> deleted;
  for (auto it = quarantined_.begin(); it != quarantined_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    const std::string node = it->first;
    it = quarantined_.erase(it);
    if (node_informer_.Get(node)) continue;
    auto live = client_.Get(client::Nodes(), "", node);
    if (live.ok()) continue;
    if (live.status().code() == Code::kNotFound) {
      deleted.insert(node);
    } else {
      log::Warning(kComponent, "cannot read a node",
                   {{"node", node}, {"error", live.status().message()}});
    }
  }
  Status first;
  const json condition = {{"type", "DisruptionTarget"},
                          {"status", "True"},
                          {"reason", "DeletionByPodGC"},
                          {"message", "PodGC: node no longer exists"}};
  for (const auto& pod : pods) {
    const std::string node = api::GetString(*pod, {"spec", "nodeName"});
    if (!deleted.count(node)) continue;
    log::Info(kComponent, "deleting a pod whose node is gone",
              {{"pod", client::KeyOf(*pod)}, {"node", node}});
    Keep(first, MarkFailedAndDelete(*pod, condition, now));
  }
  return first;
}

Status PodGcController::GcUnscheduledTerminating(const std::vector<client::ObjectPtr>& pods,
                                                 Time now) {
  Status first;
  for (const auto& pod : pods) {
    if (!IsTerminating(*pod) || !api::GetString(*pod, {"spec", "nodeName"}).empty()) continue;
    log::Info(kComponent, "deleting an unscheduled terminating pod",
              {{"pod", client::KeyOf(*pod)}});
    Keep(first, MarkFailedAndDelete(*pod, nullptr, now));
  }
  return first;
}

Status PodGcController::MarkFailedAndDelete(const json& pod, const json& condition, Time now) {
  const std::string ns = api::GetString(pod, {"metadata", "namespace"});
  const std::string name = Name(pod);
  const std::string uid = api::GetString(pod, {"metadata", "uid"});
  if (!IsTerminal(Phase(pod))) {
    json failed = pod;
    failed["status"]["phase"] = "Failed";
    if (condition.is_object()) UpdatePodCondition(failed["status"], condition, now);
    auto written = client_.Update(client::Pods(), ns, failed, "status");
    if (!written.ok()) {
      if (written.status().code() == Code::kNotFound) return Status::Ok();
      log::Warning(kComponent, "cannot mark a pod failed",
                   {{"pod", ns + "/" + name}, {"error", written.status().message()}});
      return written.status();
    }
  }
  client::Client::DeleteOptions options;
  options.grace_period_seconds = 0;
  options.precondition_uid = uid;
  Status deleted = client_.Delete(client::Pods(), ns, name, options);
  if (deleted.ok() || deleted.code() == Code::kNotFound) return Status::Ok();
  log::Warning(kComponent, "cannot delete a pod",
               {{"pod", ns + "/" + name}, {"error", deleted.message()}});
  return deleted;
}

}  // namespace skiff::controllers
