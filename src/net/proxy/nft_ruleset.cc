#include "net/proxy/nft_ruleset.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "skiff/cli/ip.h"

namespace skiff::net::proxy {
namespace {

constexpr const char* kMasqueradeMark = "0x4000";

bool IsIpv4Cidr(const std::string& cidr) {
  auto prefix = cli::ParseCidr(cidr);
  return prefix.ok() && prefix->address.family == cli::IpFamily::kV4;
}

bool ValidPort(int32_t p) { return p > 0 && p <= 65535; }

std::string Proto(const std::string& protocol) {
  if (protocol == "TCP") return "tcp";
  if (protocol == "UDP") return "udp";
  if (protocol == "SCTP") return "sctp";
  return "";
}

// FNV-1a 64, printed as 8 characters of base32: short, stable chain names.
std::string ShortHash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += kAlphabet[h & 31];
    h >>= 5;
  }
  return out;
}

// Only characters an nft identifier takes unquoted.
std::string Readable(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  }
  return out.substr(0, 60);
}

// The endpoints that serve traffic: ready ones, or the serving-and-terminating ones when none
// is ready (kube-proxy's CategorizeEndpoints); `local` keeps this node's only.
std::vector<const Endpoint*> Usable(const ServicePort& sp, const std::string& node,
                                    bool local) {
  std::vector<const Endpoint*> ready, terminating;
  for (const Endpoint& e : sp.endpoints) {
    if (!IsIpv4(e.ip) || !ValidPort(e.port)) continue;
    if (local && e.node != node) continue;
    if (e.ready) {
      ready.push_back(&e);
    } else if (e.serving && e.terminating) {
      terminating.push_back(&e);
    }
  }
  return ready.empty() ? terminating : ready;
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string MapType(const std::string& map) {
  return map == "service-nodeports" || map == "no-endpoint-nodeports"
             ? "inet_proto . inet_service"
             : "ipv4_addr . inet_proto . inet_service";
}

// The ClientIP affinity set of an endpoint chain ("ep-<hash>-..."): named for the hash and the
// timeout, so that a new timeout is a new set (a set in use cannot be redeclared).
std::string AffinitySet(const std::string& endpoint_chain, int32_t seconds) {
  return "aff-" + endpoint_chain.substr(3, 8) + "-" + std::to_string(seconds);
}

// Base chains (hooked into netfilter) start with their "type ..." line.
bool IsBaseChain(const std::string& body) { return body.find("    type ") == 0; }

// The rules of a chain body, one per line.
std::vector<std::string> Rules(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(pos, end - pos);
    pos = end + 1;
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos) out.push_back(line.substr(first));
  }
  return out;
}

// The key of a verdict map element "k . p . n : goto x".
std::string ElementKey(const std::string& element) {
  return element.substr(0, element.find(" : "));
}

class Builder {
 public:
  explicit Builder(const ProxyConfig& config) : config_(config) {}

