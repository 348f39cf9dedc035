// Which field selectors each kind accepts and how their values are read from an object: the
// field label conversion functions (pkg/apis/core/v1, events/v1, batch/v1, certificates/v1
// conversion.go) and GetAttrs/ToSelectableFields (pkg/registry/*/strategy.go) of Kubernetes 1.32.
#include <algorithm>
#include <span>

#include "apis/selectors/go_text.h"
#include "skiff/apis/selector.h"
#include "skiff/common/go_quote.h"

namespace skiff::apis {
namespace {

using Fields = std::map<std::string, std::string>;
using Extractor = void (*)(const nlohmann::json& object, Fields& fields);

// A field label a kind accepts, and the field of the selectable set it stands for.
struct LabelAlias {
  std::string_view label;
  std::string_view field;
};

// How the kind's conversion function words its rejection.
enum class RejectStyle {
  kNotSupported,  // core/v1, events/v1, certificates/v1: field label not supported: <label>
  kBatchV1Job,    // batch/v1 Job: field label "<label>" not supported for batchv1.Job
  kDefault,       // no conversion: "<label>" is not a known field selector: only ...
};

struct KindRules {
  std::string_view group;
  std::string_view kind;
  std::span<const LabelAlias> labels;
  RejectStyle style;
  Extractor extract;  // the kind's own fields; nullptr when only metadata
};

// --- JSON readers -----------------------------------------------------------------------------

const nlohmann::json* Find(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string Str(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* v = Find(obj, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// fmt.Sprint / strconv.FormatBool of a Go bool that defaults to false.
std::string Bool(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* v = Find(obj, path);
  return v && v->is_boolean() && v->get<bool>() ? "true" : "false";
}

// strconv.Itoa of a Go int32 that defaults to 0.
std::string Int(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* v = Find(obj, path);
  if (v && v->is_number_integer()) return std::to_string(v->get<long long>());
  if (v && v->is_number_float()) return std::to_string(static_cast<long long>(v->get<double>()));
  return "0";
}

// --- Per-kind field sets ----------------------------------------------------------------------

void PodFields(const nlohmann::json& pod, Fields& f) {
  f["spec.nodeName"] = Str(pod, {"spec", "nodeName"});
  f["spec.restartPolicy"] = Str(pod, {"spec", "restartPolicy"});
  f["spec.schedulerName"] = Str(pod, {"spec", "schedulerName"});
  // v1 serviceAccount is the deprecated alias, used when serviceAccountName is empty.
  std::string sa = Str(pod, {"spec", "serviceAccountName"});
  f["spec.serviceAccountName"] = sa.empty() ? Str(pod, {"spec", "serviceAccount"}) : sa;
  f["spec.hostNetwork"] = Bool(pod, {"spec", "hostNetwork"});
  f["status.phase"] = Str(pod, {"status", "phase"});
  // The internal type keeps podIPs only; status.podIP is podIPs[0] (or the v1 podIP when the
  // list is empty). status.podIPs itself is accepted but never set, so it reads as "".
  std::string ip = Str(pod, {"status", "podIP"});
  if (const nlohmann::json* ips = Find(pod, {"status", "podIPs"});
      ips && ips->is_array() && !ips->empty()) {
    ip = Str((*ips)[0], {"ip"});
  }
  f["status.podIP"] = ip;
  f["status.nominatedNodeName"] = Str(pod, {"status", "nominatedNodeName"});
}

void NodeFields(const nlohmann::json& node, Fields& f) {
  f["spec.unschedulable"] = Bool(node, {"spec", "unschedulable"});
}

void ReplicationControllerFields(const nlohmann::json& rc, Fields& f) {
  f["status.replicas"] = Int(rc, {"status", "replicas"});
}

// Core v1 and events.k8s.io/v1 Events share one internal type; accept either JSON shape.
void EventFields(const nlohmann::json& ev, Fields& f) {
  const char* ref = Find(ev, {"involvedObject"}) ? "involvedObject" : "regarding";
  f["involvedObject.kind"] = Str(ev, {ref, "kind"});
  f["involvedObject.namespace"] = Str(ev, {ref, "namespace"});
  f["involvedObject.name"] = Str(ev, {ref, "name"});
  f["involvedObject.uid"] = Str(ev, {ref, "uid"});
  f["involvedObject.apiVersion"] = Str(ev, {ref, "apiVersion"});
  f["involvedObject.resourceVersion"] = Str(ev, {ref, "resourceVersion"});
  f["involvedObject.fieldPath"] = Str(ev, {ref, "fieldPath"});
  f["reason"] = Str(ev, {"reason"});
  std::string reporting = Find(ev, {"reportingComponent"}) ? Str(ev, {"reportingComponent"})
                                                           : Str(ev, {"reportingController"});
  f["reportingComponent"] = reporting;
  std::string source = Find(ev, {"source"}) ? Str(ev, {"source", "component"})
                                            : Str(ev, {"deprecatedSource", "component"});
  f["source"] = source.empty() ? reporting : source;
  f["type"] = Str(ev, {"type"});
}

void NamespaceFields(const nlohmann::json& ns, Fields& f) {
  f["status.phase"] = Str(ns, {"status", "phase"});
}

void SecretFields(const nlohmann::json& secret, Fields& f) { f["type"] = Str(secret, {"type"}); }

void ServiceFields(const nlohmann::json& svc, Fields& f) {
  f["spec.clusterIP"] = Str(svc, {"spec", "clusterIP"});
  f["spec.type"] = Str(svc, {"spec", "type"});
}

void JobFields(const nlohmann::json& job, Fields& f) {
  f["status.successful"] = Int(job, {"status", "succeeded"});
}

void SignerNameFields(const nlohmann::json& obj, Fields& f) {
  f["spec.signerName"] = Str(obj, {"spec", "signerName"});
}

// --- The tables -------------------------------------------------------------------------------

constexpr LabelAlias kDefaultLabels[] = {
    {"metadata.name", "metadata.name"},
    {"metadata.namespace", "metadata.namespace"},
};

constexpr LabelAlias kPodLabels[] = {
    {"metadata.name", "metadata.name"},
    {"metadata.namespace", "metadata.namespace"},
    {"spec.nodeName", "spec.nodeName"},
    {"spec.restartPolicy", "spec.restartPolicy"},
    {"spec.schedulerName", "spec.schedulerName"},
    {"spec.serviceAccountName", "spec.serviceAccountName"},
    {"spec.hostNetwork", "spec.hostNetwork"},
    {"status.phase", "status.phase"},
    {"status.podIP", "status.podIP"},
    {"status.podIPs", "status.podIPs"},
    {"status.nominatedNodeName", "status.nominatedNodeName"},
    {"spec.host", "spec.nodeName"},  // old v1 clients
};

constexpr LabelAlias kNodeLabels[] = {
    {"metadata.name", "metadata.name"},
    {"spec.unschedulable", "spec.unschedulable"},
};

constexpr LabelAlias kReplicationControllerLabels[] = {
    {"metadata.name", "metadata.name"},
    {"metadata.namespace", "metadata.namespace"},
    {"status.replicas", "status.replicas"},
};

constexpr LabelAlias kCoreEventLabels[] = {
    {"involvedObject.kind", "involvedObject.kind"},
    {"involvedObject.namespace", "involvedObject.namespace"},
    {"involvedObject.name", "involvedObject.name"},
    {"involvedObject.uid", "involvedObject.uid"},
    {"involvedObject.apiVersion", "involvedObject.apiVersion"},
    {"involvedObject.resourceVersion", "involvedObject.resourceVersion"},
    {"involvedObject.fieldPath", "involvedObject.fieldPath"},
    {"reason", "reason"},
    {"reportingComponent", "reportingComponent"},
    {"source", "source"},
    {"type", "type"},
    {"metadata.namespace", "metadata.namespace"},
    {"metadata.name", "metadata.name"},
};

constexpr LabelAlias kEventsV1Labels[] = {
    {"reason", "reason"},
    {"regarding.kind", "involvedObject.kind"},
    {"regarding.namespace", "involvedObject.namespace"},
    {"regarding.name", "involvedObject.name"},
    {"regarding.uid", "involvedObject.uid"},
    {"regarding.apiVersion", "involvedObject.apiVersion"},
    {"regarding.resourceVersion", "involvedObject.resourceVersion"},
    {"regarding.fieldPath", "involvedObject.fieldPath"},
    {"reportingController", "reportingComponent"},
    {"source", "source"},
    {"type", "type"},
    {"metadata.namespace", "metadata.namespace"},
    {"metadata.name", "metadata.name"},
};

constexpr LabelAlias kNamespaceLabels[] = {
    {"status.phase", "status.phase"},
    {"metadata.name", "metadata.name"},
};

constexpr LabelAlias kSecretLabels[] = {
    {"type", "type"},
    {"metadata.namespace", "metadata.namespace"},
    {"metadata.name", "metadata.name"},
};

constexpr LabelAlias kServiceLabels[] = {
    {"metadata.namespace", "metadata.namespace"},
    {"metadata.name", "metadata.name"},
    {"spec.clusterIP", "spec.clusterIP"},
    {"spec.type", "spec.type"},
};

constexpr LabelAlias kJobLabels[] = {
    {"metadata.name", "metadata.name"},
    {"metadata.namespace", "metadata.namespace"},
    {"status.successful", "status.successful"},
};

constexpr LabelAlias kSignerNameLabels[] = {
    {"metadata.name", "metadata.name"},
    {"spec.signerName", "spec.signerName"},
};

constexpr KindRules kKinds[] = {
    {"", "Pod", kPodLabels, RejectStyle::kNotSupported, PodFields},
    {"", "Node", kNodeLabels, RejectStyle::kNotSupported, NodeFields},
    {"", "ReplicationController", kReplicationControllerLabels, RejectStyle::kNotSupported,
     ReplicationControllerFields},
    {"", "Event", kCoreEventLabels, RejectStyle::kNotSupported, EventFields},
    {"", "Namespace", kNamespaceLabels, RejectStyle::kNotSupported, NamespaceFields},
    {"", "Secret", kSecretLabels, RejectStyle::kNotSupported, SecretFields},
    {"", "Service", kServiceLabels, RejectStyle::kNotSupported, ServiceFields},
    {"events.k8s.io", "Event", kEventsV1Labels, RejectStyle::kNotSupported, EventFields},
    {"batch", "Job", kJobLabels, RejectStyle::kBatchV1Job, JobFields},
    {"certificates.k8s.io", "CertificateSigningRequest", kSignerNameLabels,
     RejectStyle::kNotSupported, SignerNameFields},
    {"certificates.k8s.io", "ClusterTrustBundle", kSignerNameLabels, RejectStyle::kNotSupported,
     SignerNameFields},
};

constexpr KindRules kDefaultRules = {"", "", kDefaultLabels, RejectStyle::kDefault, nullptr};

const KindRules& RulesFor(std::string_view group, std::string_view kind) {
  if (group == "core") group = "";
  for (const KindRules& r : kKinds) {
    if (r.group == group && r.kind == kind) return r;
  }
  return kDefaultRules;
}

std::string RejectMessage(RejectStyle style, std::string_view label) {
  switch (style) {
    case RejectStyle::kNotSupported:
      return "field label not supported: " + std::string(label);
    case RejectStyle::kBatchV1Job:
      return "field label " + GoQuote(label) + " not supported for batchv1.Job";
    case RejectStyle::kDefault:
      break;
  }
  return GoQuote(label) + " is not a known field selector: only \"metadata.name\", " +
         "\"metadata.namespace\"";
}

const LabelAlias* FindLabel(const KindRules& rules, std::string_view label) {
  for (const LabelAlias& a : rules.labels) {
    if (a.label == label) return &a;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> SupportedFieldLabels(std::string_view group, std::string_view kind) {
  std::vector<std::string> out;
  for (const LabelAlias& a : RulesFor(group, kind).labels) out.emplace_back(a.label);
  std::sort(out.begin(), out.end());
  return out;
}

Result<FieldSelector> ConvertFieldSelector(std::string_view group, std::string_view kind,
                                           const FieldSelector& selector) {
  const KindRules& rules = RulesFor(group, kind);
  FieldSelector out;
  for (const FieldRequirement& r : selector.requirements()) {
    const LabelAlias* alias = FindLabel(rules, r.field);
    if (!alias) return InvalidArgumentError(RejectMessage(rules.style, r.field));
    out.requirements_.push_back({std::string(alias->field), r.not_equals, r.value});
  }
  return out;
}

Status CheckFieldSelectorSupported(std::string_view group, std::string_view kind,
                                   const FieldSelector& selector) {
  auto converted = ConvertFieldSelector(group, kind, selector);
  return converted.ok() ? Status::Ok() : converted.status();
}

std::map<std::string, std::string> SelectableFields(std::string_view group, std::string_view kind,
                                                    const nlohmann::json& object) {
  Fields f;
  f["metadata.name"] = Str(object, {"metadata", "name"});
  f["metadata.namespace"] = Str(object, {"metadata", "namespace"});
  const KindRules& rules = RulesFor(group, kind);
  if (rules.extract) rules.extract(object, f);
  return f;
}

bool MatchesFields(const FieldSelector& selector, std::string_view group, std::string_view kind,
                   const nlohmann::json& object) {
  if (selector.Empty()) return true;
  const KindRules& rules = RulesFor(group, kind);
  Fields fields = SelectableFields(group, kind, object);
  for (const FieldRequirement& r : selector.requirements()) {
    const LabelAlias* alias = FindLabel(rules, r.field);
    std::string_view name = alias ? alias->field : std::string_view(r.field);
    auto it = fields.find(std::string(name));
    bool equal =
        (it == fields.end() ? std::string_view() : std::string_view(it->second)) == r.value;
    if (equal == r.not_equals) return false;
  }
  return true;
}

}  // namespace skiff::apis
