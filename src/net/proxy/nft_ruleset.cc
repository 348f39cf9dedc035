#include "net/proxy/nft_ruleset.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <set>

namespace skiff::net::proxy {
namespace {

constexpr const char* kMasqueradeMark = "0x4000";

bool IsIpv4(const std::string& ip) {
  in_addr a{};
  return inet_pton(AF_INET, ip.c_str(), &a) == 1;
}

bool IsIpv4Cidr(const std::string& cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos || !IsIpv4(cidr.substr(0, slash))) return false;
  const std::string bits = cidr.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) {
    return false;
  }
  return std::stoi(bits) <= 32;
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

    // Endpoint chains, one per endpoint any path uses.
    std::map<const Endpoint*, std::string> ep_chain;
    auto endpoint_chain = [&](const Endpoint* e) {
      auto [it, fresh] = ep_chain.emplace(e, "");
      if (!fresh) return it->second;
      const std::string ep_id = ShortHash(key + "|" + e->ip + ":" + std::to_string(e->port));
      it->second = "ep-" + ep_id + "-" + Readable(e->ip + "-" + std::to_string(e->port));
      std::string body = "    ip saddr " + e->ip + " jump mark-for-masquerade\n";
      if (sp.affinity_seconds > 0) {
        const std::string set = "aff-" + ep_id;
        sets_.push_back(set);
        definitions_ += "  set " + set + " {\n    type ipv4_addr\n    flags dynamic,timeout\n"
                        "    timeout " + std::to_string(sp.affinity_seconds) + "s\n  }\n";
        body += "    update @" + set + " { ip saddr }\n";
      }
      body += "    meta l4proto " + proto + " dnat to " + e->ip + ":" + std::to_string(e->port) +
              "\n";
      Chain(it->second, body);
      ++endpoints_;
      return it->second;
    };
    // Spreads over `eps` (affinity first); the body of a service-like chain.
    auto spread = [&](const std::vector<const Endpoint*>& eps) {
      std::string body;
      std::vector<std::string> targets;
      for (const Endpoint* e : eps) targets.push_back(endpoint_chain(e));
      if (sp.affinity_seconds > 0) {
        for (const std::string& t : targets) {
          body += "    ip saddr @aff-" + t.substr(3, 8) + " goto " + t + "\n";
        }
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
    };

    // Cluster IPs.
    for (const std::string& ip : cluster_ips) {
      cluster_ips_.insert(ip);
      const std::string element = ip + " . " + proto + " . " + std::to_string(sp.port);
      if (cluster.empty()) {
        no_endpoint_services_.push_back(element + " : goto reject-chain");
      } else {
        service_ips_.push_back(element + " : goto " + svc_chain);
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
        no_endpoint_services_.push_back(ip + " . " + proto + " . " + std::to_string(sp.port) +
                                        " : goto reject-chain");
      }
      if (node_port) {
        no_endpoint_nodeports_.push_back(proto + " . " + std::to_string(sp.node_port) +
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
      service_ips_.push_back(ip + " . " + proto + " . " + std::to_string(sp.port) + " : goto " +
                             ext_chain);
    }
    if (node_port) {
      service_nodeports_.push_back(proto + " . " + std::to_string(sp.node_port) + " : goto " +
                                   ext_chain);
    }
  }

  Ruleset Finish() {
    Ruleset r;
    r.table = config_.table;
    r.service_ports = service_ports_;
    r.endpoints = endpoints_;
    std::string d = "table ip " + config_.table + " {\n";
    d += Map("service-ips", "ipv4_addr . inet_proto . inet_service", service_ips_);
    d += Map("service-nodeports", "inet_proto . inet_service", service_nodeports_);
    d += Map("no-endpoint-services", "ipv4_addr . inet_proto . inet_service",
             no_endpoint_services_);
    d += Map("no-endpoint-nodeports", "inet_proto . inet_service", no_endpoint_nodeports_);
    d += "  set cluster-ips {\n    type ipv4_addr\n";
    if (!cluster_ips_.empty()) {
      d += "    elements = { ";
      bool first = true;
      for (const std::string& ip : cluster_ips_) {
        d += (first ? "" : ", ") + ip;
        first = false;
      }
      d += " }\n";
    }
    d += "  }\n";
    d += definitions_;
    // The fixed chains.
    Chain("nat-prerouting", "    type nat hook prerouting priority dstnat; policy accept;\n"
                            "    jump services\n");
    Chain("nat-output", "    type nat hook output priority -100; policy accept;\n"
                        "    jump services\n");
    Chain("nat-postrouting", "    type nat hook postrouting priority srcnat; policy accept;\n"
                             "    jump masquerading\n");
    Chain("masquerading", std::string("    meta mark & ") + kMasqueradeMark +
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
    d += chains_text_;
    d += "}\n";
    r.definition = std::move(d);
    std::sort(chain_names_.begin(), chain_names_.end());
    r.chains = std::move(chain_names_);
    std::sort(sets_.begin(), sets_.end());
    sets_.erase(std::unique(sets_.begin(), sets_.end()), sets_.end());
    r.sets = std::move(sets_);
    return r;
  }

 private:
  bool Defined(const std::string& name) const {
    return std::find(chain_names_.begin(), chain_names_.end(), name) != chain_names_.end();
  }
  void Chain(const std::string& name, const std::string& body) {
    chain_names_.push_back(name);
    chains_text_ += "  chain " + name + " {\n" + body + "  }\n";
  }
  static std::string Map(const std::string& name, const std::string& type,
                         std::vector<std::string> elements) {
    std::string m = "  map " + name + " {\n    type " + type + " : verdict\n";
    if (!elements.empty()) {
      std::sort(elements.begin(), elements.end());
      elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
      m += "    elements = {\n";
      for (size_t i = 0; i < elements.size(); ++i) {
        m += "      " + elements[i] + (i + 1 < elements.size() ? ",\n" : "\n");
      }
      m += "    }\n";
    }
    return m + "  }\n";
  }

  const ProxyConfig& config_;
  std::vector<std::string> service_ips_, service_nodeports_, no_endpoint_services_,
      no_endpoint_nodeports_;
  std::set<std::string> cluster_ips_;
  std::vector<std::string> chain_names_, sets_;
  std::string definitions_;  // affinity sets
  std::string chains_text_;
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

std::string SyncScript(const Ruleset& next, const Ruleset* previous) {
  const std::string table = "ip " + next.table;
  std::string s;
  if (!previous || previous->table != next.table) {
    s += "table " + table + " {}\n";
    s += "delete table " + table + "\n";
    return s + next.definition;
  }
  // Everything that is flushed must exist first (declaring an existing map or set is a no-op).
  s += "table " + table + " {\n";
  for (const char* m : {"service-ips", "no-endpoint-services"}) {
    s += std::string("  map ") + m + " {\n    type ipv4_addr . inet_proto . inet_service : " +
         "verdict\n  }\n";
  }
  for (const char* m : {"service-nodeports", "no-endpoint-nodeports"}) {
    s += std::string("  map ") + m + " {\n    type inet_proto . inet_service : verdict\n  }\n";
  }
  s += "  set cluster-ips {\n    type ipv4_addr\n  }\n}\n";
  s += "flush table " + table + "\n";
  for (const char* m :
       {"service-ips", "service-nodeports", "no-endpoint-services", "no-endpoint-nodeports"}) {
    s += std::string("flush map ") + table + " " + m + "\n";
  }
  s += "flush set " + table + " cluster-ips\n";
  for (const std::string& c : previous->chains) {
    if (!std::binary_search(next.chains.begin(), next.chains.end(), c)) {
      s += "delete chain " + table + " " + c + "\n";
    }
  }
  for (const std::string& set : previous->sets) {
    if (!std::binary_search(next.sets.begin(), next.sets.end(), set)) {
      s += "delete set " + table + " " + set + "\n";
    }
  }
  return s + next.definition;
}

std::string DeleteScript(const std::string& table) {
  return "table ip " + table + " {}\ndelete table ip " + table + "\n";
}

}  // namespace skiff::net::proxy
