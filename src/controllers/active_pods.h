// Which pods a controller deletes first when it has too many: kube-controller-manager's
// ActivePodsWithRanks order (pkg/controller/controller_utils.go, with the PodDeletionCost and
// LogarithmicScaleDown features on, as they are by default).
//
// Pod a goes before pod b when, deciding at the first rule where they differ:
//   1. a is unassigned (no spec.nodeName) and b is assigned;
//   2. a's phase comes first in Pending < Unknown < Running (any other phase counts as Pending);
//   3. a is not ready and b is;
//   4. a's controller.kubernetes.io/pod-deletion-cost annotation is lower (unset or not an
//      int32: 0);
//   5. a's rank is higher (the rank: how many active related pods share its node);
//   6. both ready: a became ready more recently, compared in powers of two of the time since
//      (log2 of nanoseconds), equal buckets ordered by uid; a missing time counts as newest;
//   7. a's containers restarted more (the most restarts of one regular container, then of one
//      restartable init container);
//   8. a was created more recently, in the same logarithmic buckets, then by uid.
//
// Pure functions over pod JSON; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "controllers/pod_util.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

inline constexpr char kPodDeletionCostAnnotation[] = "controller.kubernetes.io/pod-deletion-cost";

// The pod's deletion cost: the annotation as an int32, or 0 when unset or invalid.
int32_t PodDeletionCost(const json& pod);

// True when pod `a` (with rank `rank_a`) is to be deleted before pod `b`, at `now`.
bool DeleteBefore(const json& a, int rank_a, const json& b, int rank_b, Clock::time_point now);

// The first `count` of `pods` in deletion order (all of them when count >= pods.size()). A
// pod's rank is the number of active pods in `related` (the pods of every ReplicaSet that
// shares this one's controller, or this ReplicaSet's own) on the same node; unassigned pods
// share the node "".
std::vector<client::ObjectPtr> PodsToDelete(const std::vector<client::ObjectPtr>& pods,
                                            const std::vector<client::ObjectPtr>& related,
                                            size_t count, Clock::time_point now);

}  // namespace skiff::controllers
