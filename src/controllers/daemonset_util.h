// What the DaemonSet controller's parts share: the labels and annotations Kubernetes uses for
// daemon pods, reading DaemonSets, pods and nodes as the API serves them, and the failed-pod
// backoff (client-go's flowcontrol.Backoff as kube-controller-manager configures it for
// DaemonSets: 1 s doubling up to 15 min).
//
// Pure functions of their JSON arguments (absent or wrongly typed members read as Kubernetes'
// zero values); nothing throws. FailedPodBackoff is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controllers/controller_ref.h"  // UidOf, NameOf, NamespaceOf
#include "skiff/client/informer.h"

namespace skiff::controllers::daemonset {

using nlohmann::json;
using PodList = std::vector<client::ObjectPtr>;
// Daemon pods by the node they are for (TargetNodeName), ordered by node name.
using NodeToPods = std::map<std::string, PodList>;

// apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey): on pods and on the
// DaemonSet's ControllerRevisions, the revision's hash.
inline constexpr char kRevisionHashLabel[] = "controller-revision-hash";
// extensions.DaemonSetTemplateGenerationKey: on pods, the template generation they were made from.
inline constexpr char kTemplateGenerationLabel[] = "pod-template-generation";
// apps/v1's carrier of the DaemonSet's spec.templateGeneration.
inline constexpr char kTemplateGenerationAnnotation[] = "deprecated.daemonset.template.generation";

// The member at `path`, or nullptr when a step is missing, null or not an object.
const json* At(const json& obj, std::initializer_list<const char*> path);
// The string / integer at `path`, or the fallback.
std::string StrAt(const json& obj, std::initializer_list<const char*> path);
int64_t IntAt(const json& obj, std::initializer_list<const char*> path, int64_t fallback = 0);

std::string ResourceVersionOf(const json& obj);
// metadata.labels, or an empty object.
const json& LabelsOf(const json& obj);
// labels[key], or "".
std::string LabelOf(const json& obj, const std::string& key);

// spec.minReadySeconds (0 when unset).
int64_t MinReadySeconds(const json& ds);
// The template generation (util.GetTemplateGeneration): the annotation as an integer, nullopt
// when absent or not a number.
std::optional<int64_t> TemplateGeneration(const json& ds);
// spec.updateStrategy.type ("RollingUpdate" when unset, as the API defaults it).
std::string UpdateStrategyType(const json& ds);

// flowcontrol.Backoff keyed by string: an entry's delay starts at `initial` and doubles with
// each Next() up to `max`; an entry not updated for 2 * max starts over.
class FailedPodBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  FailedPodBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(initial), max_(max) {}

  // True while less than the entry's delay has passed since its last Next().
  bool InBackoffSinceUpdate(const std::string& key, Clock::time_point now) const;
  // The entry's current delay (0 when there is none).
  std::chrono::milliseconds Get(const std::string& key) const;
  // Starts the entry at `initial`, or doubles its delay.
  void Next(const std::string& key, Clock::time_point now);
  // Forgets entries that expired (kube runs this every minute).
  void GC(Clock::time_point now);

 private:
  struct Entry {
    std::chrono::milliseconds delay{0};
    Clock::time_point last_update;
  };
  bool Expired(const Entry& e, Clock::time_point now) const {
    return now - e.last_update > 2 * max_;
  }

  const std::chrono::milliseconds initial_;
  const std::chrono::milliseconds max_;
  mutable std::mutex mu_;  // guards entries_
  std::unordered_map<std::string, Entry> entries_;
};

// failedPodsBackoffKey: "<ds uid>/<status.observedGeneration>/<node>".
std::string FailedPodBackoffKey(const json& ds, const std::string& node);

}  // namespace skiff::controllers::daemonset
