// The lookups of ClusterRecords over one snapshot (the rules are in cluster_records.h).
#include <algorithm>
#include <set>

#include "net/dns/cluster_snapshot.h"
#include "net/dns/reverse_name.h"

namespace skiff::net::dns {
namespace {

constexpr int kMaxCnameDepth = 8;
constexpr uint32_t kDnsVersionTtl = 28800;

bool Wants(uint16_t qtype, uint16_t type) { return qtype == type || qtype == rrtype::kANY; }

ResourceRecord Record(const Name& owner, uint16_t type, uint32_t ttl, Rdata data) {
  return ResourceRecord{owner, type, kClassIN, ttl, std::move(data)};
}

// Appends the A/AAAA records of `ips` that `qtype` asks for, each address once.
void AddAddresses(const Name& owner, const std::vector<cli::IpAddress>& ips, uint16_t qtype,
                  uint32_t ttl, std::vector<ResourceRecord>* out) {
  std::set<std::string> seen;
  for (const cli::IpAddress& ip : ips) {
    if (!seen.insert(IpKey(ip)).second) continue;
    if (ip.family == cli::IpFamily::kV4 && Wants(qtype, rrtype::kA)) {
      AData a;
      std::copy_n(ip.bytes.begin(), 4, a.address.begin());
      out->push_back(Record(owner, rrtype::kA, ttl, a));
    } else if (ip.family == cli::IpFamily::kV6 && Wants(qtype, rrtype::kAAAA)) {
      AaaaData a;
      a.address = ip.bytes;
      out->push_back(Record(owner, rrtype::kAAAA, ttl, a));
    }
  }
}

// "10-42-0-5" -> 10.42.0.5; "fd00--5" -> fd00::5 (CoreDNS's pod names).
std::optional<cli::IpAddress> DashedToAddress(const std::string& label) {
  std::string text = label;
  const bool v4 =
      std::count(text.begin(), text.end(), '-') == 3 && text.find("--") == std::string::npos;
  std::replace(text.begin(), text.end(), '-', v4 ? '.' : ':');
  auto ip = cli::ParseIpAddress(text);
  if (!ip.ok() || (ip->family == cli::IpFamily::kV4) != v4) return std::nullopt;
  return *ip;
}

class Resolver {
 public:
  Resolver(const ClusterRecords::Snapshot& snap, const ClusterRecordsOptions& options,
           const Name& zone, bool synced)
      : snap_(snap), options_(options), zone_(zone), synced_(synced) {}

  ZoneAnswer Zone(const Question& q, int depth) {
    ZoneAnswer a;
    a.authoritative = true;
    std::vector<std::string> labels;
    for (std::string_view l : q.name.LabelsBefore(zone_)) labels.push_back(AsciiLower(l));
    const bool exists = ZoneName(q, labels, depth, &a);
    Finish(exists, zone_, &a);
    return a;
  }

  ZoneAnswer Reverse(const Question& q) {
    ZoneAnswer a;
    const std::optional<cli::IpAddress> ip = AddressFromReverse(q.name);
    std::optional<Name> soa_zone;  // the service range's reverse zone the name falls in
    for (const cli::IpPrefix& cidr : options_.service_cidrs) {
      Name z = ReverseZone(cidr);
      if ((ip && cidr.Contains(*ip)) || (!ip && q.name.IsSubdomainOf(z))) soa_zone = z;
    }
    bool exists = false;
    if (ip) {
      auto it = snap_.ptr.find(IpKey(*ip));
      if (it == snap_.ptr.end() && !soa_zone) return a;  // not ours: forward it
      if (it != snap_.ptr.end()) {
        exists = true;
        if (Wants(q.type, rrtype::kPTR)) AddPtrs(q.name, *it->second, &a.answers);
      }
    } else {
      if (!soa_zone) return a;
      // A partial name inside our reverse zone exists when some address lies below it.
      for (const auto& [key, targets] : snap_.ptr) {
        cli::IpAddress addr;
        addr.family = key[0] == '4' ? cli::IpFamily::kV4 : cli::IpFamily::kV6;
        std::copy(key.begin() + 1, key.end(), addr.bytes.begin());
        if (ReverseName(addr).IsSubdomainOf(q.name)) {
          exists = true;
          break;
        }
      }
    }
    a.authoritative = true;
    const Name& top = ip ? (ip->family == cli::IpFamily::kV4 ? InAddrArpa() : Ip6Arpa())
                         : (q.name.IsSubdomainOf(InAddrArpa()) ? InAddrArpa() : Ip6Arpa());
    Finish(exists, soa_zone ? *soa_zone : top, &a);
    return a;
  }

 private:
  void AddPtrs(const Name& owner, const std::vector<PtrTarget>& targets,
               std::vector<ResourceRecord>* out) {
    const bool any_service = std::any_of(targets.begin(), targets.end(),
                                         [](const PtrTarget& t) { return t.service_ip; });
    for (const PtrTarget& t : targets) {
      if (any_service && !t.service_ip) continue;
      out->push_back(Record(owner, rrtype::kPTR, options_.ttl, NameData{t.target}));
      if (any_service) break;  // one service owns a ClusterIP
    }
  }

