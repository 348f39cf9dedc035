#include "controllers/endpoint_util.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/pod_util.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

std::map<std::string, std::string> StringMap(const json* obj) {
  std::map<std::string, std::string> out;
  if (!obj || !obj->is_object()) return out;
  for (const auto& [k, v] : obj->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

bool IsTerminal(const json& pod) {
  const std::string phase = api::GetString(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

std::optional<int64_t> FindNamedPort(const json& containers, const std::string& name,
                                     const std::string& protocol, bool sidecars_only) {
  if (!containers.is_array()) return std::nullopt;
  for (const json& c : containers) {
    if (!c.is_object()) continue;
    if (sidecars_only && c.value("restartPolicy", "") != "Always") continue;
    const json* ports = api::Find(c, {"ports"});
    if (!ports || !ports->is_array()) continue;
    for (const json& p : *ports) {
      if (!p.is_object() || p.value("name", "") != name) continue;
      if (p.value("protocol", "TCP") != protocol) continue;
      const json* number = api::Find(p, {"containerPort"});
      if (number && number->is_number_integer()) return number->get<int64_t>();
    }
  }
  return std::nullopt;
}

// The pod's Ready condition's lastTransitionTime, if any.
std::optional<TriggerTimeTracker::Time> PodTriggerTime(const json& pod) {
  const json* conds = api::Find(pod, {"status", "conditions"});
  if (!conds || !conds->is_array()) return std::nullopt;
  for (const json& c : *conds) {
    if (!c.is_object() || c.value("type", "") != "Ready") continue;
    TriggerTimeTracker::Time t;
    if (api::ParseRfc3339(c.value("lastTransitionTime", ""), &t)) return t;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<TriggerTimeTracker::Time> CreationTime(const json& obj) {
  TriggerTimeTracker::Time t;
  if (api::ParseRfc3339(api::GetString(obj, {"metadata", "creationTimestamp"}), &t)) return t;
  return std::nullopt;
}

void KeepEarliest(std::optional<TriggerTimeTracker::Time>& current, TriggerTimeTracker::Time t) {
  if (!current || t < *current) current = t;
}

}  // namespace

std::vector<std::string> IndexSliceByService(const json& slice) {
  const json* name = api::Find(slice, {"metadata", "labels", kLabelServiceName});
  if (!name || !name->is_string() || name->get<std::string>().empty()) return {};
  return {api::GetString(slice, {"metadata", "namespace"}) + "/" + name->get<std::string>()};
}

void EnsureSliceServiceIndex(client::Informer& slices, const char* component) {
  Status indexed = slices.AddIndex(kSliceServiceIndex, IndexSliceByService);
  if (!indexed.ok() && indexed.code() != Code::kAlreadyExists) {
    log::Warning(component, "cannot index endpointslices by service",
                 {{"error", indexed.message()}});
  }
}

std::optional<apis::LabelSelector> ServiceSelector(const json& service) {
  const json* selector = api::Find(service, {"spec", "selector"});
  if (!selector || !selector->is_object() || selector->empty()) return std::nullopt;
  return apis::SelectorFromMap(StringMap(selector));
}

bool IsServiceIPSet(const json& service) {
  const std::string ip = api::GetString(service, {"spec", "clusterIP"});
  return !ip.empty() && ip != "None";
}

bool IsExternalNameService(const json& service) {
  return api::GetString(service, {"spec", "type"}) == "ExternalName";
}

std::map<std::string, std::string> LabelMap(const json& obj) {
  return StringMap(api::Find(obj, {"metadata", "labels"}));
}

std::map<std::string, std::string> AnnotationMap(const json& obj) {
  return StringMap(api::Find(obj, {"metadata", "annotations"}));
}

bool ShouldPodBeInEndpoints(const json& pod, bool include_terminating) {
  if (IsTerminal(pod)) return false;
  if (PodIPs(pod).empty()) return false;
  if (!include_terminating && IsBeingDeleted(pod)) return false;
  return true;
}

bool ShouldSetHostname(const json& pod, const json& service) {
  const std::string hostname = api::GetString(pod, {"spec", "hostname"});
  return !hostname.empty() &&
         api::GetString(pod, {"spec", "subdomain"}) ==
             api::GetString(service, {"metadata", "name"}) &&
         api::GetString(pod, {"metadata", "namespace"}) ==
             api::GetString(service, {"metadata", "namespace"});
}

std::vector<std::string> PodIPs(const json& pod) {
  std::vector<std::string> out;
  const json* ips = api::Find(pod, {"status", "podIPs"});
  if (ips && ips->is_array()) {
    for (const json& ip : *ips) {
      if (ip.is_object() && ip.value("ip", "") != "") out.push_back(ip.value("ip", ""));
    }
  }
  if (out.empty()) {
    const std::string ip = api::GetString(pod, {"status", "podIP"});
    if (!ip.empty()) out.push_back(ip);
  }
  return out;
}

std::optional<int64_t> FindPort(const json& pod, const json& service_port) {
  const json* target = api::Find(service_port, {"targetPort"});
  if (!target || target->is_null() ||
      (target->is_number_integer() && target->get<int64_t>() == 0)) {
    const json* port = api::Find(service_port, {"port"});
    if (port && port->is_number_integer()) return port->get<int64_t>();
    return std::nullopt;
  }
  if (target->is_number_integer()) return target->get<int64_t>();
  if (!target->is_string()) return std::nullopt;
  const std::string name = target->get<std::string>();
  const std::string protocol = service_port.value("protocol", "TCP");
  const json* containers = api::Find(pod, {"spec", "containers"});
  if (containers) {
    if (auto found = FindNamedPort(*containers, name, protocol, false)) return found;
  }
  const json* init = api::Find(pod, {"spec", "initContainers"});
  if (init) return FindNamedPort(*init, name, protocol, true);
  return std::nullopt;
}

std::string CanonicalIP(const std::string& ip) {
  unsigned char buf[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    return inet_ntop(AF_INET, buf, text, sizeof text) ? text : "";
  }
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    // An IPv4-mapped IPv6 address is an IPv4 address to Go's net.IP.
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, buf)) {
      return inet_ntop(AF_INET, buf + 12, text, sizeof text) ? text : "";
    }
    return inet_ntop(AF_INET6, buf, text, sizeof text) ? text : "";
  }
  return "";
}

bool IsIPv6(const std::string& ip) {
  const std::string canonical = CanonicalIP(ip);
  return canonical.find(':') != std::string::npos;
}

PodChange PodEndpointsChanged(const json& old_pod, const json& new_pod) {
  PodChange change;
  change.labels_changed = LabelMap(old_pod) != LabelMap(new_pod) ||
                          api::GetString(old_pod, {"spec", "hostname"}) !=
                              api::GetString(new_pod, {"spec", "hostname"}) ||
                          api::GetString(old_pod, {"spec", "subdomain"}) !=
                              api::GetString(new_pod, {"spec", "subdomain"});
  change.pod_changed = api::GetString(old_pod, {"metadata", "deletionTimestamp"}) !=
                           api::GetString(new_pod, {"metadata", "deletionTimestamp"}) ||
                       IsPodReady(old_pod) != IsPodReady(new_pod) ||
                       PodIPs(old_pod) != PodIPs(new_pod) ||
                       // Not in Kubernetes' list, but a pod that turns Succeeded/Failed while not
                       // ready must leave its Services' endpoints too.
                       IsTerminal(old_pod) != IsTerminal(new_pod);
  return change;
}

void ServiceSelectorCache::Upsert(const json& service) {
  const std::string ns = api::GetString(service, {"metadata", "namespace"});
  const std::string name = api::GetString(service, {"metadata", "name"});
  auto selector = ServiceSelector(service);
  std::lock_guard lock(mu_);
  if (!selector) {
    auto it = by_namespace_.find(ns);
    if (it != by_namespace_.end()) {
      it->second.erase(name);
      if (it->second.empty()) by_namespace_.erase(it);
    }
    return;
  }
  by_namespace_[ns].insert_or_assign(name, std::move(*selector));
}

void ServiceSelectorCache::Remove(const json& service) {
  const std::string ns = api::GetString(service, {"metadata", "namespace"});
  std::lock_guard lock(mu_);
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return;
  it->second.erase(api::GetString(service, {"metadata", "name"}));
  if (it->second.empty()) by_namespace_.erase(it);
}

std::set<std::string> ServiceSelectorCache::ServicesFor(const std::string& ns,
                                                        const json& labels) const {
  std::set<std::string> out;
  const json& l = labels.is_object() ? labels : json(nullptr);
  std::lock_guard lock(mu_);
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return out;
  for (const auto& [name, selector] : it->second) {
    if (selector.Matches(l)) out.insert(ns + "/" + name);
  }
  return out;
}

std::set<std::string> ServiceSelectorCache::ServicesForPod(const json& pod) const {
  const json* labels = api::Find(pod, {"metadata", "labels"});
  return ServicesFor(api::GetString(pod, {"metadata", "namespace"}), labels ? *labels : json());
}

std::set<std::string> ServiceSelectorCache::ServicesForPodUpdate(const json& old_pod,
                                                                 const json& new_pod) const {
  if (api::GetString(old_pod, {"metadata", "resourceVersion"}) ==
      api::GetString(new_pod, {"metadata", "resourceVersion"})) {
    return {};
  }
  const PodChange change = PodEndpointsChanged(old_pod, new_pod);
  if (!change.pod_changed && !change.labels_changed) return {};
  std::set<std::string> services = ServicesForPod(new_pod);
  if (!change.labels_changed) return services;
  const std::set<std::string> old_services = ServicesForPod(old_pod);
  std::set<std::string> out;
  if (change.pod_changed) {
    out = services;
    out.insert(old_services.begin(), old_services.end());
    return out;
  }
  std::set_symmetric_difference(services.begin(), services.end(), old_services.begin(),
                                old_services.end(), std::inserter(out, out.end()));
  return out;
}

std::optional<TriggerTimeTracker::Time> TriggerTimeTracker::Compute(
    const json& service, const std::vector<client::ObjectPtr>& pods) {
  const std::string key = client::KeyOf(service);
  State state;
  bool known = false;
  {
    std::lock_guard lock(mu_);
    auto it = states_.find(key);
    if (it != states_.end()) {
      state = it->second;
      known = true;
    }
  }
  std::optional<Time> earliest_changed;
  std::unordered_map<std::string, Time> pod_times;
  for (const auto& pod : pods) {
    auto t = PodTriggerTime(*pod);
    if (!t) continue;
    const std::string name = api::GetString(*pod, {"metadata", "name"});
    pod_times[name] = *t;
    auto last = state.pod_times.find(name);
    if (last == state.pod_times.end() || *t > last->second) KeepEarliest(earliest_changed, *t);
  }
  const auto service_time = CreationTime(service);
  if (service_time && (!state.service_time || *service_time > *state.service_time)) {
    KeepEarliest(earliest_changed, *service_time);
  }
  {
    std::lock_guard lock(mu_);
    states_[key] = State{service_time, std::move(pod_times)};
  }
  if (!known) return service_time;
  return earliest_changed;
}

void TriggerTimeTracker::Forget(const std::string& service_key) {
  std::lock_guard lock(mu_);
  states_.erase(service_key);
}

std::string FormatTriggerTime(TriggerTimeTracker::Time t) { return api::Rfc3339(t); }

std::string AggregateMessages(const std::vector<std::string>& messages) {
  std::vector<std::string> unique;
  for (const auto& m : messages) {
    if (std::find(unique.begin(), unique.end(), m) == unique.end()) unique.push_back(m);
  }
  if (unique.empty()) return "";
  if (unique.size() == 1) return unique[0];
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) {
    if (i > 0) out += ", ";
    out += unique[i];
  }
  return out + "]";
}

uint64_t ResourceVersionNumber(const json& obj) {
  return ResourceVersionNumber(api::GetString(obj, {"metadata", "resourceVersion"}));
}

uint64_t ResourceVersionNumber(const std::string& rv) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), n);
  if (ec != std::errc() || ptr != rv.data() + rv.size()) return 0;
  return n;
}

}  // namespace skiff::controllers
