// kubelet's hard eviction thresholds (--eviction-hard): comma-separated "signal<amount" pairs,
// the amount a quantity or a percentage of the signal's capacity, e.g.
// "memory.available<100Mi,nodefs.available<10%".
//
// A node reports MemoryPressure, DiskPressure or PIDPressure while one of its signals is below
// its threshold, and the memory.available and nodefs.available thresholds are held back from
// its allocatable memory and ephemeral-storage, as kubelet does. skiff keeps its images under
// the same directory as its pods, so nodefs and imagefs are one file system here.
// Plain values and free functions; thread-safe; never throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::apis {

enum class EvictionSignal {
  kMemoryAvailable,    // memory.available (bytes)
  kNodefsAvailable,    // nodefs.available (bytes)
  kNodefsInodesFree,   // nodefs.inodesFree (inodes)
  kImagefsAvailable,   // imagefs.available (bytes)
  kImagefsInodesFree,  // imagefs.inodesFree (inodes)
  kPidAvailable,       // pid.available (process ids)
};

struct EvictionThreshold {
  EvictionSignal signal = EvictionSignal::kMemoryAvailable;
  // Exactly one applies: a percentage (0 < p <= 100) when `percentage` > 0, else `quantity`.
  int64_t quantity = 0;
  double percentage = 0;

  // The threshold in the signal's own units, given the resource's capacity.
  int64_t Amount(int64_t capacity) const;
  // True when `available` of `capacity` is below the threshold (an unknown capacity, 0, is
  // never under pressure).
  bool Crossed(int64_t available, int64_t capacity) const;
};

using EvictionThresholds = std::vector<EvictionThreshold>;

// kubelet's Linux default, plus pid.available<10% (kubelet sets no PID threshold by default;
// skiff's edge boxes run out of process ids more often than servers do).
inline constexpr char kDefaultEvictionHard[] =
    "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,"
    "imagefs.inodesFree<5%,pid.available<10%";

// Parses the flag's text. A given list replaces the default entirely (kubelet's rule); an
// empty text means no thresholds. Errors name the offending pair and what is wrong with it.
Result<EvictionThresholds> ParseEvictionHard(std::string_view text);
EvictionThresholds DefaultEvictionThresholds();
// The flag's text again (signals in the order given).
std::string FormatEvictionHard(const EvictionThresholds& thresholds);
// The threshold for `signal`, or nullptr.
const EvictionThreshold* FindThreshold(const EvictionThresholds& thresholds, EvictionSignal signal);

}  // namespace skiff::apis