  void Add(const ServicePort& sp) {
    const std::string proto = Proto(sp.protocol);
    if (proto.empty() || !ValidPort(sp.port)) return;
    std::vector<std::string> cluster_ips, external_ips;
    for (const std::string& ip : sp.cluster_ips) {
      if (IsIpv4(ip)) cluster_ips.push_back(ip);
    }
    for (const std::string& ip : sp.external_ips) {
      if (IsIpv4(ip)) external_ips.push_back(ip);
    }
    const bool node_port = ValidPort(sp.node_port);
    if (cluster_ips.empty() && external_ips.empty() && !node_port) return;
    ++service_ports_;

    const std::string key = sp.Key();
    const std::string id = ShortHash(key) + "-" + Readable(sp.ns + "-" + sp.name + "-" +
                                                           (sp.port_name.empty()
                                                                ? std::to_string(sp.port)
                                                                : sp.port_name) +
                                                           "-" + proto);
    const std::string svc_chain = "svc-" + id;
    const std::string ext_chain = "ext-" + id;
    const std::string local_chain = "svl-" + id;
    const std::string comment = " comment \"" + key + "\"";

    std::vector<const Endpoint*> cluster =
        Usable(sp, config_.node_name, sp.internal_local);
    std::vector<const Endpoint*> all = Usable(sp, config_.node_name, false);
    std::vector<const Endpoint*> local = Usable(sp, config_.node_name, true);
    const bool has_external = !external_ips.empty() || node_port;
    const std::vector<const Endpoint*>& external = sp.external_local ? local : all;

    // Endpoint chains, with ClientIP affinity only: one per endpoint any path uses, which
    // remembers the client and DNATs.
    std::map<const Endpoint*, std::string> ep_chain;
    auto endpoint_chain = [&](const Endpoint* e) {
      auto [it, fresh] = ep_chain.emplace(e, "");
      if (!fresh) return it->second;
      const std::string ep_id = ShortHash(key + "|" + e->ip + ":" + std::to_string(e->port));
      it->second = "ep-" + ep_id + "-" + Readable(e->ip + "-" + std::to_string(e->port));
      const std::string set = AffinitySet(it->second, sp.affinity_seconds);
      sets_[set] = "type ipv4_addr; flags dynamic,timeout; timeout " +
                   std::to_string(sp.affinity_seconds) + "s;";
      Chain(it->second, "    update @" + set + " { ip saddr }\n    meta l4proto " + proto +
                            " dnat to " + e->ip + ":" + std::to_string(e->port) + "\n");
      return it->second;
    };
    // Spreads over `eps`; the body of a service-like chain. Without affinity the endpoint is
    // picked and DNATed in one rule (a numgen map to address . port): no chain per endpoint,
    // so that nft's read-back of the table before each change stays small.
    std::set<const Endpoint*> counted;
    auto spread = [&](const std::vector<const Endpoint*>& eps) {
      for (const Endpoint* e : eps) {
        // Only a pod of this node can reach itself through this node's rules (endpoints of
        // unknown node may be such a pod): the set stays as small as the node's pods.
        if (e->node == config_.node_name || e->node.empty()) hairpin_.insert(e->ip + " . " + e->ip);
        if (counted.insert(e).second) ++endpoints_;
      }
      std::string body;
      if (sp.affinity_seconds > 0) {
        std::vector<std::string> targets;
        for (const Endpoint* e : eps) targets.push_back(endpoint_chain(e));
        for (const std::string& t : targets) {
          body += "    ip saddr @" + AffinitySet(t, sp.affinity_seconds) + " goto " + t + "\n";
        }
        if (targets.size() == 1) {
          body += "    goto " + targets[0] + "\n";
        } else {
          body += "    numgen random mod " + std::to_string(targets.size()) + " vmap { ";
          for (size_t i = 0; i < targets.size(); ++i) {
            body += (i ? ", " : "") + std::to_string(i) + " : goto " + targets[i];
          }
          body += " }\n";
        }
        return body;
      }
      if (eps.size() == 1) {
        return "    meta l4proto " + proto + " dnat to " + eps[0]->ip + ":" +
               std::to_string(eps[0]->port) + "\n";
      }
      body = "    meta l4proto " + proto + " dnat ip addr . port to numgen random mod " +
             std::to_string(eps.size()) + " map { ";
      for (size_t i = 0; i < eps.size(); ++i) {
        body += (i ? ", " : "") + std::to_string(i) + " : " + eps[i]->ip + " . " +
                std::to_string(eps[i]->port);
      }
      return body + " }\n";
    };

    // Cluster IPs.
    for (const std::string& ip : cluster_ips) {
      cluster_ips_.insert(ip);
      const std::string element = ip + " . " + proto + " . " + std::to_string(sp.port);
      if (cluster.empty()) {
        maps_["no-endpoint-services"].push_back(element + " : goto reject-chain");
      } else {
        maps_["service-ips"].push_back(element + " : goto " + svc_chain);
      }
    }
    if (!cluster.empty() && !cluster_ips.empty()) {
      std::string body;
      if (!config_.cluster_cidr.empty()) {
        body += "    ip daddr " + cluster_ips.front() + " " + proto + " dport " +
                std::to_string(sp.port) + " ip saddr != " + config_.cluster_cidr +
                " jump mark-for-masquerade\n";
      }
      Chain(svc_chain, body + spread(cluster));
    }

    // NodePort, external and LoadBalancer addresses.
    if (!has_external) return;
    const bool reachable = !external.empty() || (sp.external_local && !all.empty());
    if (!reachable) {
      for (const std::string& ip : external_ips) {
        maps_["no-endpoint-services"].push_back(ip + " . " + proto + " . " + std::to_string(sp.port) +
                                        " : goto reject-chain");
      }
      if (node_port) {
        maps_["no-endpoint-nodeports"].push_back(proto + " . " + std::to_string(sp.node_port) +
                                         " : goto reject-chain");
      }
      return;
    }
    std::string body;
    if (sp.external_local) {
      // Traffic from this node may use every endpoint (and is masqueraded); the rest keeps
      // its source and goes to this node's endpoints only, or is dropped when there are none.
      if (!all.empty()) {
        if (!Defined(svc_chain)) Chain(svc_chain, spread(all));
        body += "    fib saddr type local jump mark-for-masquerade\n";
        body += "    fib saddr type local goto " + svc_chain + "\n";
      }
      if (local.empty()) {
        body += "    drop\n";
      } else {
        Chain(local_chain, spread(local));
        body += "    goto " + local_chain + "\n";
      }
    } else {
      if (!Defined(svc_chain)) Chain(svc_chain, spread(all));
      body += "    jump mark-for-masquerade\n";
      body += "    goto " + svc_chain + "\n";
    }
    Chain(ext_chain, body);
    for (const std::string& ip : external_ips) {
      maps_["service-ips"].push_back(ip + " . " + proto + " . " + std::to_string(sp.port) + " : goto " +
                             ext_chain);
    }
    if (node_port) {
      maps_["service-nodeports"].push_back(proto + " . " + std::to_string(sp.node_port) + " : goto " +
                                   ext_chain);
    }
  }

