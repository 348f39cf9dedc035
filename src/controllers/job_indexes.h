// Completion indexes of Indexed Jobs, as kube-controller-manager's job controller handles them:
// the index a pod carries (annotation batch.kubernetes.io/job-completion-index), the sets of
// indexes kept as ordered intervals, and their text form in status.completedIndexes
// ("1,3-5,7": increasing, runs of three or more as first-last, a run of two as "a,b").
//
// Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skiff::controllers {

inline constexpr char kJobCompletionIndexAnnotation[] = "batch.kubernetes.io/job-completion-index";
inline constexpr char kJobCompletionIndexEnv[] = "JOB_COMPLETION_INDEX";
inline constexpr int kUnknownCompletionIndex = -1;

// A closed range of indexes [first, last].
struct IndexInterval {
  int first = 0;
  int last = 0;
  bool operator==(const IndexInterval&) const = default;
};
// Disjoint, non-adjacent, in increasing order.
using IndexIntervals = std::vector<IndexInterval>;

// The pod's completion index, or kUnknownCompletionIndex when it has none (or not a number >= 0).
int CompletionIndexOf(const nlohmann::json& pod);

// Parses status.completedIndexes, ignoring indexes >= completions and malformed pieces (as
// Kubernetes does).
IndexIntervals ParseIndexIntervals(const std::string& text, int completions);
// The status.completedIndexes text.
std::string FormatIndexIntervals(const IndexIntervals& intervals);
// `intervals` plus `indexes` (given in increasing order).
IndexIntervals WithIndexes(const IndexIntervals& intervals, const std::vector<int>& indexes);
int64_t CountIndexes(const IndexIntervals& intervals);
bool HasIndex(const IndexIntervals& intervals, int index);

// The `count` lowest indexes below `completions` that neither succeeded nor have an active pod
// (firstPendingIndexes).
std::vector<int> FirstPendingIndexes(const std::vector<int>& active_indexes,
                                     const IndexIntervals& succeeded, int count, int completions);

// The generateName of the pod for `index`: "<job>-<index>-", the job name cut so that the
// prefix stays within 58 characters (the API's generated-name limit).
std::string IndexedPodGenerateName(const std::string& job_name, int index);

}  // namespace skiff::controllers
