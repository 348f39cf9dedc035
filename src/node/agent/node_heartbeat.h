// Registers this node's Node object and keeps it alive, as kubelet does: a Lease in
// kube-node-lease renewed every lease_renew_interval (the cheap heartbeat), and the Node's
// status (capacity, conditions) posted every status_update_interval or as soon as a condition
// changes. One thread; Stop() or the destructor ends it.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "host_facts.h"
#include "skiff/client/client.h"
#include "skiff/node/agent_config.h"

namespace skiff::node {

class NodeHeartbeat {
 public:
  NodeHeartbeat(client::Client& client, AgentConfig config);
  ~NodeHeartbeat();
  NodeHeartbeat(const NodeHeartbeat&) = delete;
  NodeHeartbeat& operator=(const NodeHeartbeat&) = delete;

  // Creates or refreshes the Node and the Lease now (the first time before pods are synced).
  Status RegisterOnce();
  void Start();
  void Stop();

 private:
  void Loop();
  Status RenewLease();
  Status PostStatus(bool force);

  client::Client& client_;
  const AgentConfig config_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  // Owned by the loop thread (and RegisterOnce before Start).
  std::chrono::steady_clock::time_point last_status_{};
  std::string last_conditions_;
};

}  // namespace skiff::node
