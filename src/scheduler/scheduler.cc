#include "scheduler/scheduler.h"

#include "scheduler/json_access.h"

#include "api/object_util.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"
#include "skiff/common/log.h"

namespace skiff::scheduler {
namespace {

using nlohmann::json;

const json& Member(const json& obj, const char* key) { return internal::At(obj, key); }

std::string Str(const json& obj, const char* a, const char* b) {
  const json& v = Member(Member(obj, a), b);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// metadata.resourceVersion as a number (skiff's are store revisions); 0 when absent.
int64_t Revision(const json& obj) {
  try {
    return std::stoll(Str(obj, "metadata", "resourceVersion"));
  } catch (const std::exception&) {
    return 0;
  }
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
    : client_(client),
      events_(events),
      options_(std::move(options)),
      queue_(options_.queue),
      pods_(informers.For(client::Pods())),
      budget_informer_(informers.For(client::PodDisruptionBudgets())),
      claims_(informers.For(client::PersistentVolumeClaims())),
      volumes_(informers.For(client::PersistentVolumes())),
      classes_(informers.For(client::StorageClasses())) {
  informers.For(client::Nodes())
      .AddHandler(
          {[this](const client::ObjectPtr& n) { OnNode(nullptr, n); },
           [this](const client::ObjectPtr& old_n, const client::ObjectPtr& n) { OnNode(old_n, n); },
           [this](const client::ObjectPtr& n) { OnNodeDeleted(n); }});
  pods_.AddHandler(
      {[this](const client::ObjectPtr& p) { OnPod(nullptr, p); },
       [this](const client::ObjectPtr& old_p, const client::ObjectPtr& p) { OnPod(old_p, p); },
       [this](const client::ObjectPtr& p) { OnPodDeleted(p); }});
  for (client::Informer* i : {&claims_, &classes_}) {
    i->AddHandler({[this](const client::ObjectPtr&) { OnVolumeObjectChanged(); },
                   [this](const client::ObjectPtr&, const client::ObjectPtr&) {
                     OnVolumeObjectChanged();
                   },
                   [this](const client::ObjectPtr&) { OnVolumeObjectChanged(); }});
  }
  volumes_.AddHandler({[this](const client::ObjectPtr& v) { OnVolumeSeen(*v, false); },
                       [this](const client::ObjectPtr&, const client::ObjectPtr& v) {
                         OnVolumeSeen(*v, false);
                       },
                       [this](const client::ObjectPtr& v) { OnVolumeSeen(*v, true); }});
  budget_informer_.AddHandler(
      {[this](const client::ObjectPtr&) { OnBudgetsChanged(); },
       [this](const client::ObjectPtr&, const client::ObjectPtr&) { OnBudgetsChanged(); },
       [this](const client::ObjectPtr&) { OnBudgetsChanged(); }});
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

void Scheduler::NominateLocked(const std::string& uid, const std::string& node,
                               std::shared_ptr<const PodInfo> pod) {
  if (auto it = nominated_node_.find(uid); it != nominated_node_.end() && it->second == node) {
    for (auto& p : nominated_[node]) {
      if (p->uid == uid) p = std::move(pod);
    }
    return;
  }
  UnnominateLocked(uid);
  nominated_[node].push_back(std::move(pod));
  nominated_node_[uid] = node;
}

void Scheduler::UnnominateLocked(const std::string& uid) {
  auto it = nominated_node_.find(uid);
  if (it == nominated_node_.end()) return;
  auto list = nominated_.find(it->second);
  if (list != nominated_.end()) {
    std::erase_if(list->second, [&](const auto& p) { return p->uid == uid; });
    if (list->second.empty()) nominated_.erase(list);
  }
  nominated_node_.erase(it);
}

void Scheduler::OnBudgetsChanged() {
  std::vector<DisruptionBudget> budgets;
  for (const client::ObjectPtr& pdb : budget_informer_.List()) {
    budgets.push_back(ParseDisruptionBudget(*pdb));
  }
  std::lock_guard lock(mu_);
  budgets_ = std::move(budgets);
}

bool Scheduler::UnplaceLocked(const std::string& uid) {
  auto it = placed_.find(uid);
  if (it == placed_.end()) return false;
  if (auto n = nodes_.find(it->second); n != nodes_.end()) n->second.RemovePod(uid);
  placed_.erase(it);
  assumed_.erase(uid);
  return true;
}

void Scheduler::OnPod(const client::ObjectPtr& old_p, const client::ObjectPtr& p) {
  const json& pod = *p;
  const std::string uid = Str(pod, "metadata", "uid");
  const std::string node = Str(pod, "spec", "nodeName");
  if (!node.empty()) {
    queue_.Delete(uid);
    bool freed = false;
    {
      std::lock_guard lock(mu_);
      UnnominateLocked(uid);
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
  // As kube's nominator: an update that neither carries nor removes a nomination (one written
  // before ours arrived) keeps the node this scheduler reserved in memory.
  const std::string nominated = Str(pod, "status", "nominatedNodeName");
  const bool removed = old_p && !Str(*old_p, "status", "nominatedNodeName").empty();
  std::lock_guard lock(mu_);
  if (ours && !nominated.empty()) {
    NominateLocked(uid, nominated, MakePodInfo(pod));
  } else if (!ours || removed) {
    UnnominateLocked(uid);
  } else if (auto it = nominated_node_.find(uid); it != nominated_node_.end()) {
    PodInfo info = ParsePodInfo(pod);
    info.nominated_node_name = it->second;
    NominateLocked(uid, it->second, std::make_shared<const PodInfo>(std::move(info)));
  }
}

void Scheduler::OnPodDeleted(const client::ObjectPtr& p) {
  const std::string uid = Str(*p, "metadata", "uid");
  queue_.Delete(uid);
  bool freed;
  {
    std::lock_guard lock(mu_);
    UnnominateLocked(uid);
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
  std::optional<PreemptionCandidate> preemption;
  std::optional<std::string> nominate;  // see Unschedulable
  std::vector<std::pair<std::string, std::string>> lose_nomination;
  std::vector<VolumeAction> volume_actions;
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
    const PodVolumes volumes = PodVolumes::Build(pod, Listers(), assumed_volumes_);
    DecideOptions decide;
    decide.seed = rotation_++;
    decide.nominated = &nominated_;
    decide.budgets = &budgets_;
    decide.volumes = &volumes;
    PodInfo info = ParsePodInfo(pod);
    if (auto it = nominated_node_.find(uid); it != nominated_node_.end()) {
      info.nominated_node_name = it->second;  // ours may not have reached the object yet
    }
    Decision d = Decide(info, nodes, options_.scores, decide);
    if (d.scheduled()) {
      chosen = d.node;
      UnnominateLocked(uid);
      PlaceLocked(uid, chosen, pod);
      assumed_[uid] = chosen;
      if (!volumes.skip()) {
        volume_actions = volumes.Plan(nodes_[chosen]);
        for (const VolumeAction& a : volume_actions) {
          if (!a.volume.empty()) assumed_volumes_.insert(a.volume);
        }
      }
    } else {
      // No node fits (kube-scheduler's FitError), or there are no nodes at all.
      failure = d.fit_error ? d.fit_error->Error() : d.status.message();
      if (d.preemption) {
        // Lower-priority pods nominated to the node give up their claim on it.
        if (auto it = nominated_.find(d.preemption->node); it != nominated_.end()) {
          std::vector<std::string> lower;
          for (const auto& other : it->second) {
            if (other->uid != uid && other->priority < info.priority) {
              lose_nomination.emplace_back(other->namespace_, other->name);
              lower.push_back(other->uid);
            }
          }
          for (const std::string& u : lower) UnnominateLocked(u);
        }
        PodInfo nominated = info;
        nominated.nominated_node_name = d.preemption->node;
        NominateLocked(uid, d.preemption->node,
                       std::make_shared<const PodInfo>(std::move(nominated)));
        nominate = d.preemption->node;
        preemption = std::move(d.preemption);
      } else if (d.clear_nomination) {
        UnnominateLocked(uid);
        nominate = std::string();
      }
    }
  }
  if (chosen.empty()) {
    if (preemption) {
      Evict(pod, *preemption);
      ClearNominations(lose_nomination);
    }
    return Unschedulable(std::move(q), failure, nominate);
  }
  {
    std::lock_guard lock(bind_mu_);
    binds_.push_back([this, q = std::move(q), chosen, v = std::move(volume_actions)]() mutable {
      Bind(std::move(q), chosen, std::move(v));
    });
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

void Scheduler::Bind(QueuedPod q, std::string node, std::vector<VolumeAction> volumes) {
  const json& pod = *q.pod;
  const std::string uid = Str(pod, "metadata", "uid");
  const std::string ns = Str(pod, "metadata", "namespace");
  const std::string name = Str(pod, "metadata", "name");
  if (!volumes.empty()) {
    Status s = PreBindVolumes(pod, node, volumes);
    {
      std::lock_guard lock(mu_);
      for (const VolumeAction& a : volumes) {
        if (!s.ok()) assumed_volumes_.erase(a.volume);
      }
      if (!s.ok()) {
        if (auto it = assumed_.find(uid); it != assumed_.end() && it->second == node)
          UnplaceLocked(uid);
      }
    }
    if (!s.ok()) {
      if (s.code() == Code::kNotFound) {  // the pod went meanwhile
        queue_.Done(uid);
        return;
      }
      log::Warning("scheduler", "cannot bind a pod's volumes",
                   {{"pod", PodKey(pod)}, {"node", node}, {"error", s.message()}});
      events_.Record(pod, "", "Warning", "FailedScheduling",
                     "running PreBind plugin \"VolumeBinding\": " + s.message());
      queue_.AddBackoff(std::move(q));
      return;
    }
  }
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

VolumeListers Scheduler::Listers() {
  VolumeListers l;
  l.claim = [this](const std::string& ns, const std::string& name) { return claims_.Get(ns, name); };
  l.volume = [this](const std::string& name) { return volumes_.Get("", name); };
  l.storage_class = [this](const std::string& name) { return classes_.Get("", name); };
  l.volumes = [this] { return volumes_.List(); };
  return l;
}

void Scheduler::OnVolumeObjectChanged() {
  { std::lock_guard lock(volume_mu_); }
  volume_cv_.notify_all();
  queue_.MoveAllToActive();
}

void Scheduler::OnVolumeSeen(const json& volume, bool deleted) {
  if (deleted || Member(Member(volume, "spec"), "claimRef").is_object()) {
    std::lock_guard lock(mu_);
    assumed_volumes_.erase(Str(volume, "metadata", "name"));
  }
  OnVolumeObjectChanged();
}

Status Scheduler::PreBindVolumes(const json& pod, const std::string& node,
                                 const std::vector<VolumeAction>& actions) {
  std::map<std::string, int64_t> annotated;  // claim -> the revision our annotation wrote
  for (const VolumeAction& a : actions) {
    const std::string claim = a.claim_namespace + "/" + a.claim_name;
    if (a.volume.empty()) {
      json patch = {{"metadata", {{"annotations", {{apis::kSelectedNodeAnnotation, node}}}}}};
      auto r = client_.MergePatch(client::PersistentVolumeClaims(), a.claim_namespace,
                                  a.claim_name, patch);
      if (!r.ok()) {
        return Status(r.status().code() == Code::kNotFound ? Code::kUnavailable : r.status().code(),
                      "cannot select node " + node + " for persistentvolumeclaim " + claim + ": " +
                          r.status().message());
      }
      annotated[claim] = Revision(*r);
      continue;
    }
    client::ObjectPtr current = volumes_.Get("", a.volume);
    if (!current) return UnavailableError("persistentvolume \"" + a.volume + "\" not found");
    json pv = *current;
    pv["spec"]["claimRef"] = {{"kind", "PersistentVolumeClaim"},
                              {"apiVersion", "v1"},
                              {"namespace", a.claim_namespace},
                              {"name", a.claim_name},
                              {"uid", a.claim_uid}};
    pv["metadata"]["annotations"][apis::kBoundByControllerAnnotation] = "yes";
    auto r = client_.Update(client::PersistentVolumes(), "", pv);
    if (!r.ok()) {
      return Status(r.status().code() == Code::kNotFound ? Code::kUnavailable : r.status().code(),
                    "cannot pre-bind persistentvolume " + a.volume + " to claim " + claim + ": " +
                        r.status().message());
    }
  }
  // Wait until the PersistentVolume controller has bound them all (kube's checkBindings).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  const std::string pod_uid = Str(pod, "metadata", "uid");
  std::unique_lock lock(volume_mu_);
  for (;;) {
    bool all = true;
    for (const VolumeAction& a : actions) {
      const std::string claim = a.claim_namespace + "/" + a.claim_name;
      client::ObjectPtr c = claims_.Get(a.claim_namespace, a.claim_name);
      if (!c || Str(*c, "metadata", "uid") != a.claim_uid) {
        return UnavailableError("persistentvolumeclaim " + claim + " was deleted");
      }
      if (apis::ClaimIsBound(*c)) continue;
      all = false;
      const json& annotations = Member(Member(*c, "metadata"), "annotations");
      // A claim that lost the annotation after ours (the cache has caught up with the write):
      // its provisioner gave up on the node.
      if (a.volume.empty() && !annotations.contains(apis::kSelectedNodeAnnotation) &&
          Revision(*c) > annotated[claim]) {
        return UnavailableError("selectedNode annotation reset for PVC " + claim);
      }
    }
    if (all) return Status::Ok();
    client::ObjectPtr now = pods_.Get(Str(pod, "metadata", "namespace"), Str(pod, "metadata", "name"));
    if (!now || Str(*now, "metadata", "uid") != pod_uid ||
        !Member(Member(*now, "metadata"), "deletionTimestamp").is_null()) {
      return NotFoundError("pod " + PodKey(pod) + " was deleted");
    }
    {
      std::lock_guard stop(bind_mu_);
      if (stopping_) return UnavailableError("the scheduler is stopping");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return UnavailableError("binding volumes: timed out waiting for the condition");
    }
    volume_cv_.wait_for(lock, std::chrono::milliseconds(500));
  }
}

void Scheduler::Evict(const json& pod, const PreemptionCandidate& preemption) {
  const std::string preemptor = PodKey(pod);
  log::Info("scheduler", "preempting lower-priority pods",
            {{"pod", preemptor}, {"node", preemption.node},
             {"victims", std::to_string(preemption.victims.size())}});
  for (const auto& victim : preemption.victims) {
    const std::string key = victim->namespace_ + "/" + victim->name;
    json object = {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata",
                    {{"name", victim->name},
                     {"namespace", victim->namespace_},
                     {"uid", victim->uid}}}};
    // The DisruptionTarget condition tells the victim's owners why it goes.
    if (client::ObjectPtr current = pods_.Get(victim->namespace_, victim->name);
        current && Str(*current, "metadata", "uid") == victim->uid) {
      object = *current;
      json& conditions = object["status"]["conditions"];
      if (!conditions.is_array()) conditions = json::array();
      json kept = json::array();
      for (json& c : conditions) {
        if (c.value("type", "") != "DisruptionTarget") kept.push_back(std::move(c));
      }
      conditions = std::move(kept);
      conditions.push_back({{"type", "DisruptionTarget"},
                            {"status", "True"},
                            {"lastProbeTime", nullptr},
                            {"lastTransitionTime", api::NowRfc3339()},
                            {"reason", "PreemptionByScheduler"},
                            {"message", options_.scheduler_name +
                                            ": preempting to accommodate a higher priority pod"}});
      auto r = client_.Update(client::Pods(), victim->namespace_, object, "status");
      if (!r.ok() && r.status().code() != Code::kNotFound) {
        log::Warning("scheduler", "cannot mark a pod as preempted",
                     {{"pod", key}, {"error", r.status().message()}});
      }
    }
    client::Client::DeleteOptions options;
    options.precondition_uid = victim->uid;
    Status deleted = client_.Delete(client::Pods(), victim->namespace_, victim->name, options);
    if (!deleted.ok() && deleted.code() != Code::kNotFound && deleted.code() != Code::kConflict) {
      log::Warning("scheduler", "cannot delete a preempted pod",
                   {{"pod", key}, {"preemptor", preemptor}, {"error", deleted.message()}});
      continue;
    }
    events_.Record(object, "", "Normal", "Preempted",
                   "Preempted by pod " + Str(pod, "metadata", "uid") + " on node " +
                       preemption.node);
  }
}

void Scheduler::ClearNominations(const std::vector<std::pair<std::string, std::string>>& pods) {
  for (const auto& [ns, name] : pods) {
    auto r = client_.MergePatch(client::Pods(), ns, name,
                                json{{"status", {{"nominatedNodeName", nullptr}}}}, "status");
    if (!r.ok() && r.status().code() != Code::kNotFound) {
      log::Warning("scheduler", "cannot clear a pod's nominated node",
                   {{"pod", ns + "/" + name}, {"error", r.status().message()}});
    }
  }
}

void Scheduler::Unschedulable(QueuedPod q, const std::string& message,
                              const std::optional<std::string>& nominate) {
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
  const std::string nominated = status.value("nominatedNodeName", "");
  const bool same_nomination = !nominate || *nominate == nominated;
  if (nominate) {
    if (nominate->empty()) {
      status.erase("nominatedNodeName");
    } else {
      status["nominatedNodeName"] = *nominate;
    }
  }
  if (!same || !same_nomination) {
    json cond = {
        {"type", "PodScheduled"},
        {"status", "False"},
        {"lastProbeTime", nullptr},
        {"lastTransitionTime", current && current->value("status", "") == "False"
                                   ? current->value("lastTransitionTime", api::NowRfc3339())
                                   : api::NowRfc3339()},
        {"reason", "Unschedulable"},
        {"message", message}};
    if (same) {
      // Only the nomination changes.
    } else if (current) {
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
