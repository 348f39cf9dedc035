// core/v1 defaults other than pod specs (pkg/apis/core/v1/defaults.go) and the core
// strategies' PrepareForCreate/PrepareForUpdate.
#include <algorithm>
#include <map>
#include <set>

#include "kinds.h"
#include "pod_defaults.h"
#include "pod_validation.h"
#include "skiff/apis/qos.h"
#include "skiff/common/base64.h"

namespace skiff::apis::internal {
namespace {

bool Externally(const json& spec) {
  std::string type = Str(spec, "type");
  return type == "LoadBalancer" || type == "NodePort" ||
         (type == "ClusterIP" && Len(spec, "externalIPs") > 0);
}

bool NeedsClusterIP(const json& spec) { return Str(spec, "type") != "ExternalName"; }
bool NeedsNodePort(const json& spec) {
  std::string type = Str(spec, "type");
  return type == "NodePort" ||
         (type == "LoadBalancer" && Bool(spec, "allocateLoadBalancerNodePorts") != false);
}

}  // namespace

void DefaultPodObject(json& pod) { DefaultPod(pod); }

void PreparePodCreate(json& pod) {
  if (!pod.is_object()) return;
  const json& spec = Obj(pod, "spec");
  json status = {{"phase", "Pending"}, {"qosClass", PodQOSClass(spec)}};
  if (Len(spec, "schedulingGates") > 0) {
    status["conditions"] =
        json::array({{{"type", "PodScheduled"},
                      {"status", "False"},
                      {"lastProbeTime", nullptr},
                      {"lastTransitionTime", nullptr},
                      {"reason", "SchedulingGated"},
                      {"message", "Scheduling is blocked due to non-empty scheduling gates"}}});
  }
  pod["status"] = status;
}

void DefaultPodTemplate(json& obj) {
  if (json* t = GetMut(obj, "template"); t && t->is_object()) DefaultPodTemplateSpec(*t);
}

void DefaultReplicationController(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  if (json* t = GetMut(*spec, "template"); t && t->is_object()) {
    const json* labels = Get(Obj(*t, "metadata"), "labels");
    if (labels && labels->is_object()) {
      if (Len(*spec, "selector") == 0) (*spec)["selector"] = *labels;
      json* meta = EnsureObj(obj, "metadata");
      if (meta && Len(*meta, "labels") == 0) (*meta)["labels"] = *labels;
    }
    DefaultPodTemplateSpec(*t);
  }
  SetDefault(*spec, "replicas", 1);
}

void DefaultService(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefaultStr(*spec, "sessionAffinity", "None");
  std::string affinity = Str(*spec, "sessionAffinity");
  if (affinity == "None") {
    spec->erase("sessionAffinityConfig");
  } else if (affinity == "ClientIP") {
    const json& cfg = Obj(*spec, "sessionAffinityConfig");
    if (!Get(Obj(cfg, "clientIP"), "timeoutSeconds")) {
      (*spec)["sessionAffinityConfig"] = {{"clientIP", {{"timeoutSeconds", 10800}}}};
    }
  }
  SetDefaultStr(*spec, "type", "ClusterIP");
  std::string type = Str(*spec, "type");
  if (json* ports = GetMut(*spec, "ports"); ports && ports->is_array()) {
    for (auto& p : *ports) {
      if (!p.is_object()) continue;
      SetDefaultStr(p, "protocol", "TCP");
      IntOrString target = GetIntOrString(p, "targetPort");
      if (!target.set || (target.is_int && target.i == 0) || (!target.is_int && target.s.empty())) {
        if (const json* port = Get(p, "port")) p["targetPort"] = *port;
      }
    }
  }
  if (Externally(*spec)) SetDefaultStr(*spec, "externalTrafficPolicy", "Cluster");
  if (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP") {
    SetDefault(*spec, "internalTrafficPolicy", "Cluster");
  }
  if (type == "LoadBalancer") {
    SetDefault(*spec, "allocateLoadBalancerNodePorts", true);
    if (json* status = GetMut(obj, "status"); status && status->is_object()) {
      if (json* lb = GetMut(*status, "loadBalancer"); lb && lb->is_object()) {
        if (json* ingress = GetMut(*lb, "ingress"); ingress && ingress->is_array()) {
          for (auto& ing : *ingress) {
            if (!Str(ing, "ip").empty()) SetDefault(ing, "ipMode", "VIP");
          }
        }
      }
    }
  }
}

void PrepareServiceCreate(json& obj) {
  if (!obj.is_object()) return;
  obj["status"] = {{"loadBalancer", json::object()}};
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  std::string ip = Str(*spec, "clusterIP");
  if (!ip.empty() && Len(*spec, "clusterIPs") == 0) (*spec)["clusterIPs"] = json::array({ip});
}

void PrepareServiceUpdate(json& obj, const json& old) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  const json& old_spec = Obj(old, "spec");
  // NormalizeClusterIPs for an update.
  std::string ip = Str(*spec, "clusterIP");
  std::string old_ip = Str(old_spec, "clusterIP");
  bool same_plural = SemanticEqual(Arr(*spec, "clusterIPs"), Arr(old_spec, "clusterIPs"));
  if (!old_ip.empty() && ip.empty() && same_plural && Len(*spec, "clusterIPs") > 0) {
    spec->erase("clusterIPs");
  } else if (!ip.empty() && same_plural && ip != old_ip && Len(*spec, "clusterIPs") > 0) {
    (*spec)["clusterIPs"][0] = ip;
  }
  if (!ip.empty() && Len(*spec, "clusterIPs") == 0) (*spec)["clusterIPs"] = json::array({ip});
  // patchAllocatedValues: keep what was allocated when the update omits it.
  if (NeedsClusterIP(old_spec) && NeedsClusterIP(*spec)) {
    if (Str(*spec, "clusterIP").empty() && Get(old_spec, "clusterIP")) {
      (*spec)["clusterIP"] = old_spec["clusterIP"];
    }
    if (Len(*spec, "clusterIPs") == 0 && Len(old_spec, "clusterIPs") > 0) {
      (*spec)["clusterIPs"] = old_spec["clusterIPs"];
    }
    // Allocation fills these along with the IPs; an update that omits them keeps them.
    for (const char* key : {"ipFamilies", "ipFamilyPolicy"}) {
      if (!Get(*spec, key) && Get(old_spec, key)) (*spec)[key] = old_spec[key];
    }
  }
  if (NeedsNodePort(old_spec) && NeedsNodePort(*spec)) {
    std::set<int64_t> old_used, new_used;
    std::map<std::string, int64_t> by_name;
    for (const auto& p : Arr(old_spec, "ports")) {
      auto np = Int(p, "nodePort").value_or(0);
      if (np != 0) old_used.insert(np);
      by_name[Str(p, "name")] = np;
    }
    for (const auto& p : Arr(*spec, "ports")) {
      auto np = Int(p, "nodePort").value_or(0);
      if (np != 0) new_used.insert(np);
    }
    if (json* ports = GetMut(*spec, "ports"); ports && ports->is_array()) {
      for (auto& p : *ports) {
        if (!p.is_object() || Int(p, "nodePort").value_or(0) != 0) continue;
        auto it = by_name.find(Str(p, "name"));
        if (it == by_name.end() || it->second == 0) continue;
        bool used = old_used.count(it->second) && new_used.count(it->second);
        if (!used) p["nodePort"] = it->second;
      }
    }
  }
  bool hc_old =
      Str(old_spec, "type") == "LoadBalancer" && Str(old_spec, "externalTrafficPolicy") == "Local";
  bool hc_new =
      Str(*spec, "type") == "LoadBalancer" && Str(*spec, "externalTrafficPolicy") == "Local";
  if (hc_old && hc_new && Int(*spec, "healthCheckNodePort").value_or(0) == 0 &&
      Get(old_spec, "healthCheckNodePort")) {
    (*spec)["healthCheckNodePort"] = old_spec["healthCheckNodePort"];
  }
}

