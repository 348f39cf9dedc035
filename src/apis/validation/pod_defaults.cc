// Pod and pod template defaults (SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Probe,
// volume sources, ...), in the order the generated defaulters apply them.
#include "pod_defaults.h"

#include <cctype>

#include "skiff/apis/quantity.h"

namespace skiff::apis::internal {
namespace {

void DefaultFieldRef(json& holder) {
  if (json* ref = GetMut(holder, "fieldRef"); ref && ref->is_object()) {
    SetDefaultStr(*ref, "apiVersion", "v1");
  }
}

void DefaultHTTPGet(json& handler) {
  json* get = GetMut(handler, "httpGet");
  if (!get || !get->is_object()) return;
  SetDefaultStr(*get, "path", "/");
  SetDefaultStr(*get, "scheme", "HTTP");
}

void DefaultProbe(json& container, const char* key) {
  json* probe = GetMut(container, key);
  if (!probe || !probe->is_object()) return;
  for (auto [field, value] : {std::pair{"timeoutSeconds", 1}, std::pair{"periodSeconds", 10},
                              std::pair{"successThreshold", 1}, std::pair{"failureThreshold", 3}}) {
    auto v = Int(*probe, field);
    if (!v || *v == 0) (*probe)[field] = value;
  }
  DefaultHTTPGet(*probe);
  if (json* grpc = GetMut(*probe, "grpc"); grpc && grpc->is_object()) {
    SetDefault(*grpc, "service", "");
  }
}

void DefaultContainer(json& c) {
  if (!c.is_object()) return;
  SetDefault(c, "resources", json::object());  // a struct Go always serializes
  SetDefaultStr(c, "imagePullPolicy", DefaultPullPolicy(Str(c, "image")));
  SetDefaultStr(c, "terminationMessagePath", "/dev/termination-log");
  SetDefaultStr(c, "terminationMessagePolicy", "File");
  if (json* ports = GetMut(c, "ports"); ports && ports->is_array()) {
    for (auto& p : *ports) SetDefaultStr(p, "protocol", "TCP");
  }
  if (json* env = GetMut(c, "env"); env && env->is_array()) {
    for (auto& e : *env) {
      if (json* from = GetMut(e, "valueFrom"); from && from->is_object()) DefaultFieldRef(*from);
    }
  }
  if (json* res = GetMut(c, "resources"); res && res->is_object()) {
    if (json* l = GetMut(*res, "limits")) DefaultResourceList(*l);
    if (json* r = GetMut(*res, "requests")) DefaultResourceList(*r);
  }
  DefaultProbe(c, "livenessProbe");
  DefaultProbe(c, "readinessProbe");
  DefaultProbe(c, "startupProbe");
  if (json* lc = GetMut(c, "lifecycle"); lc && lc->is_object()) {
    for (const char* h : {"postStart", "preStop"}) {
      if (json* handler = GetMut(*lc, h); handler && handler->is_object()) DefaultHTTPGet(*handler);
    }
  }
}

void DefaultDownwardAPIItems(json& source) {
  if (json* items = GetMut(source, "items"); items && items->is_array()) {
    for (auto& item : *items) DefaultFieldRef(item);
  }
}

void DefaultVolume(json& v) {
  if (!v.is_object()) return;
  static const char* kNonSourceKeys[] = {"name"};
  bool has_source = false;
  for (const auto& [k, val] : v.items()) {
    if (k != kNonSourceKeys[0] && !val.is_null()) has_source = true;
  }
  if (!has_source) v["emptyDir"] = json::object();
  if (json* hp = GetMut(v, "hostPath"); hp && hp->is_object()) SetDefault(*hp, "type", "");
  for (const char* key : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (json* s = GetMut(v, key); s && s->is_object()) SetDefault(*s, "defaultMode", 420);
  }
  if (json* d = GetMut(v, "downwardAPI"); d && d->is_object()) DefaultDownwardAPIItems(*d);
  if (json* p = GetMut(v, "projected"); p && p->is_object()) {
    if (json* sources = GetMut(*p, "sources"); sources && sources->is_array()) {
      for (auto& s : *sources) {
        if (json* d = GetMut(s, "downwardAPI"); d && d->is_object()) DefaultDownwardAPIItems(*d);
        if (json* t = GetMut(s, "serviceAccountToken"); t && t->is_object()) {
          SetDefault(*t, "expirationSeconds", 3600);
        }
      }
    }
  }
  if (json* iscsi = GetMut(v, "iscsi"); iscsi && iscsi->is_object()) {
    SetDefaultStr(*iscsi, "iscsiInterface", "default");
  }
  if (json* rbd = GetMut(v, "rbd"); rbd && rbd->is_object()) {
    SetDefaultStr(*rbd, "pool", "rbd");
    SetDefaultStr(*rbd, "user", "admin");
    SetDefaultStr(*rbd, "keyring", "/etc/ceph/keyring");
  }
  if (json* az = GetMut(v, "azureDisk"); az && az->is_object()) {
    SetDefault(*az, "cachingMode", "ReadWrite");
    SetDefault(*az, "fsType", "ext4");
    SetDefault(*az, "readOnly", false);
    SetDefault(*az, "kind", "Shared");
  }
  if (json* eph = GetMut(v, "ephemeral"); eph && eph->is_object()) {
    if (json* t = GetMut(*eph, "volumeClaimTemplate"); t && t->is_object()) {
      DefaultTemplateMetadata(*t);
      if (json* spec = GetMut(*t, "spec"); spec && spec->is_object()) DefaultPVCSpec(*spec);
    }
  }
}

void CopyLimitsToRequests(json& c) {
  json* res = GetMut(c, "resources");
  if (!res || !res->is_object()) return;
  json* limits = GetMut(*res, "limits");
  if (!limits || !limits->is_object()) return;
  json* requests = EnsureObj(*res, "requests");
  if (!requests) return;
  for (const auto& [k, v] : limits->items()) {
    if (!requests->contains(k)) (*requests)[k] = v;
  }
}

}  // namespace

std::string DefaultPullPolicy(const std::string& image) {
  if (image.empty()) return "IfNotPresent";
  std::string ref = image;
  bool has_digest = false;
  if (auto at = ref.find('@'); at != std::string::npos) {
    has_digest = true;
    ref = ref.substr(0, at);
  }
  std::string tag;
  size_t last_slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash)) {
    tag = ref.substr(colon + 1);
    ref = ref.substr(0, colon);
  }
  // docker reference parsing: the path after an optional domain must be lower case.
  std::string path = ref;
  if (auto slash = ref.find('/'); slash != std::string::npos) {
    std::string first = ref.substr(0, slash);
    bool upper = false;
    for (char c : first) upper = upper || std::isupper(static_cast<unsigned char>(c));
    if (first.find_first_of(".:") != std::string::npos || first == "localhost" || upper) {
      path = ref.substr(slash + 1);
    }
  }
  for (char c : path) {
    if (std::isupper(static_cast<unsigned char>(c))) return "IfNotPresent";  // unparsable
  }
  if (tag.empty() && !has_digest) tag = "latest";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

