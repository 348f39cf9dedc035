// The cluster DNS zone: the answers the Kubernetes DNS specification (schema 1.1.0) asks for,
// computed from a snapshot of Services and EndpointSlices, with CoreDNS's kubernetes plugin
// settling what the specification leaves open (`pods insecure`, TTL 5 s):
//
//   <svc>.<ns>.svc.<zone>            A/AAAA: the ClusterIPs; headless: the published endpoint
//                                    addresses (NXDOMAIN when there are none); ExternalName:
//                                    CNAME to the target, followed inside the zone (otherwise
//                                    the caller resolves the target upstream, see `chase`)
//   <host>.<svc>.<ns>.svc.<zone>     A/AAAA of the endpoints with that hostname (or dashed
//                                    address, "10-42-0-5")
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV per named port: ClusterIP -> the service name;
//                                    headless -> one per endpoint, target <host>.<svc>...; the
//                                    targets' A/AAAA records in the additional section
//   <a-b-c-d>.<ns>.pod.<zone>        A (or AAAA for "fd00--1") of the address in the name
//   <reverse name> PTR               service IPs -> <svc>.<ns>.svc.<zone>; endpoint addresses
//                                    -> <host>.<svc>.<ns>.svc.<zone>
//   dns-version.<zone> TXT           "1.1.0" (TTL 28800, as the specification's example)
//   <zone> SOA / NS                  ns.dns.<zone>, hostmaster.<zone>; ns.dns.<zone> A/AAAA =
//                                    the configured nameserver addresses
//
// A name that exists with other types (or is an empty non-terminal such as svc.<zone>,
// <ns>.svc.<zone> of an existing namespace, or _tcp.<svc>...) answers NOERROR without records
// (NODATA); other names in the zone answer NXDOMAIN. Both carry the zone's SOA in the
// authority section. Until SetSynced(true) an NXDOMAIN becomes SERVFAIL (as CoreDNS does
// before its caches synced). Comparisons are case-insensitive; records owned by the question's
// name spell it as the question did.
//
// Reverse names inside a service CIDR's reverse zone are answered authoritatively (NXDOMAIN
// for unknown addresses); elsewhere only known addresses are answered, the rest is not ours.
//
// Thread-safety: every method may be called from any thread. Lookups read an immutable
// snapshot taken with one atomic load: they never wait for an update. Updates are serialized
// among themselves; each rebuilds only the changed service's entry and publishes a new
// snapshot that shares every other entry with the old one.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/dns/dns_message.h"
#include "net/dns/service_entry.h"
#include "skiff/cli/ip.h"

namespace skiff::net::dns {

inline constexpr char kDnsSchemaVersion[] = "1.1.0";

struct ClusterRecordsOptions {
  std::string domain = "cluster.local";
  uint32_t ttl = 5;  // every cluster record and the SOA's minimum
  // Service ranges whose reverse zones are ours (e.g. 10.43.0.0/16 -> 43.10.in-addr.arpa).
  std::vector<cli::IpPrefix> service_cidrs;
  // The cluster DNS service address(es): ns.dns.<zone> and the NS answer's glue.
  std::vector<cli::IpAddress> nameservers;
};

// What a lookup decided.
struct ZoneAnswer {
  // False: the name is not ours (forward it); nothing else is set.
  bool authoritative = false;
  uint16_t rcode = rcode::kNoError;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;
  // Set when the answer ends in a CNAME to a name outside the zone: the caller should resolve
  // this question upstream and append what it finds (the specification's ExternalName example).
  std::optional<Question> chase;
};

class ClusterRecords {
 public:
  // kInvalidArgument for an invalid domain.
  static Result<std::unique_ptr<ClusterRecords>> Create(ClusterRecordsOptions options);
  ~ClusterRecords();
  ClusterRecords(const ClusterRecords&) = delete;
  ClusterRecords& operator=(const ClusterRecords&) = delete;

  // --- updates (serialized) ---
  // Replaces the records of `service` (a v1 Service) with what it and `slices` (its
  // EndpointSlices) publish.
  void UpsertService(const nlohmann::json& service,
                     const std::vector<const nlohmann::json*>& slices);
  void RemoveService(const std::string& ns, const std::string& name);
  // Records that a namespace exists (or no longer does): <ns>.svc and pod names under it.
  void SetNamespace(const std::string& name, bool exists);
  void SetSynced(bool synced);

  // --- lookups (never block on updates) ---
  ZoneAnswer Lookup(const Question& q) const;
  bool synced() const;
  size_t service_count() const;
  // The zone apex and the options it was made with.
  const Name& zone() const;
  const ClusterRecordsOptions& options() const;

  struct Snapshot;

 private:
  ClusterRecords(ClusterRecordsOptions options, Name zone);
  void Publish(std::shared_ptr<const Snapshot> next);  // write_mu_ held

  const ClusterRecordsOptions options_;
  const Name zone_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<bool> synced_{true};
  std::mutex write_mu_;  // serializes updates (readers never take it)
};

}  // namespace skiff::net::dns
