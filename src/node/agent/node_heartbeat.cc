#include "node_heartbeat.h"

#include <algorithm>
#include <vector>

#include "api/object_util.h"
#include "node_object.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

constexpr const char* kLeaseNamespace = "kube-node-lease";

std::string MicroTime(std::chrono::system_clock::time_point t) {
  // metav1.MicroTime: RFC 3339 with microseconds.
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::string base = api::Rfc3339(t);  // ...Z
  char frac[16];
  snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us % 1000000));
  return base.substr(0, base.size() - 1) + frac + "Z";
}

// "MemoryPressure=False;Ready=True;..." (sorted by type), from any status, even one without
// conditions.
std::string ConditionStates(const json& status) {
  std::vector<std::string> states;
  if (status.is_object()) {
    if (auto it = status.find("conditions"); it != status.end() && it->is_array()) {
      for (const json& c : *it) {
        if (c.is_object()) states.push_back(c.value("type", "") + "=" + c.value("status", ""));
      }
    }
  }
  std::sort(states.begin(), states.end());
  std::string s;
  for (const std::string& state : states) s += state + ";";
  return s;
}

}  // namespace

NodeHeartbeat::NodeHeartbeat(client::Client& client, AgentConfig config,
                             PressureConditions* pressure)
    : client_(client), config_(std::move(config)), pressure_(pressure) {}

NodeHeartbeat::~NodeHeartbeat() { Stop(); }

Status NodeHeartbeat::RegisterOnce() {
  const auto now = std::chrono::system_clock::now();
  HostFacts facts = ReadHostFacts(config_.state_dir);
  auto existing = client_.Get(client::Nodes(), "", config_.node_name);
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
  if (!existing.ok()) {
    json node = BuildNode(config_, facts, now);
    auto created = client_.Create(client::Nodes(), "", node);
    if (!created.ok() && created.status().code() != Code::kAlreadyExists) return created.status();
    if (created.ok()) {
      log::Info("agent", "node registered", {{"node", config_.node_name}});
      last_conditions_ = ConditionStates((*created)["status"]);
      last_status_ = std::chrono::steady_clock::now();
      return RenewLease();
    }
    existing = client_.Get(client::Nodes(), "", config_.node_name);
    if (!existing.ok()) return existing.status();
  }
  // The node exists (an earlier run, or another registration): bring labels and pod CIDR in
  // line with this agent, keeping labels others added.
  json want = BuildNode(config_, facts, now);
  json patch = {{"metadata", {{"labels", want["metadata"]["labels"]}}}};
  if (want["spec"].contains("podCIDR") && !existing->contains("spec")) patch["spec"] = want["spec"];
  else if (want["spec"].contains("podCIDR") && !(*existing)["spec"].contains("podCIDR")) {
    patch["spec"] = want["spec"];
  }
  auto patched = client_.MergePatch(client::Nodes(), "", config_.node_name, patch);
  if (!patched.ok()) return patched.status();
  if (Status s = PostStatus(true); !s.ok()) return s;
  return RenewLease();
}

Status NodeHeartbeat::RenewLease() {
  const std::string now = MicroTime(std::chrono::system_clock::now());
  auto lease = client_.Get(client::Leases(), kLeaseNamespace, config_.node_name);
  if (!lease.ok() && lease.status().code() != Code::kNotFound) return lease.status();
  if (!lease.ok()) {
    json obj = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", config_.node_name}, {"namespace", kLeaseNamespace}}},
                {"spec",
                 {{"holderIdentity", config_.node_name},
                  {"leaseDurationSeconds", 40},
                  {"renewTime", now}}}};
    // kubelet makes the Node the Lease's owner so the Lease goes with the Node.
    auto node = client_.Get(client::Nodes(), "", config_.node_name);
    if (node.ok()) {
      obj["metadata"]["ownerReferences"] =
          json::array({{{"apiVersion", "v1"},
                        {"kind", "Node"},
                        {"name", config_.node_name},
                        {"uid", (*node)["metadata"].value("uid", "")}}});
    }
    auto created = client_.Create(client::Leases(), kLeaseNamespace, obj);
    return created.ok() || created.status().code() == Code::kAlreadyExists ? Status::Ok()
                                                                           : created.status();
  }
  json& l = *lease;
  l["spec"]["renewTime"] = now;
  l["spec"]["holderIdentity"] = config_.node_name;
  auto updated = client_.Update(client::Leases(), kLeaseNamespace, l);
  return updated.ok() ? Status::Ok() : updated.status();
}

Status NodeHeartbeat::PostStatus(bool force) {
  HostFacts facts = ReadHostFacts(config_.state_dir);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto node = client_.Get(client::Nodes(), "", config_.node_name);
    if (!node.ok()) return node.status();
    const NodePressure observed = PressureOf(config_, facts);
    const NodePressure pressure =
        pressure_ ? pressure_->Observe(observed, PressureConditions::Clock::now()) : observed;
    json status = BuildNodeStatus(config_, facts, pressure, (*node)["status"],
                                  std::chrono::system_clock::now());
    const std::string states = ConditionStates(status);
    // Compared with what the server holds too: the node lifecycle controller sets Ready to
    // Unknown when heartbeats stop, and a node that is back must say so at once.
    if (!force && states == last_conditions_ && states == ConditionStates((*node)["status"]) &&
        std::chrono::steady_clock::now() - last_status_ < config_.status_update_interval) {
      return Status::Ok();
    }
    (*node)["status"] = status;
    auto updated = client_.Update(client::Nodes(), "", *node, "status");
    if (updated.ok()) {
      if (states != last_conditions_ && !last_conditions_.empty()) {
        log::Info("agent", "node conditions changed", {{"conditions", states}});
      }
      last_conditions_ = states;
      last_status_ = std::chrono::steady_clock::now();
      return Status::Ok();
    }
    if (updated.status().code() != Code::kConflict) return updated.status();
  }
  return ConflictError("node " + config_.node_name + " kept changing while its status was posted");
}

void NodeHeartbeat::Start() {
  loop_.Start(std::chrono::duration_cast<std::chrono::milliseconds>(config_.lease_renew_interval),
              [this] { Beat(); });
}

void NodeHeartbeat::Stop() { loop_.Stop(); }

void NodeHeartbeat::Beat() {
  if (Status s = RenewLease(); !s.ok()) {
    // The node may have been deleted by hand: register again, as kubelet does.
    log::Warning("agent", "cannot renew the node lease", {{"error", s.message()}});
    if (Status r = RegisterOnce(); !r.ok()) {
      log::Warning("agent", "cannot register the node", {{"error", r.message()}});
    }
    return;
  }
  if (Status s = PostStatus(false); !s.ok()) {
    log::Warning("agent", "cannot post the node status", {{"error", s.message()}});
    if (s.code() == Code::kNotFound) {
      if (Status r = RegisterOnce(); !r.ok()) {
        log::Warning("agent", "cannot register the node", {{"error", r.message()}});
      }
    }
  }
}

}  // namespace skiff::node
