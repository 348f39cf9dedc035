#include "node/agent/pod_files.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using namespace skiff::node;

namespace {
json Pod() {
  return {{"metadata", {{"name", "web-0"}, {"namespace", "shop"}}}, {"spec", json::object()}};
}
const DnsSettings kDns{"10.43.0.10", "cluster.local",
                       "nameserver 192.168.1.1\nsearch lan example.com\noptions edns0\n"};
}  // namespace

TEST_CASE("hosts file has kubelet's header, the pod's name and hostAliases") {
  json pod = Pod();
  pod["spec"]["hostAliases"] = json::array({{{"ip", "10.1.2.3"}, {"hostnames", {"a.local", "b.local"}}}});
  std::string hosts = PodHostsFile(pod, {"10.42.0.9"}, "cluster.local");
  CHECK(hosts.rfind("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n", 0) == 0);
  CHECK(hosts.find("10.42.0.9\tweb-0\n") != std::string::npos);
  CHECK(hosts.find("\n# Entries added by HostAliases.\n10.1.2.3\ta.local\tb.local\n") != std::string::npos);
  pod["spec"]["hostname"] = "db";
  pod["spec"]["subdomain"] = "backend";
  hosts = PodHostsFile(pod, {"10.42.0.9"}, "cluster.local");
  CHECK(hosts.find("10.42.0.9\tdb.backend.shop.svc.cluster.local\tdb\n") != std::string::npos);
}

TEST_CASE("resolv.conf follows dnsPolicy and dnsConfig") {
  json pod = Pod();
  auto first = PodResolvConf(pod, kDns);
  REQUIRE(first.ok());
  CHECK(*first ==
        "search shop.svc.cluster.local svc.cluster.local cluster.local lan example.com\n"
        "nameserver 10.43.0.10\noptions ndots:5\n");
  pod["spec"]["dnsPolicy"] = "Default";
  CHECK(*PodResolvConf(pod, kDns) == "search lan example.com\nnameserver 192.168.1.1\noptions edns0\n");
  pod["spec"]["dnsPolicy"] = "ClusterFirst";
  pod["spec"]["hostNetwork"] = true;  // ClusterFirst on the host network falls back to Default
  CHECK(*PodResolvConf(pod, kDns) == "search lan example.com\nnameserver 192.168.1.1\noptions edns0\n");
  pod["spec"]["dnsPolicy"] = "ClusterFirstWithHostNet";
  CHECK(PodResolvConf(pod, kDns)->find("nameserver 10.43.0.10\n") != std::string::npos);
  json none = Pod();
  none["spec"]["dnsPolicy"] = "None";
  CHECK(PodResolvConf(none, kDns).status().code() == skiff::Code::kInvalidArgument);
  none["spec"]["dnsConfig"] = {{"nameservers", {"1.1.1.1"}},
                               {"searches", {"x.test"}},
                               {"options", json::array({{{"name", "ndots"}, {"value", "2"}}, {{"name", "rotate"}}})}};
  CHECK(*PodResolvConf(none, kDns) == "search x.test\nnameserver 1.1.1.1\noptions ndots:2 rotate\n");
  json merged = Pod();
  merged["spec"]["dnsConfig"] = {{"options", json::array({{{"name", "ndots"}, {"value", "1"}}})}};
  CHECK(PodResolvConf(merged, kDns)->find("options ndots:1\n") != std::string::npos);
}

TEST_CASE("pod hostname is spec.hostname or the name, cut to 63 characters") {
  json pod = Pod();
  CHECK(PodHostname(pod) == "web-0");
  pod["metadata"]["name"] = std::string(70, 'a');
  CHECK(PodHostname(pod) == std::string(63, 'a'));
  pod["spec"]["hostname"] = "h";
  CHECK(PodHostname(pod) == "h");
}
