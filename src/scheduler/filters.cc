#include "scheduler/filters.h"

namespace skiff::scheduler {

FilterStatus FilterNodeUnschedulable(const PodInfo& pod, const NodeInfo& node) {
  if (!node.unschedulable()) return FilterStatus::Success();
  // Tolerating the unschedulable taint tolerates spec.unschedulable.
  static const Taint kUnschedulableTaint{"node.kubernetes.io/unschedulable", "", "NoSchedule"};
  if (TolerationsTolerateTaint(pod.tolerations, kUnschedulableTaint))
    return FilterStatus::Success();
  return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable,
                              plugins::kNodeUnschedulable, std::string(reasons::kUnschedulable));
}

FilterStatus FilterNodeName(const PodInfo& pod, const NodeInfo& node) {
  if (pod.node_name.empty() || pod.node_name == node.name()) return FilterStatus::Success();
  return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kNodeName,
                              std::string(reasons::kNodeName));
}

FilterStatus FilterTaintToleration(const PodInfo& pod, const NodeInfo& node) {
  const Taint* taint = FindUntoleratedTaint(node.taints(), pod.tolerations, IsDoNotScheduleTaint);
  if (!taint) return FilterStatus::Success();
  return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kTaintToleration,
                              UntoleratedTaintReason(taint->key, taint->value));
}

FilterStatus FilterNodeAffinity(const PodInfo& pod, const NodeInfo& node) {
  if (pod.required_node_affinity.Matches(node.labels(), node.name()))
    return FilterStatus::Success();
  return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kNodeAffinity,
                              std::string(reasons::kNodeAffinity));
}

FilterStatus FilterNodePorts(const PodInfo& pod, const NodeInfo& node) {
  for (const HostPort& want : pod.host_ports) {
    if (node.PortConflicts(want)) {
      return FilterStatus::Reject(FilterCode::kUnschedulable, plugins::kNodePorts,
                                  std::string(reasons::kNodePorts));
    }
  }
  return FilterStatus::Success();
}

FilterStatus FilterNodeResourcesFit(const PodInfo& pod, const NodeInfo& node) {
  FilterStatus s;
  auto insufficient = [&](std::string reason) {
    s.code = FilterCode::kUnschedulable;
    s.plugin = plugins::kNodeResourcesFit;
    s.reasons.push_back(std::move(reason));
  };
  const Resources& alloc = node.allocatable();
  const Resources& used = node.requested();
  const Resources& want = pod.requests.requests;
  if (static_cast<int64_t>(node.pods().size()) + 1 > alloc.allowed_pods) {
    insufficient(std::string(reasons::kTooManyPods));
  }
  if (want.IsZero()) return s;
  if (want.milli_cpu > 0 && want.milli_cpu > alloc.milli_cpu - used.milli_cpu) {
    insufficient("Insufficient cpu");
  }
  if (want.memory > 0 && want.memory > alloc.memory - used.memory) {
    insufficient("Insufficient memory");
  }
  if (want.ephemeral_storage > 0 &&
      want.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage) {
    insufficient("Insufficient ephemeral-storage");
  }
  for (const ScalarResource& r : want.scalars) {
    if (r.value == 0) continue;
    if (r.value > alloc.Scalar(r.name) - used.Scalar(r.name))
      insufficient("Insufficient " + r.name);
  }
  return s;
}

ClusterFilters ClusterFilters::Build(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                     const NamespaceLabelsFn* namespace_labels,
                                     const PodVolumes* volumes) {
  return ClusterFilters{TopologySpreadFilter::Build(pod, nodes),
                        InterPodAffinityFilter::Build(pod, nodes, namespace_labels), volumes};
}

std::optional<FilterStatus> ClusterFilters::PreFilterRejection(const PodInfo& pod) const {
  const auto& pinned = pod.required_node_affinity.pinned_node_names();
  if (pinned && pinned->empty()) {
    return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kNodeAffinity,
                                std::string(reasons::kNodeAffinityConflict));
  }
  if (volumes && volumes->pre_filter_rejection()) return volumes->pre_filter_rejection();
  if (inter_pod.pre_filter_rejection()) return inter_pod.pre_filter_rejection();
  return std::nullopt;
}

FilterStatus RunFilters(const PodInfo& pod, const NodeInfo& node, const ClusterFilters& cluster) {
  for (auto filter : {FilterNodeUnschedulable, FilterNodeName, FilterTaintToleration,
                      FilterNodeAffinity, FilterNodePorts, FilterNodeResourcesFit}) {
    FilterStatus s = filter(pod, node);
    if (!s.ok()) return s;
  }
  if (cluster.volumes && !cluster.volumes->skip()) {
    FilterStatus s = cluster.volumes->Filter(node);
    if (!s.ok()) return s;
  }
  if (!cluster.spread.skip()) {
    FilterStatus s = cluster.spread.Filter(node);
    if (!s.ok()) return s;
  }
  if (!cluster.inter_pod.skip()) return cluster.inter_pod.Filter(node);
  return FilterStatus::Success();
}

FilterStatus RunFiltersWithNominated(const PodInfo& pod, const NodeInfo& node,
                                     const ClusterFilters& cluster,
                                     const NominatedPods* nominated) {
  if (nominated && !nominated->empty()) {
    if (auto it = nominated->find(node.name()); it != nominated->end()) {
      std::optional<NodeInfo> with;
      for (const auto& other : it->second) {
        if (other->uid == pod.uid || other->priority < pod.priority) continue;
        if (!with) with.emplace(node);
        with->AddPod(other);
      }
      if (with) {
        FilterStatus s = RunFilters(pod, *with, cluster);
        if (!s.ok()) return s;
      }
    }
  }
  return RunFilters(pod, node, cluster);
}

}  // namespace skiff::scheduler
