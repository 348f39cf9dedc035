#include "pressure_conditions.h"

namespace skiff::node {

NodePressure PressureConditions::Observe(const NodePressure& observed, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (observed.memory) memory_ = now;
  if (observed.disk) disk_ = now;
  if (observed.pid) pid_ = now;
  NodePressure held = HeldAt(now);
  held.memory = held.memory || observed.memory;
  held.disk = held.disk || observed.disk;
  held.pid = held.pid || observed.pid;
  return held;
}

NodePressure PressureConditions::Current(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return HeldAt(now);
}

NodePressure PressureConditions::HeldAt(Clock::time_point now) const {
  auto held = [&](const std::optional<Clock::time_point>& last) {
    return last.has_value() && now - *last < period_;
  };
  return {held(memory_), held(disk_), held(pid_)};
}

}  // namespace skiff::node
