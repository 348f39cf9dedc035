// core/v1 Service (TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), wide SELECTOR) and Endpoints.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

std::vector<std::string> Strings(const json& arr) {
  std::vector<std::string> out;
  for (const json& v : arr) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string ExternalIP(const json& svc) {
  std::string type = Str(svc, {"spec", "type"});
  std::vector<std::string> external = Strings(Arr(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : Join(external, ",");
  }
  if (type == "LoadBalancer") {
    std::string lb = LoadBalancerIngress(svc);
    if (!external.empty()) {
      // The load balancer's addresses first, then the external IPs.
      return lb.empty() ? Join(external, ",") : lb + "," + Join(external, ",");
    }
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return Str(svc, {"spec", "externalName"});
  return "<unknown>";
}

// makePortString: "80/TCP", "80:30080/TCP" for ports with a node port.
std::string Ports(const json& svc) {
  std::vector<std::string> pieces;
  for (const json& p : Arr(svc, {"spec", "ports"})) {
    std::string protocol = Str(p, {"protocol"});
    if (protocol.empty()) protocol = "TCP";  // the API default
    std::int64_t node_port = Int(p, {"nodePort"});
    std::string piece = std::to_string(Int(p, {"port"}));
    if (node_port > 0) piece += ":" + std::to_string(node_port);
    pieces.push_back(piece + "/" + protocol);
  }
  return Join(pieces, ",");
}

std::vector<json> ServiceCells(const json& svc, TableClock::time_point now) {
  std::string cluster_ip = "<none>";
  const json& ips = Arr(svc, {"spec", "clusterIPs"});
  if (!ips.empty() && ips[0].is_string()) {
    cluster_ip = ips[0].get<std::string>();
  } else if (!Str(svc, {"spec", "clusterIP"}).empty()) {
    cluster_ip = Str(svc, {"spec", "clusterIP"});  // clusterIPs is derived from it
  }
  std::string ports = Ports(svc);
  return {Str(svc, {"metadata", "name"}),
          Str(svc, {"spec", "type"}),
          cluster_ip,
          ExternalIP(svc),
          ports.empty() ? "<none>" : ports,
          Age(svc, now),
          FormatLabels(Obj(svc, {"spec", "selector"}))};
}

// net.JoinHostPort.
std::string HostPort(const std::string& host, std::int64_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// formatEndpoints: up to three "ip:port" entries, then " + N more...".
std::string FormatEndpoints(const json& ep) {
  const json& subsets = Arr(ep, {"subsets"});
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  size_t count = 0;
  for (const json& ss : subsets) {
    const json& addresses = Arr(ss, {"addresses"});
    const json& ports = Arr(ss, {"ports"});
    if (ports.empty()) {  // headless services may have no ports
      count += addresses.size();
      for (const json& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(Str(a, {"ip"}));
      }
      continue;
    }
    for (const json& port : ports) {
      count += addresses.size();
      for (const json& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(HostPort(Str(a, {"ip"}), Int(port, {"port"})));
      }
    }
  }
  std::string ret = Join(list, ",");
  if (more) return ret + " + " + std::to_string(count - kMax) + " more...";
  return ret;
}

std::vector<json> EndpointsCells(const json& ep, TableClock::time_point now) {
  return {Str(ep, {"metadata", "name"}), FormatEndpoints(ep), Age(ep, now)};
}

}  // namespace

const TablePrinter& ServicePrinter() {
  static const TablePrinter kPrinter{{NameColumn(), Column("Type", "string", desc::kServiceType),
                                      Column("Cluster-IP", "string", desc::kServiceClusterIP),
                                      Column("External-IP", "string", desc::kServiceExternalIPs),
                                      Column("Port(s)", "string", desc::kServicePorts), AgeColumn(),
                                      Column("Selector", "string", desc::kServiceSelector, 1)},
                                     &Guarded<ServiceCells>};
  return kPrinter;
}

const TablePrinter& EndpointsPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Endpoints", "string", desc::kEndpointsSubsets), AgeColumn()},
      &Guarded<EndpointsCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
