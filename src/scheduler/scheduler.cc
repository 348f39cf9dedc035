#include "scheduler/scheduler.h"

#include "scheduler/json_access.h"

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::scheduler {
namespace {

using nlohmann::json;

const json& Member(const json& obj, const char* key) { return internal::At(obj, key); }

std::string Str(const json& obj, const char* a, const char* b) {
  const json& v = Member(Member(obj, a), b);
  return v.is_string() ? v.get<std::string>() : std::string();
}

bool Finished(const json& pod) {
  const std::string phase = Str(pod, "status", "phase");
  return phase == "Succeeded" || phase == "Failed";
}

// What of a Node the filters read: a change elsewhere (heartbeats, conditions) frees nothing.
bool NodeFitChanged(const json& old_node, const json& node) {
  return Member(Member(old_node, "metadata"), "labels") !=
             Member(Member(node, "metadata"), "labels") ||
         Member(old_node, "spec") != Member(node, "spec") ||
         Member(Member(old_node, "status"), "allocatable") !=
             Member(Member(node, "status"), "allocatable");
}

std::string PodKey(const json& pod) {
  return Str(pod, "metadata", "namespace") + "/" + Str(pod, "metadata", "name");
}

}  // namespace

Scheduler::Scheduler(client::Client& client, client::SharedInformerFactory& informers,
                     events::EventRecorder& events, SchedulerOptions options)
    : client_(client), events_(events), options_(std::move(options)), queue_(options_.queue) {
  informers.For(client::Nodes())
      .AddHandler(
          {[this](const client::ObjectPtr& n) { OnNode(nullptr, n); },
           [this](const client::ObjectPtr& old_n, const client::ObjectPtr& n) { OnNode(old_n, n); },
           [this](const client::ObjectPtr& n) { OnNodeDeleted(n); }});
  informers.For(client::Pods())
      .AddHandler({[this](const client::ObjectPtr& p) { OnPod(p); },
                   [this](const client::ObjectPtr&, const client::ObjectPtr& p) { OnPod(p); },
                   [this](const client::ObjectPtr& p) { OnPodDeleted(p); }});
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (started_) return;
  started_ = true;
  for (int i = 0; i < std::max(1, options_.bind_workers); ++i) {
    binders_.emplace_back([this] { RunBinder(); });
  }
  loop_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  queue_.Close();
  {
    std::lock_guard lock(bind_mu_);
    stopping_ = true;
  }
  bind_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  for (std::thread& t : binders_) t.join();
  binders_.clear();
}

void Scheduler::PlaceLocked(const std::string& uid, const std::string& node, const json& pod) {
  if (auto it = placed_.find(uid); it != placed_.end() && it->second != node) {
    if (auto n = nodes_.find(it->second); n != nodes_.end()) n->second.RemovePod(uid);
  }
  nodes_[node].AddPod(pod);  // replaces the pod when it is there already
  placed_[uid] = node;
}

bool Scheduler::UnplaceLocked(const std::string& uid) {
  auto it = placed_.find(uid);
  if (it == placed_.end()) return false;
  if (auto n = nodes_.find(it->second); n != nodes_.end()) n->second.RemovePod(uid);
  placed_.erase(it);
  assumed_.erase(uid);
  return true;
}

void Scheduler::OnPod(const client::ObjectPtr& p) {
  const json& pod = *p;
  const std::string uid = Str(pod, "metadata", "uid");
  const std::string node = Str(pod, "spec", "nodeName");
  if (!node.empty()) {
    queue_.Delete(uid);
    bool freed = false;
    {
      std::lock_guard lock(mu_);
      if (Finished(pod)) {
        freed = UnplaceLocked(uid);
      } else {
        assumed_.erase(uid);  // the informer's view replaces the assumption
        PlaceLocked(uid, node, pod);
      }
    }
    if (freed) queue_.MoveAllToActive();
    return;
  }
  const json& spec = Member(pod, "spec");
  const json& gates = Member(spec, "schedulingGates");
  const std::string name = Member(spec, "schedulerName").is_string()
                               ? spec["schedulerName"].get<std::string>()
                               : std::string("default-scheduler");
  const bool ours = name == options_.scheduler_name && !Finished(pod) &&
                    Member(Member(pod, "metadata"), "deletionTimestamp").is_null() &&
                    (!gates.is_array() || gates.empty());
  if (ours) {
    queue_.AddOrUpdate(p);
  } else {
    queue_.Delete(uid);
  }
}

void Scheduler::OnPodDeleted(const client::ObjectPtr& p) {
  const std::string uid = Str(*p, "metadata", "uid");
  queue_.Delete(uid);
  bool freed;
  {
    std::lock_guard lock(mu_);
    freed = UnplaceLocked(uid);
  }
  if (freed) queue_.MoveAllToActive();
}

void Scheduler::OnNode(const client::ObjectPtr& old_node, const client::ObjectPtr& node) {
  {
    std::lock_guard lock(mu_);
    nodes_[Str(*node, "metadata", "name")].SetNode(*node);
  }
  if (!old_node || NodeFitChanged(*old_node, *node)) queue_.MoveAllToActive();
}

void Scheduler::OnNodeDeleted(const client::ObjectPtr& node) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Str(*node, "metadata", "name"));
  if (it == nodes_.end()) return;
  // Pods still counted there keep their entries in placed_ until they go themselves.
  NodeInfo pods_only;
  for (const auto& pod : it->second.pods()) pods_only.AddPod(pod);
  it->second = std::move(pods_only);
}

