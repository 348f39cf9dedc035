// Validation of autoscaling, storage, discovery, networking, policy, scheduling, coordination
// and node (RuntimeClass) kinds (events.k8s.io Events: event_validation.cc).
#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "kinds.h"
#include "object_meta.h"
#include "pod_validation.h"
#include "skiff/common/string_util.h"

namespace skiff::apis::internal {
namespace {

bool In(const std::string& v, const std::vector<std::string>& values) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

void ValidateIntOrPercent(FieldErrors& errs, const json& v, const std::string& path) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    auto msgs = IsValidPercent(s);
    AddInvalid(errs, path, v, msgs);
    if (msgs.empty() && (s.size() > 4 || std::stoll(s.substr(0, s.size() - 1)) > 100)) {
      errs.push_back(FieldError::Invalid(path, v, "must not be greater than 100%"));
    }
  } else if (v.is_number_integer()) {
    ValidateNonnegative(errs, path, v.get<int64_t>());
  }
}

void ValidateNetworkPolicyPorts(FieldErrors& errs, const json& ports, const Path& path) {
  for (size_t i = 0; i < ports.size(); ++i) {
    const json& p = ports[i];
    Path pp = path.Index(i);
    if (HasStr(p, "protocol")) {
      std::string proto = Str(p, "protocol");
      if (!In(proto, {"SCTP", "TCP", "UDP"})) {
        errs.push_back(
            FieldError::NotSupported(pp.Child("protocol"), proto, {"SCTP", "TCP", "UDP"}));
      }
    }
    if (const json* port = Get(p, "port")) {
      if (port->is_number_integer()) {
        AddInvalid(errs, pp.Child("port"), *port, IsValidPortNum(port->get<int64_t>()));
        if (auto end = Int(p, "endPort")) {
          if (*end < port->get<int64_t>()) {
            errs.push_back(FieldError::Invalid(pp.Child("endPort"), *end,
                                               "must be greater than or equal to `port`"));
          }
          AddInvalid(errs, pp.Child("endPort"), *end, IsValidPortNum(*end));
        }
      } else if (port->is_string()) {
        AddInvalid(errs, pp.Child("port"), *port, IsValidPortName(port->get<std::string>()));
        if (Get(p, "endPort")) {
          errs.push_back(FieldError::Invalid(pp.Child("endPort"), *Get(p, "endPort"),
                                             "may not be specified when `port` is non-numeric"));
        }
      }
    } else if (Get(p, "endPort")) {
      errs.push_back(
          FieldError::Required(pp.Child("port"), "must be specified when `endPort` is specified"));
    }
  }
}

void ValidateNetworkPolicyPeers(FieldErrors& errs, const json& peers, const Path& path) {
  for (size_t i = 0; i < peers.size(); ++i) {
    const json& peer = peers[i];
    Path pp = path.Index(i);
    int n = 0;
    if (const json* s = Get(peer, "podSelector")) {
      ++n;
      ValidateLabelSelector(errs, *s, pp.Child("podSelector"));
    }
    if (const json* s = Get(peer, "namespaceSelector")) {
      ++n;
      ValidateLabelSelector(errs, *s, pp.Child("namespaceSelector"));
    }
    if (const json* b = Get(peer, "ipBlock")) {
      ++n;
      std::string cidr = Str(*b, "cidr");
      Path bp = pp.Child("ipBlock");
      if (cidr.empty()) {
        errs.push_back(FieldError::Required(bp.Child("cidr")));
      } else {
        AddInvalid(errs, bp.Child("cidr"), cidr, IsValidCIDR(cidr));
      }
      const json& except = Arr(*b, "except");
      for (size_t j = 0; j < except.size(); ++j) {
        std::string e = except[j].is_string() ? except[j].get<std::string>() : "";
        AddInvalid(errs, bp.Child("except").Index(j), e, IsValidCIDR(e));
      }
    }
    if (n == 0) {
      errs.push_back(FieldError::Required(pp, "must specify a peer"));
    } else if (Get(peer, "ipBlock") && n > 1) {
      errs.push_back(FieldError::Forbidden(pp, "may not specify both ipBlock and another peer"));
    }
  }
}