  Ruleset Finish() {
    // The fixed chains.
    Chain("nat-prerouting", "    type nat hook prerouting priority dstnat; policy accept;\n"
                            "    jump services\n");
    Chain("nat-output", "    type nat hook output priority -100; policy accept;\n"
                        "    jump services\n");
    Chain("nat-postrouting", "    type nat hook postrouting priority srcnat; policy accept;\n"
                             "    jump masquerading\n");
    // A pod reaching itself through a service (hairpin) must see the reply come from the
    // service, not from itself: after the DNAT its source is its destination.
    Chain("masquerading", std::string("    ct status dnat ip saddr . ip daddr @hairpin-endpoints "
                                      "masquerade fully-random\n") +
                              "    meta mark & " + kMasqueradeMark +
                              " == 0 return\n    meta mark set meta mark ^ " + kMasqueradeMark +
                              "\n    masquerade fully-random\n");
    Chain("mark-for-masquerade",
          std::string("    meta mark set meta mark | ") + kMasqueradeMark + "\n");
    Chain("services",
          "    ip daddr . meta l4proto . th dport vmap @service-ips\n"
          "    fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap "
          "@service-nodeports\n");
    Chain("filter-input", "    type filter hook input priority -110; policy accept;\n"
                          "    ct state new jump nodeport-endpoints-check\n"
                          "    ct state new jump service-endpoints-check\n");
    Chain("filter-forward", "    type filter hook forward priority -110; policy accept;\n"
                            "    ct state new jump service-endpoints-check\n"
                            "    ct state new jump cluster-ips-check\n");
    Chain("filter-output", "    type filter hook output priority -110; policy accept;\n"
                           "    ct state new jump service-endpoints-check\n");
    // After the output DNAT (priority -100): what still goes to a cluster IP was not DNATed.
    Chain("filter-output-post-dnat",
          "    type filter hook output priority -90; policy accept;\n"
          "    ct state new jump cluster-ips-check\n");
    Chain("service-endpoints-check",
          "    ip daddr . meta l4proto . th dport vmap @no-endpoint-services\n");
    Chain("nodeport-endpoints-check",
          "    fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap "
          "@no-endpoint-nodeports\n");
    // A cluster IP on a port its service does not have (still the VIP: nothing DNATed it).
    Chain("cluster-ips-check", "    ip daddr @cluster-ips reject\n");
    Chain("reject-chain", "    reject\n");

    Ruleset r;
    r.table = config_.table;
    r.service_ports = service_ports_;
    r.endpoints = endpoints_;
    for (const char* m :
         {"service-ips", "service-nodeports", "no-endpoint-services", "no-endpoint-nodeports"}) {
      std::vector<std::string>& elements = maps_[m];
      std::sort(elements.begin(), elements.end());
      elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
    }
    r.maps = std::move(maps_);
    r.cluster_ips.assign(cluster_ips_.begin(), cluster_ips_.end());
    r.hairpin.assign(hairpin_.begin(), hairpin_.end());
    r.sets = std::move(sets_);
    r.chains = std::move(chains_);
    return r;
  }

 private:
  bool Defined(const std::string& name) const { return chains_.count(name) > 0; }
  void Chain(const std::string& name, const std::string& body) { chains_[name] = body; }

  const ProxyConfig& config_;
  std::map<std::string, std::vector<std::string>> maps_;
  std::set<std::string> cluster_ips_;
  std::set<std::string> hairpin_;
  std::map<std::string, std::string> chains_;
  std::map<std::string, std::string> sets_;
  int service_ports_ = 0;
  int endpoints_ = 0;
};

}  // namespace

std::string ServicePort::Key() const {
  return ns + "/" + name + ":" + (port_name.empty() ? std::to_string(port) : port_name) + "/" +
         protocol;
}

Ruleset BuildRuleset(const ProxyConfig& config, const std::vector<ServicePort>& ports) {
  ProxyConfig checked = config;
  if (!checked.cluster_cidr.empty() && !IsIpv4Cidr(checked.cluster_cidr)) {
    checked.cluster_cidr.clear();
  }
  Builder b(checked);
  for (const ServicePort& sp : ports) b.Add(sp);
  return b.Finish();
}

