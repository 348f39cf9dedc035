// Service validation (ValidateService, ValidateServiceClusterIPsRelatedFields,
// ValidateServiceUpdate) of pkg/apis/core/validation.
#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "kinds.h"
#include "object_meta.h"
#include "pod_validation.h"

namespace skiff::apis::internal {
namespace {

const Path kSpec("spec");

bool IsHeadless(const json& spec) {
  const json& ips = Arr(spec, "clusterIPs");
  return Str(spec, "clusterIP") == "None" ||
         (!ips.empty() && ips[0].is_string() && ips[0].get<std::string>() == "None");
}

bool IsIPv6String(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

std::vector<std::string> StringList(const json& arr) {
  std::vector<std::string> out;
  for (const auto& v : arr) out.push_back(v.is_string() ? v.get<std::string>() : "");
  return out;
}

void ValidateClusterIPsRelatedFields(FieldErrors& errs, const json& spec) {
  if (Str(spec, "type") == "ExternalName") return;
  Path ips_path = kSpec.Child("clusterIPs");
  const json& ips_json = Arr(spec, "clusterIPs");
  auto ips = StringList(ips_json);
  std::string ip = Str(spec, "clusterIP");
  if (!ip.empty()) {
    if (ips.empty()) {
      errs.push_back(FieldError::Required(ips_path));
    } else if (ips[0] != ip) {
      errs.push_back(FieldError::Invalid(ips_path, ips_json, "first value must match `clusterIP`"));
    }
  } else if (!ips.empty()) {
    errs.push_back(
        FieldError::Invalid(ips_path, ips_json, "must be empty when `clusterIP` is not specified"));
  }
  const json& families = Arr(spec, "ipFamilies");
  std::set<std::string> seen;
  for (size_t i = 0; i < families.size(); ++i) {
    std::string f = families[i].is_string() ? families[i].get<std::string>() : "";
    Path fp = kSpec.Child("ipFamilies").Index(i);
    if (f != "IPv4" && f != "IPv6") {
      errs.push_back(FieldError::NotSupported(fp, f, {"IPv4", "IPv6"}));
    }
    if (seen.count(f)) errs.push_back(FieldError::Duplicate(fp, f));
    seen.insert(f);
  }
  if (HasStr(spec, "ipFamilyPolicy")) {
    std::string p = Str(spec, "ipFamilyPolicy");
    if (p != "PreferDualStack" && p != "RequireDualStack" && p != "SingleStack") {
      errs.push_back(
          FieldError::NotSupported(kSpec.Child("ipFamilyPolicy"), p,
                                   {"PreferDualStack", "RequireDualStack", "SingleStack"}));
    }
  }
  bool invalid = false;
  for (size_t i = 0; i < ips.size(); ++i) {
    if (i == 0 && ips[i] == "None") {
      if (ips.size() > 1) {
        invalid = true;
        errs.push_back(
            FieldError::Invalid(ips_path, ips_json, "'None' must be the first and only value"));
      }
      continue;
    }
    auto msgs = IsValidIP(ips[i]);
    if (!msgs.empty()) invalid = true;
    AddInvalid(errs, ips_path.Index(i), ips[i], msgs);
  }
  if (ips.size() > 2) {
    errs.push_back(FieldError::Invalid(ips_path, ips_json, "may only hold up to 2 values"));
  }
  if (invalid) return;
  if (ips.size() > 1 && (ips.size() != 2 || IsIPv6String(ips[0]) == IsIPv6String(ips[1]))) {
    errs.push_back(FieldError::Invalid(ips_path, ips_json,
                                       "may specify no more than one IP for each IP family"));
  }
  if (!IsHeadless(spec) && !ips.empty() && !families.empty()) {
    for (size_t i = 0; i < ips.size() && i < families.size(); ++i) {
      std::string f = families[i].is_string() ? families[i].get<std::string>() : "";
      if (f == "IPv4" && IsIPv6String(ips[i])) {
        errs.push_back(FieldError::Invalid(
            ips_path.Index(i), ips[i],
            "expected an IPv4 value as indicated by `ipFamilies[" + std::to_string(i) + "]`"));
      }
      if (f == "IPv6" && !IsIPv6String(ips[i])) {
        errs.push_back(FieldError::Invalid(
            ips_path.Index(i), ips[i],
            "expected an IPv6 value as indicated by `ipFamilies[" + std::to_string(i) + "]`"));
      }
    }
  }
}

void ValidateServicePorts(FieldErrors& errs, const json& spec) {
  const json& ports = Arr(spec, "ports");
  Path pp = kSpec.Child("ports");
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const json& p = ports[i];
    Path ip = pp.Index(i);
    std::string name = Str(p, "name");
    if (ports.size() > 1 && name.empty()) {
      errs.push_back(FieldError::Required(ip.Child("name")));
    } else if (!name.empty()) {
      ValidateDNS1123Label(errs, ip.Child("name"), name);
      if (names.count(name)) {
        errs.push_back(FieldError::Duplicate(ip.Child("name"), name));
      } else {
        names.insert(name);
      }
    }
    auto port = Int(p, "port").value_or(0);
    AddInvalid(errs, ip.Child("port"), port, IsValidPortNum(port));
    ValidatePortProtocol(errs, ip.Child("protocol"), Str(p, "protocol"));
    ValidatePortNumOrName(errs, Get(p, "targetPort") ? *Get(p, "targetPort") : json(),
                          ip.Child("targetPort"));
    if (HasStr(p, "appProtocol"))
      ValidateQualifiedName(errs, ip.Child("appProtocol"), Str(p, "appProtocol"));
    if (auto np = Int(p, "nodePort"); np && *np != 0) {
      AddInvalid(errs, ip.Child("nodePort"), *np, IsValidPortNum(*np));
    }
  }
}

}  // namespace

FieldErrors ValidateService(const json& obj) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  std::string type = Str(spec, "type");
  bool headless = IsHeadless(spec);
  if (Len(spec, "ports") == 0 && !headless && type != "ExternalName") {
    errs.push_back(FieldError::Required(kSpec.Child("ports")));
  }
  const json& ips = Arr(spec, "clusterIPs");
  if ((type == "LoadBalancer" || type == "NodePort") && headless) {
    errs.push_back(FieldError::Invalid(kSpec.Child("clusterIPs").Index(0),
                                       ips.empty() ? json("None") : ips[0],
                                       "may not be set to 'None' for " + type + " services"));
  } else if (type == "ExternalName") {
    if (!ips.empty()) {
      errs.push_back(FieldError::Forbidden(kSpec.Child("clusterIPs"),
                                           "may not be set for ExternalName services"));
    }
    if (Len(spec, "ipFamilies") > 0) {
      errs.push_back(FieldError::Forbidden(kSpec.Child("ipFamilies"),
                                           "may not be set for ExternalName services"));
    }
    if (Get(spec, "ipFamilyPolicy")) {
      errs.push_back(FieldError::Forbidden(kSpec.Child("ipFamilyPolicy"),
                                           "may not be set for ExternalName services"));
    }
    std::string cname = Str(spec, "externalName");
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (!cname.empty()) {
      ValidateDNS1123Subdomain(errs, kSpec.Child("externalName"), cname);
    } else {
      errs.push_back(FieldError::Required(kSpec.Child("externalName")));
    }
  }
  ValidateServicePorts(errs, spec);
  if (const json* sel = Get(spec, "selector")) ValidateLabels(errs, *sel, kSpec.Child("selector"));
  std::string affinity = Str(spec, "sessionAffinity");
  if (affinity.empty()) {
    errs.push_back(FieldError::Required(kSpec.Child("sessionAffinity")));
  } else if (affinity != "ClientIP" && affinity != "None") {
    errs.push_back(
        FieldError::NotSupported(kSpec.Child("sessionAffinity"), affinity, {"ClientIP", "None"}));
  }
  if (affinity == "ClientIP") {
    Path cp = kSpec.Child("sessionAffinityConfig");
    const json* cfg = Get(spec, "sessionAffinityConfig");
    const json* client = cfg ? Get(*cfg, "clientIP") : nullptr;
    if (!cfg) {
      errs.push_back(FieldError::Required(cp, "when session affinity type is ClientIP"));
    } else if (!client) {
      errs.push_back(
          FieldError::Required(cp.Child("clientIP"), "when session affinity type is ClientIP"));
    } else {
      auto t = Int(*client, "timeoutSeconds");
      if (!t) {
        errs.push_back(FieldError::Required(cp.Child("clientIP").Child("timeoutSeconds"),
                                            "when session affinity type is ClientIP"));
      } else if (*t <= 0 || *t > 86400) {
        errs.push_back(FieldError::Invalid(cp.Child("clientIP").Child("timeoutSeconds"), *t,
                                           "must be greater than 0 and less than 86400"));
      }
    }
  } else if (affinity == "None" && Get(spec, "sessionAffinityConfig")) {
    errs.push_back(FieldError::Forbidden(kSpec.Child("sessionAffinityConfig"),
                                         "must not be set when session affinity is None"));
  }
  ValidateClusterIPsRelatedFields(errs, spec);
  const json& external = Arr(spec, "externalIPs");
  for (size_t i = 0; i < external.size(); ++i) {
    std::string ip = external[i].is_string() ? external[i].get<std::string>() : "";
    AddInvalid(errs, kSpec.Child("externalIPs").Index(i), ip, IsValidIP(ip));
  }
  static const std::vector<std::string> kTypes = {"ClusterIP", "ExternalName", "LoadBalancer",
                                                  "NodePort"};
  if (type.empty()) {
    errs.push_back(FieldError::Required(kSpec.Child("type")));
  } else if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    errs.push_back(FieldError::NotSupported(kSpec.Child("type"), type, kTypes));
  }
  const json& ports = Arr(spec, "ports");
  if (type == "ClusterIP") {
    for (size_t i = 0; i < ports.size(); ++i) {
      if (Int(ports[i], "nodePort").value_or(0) != 0) {
        errs.push_back(FieldError::Forbidden(kSpec.Child("ports").Index(i).Child("nodePort"),
                                             "may not be used when `type` is 'ClusterIP'"));
      }
    }
  }
  std::set<std::string> node_ports, port_keys;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string proto = Str(ports[i], "protocol");
    auto np = Int(ports[i], "nodePort").value_or(0);
    if (np != 0) {
      std::string key = proto + "/" + std::to_string(np);
      if (node_ports.count(key)) {
        errs.push_back(FieldError::Duplicate(kSpec.Child("ports").Index(i).Child("nodePort"), np));
      }
      node_ports.insert(key);
    }
    auto port = Int(ports[i], "port").value_or(0);
    std::string key = proto + "/" + std::to_string(port);
    if (port_keys.count(key)) {
      errs.push_back(FieldError::Duplicate(kSpec.Child("ports").Index(i),
                                           json{{"port", port}, {"protocol", proto}}));
    }
    port_keys.insert(key);
  }
  const json& ranges = Arr(spec, "loadBalancerSourceRanges");
  if (!ranges.empty()) {
    Path rp = kSpec.Child("LoadBalancerSourceRanges");
    if (type != "LoadBalancer") {
      errs.push_back(FieldError::Forbidden(rp, "may only be used when `type` is 'LoadBalancer'"));
    }
    for (size_t i = 0; i < ranges.size(); ++i) {
      std::string r = ranges[i].is_string() ? ranges[i].get<std::string>() : "";
      r.erase(0, r.find_first_not_of(" \t"));
      r.erase(r.find_last_not_of(" \t") + 1);
      AddInvalid(errs, rp.Index(i), r, IsValidCIDR(r));
    }
  }
  if (Get(spec, "allocateLoadBalancerNodePorts") && type != "LoadBalancer") {
    errs.push_back(FieldError::Forbidden(kSpec.Child("allocateLoadBalancerNodePorts"),
                                         "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type == "LoadBalancer" && !Get(spec, "allocateLoadBalancerNodePorts")) {
    errs.push_back(FieldError::Required(Path("allocateLoadBalancerNodePorts")));
  }
  if (const json* lbc = Get(spec, "loadBalancerClass")) {
    if (type != "LoadBalancer") {
      errs.push_back(FieldError::Forbidden(kSpec.Child("loadBalancerClass"),
                                           "may only be used when `type` is 'LoadBalancer'"));
    } else if (lbc->is_string()) {
      ValidateQualifiedName(errs, kSpec.Child("loadBalancerClass"), lbc->get<std::string>());
    }
  }
  // External traffic policy.
  bool external_ok =
      type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !external.empty());
  std::string etp = Str(spec, "externalTrafficPolicy");
  Path ep = kSpec.Child("externalTrafficPolicy");
  if (!external_ok) {
    if (!etp.empty()) {
      errs.push_back(
          FieldError::Invalid(ep, etp, "may only be set for externally-accessible services"));
    }
  } else if (etp.empty()) {
    errs.push_back(FieldError::Required(ep));
  } else if (etp != "Cluster" && etp != "Local") {
    errs.push_back(FieldError::NotSupported(ep, etp, {"Cluster", "Local"}));
  }
  auto hc = Int(spec, "healthCheckNodePort").value_or(0);
  if (hc != 0) {
    if (type != "LoadBalancer" || etp != "Local") {
      errs.push_back(FieldError::Invalid(kSpec.Child("healthCheckNodePort"), hc,
                                         "may only be set when `type` is 'LoadBalancer' and "
                                         "`externalTrafficPolicy` is 'Local'"));
    } else {
      AddInvalid(errs, kSpec.Child("healthCheckNodePort"), hc, IsValidPortNum(hc));
    }
  }
  if (const json* itp = Get(spec, "internalTrafficPolicy")) {
    std::string v = itp->is_string() ? itp->get<std::string>() : "";
    if (v != "Cluster" && v != "Local") {
      errs.push_back(
          FieldError::NotSupported(kSpec.Child("internalTrafficPolicy"), v, {"Cluster", "Local"}));
    }
  } else if (type == "ClusterIP" || type == "NodePort" || type == "LoadBalancer") {
    errs.push_back(FieldError::Required(kSpec.Child("internalTrafficPolicy")));
  }
  if (const json* td = Get(spec, "trafficDistribution")) {
    std::string v = td->is_string() ? td->get<std::string>() : "";
    if (v != "PreferClose") {
      errs.push_back(
          FieldError::NotSupported(kSpec.Child("trafficDistribution"), v, {"PreferClose"}));
    }
  }
  return errs;
}