void DefaultResourceList(json& list) {
  if (!list.is_object()) return;
  for (auto& [k, v] : list.items()) {
    if (auto q = QuantityFromJson(v)) v = CanonicalString(RoundUpToMilli(*q));
  }
}

void DefaultPVCSpec(json& spec) {
  if (!spec.is_object()) return;
  SetDefault(spec, "volumeMode", "Filesystem");
  if (json* res = GetMut(spec, "resources"); res && res->is_object()) {
    if (json* l = GetMut(*res, "limits")) DefaultResourceList(*l);
    if (json* r = GetMut(*res, "requests")) DefaultResourceList(*r);
  }
}

void DefaultPodSpec(json& spec) {
  if (!spec.is_object()) return;
  SetDefaultStr(spec, "dnsPolicy", "ClusterFirst");
  SetDefaultStr(spec, "restartPolicy", "Always");
  SetDefault(spec, "securityContext", json::object());
  SetDefault(spec, "terminationGracePeriodSeconds", 30);
  SetDefaultStr(spec, "schedulerName", "default-scheduler");
  for (const char* key : {"initContainers", "containers", "ephemeralContainers"}) {
    if (json* cs = GetMut(spec, key); cs && cs->is_array()) {
      for (auto& c : *cs) DefaultContainer(c);
    }
  }
  if (json* vols = GetMut(spec, "volumes"); vols && vols->is_array()) {
    for (auto& v : *vols) DefaultVolume(v);
  }
  if (json* overhead = GetMut(spec, "overhead")) DefaultResourceList(*overhead);
}

void DefaultTemplateMetadata(json& holder) {
  if (json* meta = EnsureObj(holder, "metadata"); meta && !meta->contains("creationTimestamp")) {
    (*meta)["creationTimestamp"] = nullptr;
  }
}

void DefaultPodTemplateSpec(json& tmpl) {
  DefaultTemplateMetadata(tmpl);
  if (json* spec = GetMut(tmpl, "spec"); spec && spec->is_object()) DefaultPodSpec(*spec);
}

void DefaultPod(json& pod) {
  json* spec = EnsureObj(pod, "spec");
  if (!spec) return;
  // SetDefaults_Pod runs before the spec's own defaulters in the generated code.
  for (const char* key : {"containers", "initContainers"}) {
    if (json* cs = GetMut(*spec, key); cs && cs->is_array()) {
      for (auto& c : *cs) CopyLimitsToRequests(c);
    }
  }
  SetDefault(*spec, "enableServiceLinks", true);
  if (IsTrue(*spec, "hostNetwork")) {
    for (const char* key : {"containers", "initContainers"}) {
      if (json* cs = GetMut(*spec, key); cs && cs->is_array()) {
        for (auto& c : *cs) {
          if (json* ports = GetMut(c, "ports"); ports && ports->is_array()) {
            for (auto& p : *ports) {
              if (Int(p, "hostPort").value_or(0) == 0 && Get(p, "containerPort")) {
                p["hostPort"] = p["containerPort"];
              }
            }
          }
        }
      }
    }
  }
  DefaultPodSpec(*spec);
}

}  // namespace skiff::apis::internal