void ValidateIngressBackend(FieldErrors& errs, const json& backend, const Path& path) {
  const json* svc = Get(backend, "service");
  const json* res = Get(backend, "resource");
  if (svc && res) {
    errs.push_back(FieldError::Invalid(path, "", "cannot set both service and resource backends"));
    return;
  }
  if (res) {
    if (Str(*res, "kind").empty())
      errs.push_back(FieldError::Required(path.Child("resource").Child("kind")));
    if (Str(*res, "name").empty())
      errs.push_back(FieldError::Required(path.Child("resource").Child("name")));
    return;
  }
  if (!svc) {
    errs.push_back(FieldError::Invalid(path, "", "service or resource must be specified"));
    return;
  }
  Path sp = path.Child("service");
  std::string name = Str(*svc, "name");
  if (name.empty()) {
    errs.push_back(FieldError::Required(sp.Child("name")));
  } else {
    AddInvalid(errs, sp.Child("name"), name, NameIsDNS1035Label(name, false));
  }
  const json& port = Obj(*svc, "port");
  bool has_name = !Str(port, "name").empty();
  bool has_number = Int(port, "number").value_or(0) != 0;
  Path pp = sp.Child("port");
  if (has_name && has_number) {
    errs.push_back(FieldError::Invalid(pp, port, "cannot set both port name & port number"));
  } else if (has_name) {
    AddInvalid(errs, pp.Child("name"), Str(port, "name"), IsValidPortName(Str(port, "name")));
  } else if (has_number) {
    auto n = Int(port, "number").value_or(0);
    AddInvalid(errs, pp.Child("number"), n, IsValidPortNum(n));
  } else {
    errs.push_back(FieldError::Required(pp, "port name or number is required"));
  }
}

}  // namespace

FieldErrors ValidateHPA(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  Path sp("spec");
  auto min = Int(spec, "minReplicas");
  auto max = Int(spec, "maxReplicas").value_or(0);
  if (min && *min < 1) {
    errs.push_back(
        FieldError::Invalid(sp.Child("minReplicas"), *min, "must be greater than or equal to 1"));
  }
  if (max < 1)
    errs.push_back(FieldError::Invalid(sp.Child("maxReplicas"), max, "must be greater than 0"));
  if (min && max < *min) {
    errs.push_back(FieldError::Invalid(sp.Child("maxReplicas"), max,
                                       "must be greater than or equal to `minReplicas`"));
  }
  const json& ref = Obj(spec, "scaleTargetRef");
  Path rp = sp.Child("scaleTargetRef");
  for (const char* key : {"kind", "name"}) {
    std::string v = Str(ref, key);
    if (v.empty()) {
      errs.push_back(FieldError::Required(rp.Child(key)));
    } else {
      AddInvalid(errs, rp.Child(key), v, IsValidPathSegmentName(v));
    }
  }
  if (auto cpu = Int(spec, "targetCPUUtilizationPercentage"); cpu && *cpu < 1) {
    errs.push_back(FieldError::Invalid(sp.Child("targetCPUUtilizationPercentage"), *cpu,
                                       "must be greater than 0"));
  }
  const json& metrics = Arr(spec, "metrics");
  static const std::vector<std::string> kTypes = {"ContainerResource", "External", "Object", "Pods",
                                                  "Resource"};
  for (size_t i = 0; i < metrics.size(); ++i) {
    Path mp = sp.Child("metrics").Index(i);
    std::string type = Str(metrics[i], "type");
    if (type.empty()) {
      errs.push_back(FieldError::Required(mp.Child("type"), "must specify a metric source type"));
      continue;
    }
    if (!In(type, kTypes)) {
      errs.push_back(FieldError::NotSupported(mp.Child("type"), type, kTypes));
      continue;
    }
    if (type == "Resource" || type == "ContainerResource") {
      const char* key = type == "Resource" ? "resource" : "containerResource";
      const json* src = Get(metrics[i], key);
      if (!src) {
        errs.push_back(FieldError::Required(
            mp.Child(key), "must populate information for the given metric source"));
        continue;
      }
      if (Str(*src, "name").empty()) {
        errs.push_back(
            FieldError::Required(mp.Child(key).Child("name"), "must specify a resource name"));
      }
      const json& target = Obj(*src, "target");
      Path tp = mp.Child(key).Child("target");
      std::string ttype = Str(target, "type");
      if (!In(ttype, {"AverageValue", "Utilization", "Value"})) {
        errs.push_back(FieldError::NotSupported(tp.Child("type"), ttype,
                                                {"AverageValue", "Utilization", "Value"}));
      }
      if (auto u = Int(target, "averageUtilization"); u && *u < 1) {
        errs.push_back(
            FieldError::Invalid(tp.Child("averageUtilization"), *u, "must be greater than 0"));
      }
    }
  }
  return errs;
}

