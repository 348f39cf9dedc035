#include "pod_worker.h"

#include <future>
#include <vector>

#include "api/object_util.h"
#include "lifecycle_hooks.h"
#include "pod_status.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

constexpr int64_t kInitialBackoffMs = 10'000;
constexpr int64_t kMaxBackoffMs = 300'000;
// A running pod is looked at again after this long even when nothing happened (kubelet's
// sync frequency): exits, lost shims and probe results poke it sooner.
constexpr auto kRunningResync = std::chrono::seconds(60);
// Tearing down a pod that could not be torn down is tried again after this long.
constexpr auto kSandboxRetry = std::chrono::seconds(5);
// A failed volume/sandbox set-up is retried with kubelet's volume back-off (its
// exponentialbackoff package: 500 ms doubling to 2m2s).
constexpr int64_t kSandboxInitialBackoffMs = 500;
constexpr int64_t kSandboxMaxBackoffMs = 122'000;
constexpr auto kTerminalRecheck = std::chrono::milliseconds(200);
// kubelet's minimum grace period: an eviction's override of 0 is raised to it, and the stop
// signal still gets it after a preStop hook used up the rest.
constexpr auto kMinimumGrace = std::chrono::seconds(2);

std::string PodKey(const json& pod) {
  return pod["metadata"].value("namespace", "") + "/" + pod["metadata"].value("name", "");
}

bool Terminal(const json& pod) {
  const std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  return phase == "Succeeded" || phase == "Failed";
}

int64_t ParseMs(const std::string& rfc3339) {
  std::chrono::system_clock::time_point tp;
  if (!api::ParseRfc3339(rfc3339, &tp)) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
}

// Adds a record for every container of the spec that has none yet (init first, spec order).
void EnsureEntries(const json& pod, PodRecord* record) {
  std::vector<ContainerRecord> ordered;
  for (const char* field : {"initContainers", "containers"}) {
    const bool init = std::string(field) == "initContainers";
    if (!pod["spec"].contains(field)) continue;
    for (const json& spec : pod["spec"][field]) {
      const std::string name = spec.value("name", "");
      if (ContainerRecord* existing = record->Find(name, init)) {
        ordered.push_back(*existing);
        continue;
      }
      ContainerRecord c;
      c.name = name;
      c.init = init;
      c.image = spec.value("image", "");
      c.reason = init ? "PodInitializing" : "ContainerCreating";
      ordered.push_back(std::move(c));
    }
  }
  // The first init container waits in PodInitializing too; app containers wait behind init.
  record->containers = std::move(ordered);
}

const json* SpecOf(const json& pod, const ContainerRecord& c) {
  const char* field = c.init ? "initContainers" : "containers";
  if (!pod["spec"].contains(field)) return nullptr;
  for (const json& spec : pod["spec"][field]) {
    if (spec.value("name", "") == c.name) return &spec;
  }
  return nullptr;
}

