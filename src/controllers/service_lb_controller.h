// The built-in load balancer for Services of type LoadBalancer, in the way of k3s's ServiceLB:
// a service without spec.loadBalancerClass is exposed on the nodes' own addresses (the
// service proxy forwards <node address>:<port> like a node port) and those addresses are
// written to status.loadBalancer.ingress (ipMode VIP).
//
// Which nodes: Ready nodes (only those labelled svccontroller.k3s.cattle.io/enablelb=true when
// any node carries that label), their ExternalIP when they have one, else their InternalIP.
//
// No port-conflict surprises: a service is not exposed (no ingress, a Warning event
// "PortInUse" naming the port and the holder) while
//   - another LoadBalancer service holds the same port and protocol (one already exposed
//     keeps it; otherwise the older by creation time, then namespace/name), or
//   - a host process listens on the port (on any address, or on a node address) when the
//     service is first exposed (`port_in_use` says; the default reads /proc/net/{tcp,udp}{,6}).
// It is exposed as soon as the conflict is gone (looked at again every `recheck`). A service
// that stops being a LoadBalancer (or gets a class) loses the ingress this controller wrote.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "controllers/controller_loop.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

// Whether a host process holds `port` ("TCP"/"UDP"/"SCTP") on a wildcard address or on one of
// `addresses`; the holder's description ("127.0.0.1:80") in `holder` when it does.
using PortInUseFn = std::function<bool(const std::string& protocol, int port,
                                       const std::vector<std::string>& addresses,
                                       std::string* holder)>;
// Reads /proc/net/tcp, tcp6 (LISTEN sockets) and udp, udp6 (bound sockets).
bool HostPortInUse(const std::string& protocol, int port, const std::vector<std::string>& addresses,
                   std::string* holder);

struct ServiceLbOptions {
  int workers = 1;
  std::chrono::milliseconds recheck{std::chrono::seconds(30)};
  PortInUseFn port_in_use = HostPortInUse;
};

class ServiceLbController {
 public:
  ServiceLbController(client::Client& client, client::SharedInformerFactory& informers,
                      ServiceLbOptions options = {});
  ~ServiceLbController();
  void Start();
  void Stop();
  Status Sync(const std::string& key);

 private:
  void EnqueueLoadBalancers();

  client::Client& client_;
  client::Informer& services_;
  client::Informer& nodes_;
  const ServiceLbOptions options_;
  events::EventRecorder events_;
  ControllerLoop loop_;
  client::HandlerId service_handler_{};
  client::HandlerId node_handler_{};
};

}  // namespace skiff::controllers
