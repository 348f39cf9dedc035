// The files skiff manages for every pod and bind-mounts into its containers, with kubelet's
// contents: /etc/hosts (with hostAliases), /etc/resolv.conf by dnsPolicy, /etc/hostname.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/common/status.h"

namespace skiff::node {

// The pod's hostname: spec.hostname, else its name, cut to 63 characters.
std::string PodHostname(const nlohmann::json& pod);

// /etc/hosts of a pod network pod (hostNetwork pods get the host's file content instead).
std::string PodHostsFile(const nlohmann::json& pod, const std::vector<std::string>& pod_ips,
                         const std::string& cluster_domain);

struct DnsSettings {
  std::string cluster_dns;     // nameserver for ClusterFirst
  std::string cluster_domain;  // cluster.local
  std::string host_resolv_conf;  // the host's resolv.conf text (Default policy, host search)
};

// /etc/resolv.conf for the pod's dnsPolicy and dnsConfig. kInvalidArgument when dnsPolicy is
// None and dnsConfig gives no nameserver.
Result<std::string> PodResolvConf(const nlohmann::json& pod, const DnsSettings& dns);

}  // namespace skiff::node
