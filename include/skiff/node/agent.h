// The node agent: registers this machine as a Node, runs the pods bound to it as real
// containers (containerd-shim-runc-v2 + runc, CNI networking, overlay rootfs from the image
// store), reports their status and events, and serves their logs.
//
// Start() prepares everything it needs (state directories, the image store and the airgap
// import, the CNI network, the shim event socket, the Node and its Lease) and then follows
// the API; Stop() (or the destructor) ends its threads. Containers keep running across a Stop:
// a restarted agent finds them again from its state directory.
#pragma once

#include <memory>

#include "skiff/client/client.h"
#include "skiff/common/status.h"
#include "skiff/node/agent_config.h"

namespace skiff::api {
class PodIo;
}

namespace skiff::node {

class Agent {
 public:
  static Result<std::unique_ptr<Agent>> Start(client::Client& client, AgentConfig config);
  virtual ~Agent() = default;
  virtual void Stop() = 0;
  // What the API server calls for pods/log of this node's pods. Owned by the agent.
  virtual api::PodIo* pod_io() = 0;
};

}  // namespace skiff::node
