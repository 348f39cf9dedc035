#include "controllers/endpointslice_reconciler.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/endpointslice_endpoints.h"

namespace skiff::controllers {
namespace {

// Desired endpoints by EndpointKey; taken in key order (Kubernetes: any order).
using EndpointSet = std::map<std::string, json>;

json PopFirst(EndpointSet& set) {
  auto it = set.begin();
  json endpoint = std::move(it->second);
  set.erase(it);
  return endpoint;
}

size_t EndpointCount(const json& slice) { return SliceEndpoints(slice).size(); }

// reconcileByPortMapping: the slices of one port group.
void ReconcileGroup(const json& service, const std::vector<const json*>& existing,
                    EndpointSet desired, const json& ports, const std::string& address_type,
                    size_t max, const std::string& controller_name, SlicePlan& plan) {
  std::map<std::string, json> by_name;
  std::set<std::string> unchanged, to_update, to_delete;

  // 1. Drop endpoints no longer desired, replace changed ones, refresh labels.
  for (const json* slice : existing) {
    const std::string name = NameOf(*slice);
    const json& endpoints = SliceEndpoints(*slice);
    json kept = json::array();
    bool endpoint_changed = false;
    for (const json& endpoint : endpoints) {
      auto it = desired.find(EndpointKey(endpoint));
      if (it == desired.end()) continue;
      if (!EndpointsEqualBeyondKey(it->second, endpoint)) endpoint_changed = true;
      kept.push_back(std::move(it->second));
      desired.erase(it);
    }
    auto [labels, labels_changed] = SliceLabels(*slice, service, controller_name);
    if (endpoint_changed || kept.size() != endpoints.size()) {
      if (kept.empty()) {
        to_delete.insert(name);
        by_name[name] = *slice;
      } else {
        json copy = *slice;
        copy["endpoints"] = std::move(kept);
        copy["metadata"]["labels"] = std::move(labels);
        by_name[name] = std::move(copy);
        to_update.insert(name);
      }
    } else if (labels_changed) {
      json copy = *slice;
      copy["metadata"]["labels"] = std::move(labels);
      by_name[name] = std::move(copy);
      to_update.insert(name);
    } else {
      by_name[name] = *slice;
      unchanged.insert(name);
    }
  }

  // 2. Fill the slices being updated, fullest first.
  if (!desired.empty() && !to_update.empty()) {
    std::vector<std::string> names(to_update.begin(), to_update.end());
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return EndpointCount(by_name[a]) > EndpointCount(by_name[b]);
    });
    for (const auto& name : names) {
      json& slice = by_name[name];
      while (!desired.empty() && slice["endpoints"].size() < max) {
        slice["endpoints"].push_back(PopFirst(desired));
      }
    }
  }

  // 3. The rest: into the unchanged slice it fills best when it fits one, else new slices.
  while (!desired.empty()) {
    std::string fill_name;
    if (desired.size() < max && !unchanged.empty()) {
      size_t closest = max;
      for (const auto& name : unchanged) {
        const size_t total = desired.size() + EndpointCount(by_name[name]);
        if (total > max) continue;
        const size_t diff = max - total;
        if (diff < closest) {
          closest = diff;
          fill_name = name;
          if (diff == 0) break;
        }
      }
    }
    json fresh;
    json& slice = fill_name.empty() ? fresh : by_name[fill_name];
    if (fill_name.empty()) {
      fresh = NewServiceSlice(service, ports, address_type, controller_name);
    } else if (!slice.contains("endpoints") || !slice["endpoints"].is_array()) {
      slice["endpoints"] = json::array();
    }
    while (!desired.empty() && slice["endpoints"].size() < max) {
      slice["endpoints"].push_back(PopFirst(desired));
    }
    if (fill_name.empty()) {
      plan.create.push_back(std::move(fresh));
    } else {
      to_update.insert(fill_name);
      unchanged.erase(fill_name);
    }
  }

  for (const auto& name : to_update) plan.update.push_back(by_name[name]);
  for (const auto& name : to_delete) plan.remove.push_back(by_name[name]);
}

Status WriteError(const Status& cause, const std::string& message) {
  return Status(cause.code(), message + ": " + cause.message());
}

}  // namespace

