#include "controllers/node_health.h"

#include "api/object_util.h"
#include "controllers/node_util.h"

namespace skiff::controllers {
namespace {

// The conditions a stale node gets set Unknown (NetworkUnavailable is the network's business).
constexpr const char* kStaleConditions[] = {"Ready", "MemoryPressure", "DiskPressure",
                                            "PIDPressure"};

json Field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? json(nullptr) : *it;
}

// The node with every stale condition Unknown, as tryUpdateNodeHealth sets them.
json MarkUnknown(const json& node, const std::string& now) {
  json out = node;
  if (!out.contains("status") || !out["status"].is_object()) out["status"] = json::object();
  json& status = out["status"];
  if (!status.contains("conditions") || !status["conditions"].is_array()) {
    status["conditions"] = json::array();
  }
  json& conditions = status["conditions"];
  const json created = Field(node.value("metadata", json::object()), "creationTimestamp");
  for (const char* type : kStaleConditions) {
    json* found = nullptr;
    for (json& c : conditions) {
      if (c.is_object() && c.value("type", "") == type) {
        found = &c;
        break;
      }
    }
    if (!found) {
      conditions.push_back({{"type", type},
                            {"status", "Unknown"},
                            {"reason", "NodeStatusNeverUpdated"},
                            {"message", "Kubelet never posted node status."},
                            {"lastHeartbeatTime", created},
                            {"lastTransitionTime", now}});
    } else if (found->value("status", "") != "Unknown") {
      (*found)["status"] = "Unknown";
      (*found)["reason"] = "NodeStatusUnknown";
      (*found)["message"] = "Kubelet stopped posting node status.";
      (*found)["lastTransitionTime"] = now;
    }
  }
  return out;
}

}  // namespace

NodeHealthVerdict NodeHealthTracker::Observe(const json& node, const json* lease, Time now) {
  NodeHealthVerdict v;
  v.node = node;
  const std::string name = api::GetString(node, {"metadata", "name"});
  const json created = Field(node.value("metadata", json::object()), "creationTimestamp");
  const Time created_at =
      ParseTime(created.is_string() ? created.get<std::string>() : "").value_or(now);
  const json* current = FindCondition(node, "Ready");

  auto it = health_.find(name);
  Health* h = it == health_.end() ? nullptr : &it->second;
  std::chrono::milliseconds grace = grace_;
  if (!current) {
    // Never posted: judged against the startup grace period from its creation.
    v.observed_ready = {{"type", "Ready"},
                        {"status", "Unknown"},
                        {"lastHeartbeatTime", created},
                        {"lastTransitionTime", created}};
    grace = startup_grace_;
    if (h) {
      h->ready = nullptr;
    } else {
      h = &health_[name];
      *h = Health{created_at, nullptr, std::nullopt};
    }
  } else {
    v.observed_ready = *current;
  }
  const json saved = h ? h->ready : json(nullptr);
  if (!h) {
    h = &health_[name];
    *h = Health{now, *current, std::nullopt};
  } else if (saved.is_null() && current) {
    // First seen with a Ready condition (e.g. the controller restarted).
    h->probe = now;
    h->ready = *current;
  } else if (!saved.is_null() && current &&
             Field(saved, "lastHeartbeatTime") != Field(*current, "lastHeartbeatTime")) {
    h->probe = now;
    h->ready = *current;
  }

  // A Lease renewed since the last one seen is a heartbeat too.
  if (lease) {
    const json* renew = api::Find(*lease, {"spec", "renewTime"});
    auto renewed =
        renew && renew->is_string() ? ParseTime(renew->get<std::string>()) : std::nullopt;
    if (renewed && (!h->lease_renew || *h->lease_renew < *renewed)) {
      h->lease_renew = renewed;
      h->probe = now;
    }
  }

  v.current_ready = current ? *current : json(nullptr);
  if (now > h->probe + grace) {
    json marked = MarkUnknown(node, FormatTime(now));
    const json* ready = FindCondition(marked, "Ready");
    v.current_ready = ready ? *ready : json(nullptr);
    if (v.current_ready != v.observed_ready) {
      v.node = std::move(marked);
      v.write = true;
    }
  }
  return v;
}

void NodeHealthTracker::Written(const NodeHealthVerdict& verdict) {
  const std::string name = api::GetString(verdict.node, {"metadata", "name"});
  health_[name].ready = verdict.current_ready;
}

void NodeHealthTracker::Forget(const std::string& name) { health_.erase(name); }

std::optional<std::string> NodeHealthTracker::ReadyStatus(const std::string& name) const {
  auto it = health_.find(name);
  if (it == health_.end()) return std::nullopt;
  return it->second.ready.is_object() ? it->second.ready.value("status", "") : "";
}

void NodeHealthTracker::ResetProbes(Time now) {
  for (auto& entry : health_) entry.second.probe = now;
}

}  // namespace skiff::controllers