FieldErrors ValidateStorageClass(const json& obj) {
  FieldErrors errs;
  std::string prov = Str(obj, "provisioner");
  if (prov.empty()) {
    errs.push_back(FieldError::Required(Path("provisioner")));
  } else {
    ValidateQualifiedName(errs, "provisioner", AsciiLower(prov));
  }
  size_t total = 0;
  for (const auto& [k, v] : Obj(obj, "parameters").items()) {
    if (k.empty()) errs.push_back(FieldError::Invalid("parameters", "", "field can not be empty."));
    total += k.size() + (v.is_string() ? v.get<std::string>().size() : 0);
  }
  if (total > 256 * 1024) errs.push_back(FieldError::TooLong("parameters", "", 256 * 1024));
  if (HasStr(obj, "reclaimPolicy")) {
    std::string p = Str(obj, "reclaimPolicy");
    if (!p.empty() && !In(p, {"Delete", "Retain"})) {
      errs.push_back(FieldError::NotSupported("reclaimPolicy", p, {"Delete", "Retain"}));
    }
  }
  if (!Get(obj, "volumeBindingMode")) {
    errs.push_back(FieldError::Required(Path("volumeBindingMode")));
  } else {
    std::string m = Str(obj, "volumeBindingMode");
    if (!In(m, {"Immediate", "WaitForFirstConsumer"})) {
      errs.push_back(
          FieldError::NotSupported("volumeBindingMode", m, {"Immediate", "WaitForFirstConsumer"}));
    }
  }
  return errs;
}

FieldErrors ValidateStorageClassUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateStorageClass(obj);
  if (!SemanticEqual(Obj(obj, "parameters"), Obj(old, "parameters"))) {
    errs.push_back(FieldError::Forbidden("parameters", "updates to parameters are forbidden."));
  }
  if (Str(obj, "provisioner") != Str(old, "provisioner")) {
    errs.push_back(FieldError::Forbidden("provisioner", "updates to provisioner are forbidden."));
  }
  if (Str(obj, "reclaimPolicy") != Str(old, "reclaimPolicy")) {
    errs.push_back(
        FieldError::Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  }
  ValidateImmutableMember(errs, obj, old, "volumeBindingMode", Path());
  return errs;
}

