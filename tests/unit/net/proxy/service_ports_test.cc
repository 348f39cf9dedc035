// ServicePortsOf: Services and EndpointSlices as the API serves them, read as kube-proxy does.
#include "net/proxy/service_ports.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using skiff::net::proxy::ServicePort;
using skiff::net::proxy::ServicePortsOf;

namespace {

json Service(const std::string& type = "ClusterIP") {
  return json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"type": ")" + type + R"(", "clusterIP": "10.43.0.20", "clusterIPs": ["10.43.0.20"],
             "ports": [{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP",
                        "nodePort": 30080},
                       {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053}]}})");
}

json Slice(const std::string& family, json ports, json endpoints) {
  return {{"addressType", family}, {"ports", ports}, {"endpoints", endpoints}};
}

}  // namespace

TEST_CASE("service ports: ports, endpoints per named port, conditions", "[proxy]") {
  json a = Slice("IPv4",
                 {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}},
                  {{"name", "dns"}, {"port", 5353}, {"protocol", "UDP"}}},
                 {{{"addresses", {"10.42.0.5"}}, {"nodeName", "n1"},
                   {"conditions", {{"ready", true}}}},
                  {{"addresses", {"10.42.0.6"}},
                   {"conditions", {{"ready", false}, {"serving", true}, {"terminating", true}}}},
                  {{"addresses", {"10.42.0.7"}}}});  // no conditions: ready
  // A pod whose named port resolved differently sits in its own slice.
  json b = Slice("IPv4", {{{"name", "http"}, {"port", 9090}}},
                 {{{"addresses", {"10.42.1.9"}}, {"nodeName", "n2"}},
                  {{"addresses", {"10.42.0.5"}}}});
  json v6 = Slice("IPv6", {{{"name", "http"}, {"port", 8080}}}, {{{"addresses", {"fd00::5"}}}});
  std::vector<ServicePort> ports = ServicePortsOf(Service(), {&a, &b, &v6});
  REQUIRE(ports.size() == 2);
  const ServicePort& http = ports[0];
  CHECK(http.Key() == "shop/web:http/TCP");
  CHECK(http.cluster_ips == std::vector<std::string>{"10.43.0.20"});
  CHECK(http.port == 80);
  CHECK(http.node_port == 0);  // a ClusterIP service has no node port
  REQUIRE(http.endpoints.size() == 5);
  CHECK(http.endpoints[0].ip == "10.42.0.5");
  CHECK(http.endpoints[0].port == 8080);
  CHECK(http.endpoints[0].node == "n1");
  CHECK(http.endpoints[0].ready);
  CHECK(http.endpoints[1].ip == "10.42.0.6");
  CHECK_FALSE(http.endpoints[1].ready);
  CHECK(http.endpoints[1].serving);
  CHECK(http.endpoints[1].terminating);
  CHECK(http.endpoints[2].ready);
  CHECK(http.endpoints[2].serving);
  CHECK_FALSE(http.endpoints[2].terminating);
  CHECK(http.endpoints[3].ip == "10.42.1.9");
  CHECK(http.endpoints[3].port == 9090);
  CHECK(http.endpoints[4].ip == "10.42.0.5");  // same pod, another port: another endpoint
  CHECK(http.endpoints[4].port == 9090);
  const ServicePort& dns = ports[1];
  CHECK(dns.protocol == "UDP");
  REQUIRE(dns.endpoints.size() == 3);
  CHECK(dns.endpoints[0].port == 5353);
  CHECK(dns.affinity_seconds == 0);
}

TEST_CASE("service ports: types, policies and affinity", "[proxy]") {
  json lb = Service("LoadBalancer");
  lb["spec"]["externalTrafficPolicy"] = "Local";
  lb["spec"]["externalIPs"] = {"192.0.2.7"};
  lb["spec"]["sessionAffinity"] = "ClientIP";
  lb["status"]["loadBalancer"]["ingress"] = {{{"ip", "192.168.1.10"}}, {{"hostname", "x"}}};
  std::vector<ServicePort> ports = ServicePortsOf(lb, {});
  REQUIRE(ports.size() == 2);
  CHECK(ports[0].node_port == 30080);
  CHECK(ports[0].external_ips == std::vector<std::string>{"192.0.2.7", "192.168.1.10"});
  CHECK(ports[0].external_local);
  CHECK_FALSE(ports[0].internal_local);
  CHECK(ports[0].affinity_seconds == 10800);
  lb["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"] = 60;
  CHECK(ServicePortsOf(lb, {})[0].affinity_seconds == 60);

  json headless = Service();
  headless["spec"]["clusterIP"] = "None";
  headless["spec"]["clusterIPs"] = {"None"};
  CHECK(ServicePortsOf(headless, {}).empty());
  json external = Service("ExternalName");
  CHECK(ServicePortsOf(external, {}).empty());
  json local = Service();
  local["spec"]["internalTrafficPolicy"] = "Local";
  local["spec"]["externalTrafficPolicy"] = "Local";  // ignored for a ClusterIP service
  CHECK(ServicePortsOf(local, {})[0].internal_local);
  CHECK_FALSE(ServicePortsOf(local, {})[0].external_local);
  CHECK(ServicePortsOf(json::object(), {}).empty());
  CHECK(ServicePortsOf(json("garbage"), {}).empty());
}
