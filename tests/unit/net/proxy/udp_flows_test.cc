// StaleUdpFlows: which conntrack entries a sync must delete.
#include "net/proxy/udp_flows.h"

#include <catch2/catch.hpp>

using skiff::net::proxy::Endpoint;
using skiff::net::proxy::ServicePort;
using skiff::net::proxy::StaleUdpFlows;
using Args = std::vector<std::string>;

namespace {

ServicePort Dns(std::vector<std::string> endpoint_ips, const std::string& protocol = "UDP") {
  ServicePort sp;
  sp.ns = "kube-system";
  sp.name = "dns";
  sp.protocol = protocol;
  sp.port = 53;
  sp.cluster_ips = {"10.43.0.10"};
  sp.node_port = 30053;
  for (const std::string& ip : endpoint_ips) {
    Endpoint e;
    e.ip = ip;
    e.port = 5353;
    e.ready = e.serving = true;
    sp.endpoints.push_back(e);
  }
  return sp;
}

}  // namespace

TEST_CASE("udp flows: a removed endpoint's flows are deleted", "[proxy]") {
  auto flows = StaleUdpFlows({Dns({"10.42.0.5", "10.42.0.6"})}, {Dns({"10.42.0.6"})});
  CHECK(flows == std::vector<Args>{
                     {"-D", "-p", "udp", "--orig-dst", "10.43.0.10", "--dst-nat", "10.42.0.5"},
                     {"-D", "-p", "udp", "--orig-port-dst", "30053", "--dst-nat", "10.42.0.5"}});
  // The whole service gone: every endpoint's flows.
  CHECK(StaleUdpFlows({Dns({"10.42.0.5"})}, {}).size() == 2);
  // Unchanged, TCP, or a not-ready endpoint that never served: nothing.
  CHECK(StaleUdpFlows({Dns({"10.42.0.5"})}, {Dns({"10.42.0.5"})}).empty());
  CHECK(StaleUdpFlows({Dns({"10.42.0.5"}, "TCP")}, {}).empty());
  ServicePort not_ready = Dns({"10.42.0.7"});
  not_ready.endpoints[0].ready = not_ready.endpoints[0].serving = false;
  CHECK(StaleUdpFlows({not_ready}, {Dns({})}).empty());
}

TEST_CASE("udp flows: a service getting its first endpoint forgets the rejections", "[proxy]") {
  auto flows = StaleUdpFlows({Dns({})}, {Dns({"10.42.0.5"})});
  CHECK(flows == std::vector<Args>{{"-D", "-p", "udp", "--orig-dst", "10.43.0.10"},
                                   {"-D", "-p", "udp", "--orig-port-dst", "30053"}});
  // A new service with endpoints at once: the same (a client may have tried it before).
  CHECK(StaleUdpFlows({}, {Dns({"10.42.0.5"})}).size() == 2);
}
