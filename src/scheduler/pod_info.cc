#include "scheduler/pod_info.h"

#include <algorithm>

#include "scheduler/json_access.h"

namespace skiff::scheduler {
namespace {

using nlohmann::json;

using internal::StringList;

// Adds `key <op> (pod's value)` for each listed key the pod carries (matchLabelKeys /
// mismatchLabelKeys, as kube-apiserver merges them into the term's labelSelector).
void MergeLabelKeys(apis::LabelSelector& selector, const json* keys, const json& pod_labels,
                    apis::SelectorOperator op) {
  for (const std::string& key : StringList(keys)) {
    const std::string* value = internal::LabelValue(pod_labels, key);
    if (!value) continue;
    auto req = apis::LabelRequirement::Create(key, op, {*value});
    if (req.ok()) selector = selector.Add(std::move(req).value());
  }
}

std::optional<AffinityTerm> ParseAffinityTerm(const json& term, const PodInfo& pod,
                                              std::vector<std::string>& errors) {
  AffinityTerm out;
  const json* label_selector = internal::Member(term, "labelSelector");
  auto selector = apis::LabelSelectorFromJson(label_selector ? *label_selector : json());
  if (!selector.ok()) {
    errors.push_back("labelSelector: " + selector.status().message());
    return std::nullopt;
  }
  out.selector = std::move(selector).value();
  if (label_selector) {
    MergeLabelKeys(out.selector, internal::Member(term, "matchLabelKeys"), pod.labels,
                   apis::SelectorOperator::kIn);
    MergeLabelKeys(out.selector, internal::Member(term, "mismatchLabelKeys"), pod.labels,
                   apis::SelectorOperator::kNotIn);
  }
  out.namespaces = StringList(internal::Member(term, "namespaces"));
  if (const json* ns_selector = internal::Member(term, "namespaceSelector")) {
    auto nss = apis::LabelSelectorFromJson(*ns_selector);
    if (!nss.ok()) {
      errors.push_back("namespaceSelector: " + nss.status().message());
      return std::nullopt;
    }
    out.namespace_selector = std::move(nss).value();
  }
  if (out.namespaces.empty() && !out.namespace_selector) out.namespaces.push_back(pod.namespace_);
  std::sort(out.namespaces.begin(), out.namespaces.end());
  out.namespaces.erase(std::unique(out.namespaces.begin(), out.namespaces.end()),
                       out.namespaces.end());
  out.topology_key = internal::StringMember(term, "topologyKey");
  return out;
}

void ParseAffinityTerms(const json* list, bool weighted, PodInfo& pod,
                        std::vector<AffinityTerm>& into) {
  if (!list || !list->is_array()) return;
  for (const json& entry : *list) {
    const json* term = &entry;
    int64_t weight = 0;
    if (weighted) {
      weight = internal::IntMember(entry, "weight").value_or(0);
      term = internal::ObjectMember(entry, "podAffinityTerm");
      if (!term) continue;
    }
    auto parsed = ParseAffinityTerm(*term, pod, pod.parse_errors);
    if (!parsed) {
      pod.bad_affinity_terms = true;
      continue;
    }
    parsed->weight = static_cast<int32_t>(weight);
    into.push_back(std::move(*parsed));
  }
}

void ParsePodAffinity(const json& spec, PodInfo& pod) {
  const json* affinity = internal::ObjectMember(spec, "affinity");
  if (!affinity) return;
  const json* pa = internal::ObjectMember(*affinity, "podAffinity");
  const json* paa = internal::ObjectMember(*affinity, "podAntiAffinity");
  pod.has_pod_affinity = pa || paa;
  if (pa) {
    ParseAffinityTerms(internal::Member(*pa, "requiredDuringSchedulingIgnoredDuringExecution"),
                       false, pod, pod.required_affinity);
    ParseAffinityTerms(internal::Member(*pa, "preferredDuringSchedulingIgnoredDuringExecution"),
                       true, pod, pod.preferred_affinity);
  }
  if (paa) {
    ParseAffinityTerms(internal::Member(*paa, "requiredDuringSchedulingIgnoredDuringExecution"),
                       false, pod, pod.required_anti_affinity);
    ParseAffinityTerms(internal::Member(*paa, "preferredDuringSchedulingIgnoredDuringExecution"),
                       true, pod, pod.preferred_anti_affinity);
  }
}

void ParseSpreadConstraints(const json& spec, PodInfo& pod) {
  const json* list = internal::ArrayMember(spec, "topologySpreadConstraints");
  if (!list) return;
  for (const json& c : *list) {
    SpreadConstraint sc;
    sc.max_skew = static_cast<int32_t>(internal::IntMember(c, "maxSkew").value_or(1));
    sc.topology_key = internal::StringMember(c, "topologyKey");
    sc.do_not_schedule = internal::StringMember(c, "whenUnsatisfiable") == "DoNotSchedule";
    const json* label_selector = internal::Member(c, "labelSelector");
    auto selector = apis::LabelSelectorFromJson(label_selector ? *label_selector : json());
    if (!selector.ok()) {
      pod.parse_errors.push_back("topologySpreadConstraints labelSelector: " +
                                 selector.status().message());
      continue;
    }
    sc.selector = std::move(selector).value();
    if (!sc.selector.MatchesNothing()) {
      MergeLabelKeys(sc.selector, internal::Member(c, "matchLabelKeys"), pod.labels,
                     apis::SelectorOperator::kEquals);
    }
    sc.min_domains = static_cast<int32_t>(internal::IntMember(c, "minDomains").value_or(1));
    sc.honor_node_affinity = internal::StringMember(c, "nodeAffinityPolicy") != "Ignore";
    sc.honor_node_taints = internal::StringMember(c, "nodeTaintsPolicy") == "Honor";
    pod.spread_constraints.push_back(std::move(sc));
  }
}

void AddHostPorts(const json& container, bool host_network, std::vector<HostPort>& out) {
  const json* ports = internal::ArrayMember(container, "ports");
  if (!ports) return;
  for (const json& p : *ports) {
    int64_t host_port = internal::IntMember(p, "hostPort").value_or(0);
    // API defaulting: with hostNetwork the host port is the container port.
    if (host_port == 0 && host_network)
      host_port = internal::IntMember(p, "containerPort").value_or(0);
    if (host_port <= 0) continue;
    HostPort hp{internal::StringMember(p, "protocol"), internal::StringMember(p, "hostIP"),
                static_cast<int32_t>(host_port)};
    if (hp.protocol.empty()) hp.protocol = "TCP";
    if (hp.host_ip.empty()) hp.host_ip = "0.0.0.0";
    out.push_back(std::move(hp));
  }
}

void ParseHostPorts(const json& spec, PodInfo& pod) {
  bool host_network = internal::BoolMember(spec, "hostNetwork");
  if (const json* inits = internal::ArrayMember(spec, "initContainers")) {
    for (const json& c : *inits) {
      if (internal::StringMember(c, "restartPolicy") == "Always") {
        AddHostPorts(c, host_network, pod.host_ports);
      }
    }
  }
  if (const json* containers = internal::ArrayMember(spec, "containers")) {
    for (const json& c : *containers) AddHostPorts(c, host_network, pod.host_ports);
  }
}

void ParseMetadata(const json& meta, PodInfo& pod) {
  pod.uid = internal::StringMember(meta, "uid");
  pod.namespace_ = internal::StringMember(meta, "namespace");
  pod.name = internal::StringMember(meta, "name");
  if (const json* labels = internal::ObjectMember(meta, "labels")) {
    for (const auto& [k, v] : labels->items()) {
      if (v.is_string()) pod.labels[k] = v;
    }
  }
  pod.terminating = internal::Member(meta, "deletionTimestamp") != nullptr;
  if (const json* owners = internal::ArrayMember(meta, "ownerReferences")) {
    for (const json& o : *owners) {
      if (internal::BoolMember(o, "controller")) {
        pod.controller_uid = internal::StringMember(o, "uid");
        break;
      }
    }
  }
  if (!pod.controller_uid.empty())
    pod.controller_hash = std::hash<std::string>{}(pod.controller_uid);
}

}  // namespace

bool AffinityTerm::Matches(const PodInfo& pod, const NamespaceLabelsFn* namespace_labels) const {
  bool in_namespace = std::binary_search(namespaces.begin(), namespaces.end(), pod.namespace_);
  if (!in_namespace && namespace_selector) {
    if (namespace_selector->Empty()) {
      in_namespace = true;
    } else if (!namespace_selector->MatchesNothing()) {
      json scratch;
      in_namespace =
          namespace_selector->Matches(NamespaceLabels(namespace_labels, pod.namespace_, scratch));
    }
  }
  return in_namespace && selector.Matches(pod.labels);
}

const json& NamespaceLabels(const NamespaceLabelsFn* fn, const std::string& ns, json& scratch) {
  if (fn && *fn) {
    if (const json* labels = (*fn)(ns)) return *labels;
  }
  scratch = json{{"kubernetes.io/metadata.name", ns}};
  return scratch;
}

PodInfo ParsePodInfo(const json& pod) {
  PodInfo out;
  try {
    if (const json* meta = internal::ObjectMember(pod, "metadata")) ParseMetadata(*meta, out);
    static const json kEmpty = json::object();
    const json* spec_ptr = internal::ObjectMember(pod, "spec");
    const json& spec = spec_ptr ? *spec_ptr : kEmpty;
    out.node_name = internal::StringMember(spec, "nodeName");
    out.priority = static_cast<int32_t>(internal::IntMember(spec, "priority").value_or(0));
    out.preempt_never = internal::StringMember(spec, "preemptionPolicy") == "Never";
    if (const json* status = internal::ObjectMember(pod, "status")) {
      out.nominated_node_name = internal::StringMember(*status, "nominatedNodeName");
      out.start_time = internal::StringMember(*status, "startTime");
      if (const json* conditions = internal::ArrayMember(*status, "conditions")) {
        for (const json& c : *conditions) {
          if (internal::StringMember(c, "type") != "DisruptionTarget") continue;
          out.preemption_target = internal::StringMember(c, "status") == "True" &&
                                  internal::StringMember(c, "reason") == "PreemptionByScheduler";
          break;
        }
      }
    }
    out.requests = ComputePodRequests(spec);
    ParseHostPorts(spec, out);
    if (const json* tolerations = internal::Member(spec, "tolerations")) {
      out.tolerations = ParseTolerations(*tolerations);
    }
    out.required_node_affinity = RequiredNodeAffinity::Parse(spec, &out.parse_errors);
    out.preferred_node_affinity = PreferredNodeAffinity::Parse(spec, &out.parse_errors);
    ParsePodAffinity(spec, out);
    ParseSpreadConstraints(spec, out);
  } catch (const std::exception& e) {
    out.parse_errors.push_back(std::string("unexpected pod shape: ") + e.what());
  }
  return out;
}

std::shared_ptr<const PodInfo> MakePodInfo(const json& pod) {
  return std::make_shared<const PodInfo>(ParsePodInfo(pod));
}

}  // namespace skiff::scheduler