void DefaultNamespace(json& obj) {
  if (!obj.is_object()) return;
  std::string name = Str(Obj(obj, "metadata"), "name");
  if (!name.empty()) {
    json* meta = EnsureObj(obj, "metadata");
    json* labels = meta ? EnsureObj(*meta, "labels") : nullptr;
    if (labels) (*labels)["kubernetes.io/metadata.name"] = name;
  }
  if (json* status = GetMut(obj, "status"); status && status->is_object()) {
    SetDefaultStr(*status, "phase", "Active");
  }
}

void PrepareNamespaceCreate(json& obj) {
  if (!obj.is_object()) return;
  obj["status"] = {{"phase", "Active"}};
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  json finalizers = HasArr(*spec, "finalizers") ? (*spec)["finalizers"] : json::array();
  if (std::find(finalizers.begin(), finalizers.end(), json("kubernetes")) == finalizers.end()) {
    finalizers.push_back("kubernetes");
  }
  (*spec)["finalizers"] = finalizers;
  DefaultNamespace(obj);
}

void PrepareNamespaceUpdate(json& obj, const json& old) {
  if (!obj.is_object()) return;
  json* spec = EnsureObj(obj, "spec");
  if (spec) {
    if (const json* f = Get(Obj(old, "spec"), "finalizers")) {
      (*spec)["finalizers"] = *f;
    } else {
      spec->erase("finalizers");
    }
  }
  DefaultNamespace(obj);
}