FieldErrors ValidateEndpointSlice(const json& obj) {
  FieldErrors errs;
  std::string type = Str(obj, "addressType");
  if (type.empty()) {
    errs.push_back(FieldError::Required(Path("addressType")));
  } else if (!In(type, {"FQDN", "IPv4", "IPv6"})) {
    errs.push_back(FieldError::NotSupported("addressType", type, {"FQDN", "IPv4", "IPv6"}));
  }
  const json& endpoints = Arr(obj, "endpoints");
  if (endpoints.size() > 1000) {
    errs.push_back(FieldError{"FieldValueTooMany",
                              "endpoints",
                              "must have at most 1000 items",
                              static_cast<int64_t>(endpoints.size()),
                              {}});
  }
  for (size_t i = 0; i < endpoints.size(); ++i) {
    Path ep = Path("endpoints").Index(i);
    const json& addrs = Arr(endpoints[i], "addresses");
    if (addrs.empty()) {
      errs.push_back(
          FieldError::Required(ep.Child("addresses"), "must contain at least 1 address"));
    } else if (addrs.size() > 100) {
      errs.push_back(FieldError{"FieldValueTooMany",
                                ep.Child("addresses"),
                                "must have at most 100 items",
                                static_cast<int64_t>(addrs.size()),
                                {}});
    }
    for (size_t j = 0; j < addrs.size(); ++j) {
      std::string a = addrs[j].is_string() ? addrs[j].get<std::string>() : "";
      Path ap = ep.Child("addresses").Index(j);
      unsigned char buf[16];
      if (type == "IPv4") {
        if (inet_pton(AF_INET, a.c_str(), buf) != 1) {
          AddInvalid(errs, ap, a, IsValidIP(a));
          if (IsValidIP(a).empty())
            errs.push_back(FieldError::Invalid(ap, a, "must be an IPv4 address"));
        }
      } else if (type == "IPv6") {
        if (inet_pton(AF_INET6, a.c_str(), buf) != 1) {
          AddInvalid(errs, ap, a, IsValidIP(a));
          if (IsValidIP(a).empty())
            errs.push_back(FieldError::Invalid(ap, a, "must be an IPv6 address"));
        }
      } else if (type == "FQDN") {
        ValidateDNS1123Subdomain(errs, ap, a);
      }
    }
    std::string host = Str(endpoints[i], "hostname");
    if (!host.empty()) ValidateDNS1123Label(errs, ep.Child("hostname"), host);
    std::string node = Str(endpoints[i], "nodeName");
    if (!node.empty())
      AddInvalid(errs, ep.Child("nodeName"), node, NameIsDNSSubdomain(node, false));
  }
  const json& ports = Arr(obj, "ports");
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    Path pp = Path("ports").Index(i);
    std::string name = Str(ports[i], "name");
    if (!name.empty()) ValidateDNS1123Label(errs, pp.Child("name"), name);
    if (names.count(name)) errs.push_back(FieldError::Duplicate(pp.Child("name"), name));
    names.insert(name);
    ValidatePortProtocol(errs, pp.Child("protocol"), Str(ports[i], "protocol"));
    if (auto port = Int(ports[i], "port")) {
      AddInvalid(errs, pp.Child("port"), *port, IsValidPortNum(*port));
    }
    if (HasStr(ports[i], "appProtocol")) {
      ValidateQualifiedName(errs, pp.Child("appProtocol"), Str(ports[i], "appProtocol"));
    }
  }
  return errs;
}

FieldErrors ValidateNetworkPolicy(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  Path sp("spec");
  ValidateLabelSelector(errs, Obj(spec, "podSelector"), sp.Child("podSelector"));
  for (const char* dir : {"ingress", "egress"}) {
    const json& rules = Arr(spec, dir);
    for (size_t i = 0; i < rules.size(); ++i) {
      Path rp = sp.Child(dir).Index(i);
      ValidateNetworkPolicyPorts(errs, Arr(rules[i], "ports"), rp.Child("ports"));
      const char* peers = std::string(dir) == "ingress" ? "from" : "to";
      ValidateNetworkPolicyPeers(errs, Arr(rules[i], peers), rp.Child(peers));
    }
  }
  const json& types = Arr(spec, "policyTypes");
  if (types.size() > 2) {
    errs.push_back(FieldError::Invalid(sp.Child("policyTypes"), types,
                                       "may not specify more than two policyTypes"));
  }
  for (size_t i = 0; i < types.size(); ++i) {
    std::string t = types[i].is_string() ? types[i].get<std::string>() : "";
    if (!In(t, {"Egress", "Ingress"})) {
      errs.push_back(
          FieldError::NotSupported(sp.Child("policyTypes").Index(i), t, {"Egress", "Ingress"}));
    }
  }
  return errs;
}