  // Sets the rcode and the authority section from whether the name exists.
  void Finish(bool exists, const Name& soa_owner, ZoneAnswer* a) {
    if (!exists) {
      a->answers.clear();
      a->additional.clear();
      a->chase.reset();
      a->rcode = rcode::kNxDomain;
      if (!synced_) {
        a->rcode = rcode::kServFail;
        return;
      }
    }
    if (a->answers.empty() && a->authority.empty()) a->authority.push_back(Soa(soa_owner));
  }

  ResourceRecord Soa(const Name& owner) {
    SoaData soa;
    soa.mname = Sub({"ns", "dns"});
    soa.rname = Sub({"hostmaster"});
    soa.serial = snap_.serial;
    soa.refresh = 7200;
    soa.retry = 1800;
    soa.expire = 86400;
    soa.minimum = options_.ttl;
    return Record(owner, rrtype::kSOA, options_.ttl, std::move(soa));
  }

  Name Sub(const std::vector<std::string_view>& labels) {
    auto n = Name::FromLabels(labels, zone_);
    return n.ok() ? std::move(n).value() : zone_;
  }

  bool NamespaceExists(const std::string& ns) const {
    return snap_.namespaces.count(ns) > 0 || snap_.services_per_namespace.count(ns) > 0;
  }

  // Fills `a` with the records of `labels` (in front of the zone, lower-cased); returns
  // whether the name exists.
  bool ZoneName(const Question& q, const std::vector<std::string>& labels, int depth,
                ZoneAnswer* a) {
    const uint32_t ttl = options_.ttl;
    const size_t n = labels.size();
    if (n == 0) {
      if (Wants(q.type, rrtype::kSOA)) a->answers.push_back(Soa(q.name));
      if (Wants(q.type, rrtype::kNS)) {
        a->answers.push_back(Record(q.name, rrtype::kNS, ttl, NameData{Sub({"ns", "dns"})}));
        AddAddresses(Sub({"ns", "dns"}), options_.nameservers, rrtype::kANY, ttl, &a->additional);
      }
      return true;
    }
    const std::string& last = labels[n - 1];
    if (n == 1 && last == "dns-version") {
      if (Wants(q.type, rrtype::kTXT)) {
        a->answers.push_back(
            Record(q.name, rrtype::kTXT, kDnsVersionTtl, TxtData{{kDnsSchemaVersion}}));
      }
      return true;
    }
    if (last == "dns" && n <= 2) {
      if (n == 1) return true;  // an empty non-terminal above ns.dns
      if (labels[0] != "ns") return false;
      AddAddresses(q.name, options_.nameservers, q.type, ttl, &a->answers);
      return true;
    }
    std::vector<std::string> rest(labels.begin(), labels.end() - 1);
    if (last == "svc") return ServiceName(q, rest, depth, a);
    if (last == "pod") return PodName(q, rest, a);
    return false;
  }

  bool PodName(const Question& q, const std::vector<std::string>& rest, ZoneAnswer* a) {
    const size_t m = rest.size();
    if (m == 0) return true;
    if (!NamespaceExists(rest[m - 1])) return false;
    if (m == 1) return true;
    if (m > 2) return false;
    auto ip = DashedToAddress(rest[0]);
    if (!ip) return false;
    AddAddresses(q.name, {*ip}, q.type, options_.ttl, &a->answers);
    return true;
  }

  bool ServiceName(const Question& q, const std::vector<std::string>& rest, int depth,
                   ZoneAnswer* a) {
    const size_t m = rest.size();
    if (m == 0) return true;
    const std::string& ns = rest[m - 1];
    if (!NamespaceExists(ns)) return false;
    if (m == 1) return true;
    auto it = snap_.services.find(ns + "/" + rest[m - 2]);
    if (it == snap_.services.end()) return false;
    const ServiceEntry& e = *it->second;
    if (m == 2) return ServiceRecords(q, e, depth, a);
    if (e.kind == ServiceEntry::Kind::kExternalName) return false;
    if (m == 3) {
      if (rest[0].starts_with("_")) {  // _<proto>.<svc>: an empty non-terminal of SRV names
        return !Srv(q.name, e, "", rest[0].substr(1), nullptr, nullptr);
      }
      return EndpointRecords(q, e, rest[0], a);
    }
    if (m == 4 && rest[0].starts_with("_") && rest[1].starts_with("_")) {
      const bool want = Wants(q.type, rrtype::kSRV);
      return !Srv(q.name, e, rest[0].substr(1), rest[1].substr(1), want ? &a->answers : nullptr,
                  want ? &a->additional : nullptr);
    }
    return false;
  }

