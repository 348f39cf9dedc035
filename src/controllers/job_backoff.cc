#include "controllers/job_backoff.h"

#include <algorithm>

#include "api/object_util.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

std::optional<JobClock::time_point> ParseTime(const json& v) {
  if (!v.is_string()) return std::nullopt;
  JobClock::time_point t;
  if (!api::ParseRfc3339(v.get<std::string>(), &t)) return std::nullopt;
  return t;
}

const json& Member(const json& obj, const char* name) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(name);
  return it == obj.end() ? kNull : *it;
}

// The latest finishedAt when every container terminated.
std::optional<JobClock::time_point> FromContainers(const json& pod) {
  const json& statuses = Member(Member(pod, "status"), "containerStatuses");
  if (!statuses.is_array() || statuses.empty()) return std::nullopt;
  std::optional<JobClock::time_point> latest;
  for (const json& cs : statuses) {
    auto t = ParseTime(Member(Member(Member(cs, "state"), "terminated"), "finishedAt"));
    if (!t) return std::nullopt;
    if (!latest || *latest < *t) latest = t;
  }
  return latest;
}

std::optional<JobClock::time_point> FromReadyFalse(const json& pod) {
  const json& conds = Member(Member(pod, "status"), "conditions");
  if (!conds.is_array()) return std::nullopt;
  for (const json& c : conds) {
    if (c.is_object() && c.value("type", "") == "Ready") {
      if (c.value("status", "") != "False") return std::nullopt;
      return ParseTime(Member(c, "lastTransitionTime"));
    }
  }
  return std::nullopt;
}

std::optional<JobClock::time_point> FromDeletion(const json& pod) {
  const json& meta = Member(pod, "metadata");
  auto t = ParseTime(Member(meta, "deletionTimestamp"));
  if (!t) return std::nullopt;
  const json& grace = Member(meta, "deletionGracePeriodSeconds");
  return *t - std::chrono::seconds(grace.is_number_integer() ? grace.get<int64_t>() : 0);
}

std::vector<JobClock::time_point> SortedFinishTimes(const std::vector<client::ObjectPtr>& pods) {
  std::vector<JobClock::time_point> out;
  out.reserve(pods.size());
  for (const auto& p : pods) out.push_back(PodFinishedTime(*p));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

JobClock::time_point PodFinishedTime(const json& pod) {
  if (auto t = FromContainers(pod)) return *t;
  if (auto t = FromReadyFalse(pod)) return *t;
  if (auto t = FromDeletion(pod)) return *t;
  return ParseTime(Member(Member(pod, "metadata"), "creationTimestamp"))
      .value_or(JobClock::time_point{});
}

std::chrono::milliseconds RemainingBackoff(const BackoffRecord& record, JobClock::time_point now,
                                           std::chrono::milliseconds base,
                                           std::chrono::milliseconds max) {
  if (record.failures_after_last_success == 0 || !record.last_failure) {
    return std::chrono::milliseconds(0);
  }
  auto delay = base;
  for (int i = 1; i < record.failures_after_last_success; ++i) {
    delay *= 2;
    if (delay >= max) {
      delay = max;
      break;
    }
  }
  const auto elapsed = now - *record.last_failure;
  if (delay < elapsed) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(delay - elapsed);
}

BackoffRecord BackoffStore::NewRecord(const std::string& key,
                                      const std::vector<client::ObjectPtr>& new_succeeded,
                                      const std::vector<client::ObjectPtr>& new_failed) const {
  BackoffRecord r;
  {
    std::lock_guard lock(mu_);
    auto it = records_.find(key);
    if (it != records_.end()) r = it->second;
  }
  r.key = key;
  const auto failed = SortedFinishTimes(new_failed);
  if (new_succeeded.empty()) {
    if (failed.empty()) return r;
    r.failures_after_last_success += static_cast<int>(failed.size());
    r.last_failure = failed.back();
    return r;
  }
  // A success resets the count; only failures after the last success count.
  r.failures_after_last_success = 0;
  r.last_failure.reset();
  const auto last_success = SortedFinishTimes(new_succeeded).back();
  for (auto it = failed.rbegin(); it != failed.rend() && *it > last_success; ++it) {
    if (!r.last_failure) r.last_failure = *it;
    ++r.failures_after_last_success;
  }
  return r;
}

void BackoffStore::Update(const BackoffRecord& record) {
  std::lock_guard lock(mu_);
  records_[record.key] = record;
}

void BackoffStore::Remove(const std::string& key) {
  std::lock_guard lock(mu_);
  records_.erase(key);
}

}  // namespace skiff::controllers
