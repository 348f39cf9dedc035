// Time-to-live for stored objects through shared store leases, as kube-apiserver gives Events
// their --event-ttl: instead of a lease per object, one lease serves every object given a TTL
// within a reuse window (5% of the TTL, at most 60 s) and holds at most 1000 of them; it is
// granted for TTL + window, so no object lives less than the TTL after its last write. When
// the lease expires the store deletes its objects (ordinary deletes that watchers see).
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

#include "skiff/store/store.h"

namespace skiff::api {

class LeaseManager {
 public:
  LeaseManager(store::Store& store, std::chrono::seconds ttl);

  // A lease to attach the next written object to.
  Result<store::LeaseId> Acquire();

  std::chrono::seconds ttl() const { return ttl_; }
  std::chrono::seconds reuse_window() const { return window_; }

 private:
  store::Store& store_;
  const std::chrono::seconds ttl_;
  const std::chrono::seconds window_;
  std::mutex mu_;  // guards the fields below
  store::LeaseId lease_ = 0;
  std::chrono::steady_clock::time_point granted_;
  int attached_ = 0;
};

}  // namespace skiff::api
