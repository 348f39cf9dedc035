// Registers this node's Node object and keeps it alive, as kubelet does: a Lease in
// kube-node-lease renewed every lease_renew_interval (the cheap heartbeat), and the Node's
// status (capacity, conditions) posted every status_update_interval or as soon as a condition
// changes. The pressure conditions are observed into `pressure` (when given), which holds
// them for the transition period, and posted as it reports them.
// One thread; Stop() or the destructor ends it.
#pragma once

#include "host_facts.h"
#include "pressure_conditions.h"
#include "skiff/client/client.h"
#include "skiff/common/periodic.h"
#include "skiff/node/agent_config.h"

namespace skiff::node {

class NodeHeartbeat {
 public:
  // `pressure`, when not null, outlives this.
  NodeHeartbeat(client::Client& client, AgentConfig config, PressureConditions* pressure = nullptr);
  ~NodeHeartbeat();
  NodeHeartbeat(const NodeHeartbeat&) = delete;
  NodeHeartbeat& operator=(const NodeHeartbeat&) = delete;

  // Creates or refreshes the Node and the Lease now (the first time before pods are synced).
  Status RegisterOnce();
  void Start();
  void Stop();

 private:
  // One beat: renew the Lease, post the status when due, register again when the Node is gone.
  void Beat();
  Status RenewLease();
  Status PostStatus(bool force);

  client::Client& client_;
  const AgentConfig config_;
  PressureConditions* const pressure_;
  // Owned by the loop thread (and RegisterOnce before Start).
  std::chrono::steady_clock::time_point last_status_{};
  std::string last_conditions_;
  Periodic loop_;  // last: stopped first
};

}  // namespace skiff::node