int64_t NextBackoff(int64_t current) {
  return current == 0 ? kInitialBackoffMs : std::min(current * 2, kMaxBackoffMs);
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ContainerFieldPath(const ContainerRecord& c) {
  return std::string(c.init ? "spec.initContainers{" : "spec.containers{") + c.name + "}";
}

SyncResult PodWorker::Sync(const std::string& uid, const std::optional<json>& pod) {
  const std::string dir = runtime_.PodDir(uid);
  PodRecord record;
  bool from_spare = false;  // record.json was damaged: save the record again
  auto loaded = LoadRecord(dir, &from_spare);
  bool have_record = loaded.ok();
  json saved;  // the record as on disk, to skip rewriting an unchanged one
  if (have_record) {
    record = std::move(*loaded);
    if (!from_spare) saved = RecordToJson(record);
  } else if (loaded.status().code() != Code::kNotFound) {
    log::Warning("agent", "pod record unreadable; starting it afresh",
                 {{"uid", uid}, {"error", loaded.status().message()}});
  }
  Eviction eviction = TakeEviction(uid);
  if (!pod || api::Find(*pod, {"metadata", "deletionTimestamp"})) {
    prober_.Forget(uid);
    ForgetSandboxBackoff(uid);
    return Terminate(uid, pod, &record);
  }
  record.uid = uid;
  record.ns = (*pod)["metadata"].value("namespace", "");
  record.name = (*pod)["metadata"].value("name", "");
  if (Terminal(*pod)) {
    prober_.Forget(uid);
    ForgetSandboxBackoff(uid);
    // Nothing runs for a finished pod; free its network and shim, keep its logs.
    if (have_record) {
      if (Status s = RemoveContainers(PodKey(*pod), &record); !s.ok()) return {kSandboxRetry, false};
      if (Status s = runtime_.TearDownSandbox(&record, false); !s.ok()) {
        log::Warning("agent", "cannot tear down a finished pod", {{"pod", PodKey(*pod)}, {"error", s.message()}});
        return {kSandboxRetry, false};
      }
    }
    return {};
  }
  EnsureEntries(*pod, &record);
  bool refused = false;  // (a refused pod never starts)
  if (!have_record && eviction.event_message.empty()) {
    eviction = Admit(*pod);
    refused = !eviction.event_message.empty();
  }
  if (record.start_time.empty() && !refused) record.start_time = api::NowRfc3339();
  if (!eviction.event_message.empty() && record.eviction_message.empty()) {
    record.eviction_message = eviction.status_message;
    record.disruption_target = eviction.disruption_target;
    log::Info("agent", refused ? "pod refused" : "evicting pod",
              {{"pod", PodKey(*pod)}, {"reason", eviction.event_message}});
    events_.Record(*pod, "", "Warning", "Evicted", eviction.event_message);
    if (Status s = SaveRecord(dir, record); !s.ok()) {
      log::Error("agent", "cannot save the pod record", {{"pod", PodKey(*pod)}, {"error", s.message()}});
    }
  }
  if (!record.eviction_message.empty()) {
    // Nothing starts again; what runs is killed, then the pod is Failed (and torn down on the
    // pass that sees the terminal status).
    StopRunning(*pod, &record, kMinimumGrace);
    Observe(*pod, &record);
    if (Status s = SaveRecord(dir, record); !s.ok()) {
      log::Error("agent", "cannot save the pod record", {{"pod", PodKey(*pod)}, {"error", s.message()}});
    }
    PostStatus(*pod, record);
    return {kTerminalRecheck, false};
  }

  if (!record.sandbox_ready) {
    // Backing off after a failed try: a pass that comes sooner (a pod update) waits too.
    if (const int64_t wait = SandboxWaitMs(uid); wait > 0) {
      return {std::chrono::milliseconds(wait), false};
    }
    Status s = runtime_.SetUpSandbox(*pod, &record, EventsAbout(*pod));
    if (!s.ok()) {
      const auto wait = SandboxFailed(uid);
      log::Warning("agent", "cannot create the pod sandbox",
                   {{"pod", PodKey(*pod)}, {"error", s.message()},
                    {"retry_in_ms", std::to_string(wait.count())}});
      (void)SaveRecord(dir, record);
      PostStatus(*pod, record);
      return {wait, false};
    }
    ForgetSandboxBackoff(uid);
  } else if (Status s = runtime_.RefreshVolumes(*pod, record); !s.ok()) {
    log::Warning("agent", "cannot refresh pod volumes", {{"pod", PodKey(*pod)}, {"error", s.message()}});
  }
  ActOnProbes(*pod, &record);
  Observe(*pod, &record);
  const int64_t retry_at = RunContainers(*pod, &record);
  prober_.Sync(*pod, record);
  for (ContainerRecord& c : record.containers) {
    c.probe_started = prober_.Started(c.id);
    c.probe_ready = prober_.Ready(c.id);
  }
  // A running pod's resync usually changes nothing: no write (and fsync) then.
  if (Status s = saved == RecordToJson(record) ? Status::Ok() : SaveRecord(dir, record); !s.ok()) {
    log::Error("agent", "cannot save the pod record", {{"pod", PodKey(*pod)}, {"error", s.message()}});
  }
  PostStatus(*pod, record);

  SyncResult result;
  bool running = false;
  for (const ContainerRecord& c : record.containers) {
    running = running || c.state == ContainerRecord::State::kRunning;
  }
  if (running) result.requeue_after = kRunningResync;
  if (retry_at > 0) {
    auto wait = std::chrono::milliseconds(std::max<int64_t>(retry_at - NowMs(), 1));
    if (result.requeue_after.count() == 0 || wait < result.requeue_after) result.requeue_after = wait;
  }
  if (PodPhase(*pod, record) == "Succeeded" || PodPhase(*pod, record) == "Failed") {
    // Tear down on a later pass, once the terminal status is back from the API (a pass on the
    // pod as listed before it would only compute the same status again).
    result.requeue_after = kTerminalRecheck;
  }
  return result;
}

int64_t PodWorker::SandboxWaitMs(const std::string& uid) {
  std::lock_guard lock(sandbox_backoff_mu_);
  auto it = sandbox_backoff_.find(uid);
  return it == sandbox_backoff_.end() ? 0 : std::max<int64_t>(it->second.next_try_ms - NowMs(), 0);
}

std::chrono::milliseconds PodWorker::SandboxFailed(const std::string& uid) {
  std::lock_guard lock(sandbox_backoff_mu_);
  SandboxBackoff& b = sandbox_backoff_[uid];
  b.delay_ms = b.delay_ms == 0 ? kSandboxInitialBackoffMs
                               : std::min(b.delay_ms * 2, kSandboxMaxBackoffMs);
  b.next_try_ms = NowMs() + b.delay_ms;
  return std::chrono::milliseconds(b.delay_ms);
}

void PodWorker::ForgetSandboxBackoff(const std::string& uid) {
  std::lock_guard lock(sandbox_backoff_mu_);
  sandbox_backoff_.erase(uid);
}

void PodWorker::Observe(const json& pod, PodRecord* record) {
  for (ContainerRecord& c : record->containers) {
    if (c.state != ContainerRecord::State::kRunning) continue;
    ObservedTask t = runtime_.Inspect(*record, c);
    if (t.running) continue;
    Termination term;
    term.exit_code = t.exists ? t.exit_code : 137;
    term.reason = !t.exists         ? "ContainerStatusUnknown"
                  : t.oom_killed    ? "OOMKilled"
                  : t.exit_code == 0 ? "Completed"
                                     : "Error";
    if (!t.exists) term.message = "The container could not be located when the pod was terminated";
    term.message = t.termination_message.empty() ? term.message : t.termination_message;
    term.started_at = c.started_at;
    term.finished_at = t.finished_at.empty() ? api::NowRfc3339() : t.finished_at;
    term.container_id = "containerd://" + c.id;
    c.state = ContainerRecord::State::kTerminated;
    c.terminated = term;
    c.reason.clear();
    c.message.clear();
    log::Info("agent", "container exited",
              {{"pod", PodKey(pod)}, {"container", c.name}, {"exitCode", std::to_string(term.exit_code)},
               {"reason", term.reason}});
    if (Status s = runtime_.RemoveContainer(*record, c); !s.ok()) {
      log::Warning("agent", "cannot remove an exited container",
                   {{"pod", PodKey(pod)}, {"container", c.name}, {"error", s.message()}});
    }
    // A container that ran for a while earns a fresh backoff (kubelet resets after quiet).
    if (ParseMs(term.finished_at) - ParseMs(term.started_at) > 10 * 60 * 1000) c.backoff_ms = 0;
  }
}

int64_t PodWorker::RunContainers(const json& pod, PodRecord* record) {
  const std::string policy = pod["spec"].value("restartPolicy", "Always");
  const int64_t now = NowMs();
  // Starts `c` (restarting it when it exited), unless it is backing off. Returns the time
  // it may start when it has to wait, else 0.
  auto attempt = [&](ContainerRecord& c) -> int64_t {
    const json* spec = SpecOf(pod, c);
    if (!spec) return 0;
    if (c.terminated) {
      // The first restart is immediate; each later one waits twice as long (up to 5 min).
      c.last_terminated = c.terminated;
      c.terminated.reset();
      c.state = ContainerRecord::State::kWaiting;
      c.retry_at_ms = 0;
      if (c.backoff_ms > 0) {
        c.retry_at_ms = ParseMs(c.last_terminated->finished_at) + c.backoff_ms;
        c.reason = "CrashLoopBackOff";
        c.message = "back-off " + std::to_string(c.backoff_ms / 1000) +
                    "s restarting failed container=" + c.name + " pod=" + record->name + "_" +
                    record->ns + "(" + record->uid + ")";
        if (c.retry_at_ms > now) {
          events_.Record(pod, ContainerFieldPath(c), "Warning", "BackOff",
                         "Back-off restarting failed container " + c.name + " in pod " +
                             record->name + "_" + record->ns + "(" + record->uid + ")");
        }
      }
      c.backoff_ms = NextBackoff(c.backoff_ms);
    }
    if (c.retry_at_ms > now) {
      if (c.reason == "ErrImagePull") {
        c.reason = "ImagePullBackOff";
        c.message = "Back-off pulling image \"" + c.image + "\"";
        events_.Record(pod, ContainerFieldPath(c), "Normal", "BackOff", c.message);
      }
      return c.retry_at_ms;
    }
    c.retry_at_ms = 0;
    StartOne(pod, *spec, record, &c);
    return c.state == ContainerRecord::State::kWaiting && c.retry_at_ms > 0 ? c.retry_at_ms : 0;
  };
  auto wants_restart = [&](const ContainerRecord& c) {
    if (!c.terminated) return false;
    if (c.init) return policy != "Never" && c.terminated->exit_code != 0;
    return policy == "Always" || (policy == "OnFailure" && c.terminated->exit_code != 0);
  };

  for (ContainerRecord& c : record->containers) {
    if (!c.init) continue;
    if (c.state == ContainerRecord::State::kRunning) return 0;
    if (c.state == ContainerRecord::State::kTerminated) {
      if (c.terminated->exit_code == 0) continue;
      if (!wants_restart(c)) return 0;  // restartPolicy Never: the pod has failed
      return attempt(c);
    }
    return attempt(c);
  }
  int64_t soonest = 0;
  auto keep_soonest = [&](int64_t t) {
    if (t > 0 && (soonest == 0 || t < soonest)) soonest = t;
  };
  for (ContainerRecord& c : record->containers) {
    if (c.init) continue;
    if (c.state == ContainerRecord::State::kRunning) continue;
    if (c.state == ContainerRecord::State::kTerminated) {
      if (wants_restart(c)) keep_soonest(attempt(c));
      continue;
    }
    keep_soonest(attempt(c));
  }
  return soonest;
}

bool PodWorker::StartOne(const json& pod, const json& spec, PodRecord* record, ContainerRecord* c) {
  const PodEventSink sink = EventsAbout(pod);
  const int previous_restarts = c->restart_count;
  const bool restart = c->last_terminated.has_value();
  if (restart) c->restart_count = previous_restarts + 1;
  c->image = spec.value("image", "");
  std::optional<StartFailure> failure = runtime_.StartContainer(pod, spec, record, c, sink);
  if (!failure) {
    c->state = ContainerRecord::State::kRunning;
    c->reason.clear();
    c->message.clear();
    if (const json* post_start = api::Find(spec, {"lifecycle", "postStart"})) {
      const auto grace = std::chrono::seconds(
          std::max<int64_t>(pod["spec"].value("terminationGracePeriodSeconds", int64_t{30}), 1));
      ProbeOutcome out = RunLifecycleHandler(*post_start, *record, *c, spec, grace, exec_);
      if (!out.success) {
        // Killed; the next pass sees the exit and restarts it by policy.
        log::Warning("agent", "postStart hook failed",
                     {{"pod", PodKey(pod)}, {"container", c->name}, {"error", out.message}});
        sink(ContainerFieldPath(*c), "Warning", "FailedPostStartHook", "PostStartHook failed");
        KillContainer(&pod, *record, *c, grace, "FailedPostStartHook");
      }
    }
    return true;
  }
  log::Warning("agent", "cannot start a container",
               {{"pod", PodKey(pod)}, {"container", c->name}, {"reason", failure->reason},
                {"error", failure->message}});
  c->backoff_ms = NextBackoff(c->backoff_ms);
  if (failure->terminated) {
    // The process could not run: a finished attempt (exit 128), restarted per policy.
    Termination t;
    t.exit_code = 128;
    t.reason = failure->reason;
    t.message = failure->message;
    t.started_at = t.finished_at = api::NowRfc3339();
    t.container_id = c->id.empty() ? "" : "containerd://" + c->id;
    c->state = ContainerRecord::State::kTerminated;
    c->terminated = t;
    c->reason.clear();
    c->message.clear();
    return false;
  }
  if (restart) c->restart_count = previous_restarts;  // nothing ran: not a restart
  c->state = ContainerRecord::State::kWaiting;
  c->reason = failure->reason;
  c->message = failure->message;
  c->retry_at_ms = NowMs() + c->backoff_ms;
  return false;
}

Status PodWorker::RemoveContainers(const std::string& pod_key, PodRecord* record) {
  Status first = Status::Ok();
  for (ContainerRecord& c : record->containers) {
    if (c.id.empty()) continue;
    if (Status s = runtime_.RemoveContainer(*record, c); !s.ok()) {
      log::Warning("agent", "cannot remove a container; will retry",
                   {{"pod", pod_key}, {"container", c.name}, {"error", s.message()}});
      if (first.ok()) first = Status(s.code(), "container " + c.name + ": " + s.message());
    }
  }
  return first;
}

SyncResult PodWorker::Terminate(const std::string& uid, const std::optional<json>& pod,
                                PodRecord* record) {
  int64_t grace = 30;
  if (pod) {
    const json& meta = (*pod)["metadata"];
    if (meta.contains("deletionGracePeriodSeconds") && meta["deletionGracePeriodSeconds"].is_number()) {
      grace = meta["deletionGracePeriodSeconds"].get<int64_t>();
    } else {
      grace = (*pod)["spec"].value("terminationGracePeriodSeconds", int64_t{30});
    }
  } else {
    grace = 2;  // force-deleted: kubelet still gives the processes a moment
  }
  if (grace < 1) grace = 1;
  StopRunning(pod, record, std::chrono::seconds(grace));
  if (Status s = RemoveContainers(pod ? PodKey(*pod) : uid, record); !s.ok()) {
    return {kSandboxRetry, false};
  }
  if (!record->uid.empty() || !record->sandbox_id.empty()) {
    record->uid = uid;
    if (Status s = runtime_.TearDownSandbox(record, true); !s.ok()) {
      log::Warning("agent", "cannot tear down the pod sandbox", {{"uid", uid}, {"error", s.message()}});
      return {kSandboxRetry, false};
    }
  }
  if (pod) {
    client::Client::DeleteOptions o;
    o.grace_period_seconds = 0;
    o.precondition_uid = uid;
    Status s = client_.Delete(client::Pods(), (*pod)["metadata"].value("namespace", ""),
                              (*pod)["metadata"].value("name", ""), o);
    if (!s.ok() && s.code() != Code::kNotFound && s.code() != Code::kConflict) {
      log::Warning("agent", "cannot remove the deleted pod", {{"pod", PodKey(*pod)}, {"error", s.message()}});
      return {kSandboxRetry, false};
    }
    log::Info("agent", "pod deleted", {{"pod", PodKey(*pod)}});
  }
  return {std::chrono::milliseconds(0), true};
}

void PodWorker::ActOnProbes(const json& pod, PodRecord* record) {
  for (ContainerRecord& c : record->containers) {
    if (c.state != ContainerRecord::State::kRunning || c.id.empty()) continue;
    const std::optional<Prober::Failure> failure = prober_.Failed(c.id);
    if (!failure) continue;
    const char* kind = failure->kind == ProbeKind::kStartup ? "startup" : "liveness";
    log::Info("agent", "container failed its probe",
              {{"pod", PodKey(pod)}, {"container", c.name}, {"probe", kind}, {"output", failure->message}});
    // The probe's own terminationGracePeriodSeconds, else the pod's.
    int64_t grace = pod["spec"].value("terminationGracePeriodSeconds", int64_t{30});
    if (const json* spec = SpecOf(pod, c)) {
      const json& probe = (*spec)[failure->kind == ProbeKind::kStartup ? "startupProbe" : "livenessProbe"];
      if (probe.is_object() && probe.contains("terminationGracePeriodSeconds") &&
          probe["terminationGracePeriodSeconds"].is_number_integer()) {
        grace = probe["terminationGracePeriodSeconds"].get<int64_t>();
      }
    }
    KillContainer(&pod, *record, c, std::chrono::seconds(std::max<int64_t>(grace, 1)),
                  "Container " + c.name + " failed " + kind + " probe, will be restarted");
  }
}

void PodWorker::StopRunning(const std::optional<json>& pod, PodRecord* record,
                            std::chrono::seconds grace) {
  std::vector<std::future<void>> stops;
  for (ContainerRecord& c : record->containers) {
    if (c.state != ContainerRecord::State::kRunning || c.id.empty()) continue;
    stops.push_back(std::async(std::launch::async, [this, &pod, record, &c, grace] {
      KillContainer(pod ? &*pod : nullptr, *record, c, grace, "Stopping container " + c.name);
    }));
  }
  for (auto& f : stops) f.wait();
}

void PodWorker::KillContainer(const json* pod, const PodRecord& record, const ContainerRecord& c,
                              std::chrono::seconds grace, const std::string& message) {
  const auto started = std::chrono::steady_clock::now();
  if (pod) {
    events_.Record(*pod, ContainerFieldPath(c), "Normal", "Killing", message);
    const json* spec = SpecOf(*pod, c);
    const json* pre_stop = spec ? api::Find(*spec, {"lifecycle", "preStop"}) : nullptr;
    if (pre_stop) {
      ProbeOutcome out = RunLifecycleHandler(*pre_stop, record, c, *spec, grace, exec_);
      if (!out.success) {
        log::Warning("agent", "preStop hook failed",
                     {{"pod", PodKey(*pod)}, {"container", c.name}, {"error", out.message}});
        events_.Record(*pod, ContainerFieldPath(c), "Warning", "FailedPreStopHook", "PreStopHook failed");
      }
      // The hook's time comes out of the grace period; the stop signal still gets 2 s.
      const auto used = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
      grace = std::max<std::chrono::seconds>(grace - used, kMinimumGrace);
    }
  }
  if (Status s = runtime_.StopContainer(record, c, grace); !s.ok()) {
    log::Warning("agent", "cannot stop a container",
                 {{"pod", record.ns + "/" + record.name}, {"container", c.name}, {"error", s.message()}});
  }
}

void PodWorker::Evict(const std::string& uid, const std::string& message, bool disruption_target) {
  std::lock_guard lock(evictions_mu_);
  evictions_.emplace(uid, Eviction{message, message, disruption_target});  // the first stands
}

PodWorker::Eviction PodWorker::TakeEviction(const std::string& uid) {
  std::lock_guard lock(evictions_mu_);
  auto it = evictions_.find(uid);
  if (it == evictions_.end()) return {};
  Eviction eviction = std::move(it->second);
  evictions_.erase(it);
  return eviction;
}

PodWorker::Eviction PodWorker::Admit(const json& pod) const {
  const std::string refusal = admission_ ? admission_(pod) : "";
  if (refusal.empty()) return {};
  return {refusal, "Pod was rejected: " + refusal, false};
}

PodEventSink PodWorker::EventsAbout(const json& pod) {
  return [this, &pod](const std::string& path, const std::string& type, const std::string& reason,
                      const std::string& message) { events_.Record(pod, path, type, reason, message); };
}

void PodWorker::PostStatus(const json& pod, const PodRecord& record) {
  json current = pod;
  for (int attempt = 0; attempt < 5; ++attempt) {
    json status = ComputePodStatus(current, record, config_.node_ip, api::NowRfc3339());
    if (current.contains("status") && current["status"] == status) return;
    json updated = current;
    updated["status"] = status;
    auto r = client_.Update(client::Pods(), record.ns, updated, "status");
    if (r.ok()) return;
    if (r.status().code() != Code::kConflict) {
      if (r.status().code() != Code::kNotFound) {
        log::Warning("agent", "cannot post pod status", {{"pod", PodKey(pod)}, {"error", r.status().message()}});
      }
      return;
    }
    auto fresh = client_.Get(client::Pods(), record.ns, record.name);
    if (!fresh.ok() || (*fresh)["metadata"].value("uid", "") != record.uid) return;
    current = std::move(*fresh);
  }
}

}  // namespace skiff::node
