#include "net/cni/plugin_config.h"

#include <catch2/catch.hpp>

namespace skiff::net {
namespace {

using nlohmann::json;

CniConfig TestConfig() {
  CniConfig c;
  c.network_name = "sktcni";
  c.bridge = "sktcni0";
  c.subnet = "10.201.0.0/24";
  c.gateway = "10.201.0.1";
  c.mtu = 1400;
  c.ipam_data_dir = "/tmp/ipam";
  c.cache_dir = "/tmp/cache";
  return c;
}

// A result printed by the Debian bridge plugin 1.1.1 on this machine.
const char kBridgeResult[] = R"({
  "cniVersion": "1.0.0",
  "interfaces": [
    {"name": "sktcni0", "mac": "66:22:b8:70:2a:96"},
    {"name": "veth473344d2", "mac": "9e:f8:eb:36:35:39"},
    {"name": "eth0", "mac": "62:d5:e8:75:ad:78", "sandbox": "/run/netns/sktcni-a"}],
  "ips": [{"interface": 2, "address": "10.201.0.2/24", "gateway": "10.201.0.1"}],
  "routes": [{"dst": "0.0.0.0/0"}],
  "dns": {}})";

TEST_CASE("net_cni config: the network list is bridge + portmap as documented") {
  json expected = json::parse(R"({
    "cniVersion": "1.0.0", "name": "sktcni",
    "plugins": [
      {"type": "bridge", "bridge": "sktcni0", "isGateway": true, "ipMasq": false,
       "hairpinMode": true, "mtu": 1400,
       "ipam": {"type": "host-local",
                "ranges": [[{"subnet": "10.201.0.0/24", "gateway": "10.201.0.1"}]],
                "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "/tmp/ipam"}},
      {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]})");
  CHECK(BuildConfList(TestConfig()) == expected);
  CniConfig masq = TestConfig();
  masq.bridge_ip_masq = true;
  CHECK(BuildConfList(masq)["plugins"][0]["ipMasq"] == true);

  CniConfig v6 = TestConfig();
  v6.subnet = "fd00:201::/64";
  v6.gateway.clear();
  v6.mtu = 0;
  json list = BuildConfList(v6);
  CHECK(list["plugins"][0]["ipam"]["routes"] == json::parse(R"([{"dst": "::/0"}])"));
  CHECK(list["plugins"][0]["ipam"]["ranges"] == json::parse(R"([[{"subnet": "fd00:201::/64"}]])"));
  CHECK_FALSE(list["plugins"][0].contains("mtu"));

  CHECK(BuildLoopbackList(TestConfig()) ==
        json::parse(R"({"cniVersion": "1.0.0", "name": "sktcni-loopback",
                        "plugins": [{"type": "loopback"}]})"));
}

TEST_CASE("net_cni config: plugin stdin gets name, version, prevResult and its capabilities") {
  json list = BuildConfList(TestConfig());
  json caps = CapabilityArgs({{8080, 80, "TCP", ""}, {5353, 53, "udp", "127.0.0.1"}});
  caps["bandwidth"] = {{"ingressRate", 1000}};  // a capability no plugin here declares
  json prev = json::parse(kBridgeResult);

  json bridge = PluginStdin(list, list["plugins"][0], json(), caps);
  CHECK(bridge["name"] == "sktcni");
  CHECK(bridge["cniVersion"] == "1.0.0");
  CHECK(bridge["type"] == "bridge");
  CHECK_FALSE(bridge.contains("prevResult"));
  CHECK_FALSE(bridge.contains("runtimeConfig"));  // bridge declares no capability

  json portmap = PluginStdin(list, list["plugins"][1], prev, caps);
  CHECK(portmap["name"] == "sktcni");
  CHECK(portmap["prevResult"] == prev);
  CHECK(portmap["snat"] == true);
  CHECK(portmap["runtimeConfig"] == json::parse(R"({"portMappings": [
      {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
      {"hostPort": 5353, "containerPort": 53, "protocol": "udp", "hostIP": "127.0.0.1"}]})"));

  // Without port mappings portmap gets no runtimeConfig at all.
  json bare = PluginStdin(list, list["plugins"][1], prev, CapabilityArgs({}));
  CHECK_FALSE(bare.contains("runtimeConfig"));
}

TEST_CASE("net_cni config: port mappings survive the cache's JSON form") {
  std::vector<PortMapping> in = {{8080, 80, "TCP", ""}, {5353, 53, "udp", "10.0.0.1"}};
  std::vector<PortMapping> out = PortMappingsFrom(CapabilityArgs(in));
  REQUIRE(out.size() == 2);
  CHECK(out[0].host_port == 8080);
  CHECK(out[0].container_port == 80);
  CHECK(out[0].protocol == "tcp");
  CHECK(out[0].host_ip.empty());
  CHECK(out[1].host_ip == "10.0.0.1");
  CHECK(PortMappingsFrom(json::parse(R"({"portMappings": "nonsense"})")).empty());
  CHECK(PortMappingsFrom(json::parse(R"({"portMappings": [{"hostPort": "x"}]})")).empty());
}

TEST_CASE("net_cni config: a bridge result gives the pod's address, gateway and veth") {
  Result<PodNetwork> net = ParseResult(json::parse(kBridgeResult), "eth0", "sktcni0");
  REQUIRE(net.ok());
  CHECK(net->ipv4 == "10.201.0.2");
  CHECK(net->ipv6.empty());
  CHECK(net->prefix_length == 24);
  CHECK(net->gateway == "10.201.0.1");
  CHECK(net->interface == "eth0");
  CHECK(net->mac == "62:d5:e8:75:ad:78");
  CHECK(net->host_veth == "veth473344d2");

  json dual = json::parse(kBridgeResult);
  dual["ips"].push_back({{"interface", 2}, {"address", "fd00:201::5/64"}});
  Result<PodNetwork> both = ParseResult(dual, "eth0", "sktcni0");
  REQUIRE(both.ok());
  CHECK(both->ipv4 == "10.201.0.2");
  CHECK(both->ipv6 == "fd00:201::5");
}

TEST_CASE("net_cni config: a result without an address or of the wrong shape is refused") {
  json none = json::parse(kBridgeResult);
  none["ips"] = json::array();
  Result<PodNetwork> r = ParseResult(none, "eth0", "sktcni0");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().rfind("CNI result has no address for interface eth0: ", 0) == 0);

  json bad = json::parse(kBridgeResult);
  bad["interfaces"][2]["name"] = 7;  // a number where a string belongs must not throw
  Result<PodNetwork> b = ParseResult(bad, "eth0", "sktcni0");
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().code() == Code::kInvalidArgument);
  CHECK_FALSE(ParseResult(json("text"), "eth0", "sktcni0").ok());
}

