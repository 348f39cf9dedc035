// Internal to cluster_records: the immutable snapshot lookups read, and the lookup itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "net/dns/cluster_records.h"

namespace skiff::net::dns {

// A reverse-lookup answer for one address.
struct PtrTarget {
  std::string service_key;  // "ns/name" of the service that publishes it
  Name target;
  bool service_ip = false;  // a ClusterIP (wins over endpoint names, as in CoreDNS)
};

// Never modified once published; entries are shared between consecutive snapshots.
struct ClusterRecords::Snapshot {
  std::unordered_map<std::string, std::shared_ptr<const ServiceEntry>> services;  // "ns/name"
  std::unordered_map<std::string, int> services_per_namespace;
  std::unordered_set<std::string> namespaces;  // known from the Namespace objects
  // IpKey -> targets; the lists are shared between snapshots too (copy on change).
  std::unordered_map<std::string, std::shared_ptr<const std::vector<PtrTarget>>> ptr;
  uint32_t serial = 1;  // the SOA serial: Unix seconds of the last change
};

// 17 octets: the family, then the 16 address octets.
std::string IpKey(const cli::IpAddress& ip);

// The answer for `q` from `snap` (see cluster_records.h for the rules).
ZoneAnswer LookupIn(const ClusterRecords::Snapshot& snap, const ClusterRecordsOptions& options,
                    const Name& zone, bool synced, const Question& q);

}  // namespace skiff::net::dns
