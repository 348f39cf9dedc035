#include "pod_record.h"

#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

json TermToJson(const Termination& t) {
  return {{"exitCode", t.exit_code}, {"signal", t.signal},       {"reason", t.reason},
          {"message", t.message},    {"startedAt", t.started_at}, {"finishedAt", t.finished_at},
          {"containerID", t.container_id}};
}

Termination TermFromJson(const json& j) {
  Termination t;
  t.exit_code = j.value("exitCode", 0);
  t.signal = j.value("signal", 0);
  t.reason = j.value("reason", "");
  t.message = j.value("message", "");
  t.started_at = j.value("startedAt", "");
  t.finished_at = j.value("finishedAt", "");
  t.container_id = j.value("containerID", "");
  return t;
}

const char* StateName(ContainerRecord::State s) {
  switch (s) {
    case ContainerRecord::State::kRunning:
      return "running";
    case ContainerRecord::State::kTerminated:
      return "terminated";
    default:
      return "waiting";
  }
}

}  // namespace

ContainerRecord* PodRecord::Find(const std::string& n, bool init) {
  for (ContainerRecord& c : containers) {
    if (c.name == n && c.init == init) return &c;
  }
  return nullptr;
}

json RecordToJson(const PodRecord& r) {
  json containers = json::array();
  for (const ContainerRecord& c : r.containers) {
    json j = {{"name", c.name},          {"init", c.init},
              {"id", c.id},              {"restartCount", c.restart_count},
              {"image", c.image},        {"imageID", c.image_id},
              {"state", StateName(c.state)}, {"reason", c.reason},
              {"message", c.message},    {"startedAt", c.started_at},
              {"retryAtMs", c.retry_at_ms}, {"backoffMs", c.backoff_ms}};
    if (c.terminated) j["terminated"] = TermToJson(*c.terminated);
    if (c.last_terminated) j["lastTerminated"] = TermToJson(*c.last_terminated);
    containers.push_back(std::move(j));
  }
  return {{"uid", r.uid},
          {"namespace", r.ns},
          {"name", r.name},
          {"sandboxID", r.sandbox_id},
          {"netns", r.netns_path},
          {"podIPs", r.pod_ips},
          {"shimAddress", r.shim_address},
          {"startTime", r.start_time},
          {"sandboxReady", r.sandbox_ready},
          {"networkReady", r.network_ready},
          {"evictionMessage", r.eviction_message},
          {"disruptionTarget", r.disruption_target},
          {"containers", containers}};
}

Result<PodRecord> RecordFromJson(const json& j) {
  try {
    PodRecord r;
    r.uid = j.at("uid").get<std::string>();
    r.ns = j.value("namespace", "");
    r.name = j.value("name", "");
    r.sandbox_id = j.value("sandboxID", "");
    r.netns_path = j.value("netns", "");
    r.pod_ips = j.value("podIPs", std::vector<std::string>{});
    r.shim_address = j.value("shimAddress", "");
    r.start_time = j.value("startTime", "");
    r.sandbox_ready = j.value("sandboxReady", false);
    r.network_ready = j.value("networkReady", false);
    r.eviction_message = j.value("evictionMessage", "");
    r.disruption_target = j.value("disruptionTarget", false);
    for (const json& cj : j.value("containers", json::array())) {
      ContainerRecord c;
      c.name = cj.value("name", "");
      c.init = cj.value("init", false);
      c.id = cj.value("id", "");
      c.restart_count = cj.value("restartCount", 0);
      c.image = cj.value("image", "");
      c.image_id = cj.value("imageID", "");
      const std::string st = cj.value("state", "waiting");
      c.state = st == "running"      ? ContainerRecord::State::kRunning
                : st == "terminated" ? ContainerRecord::State::kTerminated
                                     : ContainerRecord::State::kWaiting;
      c.reason = cj.value("reason", "");
      c.message = cj.value("message", "");
      c.started_at = cj.value("startedAt", "");
      c.retry_at_ms = cj.value("retryAtMs", int64_t{0});
      c.backoff_ms = cj.value("backoffMs", int64_t{0});
      if (cj.contains("terminated")) c.terminated = TermFromJson(cj["terminated"]);
      if (cj.contains("lastTerminated")) c.last_terminated = TermFromJson(cj["lastTerminated"]);
      r.containers.push_back(std::move(c));
    }
    return r;
  } catch (const std::exception& e) {
    return CorruptError(std::string("pod record is damaged: ") + e.what());
  }
}

Status SaveRecord(const std::string& pod_dir, const PodRecord& r) {
  return RewriteFileAtomic(pod_dir + "/record.json", RecordToJson(r).dump(1), 0600);
}

namespace {

Result<PodRecord> LoadRecordFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return CorruptError(path + " is not JSON");
  return RecordFromJson(j);
}

}  // namespace

Result<PodRecord> LoadRecord(const std::string& pod_dir, bool* from_spare) {
  if (from_spare != nullptr) *from_spare = false;
  auto record = LoadRecordFile(pod_dir + "/record.json");
  if (record.ok() || (record.status().code() != Code::kNotFound &&
                      record.status().code() != Code::kCorrupt)) {
    return record;
  }
  auto spare = LoadRecordFile(pod_dir + "/record.json.spare");
  if (!spare.ok()) return record.status();
  log::Warning("agent", "pod record damaged or missing; using the spare kept beside it",
               {{"path", pod_dir + "/record.json"},
                {"spare", pod_dir + "/record.json.spare"},
                {"cause", record.status().message()}});
  if (from_spare != nullptr) *from_spare = true;
  return spare;
}

}  // namespace skiff::node
