// The pressure conditions the node reports, held as kubelet's eviction manager holds them: a
// condition observed now is reported, and it stays reported until it has not been observed for
// --eviction-pressure-transition-period (kubelet: 5m), so a node does not flap between
// pressure and none (nor its taints, nor the pods the scheduler sends it) while pods are
// being evicted. The eviction loop and the node heartbeat both observe; admission reads.
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "eviction_signals.h"

namespace skiff::node {

class PressureConditions {
 public:
  using Clock = std::chrono::steady_clock;

  explicit PressureConditions(std::chrono::milliseconds transition_period)
      : period_(transition_period) {}

  // Records what was observed at `now`; returns the conditions to report: those observed now,
  // and those last observed less than the transition period before `now`.
  NodePressure Observe(const NodePressure& observed, Clock::time_point now);
  // The conditions to report at `now` from the observations so far.
  NodePressure Current(Clock::time_point now) const;

 private:
  NodePressure HeldAt(Clock::time_point now) const;  // mu_ held

  const std::chrono::milliseconds period_;
  mutable std::mutex mu_;  // guards the last observations
  std::optional<Clock::time_point> memory_, disk_, pid_;
};

}  // namespace skiff::node
