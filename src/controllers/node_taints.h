// Node taints and pod tolerations as the node controllers use them: the well-known taint keys,
// matching (v1.Taint.MatchTaint, v1.Toleration.ToleratesTaint, GetMatchingTolerations) and the
// one write every node controller makes to spec.taints (SwapNodeControllerTaint).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/client/client.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

using nlohmann::json;

inline constexpr char kTaintNotReady[] = "node.kubernetes.io/not-ready";
inline constexpr char kTaintUnreachable[] = "node.kubernetes.io/unreachable";
inline constexpr char kTaintUnschedulable[] = "node.kubernetes.io/unschedulable";
inline constexpr char kTaintMemoryPressure[] = "node.kubernetes.io/memory-pressure";
inline constexpr char kTaintDiskPressure[] = "node.kubernetes.io/disk-pressure";
inline constexpr char kTaintNetworkUnavailable[] = "node.kubernetes.io/network-unavailable";
inline constexpr char kTaintPIDPressure[] = "node.kubernetes.io/pid-pressure";
inline constexpr char kTaintOutOfService[] = "node.kubernetes.io/out-of-service";

inline constexpr char kNoSchedule[] = "NoSchedule";
inline constexpr char kNoExecute[] = "NoExecute";

// {"key": key, "effect": effect}.
json MakeTaint(const std::string& key, const std::string& effect);
// Same key and effect (v1.Taint.MatchTaint).
bool MatchTaint(const json& a, const json& b);
// The node's spec.taints (an empty array when it has none).
json NodeTaints(const json& node);
// A taint of the node matches `taint` (key and effect).
bool HasTaint(const json& node, const json& taint);
// A taint of the node has this key (any effect).
bool HasTaintKey(const json& node, const std::string& key);
// The node's taints with this effect, in order.
std::vector<json> TaintsWithEffect(const json& node, const std::string& effect);

// v1.Toleration.ToleratesTaint: the toleration's effect and key, when set, equal the taint's;
// operator Exists matches any value, Equal (or none) the same value.
bool ToleratesTaint(const json& toleration, const json& taint);
// v1helper.GetMatchingTolerations: whether every taint is tolerated, and for each taint (same
// order) the first toleration that tolerates it.
struct TolerationMatch {
  bool all_tolerated = true;
  std::vector<json> used;
};
TolerationMatch MatchTolerations(const std::vector<json>& taints, const json& tolerations);

// Makes the node carry every taint of `add` (a missing one is appended with timeAdded = now)
// and none of `remove` (by key and effect), in one write of spec.taints with the node's
// resourceVersion as precondition. `node` is the caller's latest copy; on a conflict the node
// is read again and the change re-applied (at most 5 attempts). Returns the node as written,
// or as it was when nothing needed changing; kNotFound when the node is gone.
Result<json> SwapNodeTaints(client::Client& client, const json& node, const std::vector<json>& add,
                            const std::vector<json>& remove,
                            std::chrono::system_clock::time_point now);

}  // namespace skiff::controllers
