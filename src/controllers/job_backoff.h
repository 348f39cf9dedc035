// The delay before a Job replaces failed pods, as kube-controller-manager computes it: per Job,
// the number of pod failures since the last success and when the last one happened; the n-th
// consecutive failure waits base * 2^(n-1) (capped) from that moment.
//
// BackoffStore is thread-safe; the rest are pure functions.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers {

using JobClock = std::chrono::system_clock;

struct BackoffRecord {
  std::string key;  // the Job's
  int failures_after_last_success = 0;
  std::optional<JobClock::time_point> last_failure;
};

// When a finished pod finished: the latest container termination (if every container
// terminated), else when Ready turned False, else its deletion time less the grace period, else
// its creation time.
JobClock::time_point PodFinishedTime(const nlohmann::json& pod);

// How long the record says to wait at `now` before creating pods.
std::chrono::milliseconds RemainingBackoff(const BackoffRecord& record, JobClock::time_point now,
                                           std::chrono::milliseconds base,
                                           std::chrono::milliseconds max);

class BackoffStore {
 public:
  // The record after this sync's newly finished pods (not yet stored).
  BackoffRecord NewRecord(const std::string& key,
                          const std::vector<client::ObjectPtr>& new_succeeded,
                          const std::vector<client::ObjectPtr>& new_failed) const;
  void Update(const BackoffRecord& record);
  void Remove(const std::string& key);

 private:
  mutable std::mutex mu_;  // guards records_
  std::unordered_map<std::string, BackoffRecord> records_;
};

}  // namespace skiff::controllers
