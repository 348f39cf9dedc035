#include "net/dns/service_entry.h"

#include <algorithm>

namespace skiff::net::dns {
namespace {

using nlohmann::json;

const json* Field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string StringField(const json& obj, const char* key) {
  const json* v = Field(obj, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// A valid DNS label for our purposes: 1..63 octets, letters, digits and '-'.
bool IsLabel(std::string_view s) {
  if (s.empty() || s.size() > kMaxLabelLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::vector<DnsPort> NamedPorts(const json* ports) {
  std::vector<DnsPort> out;
  if (!ports || !ports->is_array()) return out;
  for (const json& p : *ports) {
    std::string name = AsciiLower(StringField(p, "name"));
    const json* num = Field(p, "port");
    if (name.empty() || !IsLabel(name) || !num || !num->is_number_integer()) continue;
    const auto port = num->get<int64_t>();
    if (port < 1 || port > 65535) continue;
    std::string proto = AsciiLower(StringField(p, "protocol"));
    if (proto.empty()) proto = "tcp";
    out.push_back({std::move(name), std::move(proto), static_cast<uint16_t>(port)});
  }
  return out;
}

bool PublishesNotReady(const json& service) {
  const json* spec = Field(service, "spec");
  const json* pnr = spec ? Field(*spec, "publishNotReadyAddresses") : nullptr;
  if (pnr && pnr->is_boolean() && pnr->get<bool>()) return true;
  const json* md = Field(service, "metadata");
  const json* ann = md ? Field(*md, "annotations") : nullptr;
  return ann &&
         StringField(*ann, "service.alpha.kubernetes.io/tolerate-unready-endpoints") == "true";
}

bool EndpointReady(const json& ep) {
  const json* cond = Field(ep, "conditions");
  const json* ready = cond ? Field(*cond, "ready") : nullptr;
  // The API: an absent ready condition is an unknown state that consumers treat as ready.
  return !ready || !ready->is_boolean() || ready->get<bool>();
}

EndpointGroup GroupOf(const json& slice, bool publish_not_ready) {
  EndpointGroup g;
  g.ports = NamedPorts(Field(slice, "ports"));
  const std::string type = StringField(slice, "addressType");
  if (type != "IPv4" && type != "IPv6") return g;  // FQDN slices carry no addresses for us
  const cli::IpFamily family = type == "IPv4" ? cli::IpFamily::kV4 : cli::IpFamily::kV6;
  const json* eps = Field(slice, "endpoints");
  if (!eps || !eps->is_array()) return g;
  for (const json& ep : *eps) {
    if (!publish_not_ready && !EndpointReady(ep)) continue;
    std::vector<cli::IpAddress> addrs;
    if (const json* a = Field(ep, "addresses"); a && a->is_array()) {
      for (const json& text : *a) {
        if (!text.is_string()) continue;
        auto ip = cli::ParseIpAddress(text.get<std::string>());
        if (ip.ok() && ip->family == family) addrs.push_back(*ip);
      }
    }
    if (addrs.empty()) continue;
    std::string host = AsciiLower(StringField(ep, "hostname"));
    if (IsLabel(host)) {
      g.endpoints.push_back({std::move(host), std::move(addrs)});
      continue;
    }
    for (const cli::IpAddress& ip : addrs) g.endpoints.push_back({DashedAddress(ip), {ip}});
  }
  return g;
}

}  // namespace

std::string DashedAddress(const cli::IpAddress& ip) {
  std::string s = ip.ToString();
  std::replace(s.begin(), s.end(), ip.family == cli::IpFamily::kV4 ? '.' : ':', '-');
  return AsciiLower(s);
}

ServiceEntry BuildServiceEntry(const json& service, const std::vector<const json*>& slices) {
  ServiceEntry e;
  const json* md = Field(service, "metadata");
  if (md) {
    e.ns = AsciiLower(StringField(*md, "namespace"));
    e.name = AsciiLower(StringField(*md, "name"));
  }
  const json* spec = Field(service, "spec");
  const json empty = json::object();
  if (!spec) spec = &empty;

  if (StringField(*spec, "type") == "ExternalName") {
    e.kind = ServiceEntry::Kind::kExternalName;
    std::string target = StringField(*spec, "externalName");
    // An address is not a name: CoreDNS publishes nothing for it, and neither do we.
    if (!target.empty() && !cli::ParseIpAddress(target).ok()) {
      auto n = Name::FromText(target);
      if (n.ok()) e.external_name = std::move(n).value();
    }
    return e;
  }

  std::vector<std::string> ips;
  if (const json* list = Field(*spec, "clusterIPs"); list && list->is_array()) {
    for (const json& v : *list) {
      if (v.is_string()) ips.push_back(v.get<std::string>());
    }
  }
  if (ips.empty()) {
    if (std::string one = StringField(*spec, "clusterIP"); !one.empty()) ips.push_back(one);
  }
  if (!ips.empty() && ips.front() == "None") {
    e.kind = ServiceEntry::Kind::kHeadless;
  } else {
    for (const std::string& text : ips) {
      auto ip = cli::ParseIpAddress(text);
      if (ip.ok()) e.cluster_ips.push_back(*ip);
    }
  }
  e.ports = NamedPorts(Field(*spec, "ports"));

  const bool publish_not_ready = PublishesNotReady(service);
  for (const json* slice : slices) {
    if (!slice) continue;
    const json* smd = Field(*slice, "metadata");
    const json* labels = smd ? Field(*smd, "labels") : nullptr;
    if (!labels || AsciiLower(StringField(*labels, kServiceNameLabel)) != e.name ||
        AsciiLower(StringField(*smd, "namespace")) != e.ns) {
      continue;
    }
    EndpointGroup g = GroupOf(*slice, publish_not_ready);
    if (!g.endpoints.empty()) e.groups.push_back(std::move(g));
  }
  return e;
}

}  // namespace skiff::net::dns
