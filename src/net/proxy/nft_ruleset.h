// The service proxy's nftables ruleset (kube-proxy's nftables mode, in one table of family ip
// owned by skiff), built from ServicePorts, and the script that installs it atomically.
//
// Packet path:
//   nat prerouting/output -> services: `daddr . proto . dport` in map service-ips (cluster IPs
//     go to the service chain, external/LoadBalancer IPs to the external chain); local
//     addresses (except 127.0.0.0/8) `proto . dport` in map service-nodeports -> external chain.
//   service chain: masquerade mark for traffic to a cluster IP from outside cluster_cidr; then
//     one rule DNATs to an endpoint picked by numgen random from a map to `address . port`
//     (ready endpoints; serving-and-terminating ones when none is ready; this node's only with
//     internalTrafficPolicy Local). With ClientIP affinity instead: a client seen recently
//     goes to its endpoint's chain, others to one picked by numgen random.
//   external chain: Cluster policy: masquerade mark, then the service chain. Local policy:
//     traffic from this node itself may use any endpoint, other traffic only this node's
//     endpoints, without masquerade (the client's address is kept).
//   endpoint chain (ClientIP affinity only): affinity update, DNAT to the endpoint.
//   nat postrouting: a DNATed packet from an endpoint to itself (hairpin: `saddr . daddr` in
//     set hairpin-endpoints, which holds this node's endpoints and those of unknown node) and
//     marked packets are masqueraded.
//   filter input/forward/output (priority -110, new connections): service ports without a
//     usable endpoint are rejected (ICMP port unreachable / TCP reset); forward and output
//     after DNAT (priority -90): connections still addressed to a cluster IP (a port the
//     service does not have) are rejected too.
//
// Pure: strings in, strings out. Thread-safe. Nothing throws.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "net/proxy/proxy_model.h"

namespace skiff::net::proxy {

struct Ruleset {
  std::string table;  // e.g. "skiff-proxy"
  // Chain name -> its body: one rule per line (a base chain's first line is its "type ...").
  std::map<std::string, std::string> chains;
  // ClientIP affinity set name -> its declaration ("type ipv4_addr; flags ...; timeout ...;").
  std::map<std::string, std::string> sets;
  // Verdict map name -> its elements ("10.43.0.10 . tcp . 80 : goto svc-..."), sorted.
  std::map<std::string, std::vector<std::string>> maps;
  std::vector<std::string> cluster_ips;  // the cluster-ips set, sorted
  std::vector<std::string> hairpin;      // the hairpin-endpoints set ("ip . ip"), sorted
  int service_ports = 0;                 // ports programmed (with or without endpoints)
  int endpoints = 0;                     // endpoints programmed (per service port)
};

// Service ports with an unusable address or protocol are left out (never a broken script).
Ruleset BuildRuleset(const ProxyConfig& config, const std::vector<ServicePort>& ports);

// All of it as nft source: "table ip <table> { ... }" (built on demand: most syncs need only
// a difference).
std::string Definition(const Ruleset& r);

// An `nft -f` script (one transaction) taking the table to `next`. With `previous` (the ruleset
// this process installed last) only the difference is written: map elements added and
// removed, changed chains flushed and refilled, new chains and sets added, unused ones deleted;
// unchanged services cost nothing and clients' affinity survives. Without it (first sync), or
// when the hooked chains differ, the table is deleted and declared anew.
std::string SyncScript(const Ruleset& next, const Ruleset* previous);

// An `nft -f` script deleting the table (when it exists).
std::string DeleteScript(const std::string& table);

}  // namespace skiff::net::proxy
