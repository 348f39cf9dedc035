#include "scheduler/node_info.h"

#include <algorithm>

#include "scheduler/json_access.h"

namespace skiff::scheduler {

using nlohmann::json;

void NodeInfo::SetNode(const json& node) {
  has_node_ = true;
  name_.clear();
  labels_ = json::object();
  const json* meta = internal::ObjectMember(node, "metadata");
  if (meta) {
    name_ = internal::StringMember(*meta, "name");
    if (const json* labels = internal::ObjectMember(*meta, "labels")) {
      for (const auto& [k, v] : labels->items()) {
        if (v.is_string()) labels_[k] = v;
      }
    }
  }
  const json* spec = internal::ObjectMember(node, "spec");
  unschedulable_ = spec && internal::BoolMember(*spec, "unschedulable");
  taints_.clear();
  if (spec) {
    if (const json* taints = internal::Member(*spec, "taints")) taints_ = ParseTaints(*taints);
  }
  allocatable_ = Resources();
  if (const json* status = internal::ObjectMember(node, "status")) {
    const json* alloc = internal::ObjectMember(*status, "allocatable");
    if (!alloc) alloc = internal::ObjectMember(*status, "capacity");
    if (alloc) allocatable_ = ResourcesFromList(*alloc);
  }
  ++generation_;
}

void NodeInfo::AddPod(const json& pod) { AddPod(MakePodInfo(pod)); }

void NodeInfo::AddPod(std::shared_ptr<const PodInfo> pod) {
  if (!pod) return;
  RemovePod(pod->uid);
  Account(*pod, 1);
  if (pod->has_pod_affinity) ++pods_with_affinity_;
  if (pod->HasRequiredAntiAffinity()) pods_with_required_anti_affinity_.push_back(pod.get());
  pods_.push_back(std::move(pod));
  ++generation_;
}

bool NodeInfo::RemovePod(std::string_view uid) {
  auto it = std::find_if(pods_.begin(), pods_.end(),
                         [&](const std::shared_ptr<const PodInfo>& p) { return p->uid == uid; });
  if (it == pods_.end()) return false;
  std::shared_ptr<const PodInfo> pod = std::move(*it);
  pods_.erase(it);
  Account(*pod, -1);
  if (pod->has_pod_affinity) --pods_with_affinity_;
  if (pod->HasRequiredAntiAffinity()) {
    auto& v = pods_with_required_anti_affinity_;
    v.erase(std::remove(v.begin(), v.end(), pod.get()), v.end());
  }
  ++generation_;
  return true;
}

void NodeInfo::Account(const PodInfo& pod, int sign) {
  requested_.Add(pod.requests.requests, sign);
  // Drop scalar entries that went back to zero so that sums stay comparable.
  std::erase_if(requested_.scalars, [](const ScalarResource& s) { return s.value == 0; });
  non_zero_milli_cpu_ += sign * pod.requests.non_zero_milli_cpu;
  non_zero_memory_ += sign * pod.requests.non_zero_memory;

  for (const HostPort& hp : pod.host_ports) {
    auto it = std::find_if(used_ports_.begin(), used_ports_.end(),
                           [&](const UsedHostPort& u) { return u.port == hp; });
    if (sign > 0) {
      if (it == used_ports_.end()) {
        used_ports_.push_back(UsedHostPort{hp, 1});
      } else {
        ++it->users;
      }
    } else if (it != used_ports_.end() && --it->users <= 0) {
      used_ports_.erase(it);
    }
  }

  if (!pod.controller_uid.empty() && !pod.terminating) {
    auto it = std::find_if(owner_counts_.begin(), owner_counts_.end(), [&](const OwnerCount& o) {
      return o.hash == pod.controller_hash && o.uid == pod.controller_uid && o.ns == pod.namespace_;
    });
    if (sign > 0) {
      if (it == owner_counts_.end()) {
        owner_counts_.push_back(
            OwnerCount{pod.controller_hash, pod.controller_uid, pod.namespace_, 1});
      } else {
        ++it->count;
      }
    } else if (it != owner_counts_.end() && --it->count <= 0) {
      owner_counts_.erase(it);
    }
  }
}

bool NodeInfo::PortConflicts(const HostPort& want) const {
  for (const UsedHostPort& u : used_ports_) {
    if (u.port.port != want.port || u.port.protocol != want.protocol) continue;
    if (want.host_ip == "0.0.0.0" || u.port.host_ip == "0.0.0.0" ||
        u.port.host_ip == want.host_ip) {
      return true;
    }
  }
  return false;
}

int NodeInfo::CountControlledBy(uint64_t hash, std::string_view controller_uid,
                                std::string_view ns) const {
  for (const OwnerCount& o : owner_counts_) {
    if (o.hash == hash && o.uid == controller_uid && o.ns == ns) return o.count;
  }
  return 0;
}

}  // namespace skiff::scheduler
