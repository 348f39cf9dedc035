// The node lifecycle controller's taints: NoSchedule taints from conditions, NoExecute taints
// from the Ready condition paced per zone, and the zones' disruption states.
#include <map>
#include <utility>

#include "api/object_util.h"
#include "controllers/node_lifecycle_controller.h"
#include "controllers/node_taints.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "node-controller";
// Nodes with this label are left out of the zones' disruption states.
constexpr char kExcludeDisruptionLabel[] = "node.kubernetes.io/exclude-disruption";

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }

// nodeConditionToTaintKeyStatusMap: the taint key a condition in a status maps to, or "".
std::string ConditionTaintKey(const std::string& type, const std::string& status) {
  if (type == "Ready") {
    if (status == "False") return kTaintNotReady;
    if (status == "Unknown") return kTaintUnreachable;
    return "";
  }
  if (status != "True") return "";
  if (type == "MemoryPressure") return kTaintMemoryPressure;
  if (type == "DiskPressure") return kTaintDiskPressure;
  if (type == "NetworkUnavailable") return kTaintNetworkUnavailable;
  if (type == "PIDPressure") return kTaintPIDPressure;
  return "";
}

// The taint keys the NoSchedule pass owns.
bool IsConditionTaintKey(const std::string& key) {
  return key == kTaintNotReady || key == kTaintUnreachable || key == kTaintMemoryPressure ||
         key == kTaintDiskPressure || key == kTaintNetworkUnavailable || key == kTaintPIDPressure ||
         key == kTaintUnschedulable;
}

bool ExcludedFromDisruption(const json& node) {
  const json* labels = api::Find(node, {"metadata", "labels"});
  return labels && labels->is_object() && labels->contains(kExcludeDisruptionLabel);
}

Status Swap(client::Client& client, json& node, const std::vector<json>& add,
            const std::vector<json>& remove, std::chrono::system_clock::time_point now) {
  auto written = SwapNodeTaints(client, node, add, remove, now);
  if (!written.ok()) {
    log::Warning(kComponent, "cannot change the taints of a node",
                 {{"node", Name(node)}, {"error", written.status().message()}});
    return written.status();
  }
  node = std::move(written).value();
  return Status::Ok();
}

}  // namespace

Status NodeLifecycleController::NoScheduleTaintPass(json& node,
                                                    std::chrono::system_clock::time_point now) {
  std::vector<json> want;
  const json* conditions = api::Find(node, {"status", "conditions"});
  if (conditions && conditions->is_array()) {
    for (const json& c : *conditions) {
      if (!c.is_object()) continue;
      const std::string key = ConditionTaintKey(c.value("type", ""), c.value("status", ""));
      if (!key.empty()) want.push_back(MakeTaint(key, kNoSchedule));
    }
  }
  const json* unschedulable = api::Find(node, {"spec", "unschedulable"});
  if (unschedulable && unschedulable->is_boolean() && unschedulable->get<bool>()) {
    want.push_back(MakeTaint(kTaintUnschedulable, kNoSchedule));
  }
  std::vector<json> add, remove;
  for (const json& w : want) {
    if (!HasTaint(node, w)) add.push_back(w);
  }
  for (const json& t : TaintsWithEffect(node, kNoSchedule)) {
    if (!IsConditionTaintKey(t.value("key", ""))) continue;
    bool wanted = false;
    for (const json& w : want) wanted = wanted || MatchTaint(t, w);
    if (!wanted) remove.push_back(t);
  }
  if (add.empty() && remove.empty()) return Status::Ok();
  return Swap(client_, node, add, remove, now);
}

Status NodeLifecycleController::ProcessTaintBasedEviction(
    json& node, const std::string& ready, std::chrono::system_clock::time_point now) {
  const json not_ready = MakeTaint(kTaintNotReady, kNoExecute);
  const json unreachable = MakeTaint(kTaintUnreachable, kNoExecute);
  if (ready == "True") return MarkNodeAsReachable(node, now);
  if (ready != "False" && ready != "Unknown") return Status::Ok();
  const json& wanted = ready == "False" ? not_ready : unreachable;
  const json& opposite = ready == "False" ? unreachable : not_ready;
  if (HasTaint(node, wanted)) return Status::Ok();
  // The two mirror the Ready condition: one already there swaps to the other at once.
  if (!HasTaint(node, opposite)) {
    const std::string zone = ZoneKey(node);
    TokenBucket& tainter = ZoneTainter(zone, now);
    if (!tainter.TryAccept(now)) {
      if (auto wait = tainter.Wait(now)) {
        loop_.EnqueueAfter(Name(node), std::max(*wait, std::chrono::milliseconds(1)));
      }
      return Status::Ok();
    }
  }
  log::Info(kComponent, "tainting node NoExecute",
            {{"node", Name(node)}, {"taint", wanted.value("key", "")}});
  return Swap(client_, node, {wanted}, {opposite}, now);
}

