// What the cluster DNS needs to know of one Service: its kind, cluster IPs, named ports and the
// endpoints it publishes, read from the v1 Service and its discovery.k8s.io/v1 EndpointSlices.
// Plain values and a pure function: thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/dns/dns_name.h"
#include "skiff/cli/ip.h"

namespace skiff::net::dns {

// The EndpointSlice label naming the Service a slice belongs to.
inline constexpr char kServiceNameLabel[] = "kubernetes.io/service-name";

struct DnsPort {
  std::string name;      // lower-cased; only named ports are kept
  std::string protocol;  // "tcp", "udp" or "sctp"
  uint16_t port = 0;
};

struct DnsEndpoint {
  // The label the endpoint is known by under the service, lower-cased: its hostname when set
  // (and a valid label) with all its addresses; an endpoint without one becomes one DnsEndpoint
  // per address, named by the address in dashed form ("10-42-0-5", "fd00--5").
  std::string hostname;
  std::vector<cli::IpAddress> addresses;
};

// The endpoints of one EndpointSlice with that slice's named ports.
struct EndpointGroup {
  std::vector<DnsPort> ports;
  std::vector<DnsEndpoint> endpoints;
};

struct ServiceEntry {
  enum class Kind { kClusterIP, kHeadless, kExternalName };
  std::string ns;    // lower-cased
  std::string name;  // lower-cased
  Kind kind = Kind::kClusterIP;
  std::vector<cli::IpAddress> cluster_ips;  // spec.clusterIPs (or clusterIP), parsed
  std::optional<Name> external_name;        // kExternalName with a valid name
  std::vector<DnsPort> ports;               // the Service's named ports
  // The published endpoints: ready ones (conditions.ready absent counts as ready), or all
  // when the Service sets publishNotReadyAddresses or the tolerate-unready annotation.
  std::vector<EndpointGroup> groups;
};

// Builds the entry of `service` from it and its slices (slices of other services, and FQDN
// slices, are ignored). Malformed fields are skipped, never fatal.
ServiceEntry BuildServiceEntry(const nlohmann::json& service,
                               const std::vector<const nlohmann::json*>& slices);

// "10-42-0-5" for 10.42.0.5 and "fd00--5" for fd00::5 (CoreDNS's endpoint names).
std::string DashedAddress(const cli::IpAddress& ip);

}  // namespace skiff::net::dns
