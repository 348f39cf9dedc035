#include "prober.h"

#include "api/object_util.h"
#include "pod_worker.h"
#include "skiff/common/log.h"

namespace skiff::node {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const char* ProbeKindName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup: return "Startup";
    case ProbeKind::kLiveness: return "Liveness";
    case ProbeKind::kReadiness: return "Readiness";
  }
  return "";
}

namespace {

const char* SpecField(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup: return "startupProbe";
    case ProbeKind::kLiveness: return "livenessProbe";
    case ProbeKind::kReadiness: return "readinessProbe";
  }
  return "";
}

int Setting(const json& probe, const char* name, int fallback) {
  auto it = probe.find(name);
  return it != probe.end() && it->is_number_integer() && it->get<int>() > 0 ? it->get<int>() : fallback;
}

const json* ContainerSpec(const json& pod, const std::string& name) {
  const json* containers = api::Find(pod, {"spec", "containers"});
  if (!containers || !containers->is_array()) return nullptr;
  for (const json& c : *containers) {
    if (c.value("name", "") == name) return &c;
  }
  return nullptr;
}

// When the attempt started, on the steady clock (its startedAt is wall-clock time).
Clock::time_point StartedAt(const std::string& rfc3339) {
  std::chrono::system_clock::time_point wall;
  if (!api::ParseRfc3339(rfc3339, &wall)) return Clock::now();
  return Clock::now() - (std::chrono::system_clock::now() - wall);
}

}  // namespace

struct Prober::Attempt {
  std::string uid;
  json pod;  // for events
  PodRecord record;
  ContainerRecord container;
  json spec;
  bool started = true;  // startup probe passed (or there is none)
  bool ready = true;    // readiness (true without a readiness probe, once started)
  bool has_readiness = false;
  std::optional<Failure> failed;
  std::vector<std::shared_ptr<Worker>> workers;
};

struct Prober::Worker {
  std::weak_ptr<Attempt> attempt;
  ProbeKind kind;
  json probe;
  Clock::time_point next;
  bool busy = false;  // handed to a runner
  bool done = false;  // its attempt ended, or it failed for good
  int last = -1;      // the last result: -1 none yet, 0 failure, 1 success
  int run = 0;        // how many times in a row
};

Prober::Prober(Hooks hooks, int threads) : hooks_(std::move(hooks)) {
  scheduler_ = std::thread([this] { Schedule(); });
  for (int i = 0; i < threads; ++i) runners_.emplace_back([this] { Run(); });
}

Prober::~Prober() { Stop(); }

void Prober::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !scheduler_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  work_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  for (std::thread& t : runners_) {
    if (t.joinable()) t.join();
  }
}

void Prober::Sync(const json& pod, const PodRecord& record) {
  std::set<std::string> live;
  bool added = false;
  {
    std::lock_guard lock(mu_);
    for (const ContainerRecord& c : record.containers) {
      if (c.init || c.id.empty() || c.state != ContainerRecord::State::kRunning) continue;
      live.insert(c.id);
      if (attempts_.count(c.id)) continue;
      const json* spec = ContainerSpec(pod, c.name);
      if (!spec) continue;
      auto attempt = std::make_shared<Attempt>();
      const Clock::time_point started = StartedAt(c.started_at);
      for (ProbeKind kind : {ProbeKind::kStartup, ProbeKind::kLiveness, ProbeKind::kReadiness}) {
        auto it = spec->find(SpecField(kind));
        if (it == spec->end() || !it->is_object()) continue;
        auto w = std::make_shared<Worker>();
        w->attempt = attempt;
        w->kind = kind;
        w->probe = *it;
        w->next = started + std::chrono::seconds(it->value("initialDelaySeconds", 0));
        attempt->workers.push_back(std::move(w));
        if (kind == ProbeKind::kStartup) attempt->started = false;
        if (kind == ProbeKind::kReadiness) attempt->has_readiness = true;
      }
      if (attempt->workers.empty()) continue;
      attempt->ready = !attempt->has_readiness && attempt->started;
      attempt->uid = record.uid;
      // What events need of the pod (a whole copy would be made at every resync).
      attempt->pod = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata",
                       {{"name", pod["metadata"].value("name", "")},
                        {"namespace", pod["metadata"].value("namespace", "")},
                        {"uid", pod["metadata"].value("uid", "")}}}};
      attempt->record = record;
      attempt->container = c;
      attempt->spec = *spec;
      attempts_.emplace(c.id, std::move(attempt));
      added = true;
    }
    for (auto it = attempts_.begin(); it != attempts_.end();) {
      if (it->second->uid == record.uid && !live.count(it->first)) {
        for (auto& w : it->second->workers) w->done = true;
        it = attempts_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (added) wake_.notify_all();
}

void Prober::Forget(const std::string& uid) {
  std::lock_guard lock(mu_);
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    if (it->second->uid == uid) {
      for (auto& w : it->second->workers) w->done = true;
      it = attempts_.erase(it);
    } else {
      ++it;
    }
  }
}

bool Prober::Started(const std::string& container_id) const {
  std::lock_guard lock(mu_);
  auto it = attempts_.find(container_id);
  return it == attempts_.end() || it->second->started;
}

bool Prober::Ready(const std::string& container_id) const {
  std::lock_guard lock(mu_);
  auto it = attempts_.find(container_id);
  return it == attempts_.end() || (it->second->started && it->second->ready);
}

