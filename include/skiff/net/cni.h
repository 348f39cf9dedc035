// Pod networking through the real CNI plugins (bridge + host-local, portmap, loopback), run
// by skiff itself with the CNI exec protocol (what libcni does for containerd).
//
// One CniNetwork is one network list, the equivalent of this conflist:
//   {"cniVersion": "1.0.0", "name": <network_name>, "plugins": [
//     {"type": "bridge", "bridge": <bridge>, "isGateway": true, "ipMasq": <bridge_ip_masq>,
//      "hairpinMode": true, "mtu": <mtu, when set>,
//      "ipam": {"type": "host-local", "ranges": [[{"subnet": <subnet>, "gateway": <gateway,
//               when set>}]], "routes": [{"dst": "0.0.0.0/0" (or "::/0")}],
//               "dataDir": <ipam_data_dir>}},
//     {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}]}
// plus the loopback plugin on `lo` (its own single-plugin list "<network_name>-loopback").
// Each plugin gets the list's cniVersion and name, the previous plugin's result as
// prevResult, and runtimeConfig holding only the capability arguments it declares. portmap
// is skipped when a pod has no port mappings (it does nothing then). The ADD result is cached
// under cache_dir so DEL and CHECK can pass it as prevResult, and so the pod's addresses
// survive a skiff restart.
//
// Thread-safety: every method may be called from any thread. Calls for the same sandbox id
// are serialized internally (a second one waits for the first); calls for different ids run
// concurrently (host-local and iptables do their own locking).
// Errors name the sandbox, the plugin and the command, and carry the plugin's CNI error
// {code, msg}. Nothing throws.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net {

struct CniConfig {
  std::string plugin_dir = "/usr/lib/cni";  // CNI_PATH: where bridge, portmap... live
  std::string network_name = "skiff";       // the list's name: IPAM subdirectory, rule comments
  std::string bridge = "cni0";
  std::string subnet;   // required: this node's pod CIDR, IPv4 or IPv6 ("10.42.0.0/24")
  std::string gateway;  // empty: host-local's default, the subnet's first address
  int mtu = 0;          // 0: the bridge plugin's default
  std::string ipam_data_dir = "/var/lib/cni/networks";
  std::string cache_dir = "/var/lib/cni/results";   // one file per sandbox
  std::chrono::milliseconds plugin_timeout{30000};  // per plugin call
  // The bridge plugin's own masquerade: a chain and three iptables runs per pod. Off by
  // default: EnsurePodMasquerade's one node-wide rule does the same for every pod.
  bool bridge_ip_masq = false;
  // PATH given to plugins (portmap and bridge run iptables) and used to find iptables-save.
  std::string search_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
};

struct PortMapping {
  int host_port = 0;
  int container_port = 0;
  std::string protocol = "tcp";  // tcp, udp or sctp, any case
  std::string host_ip;           // empty: every local address
};

struct PodNetworkRequest {
  // CNI_CONTAINERID (and K8S_POD_INFRA_CONTAINER_ID): letters, digits, '_', '.', '-',
  // starting with a letter or digit.
  std::string sandbox_id;
  std::string netns_path;  // the pod's pinned network namespace
  std::string pod_namespace;
  std::string pod_name;
  std::vector<PortMapping> port_mappings;
};

struct PodNetwork {
  std::string ipv4;       // "10.42.0.5", empty when none
  std::string ipv6;       // empty when none
  int prefix_length = 0;  // of the first address (24 for a /24)
  std::string gateway;    // of the first address
  std::string interface;  // "eth0"
  std::string mac;        // of the pod's interface
  std::string host_veth;  // the host end of the veth pair, attached to the bridge
};

class CniNetwork {
 public:
  // Checks the configuration (kInvalidArgument naming the field) and creates the cache
  // directory. Plugins are looked up at each call, so a bad plugin_dir shows up in Add.
  static Result<std::unique_ptr<CniNetwork>> Create(CniConfig config);
  ~CniNetwork();
  CniNetwork(const CniNetwork&) = delete;
  CniNetwork& operator=(const CniNetwork&) = delete;

  const CniConfig& config() const { return config_; }
  // The network list above, as JSON (what a conflist file for it would hold).
  nlohmann::json ConfList() const;

  // Sets up eth0 and lo in the pod's namespace and its host ports; caches the result.
  // When a cached result for the same sandbox and namespace exists and the namespace is
  // still there, returns it without running plugins (Add is idempotent). On failure every
  // plugin that ran is undone (a full Del), so no address or rule is left behind.
  Result<PodNetwork> Add(const PodNetworkRequest& request);