std::string Definition(const Ruleset& r) {
  std::string d = "table ip " + r.table + " {\n";
  for (const auto& [name, elements] : r.maps) {
    d += "  map " + name + " {\n    type " + MapType(name) + " : verdict\n";
    if (!elements.empty()) d += "    elements = {\n      " + Join(elements, ",\n      ") + "\n    }\n";
    d += "  }\n";
  }
  d += "  set cluster-ips {\n    type ipv4_addr\n";
  if (!r.cluster_ips.empty()) d += "    elements = { " + Join(r.cluster_ips, ", ") + " }\n";
  d += "  }\n";
  d += "  set hairpin-endpoints {\n    type ipv4_addr . ipv4_addr\n";
  if (!r.hairpin.empty()) d += "    elements = { " + Join(r.hairpin, ", ") + " }\n";
  d += "  }\n";
  for (const auto& [name, def] : r.sets) d += "  set " + name + " { " + def + " }\n";
  for (const auto& [name, body] : r.chains) d += "  chain " + name + " {\n" + body + "  }\n";
  d += "}\n";
  return d;
}

std::string SyncScript(const Ruleset& next, const Ruleset* previous) {
  const std::string table = "ip " + next.table;
  const bool comparable =
      previous && previous->table == next.table &&
      std::all_of(next.chains.begin(), next.chains.end(), [&](const auto& c) {
        if (!IsBaseChain(c.second)) return true;
        auto it = previous->chains.find(c.first);
        return it != previous->chains.end() && it->second == c.second;
      });
  if (!comparable) {
    return "table " + table + " {}\ndelete table " + table + "\n" + Definition(next);
  }
  // Only what changed, in an order every step of which is valid: stale map elements out,
  // new chains and sets in, changed chains rewritten, new map elements in, and then what
  // nothing refers to any more deleted.
  std::string s;
  auto diff = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out;  // in a, not in b (both sorted)
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  };
  static const std::vector<std::string> kNone;
  auto elements = [&](const Ruleset& r, const std::string& m) -> const std::vector<std::string>& {
    auto it = r.maps.find(m);
    return it == r.maps.end() ? kNone : it->second;
  };
  for (const auto& [m, now] : next.maps) {
    std::vector<std::string> gone = diff(elements(*previous, m), now);
    for (std::string& e : gone) e = ElementKey(e);
    if (!gone.empty()) s += "delete element " + table + " " + m + " { " + Join(gone, ", ") + " }\n";
  }
  // The plain sets, by name: what each holds in `previous` and in `next`.
  const std::pair<const char*, std::pair<const std::vector<std::string>*,
                                         const std::vector<std::string>*>>
      plain_sets[] = {{"cluster-ips", {&previous->cluster_ips, &next.cluster_ips}},
                      {"hairpin-endpoints", {&previous->hairpin, &next.hairpin}}};
  for (const auto& [set, contents] : plain_sets) {
    if (auto gone = diff(*contents.first, *contents.second); !gone.empty()) {
      s += "delete element " + table + " " + set + " { " + Join(gone, ", ") + " }\n";
    }
  }
  for (const auto& [name, body] : next.chains) {
    if (!previous->chains.count(name)) s += "add chain " + table + " " + name + "\n";
  }
  for (const auto& [name, def] : next.sets) {
    auto it = previous->sets.find(name);
    if (it == previous->sets.end()) s += "add set " + table + " " + name + " { " + def + " }\n";
  }
  for (const auto& [name, body] : next.chains) {
    auto it = previous->chains.find(name);
    if (it != previous->chains.end() && it->second == body) continue;
    if (it != previous->chains.end()) s += "flush chain " + table + " " + name + "\n";
    for (const std::string& rule : Rules(body)) {
      s += "add rule " + table + " " + name + " " + rule + "\n";
    }
  }
  for (const auto& [m, now] : next.maps) {
    if (auto added = diff(now, elements(*previous, m)); !added.empty()) {
      s += "add element " + table + " " + m + " { " + Join(added, ", ") + " }\n";
    }
  }
  for (const auto& [set, contents] : plain_sets) {
    if (auto added = diff(*contents.second, *contents.first); !added.empty()) {
      s += "add element " + table + " " + set + " { " + Join(added, ", ") + " }\n";
    }
  }
  for (const auto& [name, body] : previous->chains) {
    if (!next.chains.count(name)) s += "delete chain " + table + " " + name + "\n";
  }
  for (const auto& [name, def] : previous->sets) {
    if (!next.sets.count(name)) s += "delete set " + table + " " + name + "\n";
  }
  return s;
}

std::string DeleteScript(const std::string& table) {
  return "table ip " + table + " {}\ndelete table ip " + table + "\n";
}

}  // namespace skiff::net::proxy
