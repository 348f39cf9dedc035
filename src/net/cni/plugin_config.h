// Pure JSON work of the CNI protocol: the network list for a CniConfig, the stdin of one
// plugin call, and reading a CNI result into a PodNetwork. Internal to skiff_cni; no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/net/cni.h"

namespace skiff::net {

inline constexpr char kCniVersion[] = "1.0.0";
inline constexpr char kPodInterface[] = "eth0";

// The bridge + portmap list described in cni.h.
nlohmann::json BuildConfList(const CniConfig& config);
// {"cniVersion", "name": "<network>-loopback", "plugins": [{"type": "loopback"}]}.
nlohmann::json BuildLoopbackList(const CniConfig& config);

// What a plugin of `list` reads on stdin: the plugin's own keys, the list's cniVersion and
// name, `prev_result` as prevResult unless it is null, and runtimeConfig with each key of
// `capability_args` the plugin's "capabilities" object sets to true (no runtimeConfig when
// none applies).
nlohmann::json PluginStdin(const nlohmann::json& list, const nlohmann::json& plugin,
                           const nlohmann::json& prev_result,
                           const nlohmann::json& capability_args);

// {"portMappings": [{"hostPort", "containerPort", "protocol" (lower case), "hostIP"?}]}, or
// an empty object when there are none.
nlohmann::json CapabilityArgs(const std::vector<PortMapping>& mappings);
std::vector<PortMapping> PortMappingsFrom(const nlohmann::json& capability_args);

// The pod side of a CNI 1.0 result: the interface named `ifname` with a sandbox, its
// addresses and gateway, and the host veth (an interface without sandbox that is not
// `bridge`). kInvalidArgument when the result has no address for `ifname`.
Result<PodNetwork> ParseResult(const nlohmann::json& result, const std::string& ifname,
                               const std::string& bridge);

// Request checks shared by Add/Del/Check: the sandbox id's characters, and no ';' or '='
// in the values that go into CNI_ARGS.
Status CheckRequest(const PodNetworkRequest& request);
// "IgnoreUnknown=1;K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;K8S_POD_INFRA_CONTAINER_ID=..".
std::string CniArgs(const PodNetworkRequest& request);

// kInvalidArgument naming the field when the configuration is unusable (subnet not a CIDR,
// gateway not an address, empty names, ...).
Status CheckConfig(const CniConfig& config);
// True when the subnet is an IPv6 CIDR.
bool IsIpv6Subnet(const std::string& subnet);
// True for "ADDR/LEN" with a valid IPv4 or IPv6 address and prefix length; sets *family
// (AF_INET or AF_INET6) when given.
bool IsCidr(const std::string& cidr, int* family = nullptr);
// 1-15 characters, none of '/', ' ', '\t', '\n', ':'.
bool IsInterfaceName(const std::string& name);

}  // namespace skiff::net