FieldErrors ValidateIngress(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  Path sp("spec");
  const json* def = Get(spec, "defaultBackend");
  const json& rules = Arr(spec, "rules");
  if (!def && rules.empty()) {
    errs.push_back(
        FieldError::Invalid(sp, rules, "either `defaultBackend` or `rules` must be specified"));
  }
  if (def) ValidateIngressBackend(errs, *def, sp.Child("defaultBackend"));
  for (size_t i = 0; i < rules.size(); ++i) {
    Path rp = sp.Child("rules").Index(i);
    std::string host = Str(rules[i], "host");
    if (!host.empty()) {
      unsigned char buf[16];
      if (inet_pton(AF_INET, host.c_str(), buf) == 1 ||
          inet_pton(AF_INET6, host.c_str(), buf) == 1) {
        errs.push_back(
            FieldError::Invalid(rp.Child("host"), host, "must be a DNS name, not an IP address"));
      } else if (host.rfind("*.", 0) == 0) {
        AddInvalid(errs, rp.Child("host"), host, IsWildcardDNS1123Subdomain(host));
      } else {
        ValidateDNS1123Subdomain(errs, rp.Child("host"), host);
      }
    }
    const json* http = Get(rules[i], "http");
    if (!http) continue;
    const json& paths = Arr(*http, "paths");
    Path pp = rp.Child("http").Child("paths");
    if (paths.empty()) errs.push_back(FieldError::Required(pp));
    for (size_t j = 0; j < paths.size(); ++j) {
      Path ip = pp.Index(j);
      std::string type = Str(paths[j], "pathType");
      std::string path = Str(paths[j], "path");
      if (type.empty()) {
        errs.push_back(FieldError::Required(ip.Child("pathType"), "pathType must be specified"));
      } else if (!In(type, {"Exact", "ImplementationSpecific", "Prefix"})) {
        errs.push_back(FieldError::NotSupported(ip.Child("pathType"), type,
                                                {"Exact", "ImplementationSpecific", "Prefix"}));
      } else if (type != "ImplementationSpecific" && (path.empty() || path[0] != '/')) {
        errs.push_back(FieldError::Invalid(ip.Child("path"), path, "must be an absolute path"));
      } else if (type == "ImplementationSpecific" && !path.empty() && path[0] != '/') {
        errs.push_back(FieldError::Invalid(ip.Child("path"), path, "must be an absolute path"));
      }
      ValidateIngressBackend(errs, Obj(paths[j], "backend"), ip.Child("backend"));
    }
  }
  const json& tls = Arr(spec, "tls");
  for (size_t i = 0; i < tls.size(); ++i) {
    const json& hosts = Arr(tls[i], "hosts");
    for (size_t j = 0; j < hosts.size(); ++j) {
      std::string h = hosts[j].is_string() ? hosts[j].get<std::string>() : "";
      Path hp = sp.Child("tls").Index(i).Child("hosts").Index(j);
      if (h.rfind("*.", 0) == 0) {
        AddInvalid(errs, hp, h, IsWildcardDNS1123Subdomain(h));
      } else {
        ValidateDNS1123Subdomain(errs, hp, h);
      }
    }
  }
  if (const json* cls = Get(spec, "ingressClassName"); cls && cls->is_string()) {
    std::string c = cls->get<std::string>();
    AddInvalid(errs, sp.Child("ingressClassName"), c, NameIsDNSSubdomain(c, false));
  }
  return errs;
}

