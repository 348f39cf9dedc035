#include "pod_files.h"

#include <sstream>

namespace skiff::node {
namespace {

using nlohmann::json;

struct Resolv {
  std::vector<std::string> nameservers, searches, options;
};

Resolv ParseResolv(const std::string& text) {
  Resolv r;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    std::string w;
    if (key == "nameserver") {
      if (words >> w) r.nameservers.push_back(w);
    } else if (key == "search" || key == "domain") {
      r.searches.clear();
      while (words >> w) r.searches.push_back(w);
    } else if (key == "options") {
      while (words >> w) r.options.push_back(w);
    }
  }
  return r;
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  for (const std::string& x : *v) {
    if (x == s) return;
  }
  v->push_back(s);
}

// Options merge by name (the later "ndots:2" replaces "ndots:5").
void AddOption(std::vector<std::string>* v, const std::string& opt) {
  const std::string name = opt.substr(0, opt.find(':'));
  for (std::string& x : *v) {
    if (x.substr(0, x.find(':')) == name) {
      x = opt;
      return;
    }
  }
  v->push_back(opt);
}

}  // namespace

std::string PodHostname(const json& pod) {
  std::string h = pod["spec"].value("hostname", "");
  if (h.empty()) h = pod["metadata"].value("name", "");
  if (h.size() > 63) h.resize(63);
  while (!h.empty() && (h.back() == '-' || h.back() == '.')) h.pop_back();
  return h;
}

std::string PodHostsFile(const json& pod, const std::vector<std::string>& pod_ips,
                         const std::string& cluster_domain) {
  std::ostringstream out;
  out << "# Kubernetes-managed hosts file.\n"
         "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n"
         "fe00::0\tip6-localnet\n"
         "fe00::0\tip6-mcastprefix\n"
         "fe00::1\tip6-allnodes\n"
         "fe00::2\tip6-allrouters\n";
  const std::string hostname = PodHostname(pod);
  const std::string subdomain = pod["spec"].value("subdomain", "");
  for (const std::string& ip : pod_ips) {
    if (subdomain.empty()) {
      out << ip << "\t" << hostname << "\n";
    } else {
      out << ip << "\t" << hostname << "." << subdomain << "."
          << pod["metadata"].value("namespace", "default") << ".svc." << cluster_domain << "\t"
          << hostname << "\n";
    }
  }
  const json* aliases = pod["spec"].contains("hostAliases") ? &pod["spec"]["hostAliases"] : nullptr;
  if (aliases && aliases->is_array() && !aliases->empty()) {
    out << "\n# Entries added by HostAliases.\n";
    for (const json& a : *aliases) {
      out << a.value("ip", "");
      if (a.contains("hostnames") && a["hostnames"].is_array()) {
        for (const json& h : a["hostnames"]) out << "\t" << h.get<std::string>();
      }
      out << "\n";
    }
  }
  return out.str();
}

Result<std::string> PodResolvConf(const json& pod, const DnsSettings& dns) {
  const json& spec = pod["spec"];
  std::string policy = spec.value("dnsPolicy", "ClusterFirst");
  const bool host_network = spec.value("hostNetwork", false);
  if (policy == "ClusterFirst" && host_network) policy = "Default";
  if (policy == "ClusterFirstWithHostNet") policy = "ClusterFirst";
  Resolv host = ParseResolv(dns.host_resolv_conf);
  Resolv r;
  if (policy == "Default") {
    r = host;
  } else if (policy == "ClusterFirst") {
    const std::string ns = pod["metadata"].value("namespace", "default");
    r.nameservers = {dns.cluster_dns};
    r.searches = {ns + ".svc." + dns.cluster_domain, "svc." + dns.cluster_domain,
                  dns.cluster_domain};
    for (const std::string& s : host.searches) AddUnique(&r.searches, s);
    r.options = {"ndots:5"};
  } else if (policy != "None") {
    return InvalidArgumentError("unsupported dnsPolicy \"" + policy + "\"");
  }
  if (spec.contains("dnsConfig") && spec["dnsConfig"].is_object()) {
    const json& c = spec["dnsConfig"];
    if (c.contains("nameservers")) {
      for (const json& n : c["nameservers"]) AddUnique(&r.nameservers, n.get<std::string>());
    }
    if (c.contains("searches")) {
      for (const json& s : c["searches"]) AddUnique(&r.searches, s.get<std::string>());
    }
    if (c.contains("options")) {
      for (const json& o : c["options"]) {
        std::string opt = o.value("name", "");
        if (o.contains("value") && o["value"].is_string()) opt += ":" + o["value"].get<std::string>();
        if (!opt.empty()) AddOption(&r.options, opt);
      }
    }
  }
  if (r.nameservers.empty() && policy == "None") {
    return InvalidArgumentError("dnsPolicy None needs at least one nameserver in dnsConfig");
  }
  // glibc reads at most 3 nameservers and 6 search domains (kubelet trims the same way).
  if (r.nameservers.size() > 3) r.nameservers.resize(3);
  if (r.searches.size() > 32) r.searches.resize(32);
  std::ostringstream out;
  if (!r.searches.empty()) {
    out << "search";
    for (const std::string& s : r.searches) out << " " << s;
    out << "\n";
  }
  for (const std::string& n : r.nameservers) out << "nameserver " << n << "\n";
  if (!r.options.empty()) {
    out << "options";
    for (const std::string& o : r.options) out << " " << o;
    out << "\n";
  }
  return out.str();
}

}  // namespace skiff::node
