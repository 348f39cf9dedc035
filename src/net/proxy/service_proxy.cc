#include "net/proxy/service_proxy.h"

#include <unistd.h>

#include <map>

#include "net/cni/process.h"
#include "net/proxy/service_ports.h"
#include "net/proxy/udp_flows.h"
#include "skiff/common/log.h"

namespace skiff::net::proxy {
namespace {

using Clock = std::chrono::steady_clock;

// A tool from `search_path`; its stderr names a failure. `exit_1_ok`: exit status 1 is not
// a failure (conntrack's "nothing to delete").
Status RunTool(const std::string& search_path, std::vector<std::string> argv,
               const std::string& input, bool exit_1_ok = false) {
  return RunChecked(search_path, std::move(argv), input, std::chrono::seconds(30),
                    exit_1_ok ? std::vector<int>{1} : std::vector<int>{});
}

// "<ns>/<service>" of a slice's kubernetes.io/service-name label; "" without one.
std::string SliceOwner(const nlohmann::json& slice) {
  auto meta = slice.find("metadata");
  if (meta == slice.end() || !meta->is_object()) return "";
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return "";
  auto name = labels->find("kubernetes.io/service-name");
  if (name == labels->end() || !name->is_string()) return "";
  return meta->value("namespace", "") + "/" + name->get<std::string>();
}

}  // namespace

ServiceProxy::ServiceProxy(client::SharedInformerFactory& informers, ServiceProxyOptions options)
    : services_(informers.For(client::Services())),
      slices_(informers.For(client::EndpointSlices())),
      options_(std::move(options)) {
  client::EventHandler h{[this](const client::ObjectPtr&) { Changed(); },
                         [this](const client::ObjectPtr&, const client::ObjectPtr&) { Changed(); },
                         [this](const client::ObjectPtr&) { Changed(); }};
  services_.AddHandler(h);
  slices_.AddHandler(h);
}

ServiceProxy::~ServiceProxy() { Stop(); }

void ServiceProxy::Start() {
  if (loop_.joinable()) return;
  loop_ = std::thread([this] { Loop(); });
}

void ServiceProxy::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

ProxyStats ServiceProxy::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void ServiceProxy::Changed() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  cv_.notify_all();
}

void ServiceProxy::Loop() {
  auto next_resync = Clock::now() + options_.resync_period;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_until(lock, next_resync, [this] { return stopping_ || dirty_; });
    if (stopping_) return;
    // Coalesce: changes arriving within the interval go into the same sync.
    cv_.wait_for(lock, options_.min_sync_interval, [this] { return stopping_; });
    if (stopping_) return;
    dirty_ = false;
    lock.unlock();
    // Wait for the first full view, so a start never installs an empty table over a good one.
    Status s = services_.HasSynced() && slices_.HasSynced()
                   ? SyncNow()
                   : UnavailableError("informers not synced yet");
    lock.lock();
    next_resync = Clock::now() + options_.resync_period;
    if (!s.ok()) {
      dirty_ = true;
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
}

Status ServiceProxy::EnsureRoute() {
  if (route_done_ || options_.service_cidr.empty() || options_.bridge.empty()) return Status::Ok();
  // The bridge appears with the first pod; until then there is nothing to route to.
  if (access(("/sys/class/net/" + options_.bridge).c_str(), F_OK) != 0) return Status::Ok();
  Status s = RunTool(options_.search_path,
                     {"ip", "route", "replace", options_.service_cidr, "dev", options_.bridge},
                     "");
  if (s.ok()) route_done_ = true;
  return s;
}

Status ServiceProxy::SyncNow() {
  std::lock_guard sync_lock(sync_mu_);
  const auto started = Clock::now();
  std::map<std::string, std::vector<client::ObjectPtr>> slices_by_service;
  for (const client::ObjectPtr& slice : slices_.List()) {
    std::string owner = SliceOwner(*slice);
    if (!owner.empty()) slices_by_service[owner].push_back(slice);
  }
  std::vector<ServicePort> ports;
  for (const client::ObjectPtr& svc : services_.List()) {
    std::vector<const nlohmann::json*> slices;
    if (auto it = slices_by_service.find(client::KeyOf(*svc)); it != slices_by_service.end()) {
      for (const client::ObjectPtr& s : it->second) slices.push_back(s.get());
    }
    for (ServicePort& sp : ServicePortsOf(*svc, slices)) ports.push_back(std::move(sp));
  }
  Ruleset next = BuildRuleset(options_.config, ports);
  Status applied = RunTool(options_.search_path, {"nft", "-f", "-"},
                           SyncScript(next, previous_ ? &*previous_ : nullptr));
  if (!applied.ok() && previous_) {
    // The table was changed behind our back (or is gone): replace it whole.
    log::Warning("proxy", "incremental sync failed, replacing the table",
                 {{"table", next.table}, {"error", applied.message()}});
    applied = RunTool(options_.search_path, {"nft", "-f", "-"}, SyncScript(next, nullptr));
  }
  if (!applied.ok()) {
    previous_.reset();
    log::Warning("proxy", "cannot program the service rules",
                 {{"table", next.table}, {"error", applied.message()}});
    std::lock_guard lock(mu_);
    ++stats_.failures;
    return applied;
  }
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  // Not after the first sync of this process: flows from before a restart still match.
  std::vector<std::vector<std::string>> stale;
  if (synced_once_) stale = StaleUdpFlows(previous_ports_, ports);
  synced_once_ = true;
  for (std::vector<std::string>& args : stale) {
    args.insert(args.begin(), "conntrack");
    if (Status c = RunTool(options_.search_path, args, "", /*exit_1_ok=*/true); !c.ok()) {
      log::Warning("proxy", "cannot delete stale UDP flows", {{"error", c.message()}});
    }
  }
  previous_ports_ = std::move(ports);
  if (Status r = EnsureRoute(); !r.ok()) {
    log::Warning("proxy", "cannot route the service range to the pod bridge",
                 {{"cidr", options_.service_cidr}, {"bridge", options_.bridge},
                  {"error", r.message()}});
  }
  std::lock_guard lock(mu_);
  ++stats_.syncs;
  stats_.last_sync = took;
  stats_.service_ports = next.service_ports;
  stats_.endpoints = next.endpoints;
  previous_ = std::move(next);
  return Status::Ok();
}

}  // namespace skiff::net::proxy