  // Tears down what Add set up: runs DEL for portmap, bridge (releasing the IP) and
  // loopback with the cached result as prevResult, removes the per-pod iptables rules
  // (also those the bridge plugin leaves behind when the namespace is already gone), then
  // the cache entry. Idempotent; works when the namespace was already removed and when
  // there is no cached result. Port mappings come from the request, or from the cache when
  // the request has none. On failure the cache entry is kept so a retry has it.
  Status Del(const PodNetworkRequest& request);

  // Runs CHECK for every plugin against the cached result: kNotFound without one;
  // otherwise the first plugin error (e.g. eth0 missing or its address changed). For an
  // IPv4-only pod portmap's own CHECK is replaced by a look for its DNAT rule in the nat
  // table (portmap 1.1.1's CHECK wrongly requires IPv6 chains).
  Status Check(const PodNetworkRequest& request);

  // The cached network of a sandbox (after a restart, for instance). kNotFound if none.
  Result<PodNetwork> Cached(const std::string& sandbox_id) const;

  // Garbage collection for missed DELs. Every sandbox id not in `live` (and not in an
  // Add/Del running now) is torn down: a cached result gets a full Del; host-local address
  // files owned by it are deleted (under host-local's lock); this network's iptables rules
  // that name it are deleted. `live` must hold every sandbox the caller has added and not
  // deleted, including those it is setting up concurrently. Returns the first error after
  // trying everything.
  Status ReleaseOrphans(const std::set<std::string>& live);

 private:
  explicit CniNetwork(CniConfig config);
  // Serializes calls per sandbox id; the Busy guard releases on destruction.
  class Busy;
  Result<PodNetwork> AddLocked(const PodNetworkRequest& request);
  Status DelLocked(const PodNetworkRequest& request);
  Status CheckPortmapRules(const std::string& sandbox_id) const;

  const CniConfig config_;
  std::mutex mu_;                 // guards busy_
  std::condition_variable idle_;  // signalled when an id leaves busy_
  std::set<std::string> busy_;    // ids with an Add/Del/Check (or an orphan's Del) running
};

// Node preparation for pod networking: net.ipv4.ip_forward=1 (and IPv6 forwarding when
// `ipv6`), and net.bridge.bridge-nf-call-iptables (and -ip6tables) =1 when bridge
// netfilter is present (so service rules see bridged pod-to-pod traffic). Needs root.
Status PrepareNodeForPods(bool ipv6 = false);

// The node's pod network rules, as one nftables table per bridge (family ip, or ip6 for an
// IPv6 subnet) named "skiff-<bridge>":
//   chain postrouting { type nat hook postrouting priority srcnat;
//     ip saddr <pod_subnet> ip daddr != <cluster_cidr> ip daddr != 224.0.0.0/4 masquerade }
// (ff00::/8 for IPv6): masquerade for the traffic of this node's pods that leaves the cluster.
// It replaces the bridge plugin's ipMasq, which costs a chain and three iptables runs per pod
// and slows down as pods accumulate.
//   chain forward { type filter hook forward priority filter;
//     oifname <bridge> ip daddr <pod_subnet> jump guard-pods }
//   chain guard-pods { established/related, DNATed (Services, hostPorts), from the bridge, or
//     from <cluster_cidr>: accept; anything else: drop }
// so that nothing outside the node reaches a pod except through a Service or a hostPort. The table is written in one nft
// transaction that replaces whatever it held, so calling this again repairs a flushed or
// edited table; pods and their traffic are untouched meanwhile.
struct PodMasquerade {
  std::string bridge;        // 1-15 characters, as CniConfig.bridge
  std::string pod_subnet;    // this node's pod CIDR: the sources masqueraded
  std::string cluster_cidr;  // destinations left alone (pod to pod); empty: pod_subnet
  std::string search_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::chrono::milliseconds timeout{30000};
};
// The table's name: "skiff-<bridge>".
std::string PodMasqueradeTable(const PodMasquerade& m);
// kInvalidArgument for a malformed CIDR or bridge name; kNotFound when nft is missing;
// kUnavailable naming nft's error output when it refuses the table.
Status EnsurePodMasquerade(const PodMasquerade& m);
// Deletes the table; Ok when it does not exist.
Status RemovePodMasquerade(const PodMasquerade& m);

}  // namespace skiff::net
