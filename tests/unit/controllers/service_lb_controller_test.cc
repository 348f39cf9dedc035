// The built-in LoadBalancer against a real store: ingress from the nodes' addresses, port
// conflicts with older balancers and host processes, losing the ingress, and the /proc
// reader against a real listening socket.
#include "controllers/service_lb_controller.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controller_fixture.h"

using namespace skiff;
using namespace skiff::controllers;
using client::testing::Eventually;
using client::testing::Ok;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const client::Resource kServices = client::Services();

struct LbCluster : controllers::testing::ControllerCluster {
  std::set<int> host_ports;  // what the fake host has listening
  std::mutex mu;

  ServiceLbOptions Options() {
    ServiceLbOptions o;
    o.recheck = 100ms;
    o.port_in_use = [this](const std::string&, int port, const std::vector<std::string>&,
                           std::string* holder) {
      std::lock_guard lock(mu);
      if (!host_ports.count(port)) return false;
      *holder = "0.0.0.0:" + std::to_string(port);
      return true;
    };
    return o;
  }

  void Node(const std::string& name, const std::string& ip, bool ready = true,
            const json& labels = json::object()) {
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", name}, {"labels", labels}}},
                 {"spec", json::object()}};
    node = Ok(client->Create(client::Nodes(), "", node));
    node["status"] = {{"addresses", {{{"type", "InternalIP"}, {"address", ip}},
                                     {{"type", "Hostname"}, {"address", name}}}},
                      {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
    Ok(api().Update(client::Nodes(), "", node, "status"));
  }

  json Service(const std::string& name, int port, const std::string& type = "LoadBalancer") {
    json svc = {{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata", {{"name", name}}},
                {"spec", {{"type", type}, {"ports", {{{"port", port}, {"targetPort", 8080}}}}}}};
    return Ok(client->Create(kServices, "default", svc));
  }

  json Ingress(const std::string& name) {
    json svc = Ok(client->Get(kServices, "default", name));
    const json* ingress = api::Find(svc, {"status", "loadBalancer", "ingress"});
    return ingress ? *ingress : json::array();
  }

  std::vector<std::string> Events(const std::string& name, const std::string& reason) {
    std::vector<std::string> out;
    json list = Ok(client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"]["name"] == name && e["reason"] == reason) out.push_back(e["message"]);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("service lb: ingress from the ready nodes' addresses", "[controllers][servicelb]") {
  LbCluster c;
  c.Node("n1", "192.168.1.11");
  c.Node("n2", "192.168.1.12");
  c.Node("down", "192.168.1.13", false);
  c.Service("web", 80);
  c.Service("plain", 81, "ClusterIP");
  ServiceLbController lb(*c.client, c.informers, c.Options());
  c.StartInformers();
  lb.Start();
  REQUIRE(Eventually([&] { return c.Ingress("web").size() == 2; }, 5s));
  CHECK(c.Ingress("web") == json::parse(R"([{"ip": "192.168.1.11", "ipMode": "VIP"},
                                            {"ip": "192.168.1.12", "ipMode": "VIP"}])"));
  CHECK(c.Ingress("plain").empty());
  CHECK(Eventually([&] { return !c.Events("web", "EnsuredLoadBalancer").empty(); }, 5s));

  // Only nodes labelled enablelb=true once any node carries the label.
  json n2 = Ok(c.client->Get(client::Nodes(), "", "n2"));
  n2["metadata"]["labels"]["svccontroller.k3s.cattle.io/enablelb"] = "true";
  Ok(c.api().Update(client::Nodes(), "", n2));
  CHECK(Eventually([&] {
    return c.Ingress("web") == json::parse(R"([{"ip": "192.168.1.12", "ipMode": "VIP"}])");
  }, 5s));

  // No longer a LoadBalancer: the ingress goes.
  json web = Ok(c.client->Get(kServices, "default", "web"));
  web["spec"]["type"] = "NodePort";
  web["spec"].erase("allocateLoadBalancerNodePorts");  // as kubectl edit would have to
  Ok(c.api().Update(kServices, "default", web));
  CHECK(Eventually([&] { return c.Ingress("web").empty(); }, 5s));
  lb.Stop();
}

TEST_CASE("service lb: port conflicts are reported, not surprising", "[controllers][servicelb]") {
  LbCluster c;
  c.Node("n1", "192.168.1.11");
  c.host_ports = {22};
  c.Service("first", 80);
  std::this_thread::sleep_for(1100ms);  // creation timestamps have second resolution
  c.Service("second", 80);
  c.Service("ssh", 22);
  json klass = c.Service("other-class", 22);
  klass["spec"]["loadBalancerClass"] = "example.com/lb";
  Ok(c.api().Update(kServices, "default", klass));
  ServiceLbController lb(*c.client, c.informers, c.Options());
  c.StartInformers();
  lb.Start();
  REQUIRE(Eventually([&] { return c.Ingress("first").size() == 1; }, 5s));
  // The younger balancer on the same port waits, and says why.
  CHECK(Eventually([&] { return !c.Events("second", "PortInUse").empty(); }, 5s));
  CHECK(c.Ingress("second").empty());
  CHECK(c.Events("second", "PortInUse")[0] ==
        "port 80/TCP is already used by LoadBalancer service default/first; the service is not "
        "exposed until it is free");
  // A host process holds 22: not exposed (it would shadow sshd), with the holder named.
  CHECK(Eventually([&] { return !c.Events("ssh", "PortInUse").empty(); }, 5s));
  CHECK(c.Ingress("ssh").empty());
  CHECK(c.Events("ssh", "PortInUse")[0] ==
        "port 22/TCP is in use on the node by a host process (listening on 0.0.0.0:22); the "
        "service is not exposed until it is free");
  CHECK(c.Ingress("other-class").empty());
  CHECK(c.Events("other-class", "PortInUse").empty());

  // The older balancer goes: the younger one gets the port. The host port frees: ssh too.
  REQUIRE(c.client->Delete(kServices, "default", "first", {}).ok());
  CHECK(Eventually([&] { return c.Ingress("second").size() == 1; }, 5s));
  {
    std::lock_guard lock(c.mu);
    c.host_ports.clear();
  }
  CHECK(Eventually([&] { return c.Ingress("ssh").size() == 1; }, 5s));
  lb.Stop();
}

TEST_CASE("service lb: the host's listening sockets are read from /proc", "[controllers][servicelb]") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  std::string holder;
  // On 127.0.0.1 only: in use for that address, not for another one.
  CHECK(HostPortInUse("TCP", port, {"127.0.0.1"}, &holder));
  CHECK(holder == "127.0.0.1:" + std::to_string(port));
  CHECK_FALSE(HostPortInUse("TCP", port, {"192.0.2.1"}, &holder));
  CHECK_FALSE(HostPortInUse("UDP", port, {"127.0.0.1"}, &holder));
  close(fd);
  CHECK_FALSE(HostPortInUse("TCP", port, {"127.0.0.1"}, &holder));
}