SlicePlan PlanAddressType(const json& service, const std::vector<client::ObjectPtr>& pods,
                          const std::vector<client::ObjectPtr>& existing,
                          const std::string& address_type, const NodeLookup& nodes,
                          int max_endpoints_per_slice, const std::string& controller_name) {
  SlicePlan plan;
  const size_t max = static_cast<size_t>(std::max(1, max_endpoints_per_slice));
  const std::string ns = NamespaceOf(service);
  const std::string svc_name = NameOf(service);
  const json* publish_json = api::Find(service, {"spec", "publishNotReadyAddresses"});
  const bool publish = publish_json && publish_json->is_boolean() && publish_json->get<bool>();

  std::vector<const json*> sorted_existing;
  for (const auto& s : existing) sorted_existing.push_back(s.get());
  std::sort(sorted_existing.begin(), sorted_existing.end(),
            [](const json* a, const json* b) { return NameOf(*a) < NameOf(*b); });
  std::map<std::string, std::vector<const json*>> existing_by_ports;
  for (const json* slice : sorted_existing) {
    if (OwnedByService(*slice, service)) {
      existing_by_ports[PortsKey(SlicePorts(*slice))].push_back(slice);
    } else {
      plan.remove.push_back(*slice);
    }
  }

  struct Group {
    json ports;
    EndpointSet endpoints;
  };
  std::map<std::string, Group> desired;
  std::vector<const json*> sorted_pods;
  for (const auto& p : pods) sorted_pods.push_back(p.get());
  std::sort(sorted_pods.begin(), sorted_pods.end(),
            [](const json* a, const json* b) { return NameOf(*a) < NameOf(*b); });
  for (const json* pod : sorted_pods) {
    if (!ShouldPodBeInEndpoints(*pod, true)) continue;
    json ports = EndpointPortsFor(service, *pod);
    const std::string key = PortsKey(ports);
    auto [group, inserted] = desired.try_emplace(key);
    if (inserted) group->second.ports = std::move(ports);
    const std::string node_name = api::GetString(*pod, {"spec", "nodeName"});
    client::ObjectPtr node = node_name.empty() ? nullptr : nodes(node_name);
    if (!node && !publish) {
      plan.errors.push_back("skipping Pod " + NameOf(*pod) + " for Service " + ns + "/" + svc_name +
                            ": Node " + node_name + " Not Found");
      continue;
    }
    json endpoint = PodToEndpoint(*pod, node.get(), service, address_type);
    if (endpoint["addresses"].empty()) continue;
    std::string endpoint_key = EndpointKey(endpoint);  // before the move below
    group->second.endpoints[endpoint_key] = std::move(endpoint);
  }

  for (auto& [key, group] : desired) {
    ReconcileGroup(service, existing_by_ports[key], std::move(group.endpoints), group.ports,
                   address_type, max, controller_name, plan);
  }
  for (const auto& [key, slices] : existing_by_ports) {
    if (desired.count(key)) continue;
    for (const json* slice : slices) plan.remove.push_back(*slice);
  }

  // A Service without endpoints keeps one placeholder slice.
  if (existing.size() == plan.remove.size() && plan.create.empty()) {
    json placeholder = NewServiceSlice(service, json::array(), address_type, controller_name);
    if (plan.remove.size() == 1 && PlaceholderEqual(plan.remove[0], placeholder)) {
      plan.remove.clear();
    } else {
      plan.create.push_back(std::move(placeholder));
    }
  }

  // Recycle: update a slice that would be deleted rather than create another.
  for (size_t i = 0; i < plan.remove.size() && !plan.create.empty();) {
    const json& doomed = plan.remove[i];
    json& fresh = plan.create.back();
    if (doomed.value("addressType", "") == fresh.value("addressType", "") &&
        OwnedByService(doomed, service)) {
      fresh["metadata"]["name"] = NameOf(doomed);
      plan.update.push_back(std::move(fresh));
      plan.create.pop_back();
      plan.remove.erase(plan.remove.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return plan;
}

EndpointSliceReconciler::EndpointSliceReconciler(client::Client& client, NodeLookup nodes,
                                                 EndpointSliceTracker& tracker,
                                                 int max_endpoints_per_slice,
                                                 std::string controller_name)
    : client_(client),
      nodes_(std::move(nodes)),
      tracker_(tracker),
      max_endpoints_per_slice_(max_endpoints_per_slice),
      controller_name_(std::move(controller_name)) {}

Status EndpointSliceReconciler::Reconcile(const json& service,
                                          const std::vector<client::ObjectPtr>& pods,
                                          const std::vector<client::ObjectPtr>& existing,
                                          const std::string& trigger_time) {
  const std::vector<std::string> types = AddressTypesForService(service);
  std::map<std::string, std::vector<client::ObjectPtr>> by_type;
  std::vector<client::ObjectPtr> unsupported;
  for (const auto& slice : existing) {
    const std::string type = slice->value("addressType", "");
    if (std::find(types.begin(), types.end(), type) == types.end()) {
      unsupported.push_back(slice);
    } else {
      by_type[type].push_back(slice);
    }
  }
  std::vector<std::string> errors;
  Code code = Code::kOk;
  auto fail = [&](const Status& s) {
    if (code == Code::kOk) code = s.code();
    errors.push_back(s.message());
  };
  for (const auto& type : types) {
    SlicePlan plan = PlanAddressType(service, pods, by_type[type], type, nodes_,
                                     max_endpoints_per_slice_, controller_name_);
    for (const auto& e : plan.errors) errors.push_back(e);
    if (Status s = Apply(service, plan, trigger_time); !s.ok()) fail(s);
  }
  const std::string ns = NamespaceOf(service);
  for (const auto& slice : unsupported) {
    if (Status s = DeleteSlice(ns, *slice); !s.ok()) {
      fail(WriteError(s, "error deleting " + NameOf(*slice) + " EndpointSlice for Service " + ns +
                             "/" + NameOf(service)));
    }
  }
  if (errors.empty()) return Status::Ok();
  return Status(code == Code::kOk ? Code::kUnavailable : code, AggregateMessages(errors));
}

Status EndpointSliceReconciler::Apply(const json& service, SlicePlan& plan,
                                      const std::string& trigger_time) {
  const std::string ns = NamespaceOf(service);
  const std::string svc = ns + "/" + NameOf(service);
  // No new slices for a Service being deleted: the garbage collector is removing them.
  if (!IsBeingDeleted(service)) {
    for (json& slice : plan.create) {
      SetTriggerTimeAnnotation(slice, trigger_time);
      auto created = client_.Create(client::EndpointSlices(), ns, slice);
      if (!created.ok()) {
        return WriteError(created.status(), "failed to create EndpointSlice for Service " + svc);
      }
      tracker_.Update(*created);
    }
  }
  for (json& slice : plan.update) {
    SetTriggerTimeAnnotation(slice, trigger_time);
    auto updated = client_.Update(client::EndpointSlices(), ns, slice);
    if (!updated.ok()) {
      return WriteError(updated.status(),
                        "failed to update " + NameOf(slice) + " EndpointSlice for Service " + svc);
    }
    tracker_.Update(*updated);
  }
  for (const json& slice : plan.remove) {
    if (Status s = DeleteSlice(ns, slice); !s.ok()) {
      return WriteError(s,
                        "failed to delete " + NameOf(slice) + " EndpointSlice for Service " + svc);
    }
  }
  return Status::Ok();
}

Status EndpointSliceReconciler::DeleteSlice(const std::string& ns, const json& slice) {
  Status s = client_.Delete(client::EndpointSlices(), ns, NameOf(slice), {});
  if (s.code() == Code::kNotFound) return Status::Ok();
  if (!s.ok()) return s;
  tracker_.ExpectDeletion(slice);
  return Status::Ok();
}

Status EndpointSliceReconciler::DeleteSlices(const std::string& ns,
                                             const std::vector<client::ObjectPtr>& slices) {
  std::vector<std::string> errors;
  Code code = Code::kOk;
  for (const auto& slice : slices) {
    if (Status s = DeleteSlice(ns, *slice); !s.ok()) {
      if (code == Code::kOk) code = s.code();
      errors.push_back("failed to delete " + NameOf(*slice) + " EndpointSlice: " + s.message());
    }
  }
  if (errors.empty()) return Status::Ok();
  return Status(code, AggregateMessages(errors));
}

}  // namespace skiff::controllers