TEST_CASE("net_cni config: bad configurations name the field") {
  auto message = [](void (*edit)(CniConfig&)) {
    CniConfig c = TestConfig();
    edit(c);
    return CheckConfig(c).message();
  };
  CHECK(CheckConfig(TestConfig()).ok());
  CHECK(message([](CniConfig& c) { c.subnet = "10.201.0.0"; }) ==
        "CNI config: subnet \"10.201.0.0\" is not a CIDR like 10.42.0.0/24");
  CHECK(message([](CniConfig& c) { c.subnet = "10.201.0.0/33"; }) ==
        "CNI config: subnet \"10.201.0.0/33\" is not a CIDR like 10.42.0.0/24");
  CHECK(message([](CniConfig& c) { c.gateway = "fd00::1"; }) ==
        "CNI config: gateway \"fd00::1\" is not an IPv4 address");
  CHECK(message([](CniConfig& c) { c.network_name = "a b"; }) ==
        "CNI config: network name \"a b\" must be letters, digits, '_', '.' or '-'");
  CHECK(message([](CniConfig& c) { c.bridge = "a-very-long-bridge"; }) ==
        "CNI config: bridge name \"a-very-long-bridge\" is not a valid interface name "
        "(1-15 characters)");
  CHECK(message([](CniConfig& c) { c.mtu = 20; }) == "CNI config: mtu 20 is outside 68..65535");
  CHECK(message([](CniConfig& c) { c.cache_dir = "relative"; }) ==
        "CNI config: directory \"relative\" must be absolute");
  CHECK(CniNetwork::Create(CniConfig{}).status().code() == Code::kInvalidArgument);
}

TEST_CASE("net_cni config: requests are checked and CNI_ARGS carries the pod") {
  PodNetworkRequest r;
  r.sandbox_id = "abc123";
  r.pod_namespace = "kube-system";
  r.pod_name = "coredns-1";
  CHECK(CheckRequest(r).ok());
  CHECK(CniArgs(r) ==
        "IgnoreUnknown=1;K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=coredns-1;"
        "K8S_POD_INFRA_CONTAINER_ID=abc123");

  PodNetworkRequest bad_id = r;
  bad_id.sandbox_id = "../etc";
  CHECK(CheckRequest(bad_id).message() ==
        "invalid sandbox id \"../etc\": letters, digits, '_', '.' or '-' expected");
  PodNetworkRequest bad_name = r;
  bad_name.pod_name = "a;b";
  CHECK(CheckRequest(bad_name).message() ==
        "sandbox abc123: pod namespace/name \"kube-system/a;b\" must not contain ';' or '='");
  PodNetworkRequest bad_port = r;
  bad_port.port_mappings = {{70000, 80, "tcp", ""}};
  CHECK(CheckRequest(bad_port).message() ==
        "sandbox abc123: port mapping 70000->80 is out of 1..65535");
  PodNetworkRequest bad_proto = r;
  bad_proto.port_mappings = {{8080, 80, "icmp", ""}};
  CHECK(CheckRequest(bad_proto).message() ==
        "sandbox abc123: port mapping protocol \"icmp\" is not tcp, udp or sctp");
}

}  // namespace
}  // namespace skiff::net