FieldErrors ValidateIngressClass(const json& obj) {
  FieldErrors errs;
  std::string controller = Str(Obj(obj, "spec"), "controller");
  Path cp = Path("spec").Child("controller");
  if (controller.empty()) {
    errs.push_back(FieldError::Required(cp));
  } else if (controller.size() > 250) {
    errs.push_back(FieldError::TooLong(cp, "", 250));
  } else {
    size_t slash = controller.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == controller.size()) {
      errs.push_back(FieldError::Invalid(
          cp, controller, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
    } else {
      AddInvalid(errs, cp, controller.substr(0, slash),
                 IsDNS1123Subdomain(controller.substr(0, slash)));
    }
  }
  return errs;
}

FieldErrors ValidatePDB(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  Path sp("spec");
  const json* min = Get(spec, "minAvailable");
  const json* max = Get(spec, "maxUnavailable");
  if (min && max) {
    errs.push_back(
        FieldError::Invalid(sp, spec, "minAvailable and maxUnavailable cannot be both set"));
  }
  if (min) ValidateIntOrPercent(errs, *min, sp.Child("minAvailable"));
  if (max) ValidateIntOrPercent(errs, *max, sp.Child("maxUnavailable"));
  if (const json* sel = Get(spec, "selector"))
    ValidateLabelSelector(errs, *sel, sp.Child("selector"));
  if (HasStr(spec, "unhealthyPodEvictionPolicy")) {
    std::string p = Str(spec, "unhealthyPodEvictionPolicy");
    if (!In(p, {"AlwaysAllow", "IfHealthyBudget"})) {
      errs.push_back(FieldError::NotSupported(sp.Child("unhealthyPodEvictionPolicy"), p,
                                              {"AlwaysAllow", "IfHealthyBudget"}));
    }
  }
  return errs;
}

FieldErrors ValidatePriorityClass(const json& obj) {
  FieldErrors errs;
  std::string name = Str(Obj(obj, "metadata"), "name");
  auto value = Int(obj, "value").value_or(0);
  if (name.rfind("system-", 0) == 0) {
    bool known = (name == "system-cluster-critical" && value == 2000000000) ||
                 (name == "system-node-critical" && value == 2000001000);
    if (!known) {
      errs.push_back(FieldError::Forbidden(
          Path("metadata").Child("name"),
          "priority class names with 'system-' prefix are reserved for system use only. error: " +
              name + " is not a known system priority class"));
    }
  } else if (value > 1000000000) {
    errs.push_back(FieldError::Forbidden(
        "value", "maximum allowed value of a user defined priority is 1000000000"));
  }
  if (HasStr(obj, "preemptionPolicy")) {
    std::string p = Str(obj, "preemptionPolicy");
    if (!In(p, {"PreemptLowerPriority", "Never"})) {
      errs.push_back(
          FieldError::NotSupported("preemptionPolicy", p, {"PreemptLowerPriority", "Never"}));
    }
  }
  return errs;
}

FieldErrors ValidatePriorityClassUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  if (Int(obj, "value") != Int(old, "value")) {
    errs.push_back(FieldError::Forbidden("value", "may not be changed in an update."));
  }
  ValidateImmutableMember(errs, obj, old, "preemptionPolicy", Path());
  return errs;
}

FieldErrors ValidateLease(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  Path sp("spec");
  if (auto d = Int(spec, "leaseDurationSeconds"); d && *d <= 0) {
    errs.push_back(
        FieldError::Invalid(sp.Child("leaseDurationSeconds"), *d, "must be greater than 0"));
  }
  if (auto t = Int(spec, "leaseTransitions"); t && *t < 0) {
    errs.push_back(FieldError::Invalid(sp.Child("leaseTransitions"), *t, kIsNegativeErrorMsg));
  }
  return errs;
}

FieldErrors ValidateRuntimeClass(const json& obj) {
  FieldErrors errs;
  std::string handler = Str(obj, "handler");
  if (handler.empty()) {
    errs.push_back(FieldError::Required(Path("handler")));
  } else {
    ValidateDNS1123Label(errs, "handler", handler);
  }
  return errs;
}

}  // namespace skiff::apis::internal