std::optional<Prober::Failure> Prober::Failed(const std::string& container_id) const {
  std::lock_guard lock(mu_);
  auto it = attempts_.find(container_id);
  return it == attempts_.end() ? std::nullopt : it->second->failed;
}

void Prober::Schedule() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const Clock::time_point now = Clock::now();
    std::optional<Clock::time_point> earliest;
    bool queued = false;
    for (auto& [id, attempt] : attempts_) {
      for (auto& w : attempt->workers) {
        if (w->busy || w->done) continue;
        if (w->next <= now) {
          w->busy = true;
          due_.push_back(w);
          queued = true;
        } else if (!earliest || w->next < *earliest) {
          earliest = w->next;
        }
      }
    }
    if (queued) work_.notify_all();
    if (earliest) {
      wake_.wait_until(lock, *earliest);
    } else {
      wake_.wait(lock);
    }
  }
}

void Prober::Run() {
  for (;;) {
    std::shared_ptr<Worker> w;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [&] { return stopping_ || !due_.empty(); });
      if (stopping_) return;
      w = due_.front();
      due_.erase(due_.begin());
    }
    Probe(w);
  }
}

void Prober::Probe(const std::shared_ptr<Worker>& w) {
  std::shared_ptr<Attempt> attempt;
  const auto period = std::chrono::seconds(Setting(w->probe, "periodSeconds", 10));
  {
    std::lock_guard lock(mu_);
    attempt = w->attempt.lock();
    if (!attempt || w->done) {
      w->busy = false;
      return;
    }
    if (w->kind != ProbeKind::kStartup && !attempt->started) {
      // Held back until the startup probe succeeds.
      w->next = Clock::now() + period;
      w->busy = false;
      wake_.notify_all();
      return;
    }
  }
  const ProbeOutcome outcome = Act(*w);
  bool changed = false;
  json pod;
  {
    std::lock_guard lock(mu_);
    w->busy = false;
    w->next = Clock::now() + period;
    wake_.notify_all();
    if (w->done) return;
    const int result = outcome.success ? 1 : 0;
    w->run = w->last == result ? w->run + 1 : 1;
    w->last = result;
    if (!outcome.success) pod = attempt->pod;  // for the event (a copy only when needed)
    const int threshold = outcome.success ? Setting(w->probe, "successThreshold", 1)
                                          : Setting(w->probe, "failureThreshold", 3);
    if (w->run >= threshold) {
      switch (w->kind) {
        case ProbeKind::kStartup:
          if (outcome.success) {
            changed = !attempt->started;
            attempt->started = true;
            if (!attempt->has_readiness) attempt->ready = true;
            w->done = true;  // a startup probe stops once it succeeded
          }
          break;
        case ProbeKind::kReadiness:
          changed = attempt->ready != outcome.success;
          attempt->ready = outcome.success;
          break;
        case ProbeKind::kLiveness:
          break;
      }
      if (!outcome.success && w->kind != ProbeKind::kReadiness) {
        attempt->failed = Failure{w->kind, outcome.message};
        w->done = true;  // on hold: the container is restarted, a new attempt probes anew
        changed = true;
      }
    }
  }
  if (!outcome.success && hooks_.events) {
    hooks_.events->Record(pod, ContainerFieldPath(attempt->container), "Warning", "Unhealthy",
                          std::string(ProbeKindName(w->kind)) + " probe failed: " + outcome.message);
  }
  if (changed && hooks_.poke) hooks_.poke(attempt->uid);
}

ProbeOutcome Prober::Act(const Worker& w) {
  std::shared_ptr<Attempt> attempt = w.attempt.lock();
  if (!attempt) return {false, "the container is gone"};
  const auto timeout = std::chrono::seconds(Setting(w.probe, "timeoutSeconds", 1));
  const std::string host = attempt->record.pod_ips.empty() ? "" : attempt->record.pod_ips.front();
  if (auto it = w.probe.find("exec"); it != w.probe.end()) {
    std::vector<std::string> argv = it->value("command", std::vector<std::string>{});
    if (!hooks_.exec) return {false, "exec probes are not available on this node"};
    return hooks_.exec(attempt->record, attempt->container, argv, timeout);
  }
  if (auto it = w.probe.find("httpGet"); it != w.probe.end()) {
    std::string error;
    auto action = HttpGetFrom(*it, attempt->spec, host, &error);
    if (!action) return {false, error};
    return RunHttpGet(*action, timeout);
  }
  if (auto it = w.probe.find("tcpSocket"); it != w.probe.end()) {
    const std::string target = it->value("host", host);
    auto port = ResolvePort(it->contains("port") ? (*it)["port"] : json(), attempt->spec);
    if (!port) return {false, "unable to resolve port " + it->value("port", json()).dump()};
    return RunTcpConnect(target.empty() ? host : target, *port, timeout);
  }
  if (auto it = w.probe.find("grpc"); it != w.probe.end()) {
    auto port = ResolvePort(it->value("port", json()), json::object());
    if (!port) return {false, "unable to resolve port " + it->value("port", json()).dump()};
    return RunGrpcHealthCheck(host, *port, it->value("service", ""), timeout);
  }
  return {false, "the probe has no action (exec, httpGet, tcpSocket or grpc)"};
}

}  // namespace skiff::node
