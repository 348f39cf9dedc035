// The settings of the node agent, filled in by `skiff server` (and later `skiff agent`) from
// its options. Plain value.
#pragma once

#include <chrono>
#include <string>

#include "skiff/apis/eviction_thresholds.h"

namespace skiff::node {

struct AgentConfig {
  std::string node_name;
  std::string node_ip;
  std::string hostname;
  // <data-dir>/agent: images, pod directories, container bundles.
  std::string state_dir;
  // Kubernetes log files: <pod_logs_dir>/<ns>_<pod>_<uid>/<container>/<n>.log.
  std::string pod_logs_dir = "/var/log/pods";
  // This node's pod range (e.g. 10.42.0.0/24) and the cluster's.
  std::string pod_cidr;
  std::string cluster_cidr;
  std::string service_cidr;
  std::string cluster_dns;
  std::string cluster_domain = "cluster.local";
  // The bridge the pods attach to.
  std::string bridge_name = "cni0";
  // Where the registries.yaml lives (k3s style), "" = none.
  std::string registries_file;
  // A server node carries the control-plane role labels, as k3s's do.
  bool control_plane = true;
  // The absolute path of this skiff executable: the shim runs it as each container's log writer.
  std::string self_exe;
  // How often the Lease is renewed and the Node status is posted.
  std::chrono::seconds lease_renew_interval{10};
  std::chrono::seconds status_update_interval{60};
  int max_pods = 110;
  // --image-gc-high-threshold, --image-gc-low-threshold (percent of the disk used) and
  // --minimum-image-ttl-duration: kubelet's image garbage collection settings.
  int image_gc_high_percent = 85;
  int image_gc_low_percent = 80;
  std::chrono::seconds image_minimum_age{120};
  // --eviction-hard: below these the node reports pressure and evicts pods; memory.available
  // and nodefs.available are held back from allocatable.
  apis::EvictionThresholds eviction_hard = apis::DefaultEvictionThresholds();
  // --eviction-pressure-transition-period: how long a pressure condition stays reported after
  // its signal was last below a threshold.
  std::chrono::seconds eviction_pressure_transition_period{300};
};

}  // namespace skiff::node
