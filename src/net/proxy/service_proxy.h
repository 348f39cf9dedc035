// The node's service proxy (kube-proxy's job, in process): follows Services and EndpointSlices
// through shared informers and keeps one nftables table (nft_ruleset.h) equal to what they
// say. A change is applied after `min_sync_interval` (changes arriving meanwhile are applied
// together); every `resync_period` the table is written again anyway, which repairs it if
// someone changed it by hand. A failed sync is retried after a second.
//
// After each sync, UDP flows DNATed to endpoints that went away (or rejected while a service
// had no endpoint) are deleted from conntrack (udp_flows.h), as kube-proxy does.
//
// It also routes the service CIDR to the pod bridge (once the bridge exists), so that the
// host's own traffic to a cluster IP leaves through the nat output path towards the pods
// instead of following the default route.
//
// Stop() leaves the table in place: connections keep flowing while skiff restarts, and the
// next start replaces the table in one transaction.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "net/proxy/nft_ruleset.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::net::proxy {

struct ServiceProxyOptions {
  ProxyConfig config;
  std::string service_cidr;  // routed to `bridge`; "" = no route
  std::string bridge;
  std::chrono::milliseconds min_sync_interval{10};
  std::chrono::milliseconds resync_period{60000};
  std::string search_path = "/usr/sbin:/usr/bin:/sbin:/bin";  // where nft and ip are found
};

struct ProxyStats {
  uint64_t syncs = 0;
  uint64_t failures = 0;
  std::chrono::microseconds last_sync{0};  // build + nft for the last successful sync
  int service_ports = 0;
  int endpoints = 0;
};

class ServiceProxy {
 public:
  // `informers` must outlive the proxy; handlers are registered here (the factory may already
  // be started).
  ServiceProxy(client::SharedInformerFactory& informers, ServiceProxyOptions options);
  ~ServiceProxy();
  ServiceProxy(const ServiceProxy&) = delete;
  ServiceProxy& operator=(const ServiceProxy&) = delete;

  void Start();
  void Stop();  // idempotent; the table stays

  // Builds the table from the informers' current view and applies it. Thread-safe.
  Status SyncNow();
  ProxyStats stats() const;

 private:
  void Changed();
  void Loop();
  Status EnsureRoute();

  client::Informer& services_;
  client::Informer& slices_;
  const ServiceProxyOptions options_;

  std::mutex sync_mu_;  // one sync at a time; guards previous_*, synced_once_, route_done_
  std::optional<Ruleset> previous_;  // what this process installed last
  std::vector<ServicePort> previous_ports_;  // what it was built from (for UDP flows)
  bool synced_once_ = false;
  bool route_done_ = false;

  mutable std::mutex mu_;  // guards dirty_, stopping_, stats_
  std::condition_variable cv_;
  bool dirty_ = true;
  bool stopping_ = false;
  ProxyStats stats_;
  std::thread loop_;
};

}  // namespace skiff::net::proxy