  bool ServiceRecords(const Question& q, const ServiceEntry& e, int depth, ZoneAnswer* a) {
    const uint32_t ttl = options_.ttl;
    switch (e.kind) {
      case ServiceEntry::Kind::kExternalName: {
        if (!e.external_name) return false;
        a->answers.push_back(Record(q.name, rrtype::kCNAME, ttl, NameData{*e.external_name}));
        if (q.type == rrtype::kCNAME || q.type == rrtype::kANY) return true;
        const Question next{*e.external_name, q.type, q.qclass};
        if (!e.external_name->IsSubdomainOf(zone_)) {
          a->chase = next;
          return true;
        }
        if (depth >= kMaxCnameDepth) {
          a->rcode = rcode::kServFail;  // a CNAME loop inside the zone
          return true;
        }
        ZoneAnswer rest = Zone(next, depth + 1);
        for (auto& rr : rest.answers) a->answers.push_back(std::move(rr));
        for (auto& rr : rest.additional) a->additional.push_back(std::move(rr));
        a->authority = std::move(rest.authority);
        a->rcode = rest.rcode;  // RFC 6604: the rcode of the last name in the chain
        a->chase = std::move(rest.chase);
        return true;
      }
      case ServiceEntry::Kind::kHeadless: {
        std::vector<cli::IpAddress> ips;
        for (const EndpointGroup& g : e.groups) {
          for (const DnsEndpoint& ep : g.endpoints) {
            ips.insert(ips.end(), ep.addresses.begin(), ep.addresses.end());
          }
        }
        if (ips.empty()) return false;  // the specification: NXDOMAIN without ready endpoints
        AddAddresses(q.name, ips, q.type, ttl, &a->answers);
        return true;
      }
      case ServiceEntry::Kind::kClusterIP:
        AddAddresses(q.name, e.cluster_ips, q.type, ttl, &a->answers);
        return true;
    }
    return false;
  }

  bool EndpointRecords(const Question& q, const ServiceEntry& e, const std::string& host,
                       ZoneAnswer* a) {
    const std::vector<cli::IpAddress> ips = AddressesOf(e, host);
    if (ips.empty()) return false;
    AddAddresses(q.name, ips, q.type, options_.ttl, &a->answers);
    return true;
  }

  // The SRV records of port `port` ("" = any) and protocol `proto`; returns true when there
  // are none. With `answers`, appends them (and their targets' addresses to `additional`).
  bool Srv(const Name& owner, const ServiceEntry& e, const std::string& port,
           const std::string& proto, std::vector<ResourceRecord>* answers,
           std::vector<ResourceRecord>* additional) {
    struct Item {
      std::string host;  // "" for the service name itself
      uint16_t port;
    };
    std::vector<Item> items;
    auto matches = [&](const DnsPort& p) {
      return (port.empty() || p.name == port) && p.protocol == proto;
    };
    if (e.kind == ServiceEntry::Kind::kClusterIP) {
      for (const DnsPort& p : e.ports) {
        if (matches(p)) items.push_back({"", p.port});
      }
    } else {
      // Headless: one per endpoint name and port, with the endpoints' own (target) ports.
      std::set<std::pair<std::string, uint16_t>> seen;
      for (const EndpointGroup& g : e.groups) {
        for (const DnsPort& p : g.ports) {
          if (!matches(p)) continue;
          for (const DnsEndpoint& ep : g.endpoints) {
            if (seen.insert({ep.hostname, p.port}).second) items.push_back({ep.hostname, p.port});
          }
        }
      }
    }
    if (items.empty()) return true;
    if (!answers) return false;
    const Name svc_name = Sub({e.name, e.ns, "svc"});
    // Equal shares of weight 100 at one priority, as CoreDNS gives them.
    const auto weight = static_cast<uint16_t>(100 / items.size());
    std::set<std::string> glued;
    for (const Item& it : items) {
      Name target = svc_name;
      if (!it.host.empty()) {
        auto n = Name::FromLabels({it.host}, svc_name);
        if (!n.ok()) continue;
        target = std::move(n).value();
      }
      answers->push_back(
          Record(owner, rrtype::kSRV, options_.ttl, SrvData{0, weight, it.port, target}));
      if (!glued.insert(it.host).second) continue;
      AddAddresses(target, it.host.empty() ? e.cluster_ips : AddressesOf(e, it.host), rrtype::kANY,
                   options_.ttl, additional);
    }
    return false;
  }

  // The addresses of the endpoints named `host`, across all slices.
  static std::vector<cli::IpAddress> AddressesOf(const ServiceEntry& e, const std::string& host) {
    std::vector<cli::IpAddress> ips;
    for (const EndpointGroup& g : e.groups) {
      for (const DnsEndpoint& ep : g.endpoints) {
        if (ep.hostname == host) ips.insert(ips.end(), ep.addresses.begin(), ep.addresses.end());
      }
    }
    return ips;
  }

  const ClusterRecords::Snapshot& snap_;
  const ClusterRecordsOptions& options_;
  const Name& zone_;
  const bool synced_;
};

}  // namespace

ZoneAnswer LookupIn(const ClusterRecords::Snapshot& snap, const ClusterRecordsOptions& options,
                    const Name& zone, bool synced, const Question& q) {
  Resolver r(snap, options, zone, synced);
  if (q.name.IsSubdomainOf(zone)) return r.Zone(q, 0);
  if (IsReverseName(q.name)) return r.Reverse(q);
  return ZoneAnswer{};
}

}  // namespace skiff::net::dns