FieldErrors ValidateServiceUpdate(const json& obj, const json& old) {
  FieldErrors errs;
  const json& spec = Obj(obj, "spec");
  const json& old_spec = Obj(old, "spec");
  bool external_name =
      Str(spec, "type") == "ExternalName" || Str(old_spec, "type") == "ExternalName";
  bool both_headless = IsHeadless(spec) && IsHeadless(old_spec);
  if (!external_name && !both_headless) {
    auto ips = StringList(Arr(spec, "clusterIPs"));
    auto old_ips = StringList(Arr(old_spec, "clusterIPs"));
    const json& ips_json = Arr(spec, "clusterIPs");
    Path ip0 = kSpec.Child("clusterIPs").Index(0);
    if (ips.size() == old_ips.size()) {
      for (size_t i = 0; i < old_ips.size(); ++i) {
        if (old_ips[i] != ips[i]) {
          errs.push_back(FieldError::Invalid(kSpec.Child("clusterIPs").Index(i), ips_json,
                                             "may not change once set"));
        }
      }
    } else if (old_ips.size() > ips.size()) {
      if (ips.empty()) {
        errs.push_back(FieldError::Invalid(ip0, ips_json, "primary clusterIP can not be unset"));
      }
      if (!old_ips.empty() && !ips.empty() && ips[0] != old_ips[0]) {
        errs.push_back(FieldError::Invalid(ip0, ips_json, "may not change once set"));
      }
      if (ips.size() == 1 && Str(spec, "ipFamilyPolicy") != "SingleStack") {
        errs.push_back(FieldError::Invalid(
            ip0, ips_json,
            "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary "
            "clusterIP"));
      }
    } else if (!old_ips.empty() && ips[0] != old_ips[0]) {
      errs.push_back(FieldError::Invalid(ip0, ips_json, "may not change once set"));
    }
  }
  // IP families follow the same rules, except that headless services may change them.
  bool headless_changed = IsHeadless(spec) != IsHeadless(old_spec);
  if (!external_name && !headless_changed && !IsHeadless(spec)) {
    auto fams = StringList(Arr(spec, "ipFamilies"));
    auto old_fams = StringList(Arr(old_spec, "ipFamilies"));
    const json& fams_json = Arr(spec, "ipFamilies");
    const json& ips_json = Arr(spec, "clusterIPs");
    Path f0 = kSpec.Child("ipFamilies").Index(0);
    if (fams.size() == old_fams.size()) {
      for (size_t i = 0; i < old_fams.size(); ++i) {
        if (old_fams[i] != fams[i]) {
          errs.push_back(FieldError::Invalid(f0, fams_json, "may not change once set"));
        }
      }
    } else if (old_fams.size() > fams.size()) {
      if (fams.empty()) {
        errs.push_back(FieldError::Invalid(f0, fams_json, "primary ipFamily can not be unset"));
      }
      if (!old_fams.empty() && !fams.empty() && fams[0] != old_fams[0]) {
        errs.push_back(FieldError::Invalid(f0, ips_json, "may not change once set"));
      }
      if (fams.size() == 1 && Str(spec, "ipFamilyPolicy") != "SingleStack") {
        errs.push_back(FieldError::Invalid(
            kSpec.Child("clusterIPs").Index(0), ips_json,
            "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary ipFamily"));
      }
    } else if (!old_fams.empty() && fams[0] != old_fams[0]) {
      errs.push_back(FieldError::Invalid(f0, ips_json, "may not change once set"));
    }
  }
  Append(errs, ValidateService(obj));
  return errs;
}

}  // namespace skiff::apis::internal
