// NodeHeartbeat against a real store: registration, the Lease, and a node the node lifecycle
// controller marked Unknown reporting Ready again at its next beat, not a status interval later.
#include "node/agent/node_heartbeat.h"

#include <catch2/catch.hpp>

#include "client/client_fixture.h"

using nlohmann::json;
using skiff::client::Leases;
using skiff::client::Nodes;
using skiff::client::testing::Cluster;
using skiff::client::testing::Eventually;
using skiff::client::testing::Ok;
using namespace std::chrono_literals;

namespace {

std::string ReadyStatus(const json& node) {
  for (const json& c : node["status"]["conditions"]) {
    if (c["type"] == "Ready") return c["status"];
  }
  return "";
}

}  // namespace

TEST_CASE("heartbeat: a node marked Unknown is Ready again at the next beat",
          "[node][heartbeat]") {
  Cluster cluster;
  Ok(cluster.client->Create({"", "v1", "namespaces"}, "",
                            {{"metadata", {{"name", "kube-node-lease"}}}}));
  skiff::node::AgentConfig config;
  config.node_name = "hb-node";
  config.node_ip = "10.0.0.9";
  config.hostname = "hb-node";
  config.state_dir = cluster.dir / "agent";
  config.pod_cidr = "10.42.0.0/24";
  config.lease_renew_interval = 1s;
  config.status_update_interval = 3600s;  // only a change of conditions posts sooner
  skiff::node::NodeHeartbeat heartbeat(*cluster.client, config);
  REQUIRE(heartbeat.RegisterOnce().ok());
  json node = Ok(cluster.client->Get(Nodes(), "", "hb-node"));
  CHECK(ReadyStatus(node) == "True");
  CHECK(Ok(cluster.client->Get(Leases(), "kube-node-lease", "hb-node"))["spec"]
            ["holderIdentity"] == "hb-node");

  // What the node lifecycle controller writes when heartbeats stop.
  for (json& c : node["status"]["conditions"]) {
    c["status"] = "Unknown";
    c["reason"] = "NodeStatusUnknown";
    c["message"] = "Kubelet stopped posting node status.";
  }
  Ok(cluster.client->Update(Nodes(), "", node, "status"));
  REQUIRE(ReadyStatus(Ok(cluster.client->Get(Nodes(), "", "hb-node"))) == "Unknown");

  heartbeat.Start();
  CHECK(Eventually([&] {
    return ReadyStatus(Ok(cluster.client->Get(Nodes(), "", "hb-node"))) == "True";
  }, 5s));
  heartbeat.Stop();
}
