#include "eviction_signals.h"

#include <algorithm>

namespace skiff::node {

using apis::EvictionSignal;

std::string ResourceName(EvictionResource resource) {
  switch (resource) {
    case EvictionResource::kMemory:
      return "memory";
    case EvictionResource::kEphemeralStorage:
      return "ephemeral-storage";
    case EvictionResource::kInodes:
      return "inodes";
    case EvictionResource::kPids:
      return "pids";
  }
  return "";
}

EvictionResource ResourceOf(EvictionSignal signal) {
  switch (signal) {
    case EvictionSignal::kMemoryAvailable:
      return EvictionResource::kMemory;
    case EvictionSignal::kNodefsAvailable:
    case EvictionSignal::kImagefsAvailable:
      return EvictionResource::kEphemeralStorage;
    case EvictionSignal::kNodefsInodesFree:
    case EvictionSignal::kImagefsInodesFree:
      return EvictionResource::kInodes;
    case EvictionSignal::kPidAvailable:
      return EvictionResource::kPids;
  }
  return EvictionResource::kMemory;
}

SignalObservation Observe(EvictionSignal signal, const HostFacts& f) {
  SignalObservation o;
  switch (signal) {
    case EvictionSignal::kMemoryAvailable:
      // An unread MemAvailable is unknown, not zero.
      o = {f.memory_available_bytes, f.memory_bytes, f.memory_available_bytes > 0};
      break;
    case EvictionSignal::kNodefsAvailable:
    case EvictionSignal::kImagefsAvailable:
      o = {f.disk_available_bytes, f.disk_bytes, true};
      break;
    case EvictionSignal::kNodefsInodesFree:
    case EvictionSignal::kImagefsInodesFree:
      o = {f.disk_inodes_free, f.disk_inodes, true};
      break;
    case EvictionSignal::kPidAvailable:
      o = {f.pids_max - f.pids_used, f.pids_max, true};
      break;
  }
  o.known = o.known && o.capacity > 0;
  return o;
}

std::vector<ThresholdMet> ThresholdsMet(const apis::EvictionThresholds& thresholds,
                                        const HostFacts& facts) {
  std::vector<ThresholdMet> met;
  for (const apis::EvictionThreshold& t : thresholds) {
    const SignalObservation o = Observe(t.signal, facts);
    if (!o.known || !t.Crossed(o.available, o.capacity)) continue;
    met.push_back({t, o, t.Amount(o.capacity)});
  }
  std::stable_partition(met.begin(), met.end(), [](const ThresholdMet& m) {
    return m.threshold.signal == EvictionSignal::kMemoryAvailable;
  });
  return met;
}

NodePressure PressureFrom(const std::vector<ThresholdMet>& met) {
  NodePressure p;
  for (const ThresholdMet& m : met) {
    switch (ResourceOf(m.threshold.signal)) {
      case EvictionResource::kMemory:
        p.memory = true;
        break;
      case EvictionResource::kEphemeralStorage:
      case EvictionResource::kInodes:
        p.disk = true;
        break;
      case EvictionResource::kPids:
        p.pid = true;
        break;
    }
  }
  return p;
}

}  // namespace skiff::node