void Scheduler::Loop() {
  while (auto q = queue_.Pop()) ScheduleOne(std::move(*q));
}

void Scheduler::ScheduleOne(QueuedPod q) {
  const json& pod = *q.pod;
  const std::string uid = Str(pod, "metadata", "uid");
  std::string chosen;
  std::string failure;
  {
    std::lock_guard lock(mu_);
    if (placed_.count(uid)) {  // bound meanwhile (or by someone else)
      queue_.Done(uid);
      return;
    }
    std::vector<const NodeInfo*> nodes;
    nodes.reserve(nodes_.size());
    for (const auto& [name, info] : nodes_) {
      if (info.has_node()) nodes.push_back(&info);
    }
    DecideOptions decide;
    decide.seed = rotation_++;
    Decision d = Decide(pod, nodes, options_.scores, decide);
    if (d.scheduled()) {
      chosen = d.node;
      PlaceLocked(uid, chosen, pod);
      assumed_[uid] = chosen;
    } else {
      // No node fits (kube-scheduler's FitError), or there are no nodes at all.
      failure = d.fit_error ? d.fit_error->Error() : d.status.message();
    }
  }
  if (chosen.empty()) return Unschedulable(std::move(q), failure);
  {
    std::lock_guard lock(bind_mu_);
    binds_.push_back([this, q = std::move(q), chosen]() mutable { Bind(std::move(q), chosen); });
  }
  bind_cv_.notify_one();
}

void Scheduler::RunBinder() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(bind_mu_);
      bind_cv_.wait(lock, [this] { return stopping_ || !binds_.empty(); });
      if (binds_.empty()) return;  // stopping, and everything queued was bound
      job = std::move(binds_.front());
      binds_.pop_front();
    }
    job();
  }
}

void Scheduler::Bind(QueuedPod q, std::string node) {
  const json& pod = *q.pod;
  const std::string uid = Str(pod, "metadata", "uid");
  const std::string ns = Str(pod, "metadata", "namespace");
  const std::string name = Str(pod, "metadata", "name");
  json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", name}, {"namespace", ns}, {"uid", uid}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  auto bound = client_.CreateSubresource(client::Pods(), ns, name, "binding", binding);
  if (bound.ok()) {
    ++bound_;
    queue_.Done(uid);
    events_.Record(pod, "", "Normal", "Scheduled",
                   "Successfully assigned " + ns + "/" + name + " to " + node);
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = assumed_.find(uid); it != assumed_.end() && it->second == node)
      UnplaceLocked(uid);
  }
  const Status& s = bound.status();
  if (s.code() == Code::kNotFound || s.code() == Code::kConflict) {
    // Gone, being deleted, or bound by someone else: the informer says what happens next.
    log::Debug("scheduler", "binding not needed any more",
               {{"pod", PodKey(pod)}, {"error", s.message()}});
    queue_.Done(uid);
    return;
  }
  log::Warning("scheduler", "cannot bind a pod",
               {{"pod", PodKey(pod)}, {"node", node}, {"error", s.message()}});
  events_.Record(pod, "", "Warning", "FailedScheduling", "Binding rejected: " + s.message());
  queue_.AddBackoff(std::move(q));
}

void Scheduler::Unschedulable(QueuedPod q, const std::string& message) {
  const json& pod = *q.pod;
  log::Debug("scheduler", "pod does not fit", {{"pod", PodKey(pod)}, {"reason", message}});
  events_.Record(pod, "", "Warning", "FailedScheduling", message);
  // PodScheduled=False with the reason, unless the pod says so already.
  json status = Member(pod, "status");
  json& conditions = status["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  json* current = nullptr;
  for (json& c : conditions) {
    if (c.value("type", "") == "PodScheduled") current = &c;
  }
  const bool same = current && current->value("status", "") == "False" &&
                    current->value("reason", "") == "Unschedulable" &&
                    current->value("message", "") == message;
  if (!same) {
    json cond = {
        {"type", "PodScheduled"},
        {"status", "False"},
        {"lastProbeTime", nullptr},
        {"lastTransitionTime", current && current->value("status", "") == "False"
                                   ? current->value("lastTransitionTime", api::NowRfc3339())
                                   : api::NowRfc3339()},
        {"reason", "Unschedulable"},
        {"message", message}};
    if (current) {
      *current = std::move(cond);
    } else {
      conditions.push_back(std::move(cond));
    }
    json updated = pod;
    updated["status"] = std::move(status);
    auto r = client_.Update(client::Pods(), Str(pod, "metadata", "namespace"), updated, "status");
    if (!r.ok() && r.status().code() != Code::kConflict && r.status().code() != Code::kNotFound) {
      log::Warning("scheduler", "cannot record why a pod does not fit",
                   {{"pod", PodKey(pod)}, {"error", r.status().message()}});
    }
  }
  queue_.AddUnschedulable(std::move(q));
}

}  // namespace skiff::scheduler
