#include "lease_manager.h"

#include <algorithm>

namespace skiff::api {
namespace {

constexpr int kMaxAttached = 1000;
constexpr std::chrono::seconds kMaxReuse{60};

}  // namespace

LeaseManager::LeaseManager(store::Store& store, std::chrono::seconds ttl)
    : store_(store), ttl_(ttl), window_(std::min(kMaxReuse, ttl / 20)) {}

Result<store::LeaseId> LeaseManager::Acquire() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (lease_ != 0 && now - granted_ < window_ && attached_ < kMaxAttached) {
    ++attached_;
    return lease_;
  }
  auto granted = store_.GrantLease(ttl_ + window_);
  if (!granted.ok()) return granted.status();
  lease_ = *granted;
  granted_ = now;
  attached_ = 1;
  return lease_;
}

}  // namespace skiff::api
