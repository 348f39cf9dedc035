// Throttles a pull's progress reports: every phase change is reported, byte and layer updates at
// most once per interval. Internal to skiff_registry. Not thread-safe (one pull).
#pragma once

#include <chrono>
#include <functional>

#include "skiff/runtime/puller.h"

namespace skiff::runtime::registry {

class ProgressReporter {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressReporter(std::function<void(const PullProgress&)> callback, std::string ref,
                   std::chrono::milliseconds interval);

  void SetPhase(PullPhase phase);  // always reported
  void SetTotals(int64_t bytes, int layers);
  void AddBytes(int64_t delta);
  void LayerDone();

  const PullProgress& current() const { return current_; }

 private:
  void Report(bool force);

  std::function<void(const PullProgress&)> callback_;
  std::chrono::milliseconds interval_;
  PullProgress current_;
  Clock::time_point last_report_{};
};

}  // namespace skiff::runtime::registry