void DefaultSecret(json& obj) {
  if (!obj.is_object()) return;
  SetDefaultStr(obj, "type", "Opaque");
  if (const json* sd = Get(obj, "stringData"); sd && sd->is_object()) {
    json* data = EnsureObj(obj, "data");
    if (data) {
      for (const auto& [k, v] : sd->items()) {
        if (v.is_string()) (*data)[k] = Base64Encode(v.get<std::string>());
      }
    }
  }
  obj.erase("stringData");
}

void DefaultPVC(json& obj) {
  if (json* spec = GetMut(obj, "spec"); spec && spec->is_object()) DefaultPVCSpec(*spec);
  if (json* status = GetMut(obj, "status"); status && status->is_object()) {
    SetDefaultStr(*status, "phase", "Pending");
    if (json* cap = GetMut(*status, "capacity")) DefaultResourceList(*cap);
  }
}

void PreparePVCCreate(json& obj) {
  if (obj.is_object()) obj["status"] = {{"phase", "Pending"}};
}

void DefaultPV(json& obj) {
  json* spec = EnsureObj(obj, "spec");
  if (!spec) return;
  SetDefaultStr(*spec, "persistentVolumeReclaimPolicy", "Retain");
  SetDefault(*spec, "volumeMode", "Filesystem");
  if (json* cap = GetMut(*spec, "capacity")) DefaultResourceList(*cap);
  if (json* status = GetMut(obj, "status"); status && status->is_object()) {
    SetDefaultStr(*status, "phase", "Pending");
  }
}

void PreparePVCreate(json& obj) {
  if (obj.is_object()) obj["status"] = {{"phase", "Pending"}};
}

void DefaultNode(json& obj) {
  json* status = GetMut(obj, "status");
  if (!status || !status->is_object()) return;
  if (json* cap = GetMut(*status, "capacity")) DefaultResourceList(*cap);
  if (json* alloc = GetMut(*status, "allocatable")) DefaultResourceList(*alloc);
  if (!Get(*status, "allocatable") && HasObj(*status, "capacity")) {
    (*status)["allocatable"] = (*status)["capacity"];
  }
}

void DefaultEndpoints(json& obj) {
  json* subsets = GetMut(obj, "subsets");
  if (!subsets || !subsets->is_array()) return;
  for (auto& ss : *subsets) {
    if (json* ports = GetMut(ss, "ports"); ports && ports->is_array()) {
      for (auto& p : *ports) SetDefaultStr(p, "protocol", "TCP");
    }
  }
}

void DefaultLimitRange(json& obj) {
  json* spec = GetMut(obj, "spec");
  json* limits = spec ? GetMut(*spec, "limits") : nullptr;
  if (!limits || !limits->is_array()) return;
  for (auto& item : *limits) {
    if (!item.is_object()) continue;
    for (const char* key : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"}) {
      if (json* l = GetMut(item, key)) DefaultResourceList(*l);
    }
    if (Str(item, "type") != "Container") continue;
    json* def = EnsureObj(item, "default");
    json* def_req = EnsureObj(item, "defaultRequest");
    if (!def || !def_req) continue;
    for (const auto& [k, v] : Obj(item, "max").items()) {
      if (!def->contains(k)) (*def)[k] = v;
    }
    for (const auto& [k, v] : def->items()) {
      if (!def_req->contains(k)) (*def_req)[k] = v;
    }
    for (const auto& [k, v] : Obj(item, "min").items()) {
      if (!def_req->contains(k)) (*def_req)[k] = v;
    }
  }
}

void DefaultResourceQuota(json& obj) {
  if (json* spec = GetMut(obj, "spec"); spec && spec->is_object()) {
    if (json* hard = GetMut(*spec, "hard")) DefaultResourceList(*hard);
  }
}

}  // namespace skiff::apis::internal