Status NodeLifecycleController::MarkNodeAsReachable(json& node,
                                                    std::chrono::system_clock::time_point now) {
  const json not_ready = MakeTaint(kTaintNotReady, kNoExecute);
  const json unreachable = MakeTaint(kTaintUnreachable, kNoExecute);
  if (!HasTaint(node, not_ready) && !HasTaint(node, unreachable)) return Status::Ok();
  return Swap(client_, node, {}, {not_ready, unreachable}, now);
}

TokenBucket& NodeLifecycleController::ZoneTainter(const std::string& zone,
                                                  std::chrono::system_clock::time_point now) {
  zone_states_.emplace(zone, ZoneState::kInitial);  // a zone seen for the first time
  auto it = zone_tainters_.find(zone);
  if (it == zone_tainters_.end()) {
    it = zone_tainters_.emplace(zone, TokenBucket(options_.eviction_rate, now)).first;
  }
  return it->second;
}

void NodeLifecycleController::SetZoneLimiter(const std::string& zone, int zone_size,
                                             ZoneState state,
                                             std::chrono::system_clock::time_point now) {
  double qps = options_.eviction_rate;  // Normal, and FullDisruption of only some zones
  if (state == ZoneState::kPartialDisruption) {
    qps =
        zone_size > options_.large_cluster_size_threshold ? options_.secondary_eviction_rate : 0.0;
  }
  ZoneTainter(zone, now).Swap(qps, now);
}

void NodeLifecycleController::HandleDisruption(std::chrono::system_clock::time_point now) {
  struct Count {
    int ready = 0;
    int not_ready = 0;
  };
  const std::vector<client::ObjectPtr> nodes = node_informer_.List();
  std::map<std::string, Count> zones;
  for (const auto& node : nodes) {
    if (ExcludedFromDisruption(*node)) continue;
    const auto judged = health_.ReadyStatus(Name(*node));
    const std::string ready = judged ? *judged : ConditionStatus(*node, "Ready");
    Count& c = zones[ZoneKey(*node)];
    (ready == "True" ? c.ready : c.not_ready)++;
  }
  std::map<std::string, ZoneState> next;
  bool all_fully_disrupted = true;
  for (const auto& [zone, c] : zones) {
    next[zone] = ComputeZoneState(c.ready, c.not_ready, options_.unhealthy_zone_threshold);
    if (next[zone] != ZoneState::kFullDisruption) all_fully_disrupted = false;
    ZoneTainter(zone, now);  // a new zone starts Initial
  }
  bool all_were_fully_disrupted = true;
  for (auto it = zone_states_.begin(); it != zone_states_.end();) {
    if (!next.count(it->first)) {
      it = zone_states_.erase(it);
      continue;
    }
    if (it->second != ZoneState::kFullDisruption) all_were_fully_disrupted = false;
    ++it;
  }
  if (all_fully_disrupted && all_were_fully_disrupted) return;
  if (all_fully_disrupted) {
    log::Warning(kComponent,
                 "no node is ready: entering master disruption mode, NoExecute tainting stops");
    for (const auto& node : nodes) {
      json copy = *node;
      (void)MarkNodeAsReachable(copy, now);
    }
    for (auto& [zone, state] : zone_states_) {
      ZoneTainter(zone, now).Swap(0.0, now);
      state = ZoneState::kFullDisruption;
    }
    return;
  }
  if (all_were_fully_disrupted) {
    log::Info(kComponent, "some nodes are ready: leaving master disruption mode");
    health_.ResetProbes(now);
    for (auto& [zone, state] : zone_states_) {
      const Count& c = zones[zone];
      SetZoneLimiter(zone, c.ready + c.not_ready, next[zone], now);
      state = next[zone];
    }
    return;
  }
  for (auto& [zone, state] : zone_states_) {
    if (state == next[zone]) continue;
    log::Info(kComponent, "zone changed state",
              {{"zone", zone}, {"state", ZoneStateName(next[zone])}});
    const Count& c = zones[zone];
    SetZoneLimiter(zone, c.ready + c.not_ready, next[zone], now);
    state = next[zone];
  }
}

}  // namespace skiff::controllers
