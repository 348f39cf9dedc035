#include "net/cni/plugin_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "skiff/common/string_util.h"

namespace skiff::net {
namespace {

using nlohmann::json;

bool IsAddress(const std::string& text, int family) {
  unsigned char buf[16];
  return ::inet_pton(family, text.c_str(), buf) == 1;
}

// Splits "ADDR/LEN"; false when malformed.
bool SplitCidr(const std::string& cidr, std::string* addr, int* len, int* family) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos || slash + 1 >= cidr.size()) return false;
  *addr = cidr.substr(0, slash);
  std::string digits = cidr.substr(slash + 1);
  if (digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
  *len = std::stoi(digits);
  *family = addr->find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (!IsAddress(*addr, *family)) return false;
  return *len <= (*family == AF_INET ? 32 : 128);
}

// CNI's rule for network names and container ids: a letter or digit, then letters, digits,
// '_', '.', '-'.
bool IsCniName(const std::string& s) {
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool FitsCniArgs(const std::string& s) { return s.find_first_of(";=\n\r") == std::string::npos; }

}  // namespace

bool IsIpv6Subnet(const std::string& subnet) { return subnet.find(':') != std::string::npos; }

bool IsCidr(const std::string& cidr, int* family) {
  std::string addr;
  int len = 0, f = 0;
  if (!SplitCidr(cidr, &addr, &len, &f)) return false;
  if (family) *family = f;
  return true;
}

bool IsInterfaceName(const std::string& name) {
  return !name.empty() && name.size() <= 15 && name.find_first_of("/ \t\n:") == std::string::npos;
}

Status CheckConfig(const CniConfig& c) {
  std::string addr;
  int len = 0, family = 0;
  if (!SplitCidr(c.subnet, &addr, &len, &family)) {
    return InvalidArgumentError("CNI config: subnet \"" + c.subnet +
                                "\" is not a CIDR like 10.42.0.0/24");
  }
  if (!c.gateway.empty() && !IsAddress(c.gateway, family)) {
    return InvalidArgumentError("CNI config: gateway \"" + c.gateway + "\" is not an " +
                                (family == AF_INET ? "IPv4" : "IPv6") + " address");
  }
  if (!IsCniName(c.network_name)) {
    return InvalidArgumentError("CNI config: network name \"" + c.network_name +
                                "\" must be letters, digits, '_', '.' or '-'");
  }
  if (!IsInterfaceName(c.bridge)) {
    return InvalidArgumentError("CNI config: bridge name \"" + c.bridge +
                                "\" is not a valid interface name (1-15 characters)");
  }
  if (c.mtu != 0 && (c.mtu < 68 || c.mtu > 65535)) {
    return InvalidArgumentError("CNI config: mtu " + std::to_string(c.mtu) +
                                " is outside 68..65535");
  }
  for (const auto* dir : {&c.plugin_dir, &c.ipam_data_dir, &c.cache_dir}) {
    if (dir->empty() || (*dir)[0] != '/') {
      return InvalidArgumentError("CNI config: directory \"" + *dir + "\" must be absolute");
    }
  }
  if (c.plugin_timeout.count() <= 0) {
    return InvalidArgumentError("CNI config: plugin timeout must be positive");
  }
  return Status::Ok();
}

json BuildConfList(const CniConfig& c) {
  json range = {{"subnet", c.subnet}};
  if (!c.gateway.empty()) range["gateway"] = c.gateway;
  json bridge = {
      {"type", "bridge"},
      {"bridge", c.bridge},
      {"isGateway", true},
      {"ipMasq", c.bridge_ip_masq},
      {"hairpinMode", true},
      {"ipam",
       {{"type", "host-local"},
        {"ranges", json::array({json::array({range})})},
        {"routes", json::array({{{"dst", IsIpv6Subnet(c.subnet) ? "::/0" : "0.0.0.0/0"}}})},
        {"dataDir", c.ipam_data_dir}}},
  };
  if (c.mtu != 0) bridge["mtu"] = c.mtu;
  json portmap = {{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}};
  return {{"cniVersion", kCniVersion},
          {"name", c.network_name},
          {"plugins", json::array({bridge, portmap})}};
}

json BuildLoopbackList(const CniConfig& c) {
  return {{"cniVersion", kCniVersion},
          {"name", c.network_name + "-loopback"},
          {"plugins", json::array({{{"type", "loopback"}}})}};
}

json PluginStdin(const json& list, const json& plugin, const json& prev_result,
                 const json& capability_args) {
  json conf = plugin;
  conf["cniVersion"] = list.value("cniVersion", std::string(kCniVersion));
  conf["name"] = list.value("name", std::string());
  if (!prev_result.is_null()) conf["prevResult"] = prev_result;
  conf.erase("runtimeConfig");
  auto caps = plugin.find("capabilities");
  if (caps != plugin.end() && caps->is_object() && capability_args.is_object()) {
    json runtime = json::object();
    for (const auto& [key, enabled] : caps->items()) {
      if (enabled == true && capability_args.contains(key)) runtime[key] = capability_args[key];
    }
    if (!runtime.empty()) conf["runtimeConfig"] = runtime;
  }
  return conf;
}

namespace {

std::vector<PortMapping> PortMappingsOrThrow(const json& args) {
  std::vector<PortMapping> out;
  if (!args.is_object() || !args.contains("portMappings") || !args["portMappings"].is_array()) {
    return out;
  }
  for (const auto& e : args["portMappings"]) {
    if (!e.is_object()) continue;
    PortMapping m;
    m.host_port = e.value("hostPort", 0);
    m.container_port = e.value("containerPort", 0);
    m.protocol = e.value("protocol", std::string("tcp"));
    m.host_ip = e.value("hostIP", std::string());
    out.push_back(m);
  }
  return out;
}

Result<PodNetwork> ParseResultOrThrow(const json& result, const std::string& ifname,
                                      const std::string& bridge) {
  if (!result.is_object()) return InvalidArgumentError("CNI result is not a JSON object");
  const json empty = json::array();
  const json& ifaces = result.contains("interfaces") && result["interfaces"].is_array()
                           ? result["interfaces"]
                           : empty;
  PodNetwork net;
  int pod_index = -1;
  for (size_t i = 0; i < ifaces.size(); ++i) {
    const json& f = ifaces[i];
    if (!f.is_object()) continue;
    std::string name = f.value("name", std::string());
    std::string sandbox = f.value("sandbox", std::string());
    if (name == ifname && !sandbox.empty() && pod_index < 0) {
      pod_index = static_cast<int>(i);
      net.interface = name;
      net.mac = f.value("mac", std::string());
    } else if (sandbox.empty() && name != bridge && net.host_veth.empty()) {
      net.host_veth = name;
    }
  }
  const json& ips = result.contains("ips") && result["ips"].is_array() ? result["ips"] : empty;
  std::string v4_gateway, v6_gateway;
  int v4_len = 0, v6_len = 0;
  for (const json& ip : ips) {
    if (!ip.is_object()) continue;
    if (ip.contains("interface") && ip["interface"].is_number_integer() &&
        ip["interface"].get<int>() != pod_index) {
      continue;
    }
    std::string addr;
    int len = 0, family = 0;
    if (!SplitCidr(ip.value("address", std::string()), &addr, &len, &family)) continue;
    if (family == AF_INET && net.ipv4.empty()) {
      net.ipv4 = addr;
      v4_len = len;
      v4_gateway = ip.value("gateway", std::string());
    } else if (family == AF_INET6 && net.ipv6.empty()) {
      net.ipv6 = addr;
      v6_len = len;
      v6_gateway = ip.value("gateway", std::string());
    }
  }
  if (net.ipv4.empty() && net.ipv6.empty()) {
    return InvalidArgumentError("CNI result has no address for interface " + ifname + ": " +
                                result.dump());
  }
  if (net.interface.empty()) net.interface = ifname;
  net.prefix_length = net.ipv4.empty() ? v6_len : v4_len;
  net.gateway = net.ipv4.empty() ? v6_gateway : v4_gateway;
  return net;
}

}  // namespace

json CapabilityArgs(const std::vector<PortMapping>& mappings) {
  if (mappings.empty()) return json::object();
  json list = json::array();
  for (const auto& m : mappings) {
    json entry = {{"hostPort", m.host_port},
                  {"containerPort", m.container_port},
                  {"protocol", AsciiLower(m.protocol.empty() ? "tcp" : m.protocol)}};
    if (!m.host_ip.empty()) entry["hostIP"] = m.host_ip;
    list.push_back(entry);
  }
  return {{"portMappings", list}};
}

std::vector<PortMapping> PortMappingsFrom(const json& args) {
  try {
    return PortMappingsOrThrow(args);
  } catch (const json::exception&) {
    return {};  // a damaged cache entry: Del then relies on the request and the rule sweep
  }
}

Result<PodNetwork> ParseResult(const json& result, const std::string& ifname,
                               const std::string& bridge) {
  try {
    return ParseResultOrThrow(result, ifname, bridge);
  } catch (const json::exception& e) {
    return InvalidArgumentError("malformed CNI result: " + std::string(e.what()));
  }
}

Status CheckRequest(const PodNetworkRequest& r) {
  if (!IsCniName(r.sandbox_id)) {
    return InvalidArgumentError("invalid sandbox id \"" + r.sandbox_id +
                                "\": letters, digits, '_', '.' or '-' expected");
  }
  if (!FitsCniArgs(r.pod_namespace) || !FitsCniArgs(r.pod_name)) {
    return InvalidArgumentError("sandbox " + r.sandbox_id + ": pod namespace/name \"" +
                                r.pod_namespace + "/" + r.pod_name +
                                "\" must not contain ';' or '='");
  }
  for (const auto& m : r.port_mappings) {
    if (m.host_port < 1 || m.host_port > 65535 || m.container_port < 1 ||
        m.container_port > 65535) {
      return InvalidArgumentError("sandbox " + r.sandbox_id + ": port mapping " +
                                  std::to_string(m.host_port) + "->" +
                                  std::to_string(m.container_port) + " is out of 1..65535");
    }
    std::string proto = AsciiLower(m.protocol);
    if (!proto.empty() && proto != "tcp" && proto != "udp" && proto != "sctp") {
      return InvalidArgumentError("sandbox " + r.sandbox_id + ": port mapping protocol \"" +
                                  m.protocol + "\" is not tcp, udp or sctp");
    }
    if (!m.host_ip.empty() && !IsAddress(m.host_ip, AF_INET) && !IsAddress(m.host_ip, AF_INET6)) {
      return InvalidArgumentError("sandbox " + r.sandbox_id + ": port mapping hostIP \"" +
                                  m.host_ip + "\" is not an IP address");
    }
  }
  return Status::Ok();
}

std::string CniArgs(const PodNetworkRequest& r) {
  return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + r.pod_namespace + ";K8S_POD_NAME=" + r.pod_name +
         ";K8S_POD_INFRA_CONTAINER_ID=" + r.sandbox_id;
}

}  // namespace skiff::net
