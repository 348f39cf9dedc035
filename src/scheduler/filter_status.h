// The result of a filter (framework.Status for the Filter and PreFilter extension points) and
// the exact reason strings kube-scheduler 1.32 reports.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::scheduler {

enum class FilterCode {
  kSuccess,
  kUnschedulable,                 // preemption might help
  kUnschedulableAndUnresolvable,  // preemption cannot help
};

struct FilterStatus {
  FilterCode code = FilterCode::kSuccess;
  std::vector<std::string> reasons;  // empty on success
  std::string_view plugin;           // the rejecting plugin's name (static storage)

  bool ok() const { return code == FilterCode::kSuccess; }
  static FilterStatus Success() { return {}; }
  static FilterStatus Reject(FilterCode code, std::string_view plugin, std::string reason) {
    FilterStatus s;
    s.code = code;
    s.plugin = plugin;
    s.reasons.push_back(std::move(reason));
    return s;
  }
};

// Plugin names (pkg/scheduler/framework/plugins/names).
namespace plugins {
inline constexpr std::string_view kNodeName = "NodeName";
inline constexpr std::string_view kNodeUnschedulable = "NodeUnschedulable";
inline constexpr std::string_view kTaintToleration = "TaintToleration";
inline constexpr std::string_view kNodeAffinity = "NodeAffinity";
inline constexpr std::string_view kNodePorts = "NodePorts";
inline constexpr std::string_view kNodeResourcesFit = "NodeResourcesFit";
inline constexpr std::string_view kPodTopologySpread = "PodTopologySpread";
inline constexpr std::string_view kInterPodAffinity = "InterPodAffinity";
inline constexpr std::string_view kBalancedAllocation = "NodeResourcesBalancedAllocation";
inline constexpr std::string_view kDefaultPreemption = "DefaultPreemption";
}  // namespace plugins

// Reason strings, verbatim from kube-scheduler.
namespace reasons {
inline constexpr std::string_view kNodeName = "node(s) didn't match the requested node name";
inline constexpr std::string_view kUnschedulable = "node(s) were unschedulable";
inline constexpr std::string_view kNodeAffinity =
    "node(s) didn't match Pod's node affinity/selector";
inline constexpr std::string_view kNodeAffinityConflict = "pod affinity terms conflict";
inline constexpr std::string_view kNodePorts =
    "node(s) didn't have free ports for the requested pod ports";
inline constexpr std::string_view kTooManyPods = "Too many pods";
inline constexpr std::string_view kAffinityRules = "node(s) didn't match pod affinity rules";
inline constexpr std::string_view kAntiAffinityRules =
    "node(s) didn't match pod anti-affinity rules";
inline constexpr std::string_view kExistingAntiAffinityRules =
    "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr std::string_view kSpreadConstraints =
    "node(s) didn't match pod topology spread constraints";
inline constexpr std::string_view kSpreadMissingLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
inline constexpr std::string_view kNoVictims = "No preemption victims found for incoming pod";
inline constexpr std::string_view kPreemptionNotHelpful =
    "Preemption is not helpful for scheduling";
inline constexpr std::string_view kPreemptNever = "not eligible due to preemptionPolicy=Never.";
inline constexpr std::string_view kPreemptWaiting =
    "not eligible due to a terminating pod on the nominated node.";
inline constexpr std::string_view kNoNodes = "no nodes available to schedule pods";
}  // namespace reasons

// "node(s) had untolerated taint {<key>: <value>}".
inline std::string UntoleratedTaintReason(std::string_view key, std::string_view value) {
  std::string s = "node(s) had untolerated taint {";
  s.append(key).append(": ").append(value).append("}");
  return s;
}

}  // namespace skiff::scheduler
