// How the node lifecycle controller paces NoExecute tainting per failure zone, as
// kube-controller-manager does, so that a control plane cut off from its nodes does not evict
// everything:
//   - a zone is FullDisruption when none of its nodes is Ready (and some are not), Partial-
//     Disruption when more than 2 and at least unhealthy_zone_threshold of them are not Ready,
//     Normal otherwise (ComputeZoneState);
//   - each zone adds NoExecute taints through a token bucket (burst 1) of eviction_rate nodes
//     per second; PartialDisruption slows it to secondary_eviction_rate for zones larger than
//     large_cluster_size_threshold nodes and stops it for smaller ones;
//   - when every zone is FullDisruption, no node is tainted NoExecute and the controller's
//     NoExecute taints are removed (its "master disruption mode").
// Pure and not thread-safe; times come from the caller.
#pragma once

#include <chrono>
#include <optional>

namespace skiff::controllers {

enum class ZoneState { kInitial, kNormal, kFullDisruption, kPartialDisruption };

// "Initial", "Normal", "FullDisruption", "PartialDisruption".
const char* ZoneStateName(ZoneState state);

// ComputeZoneState over a zone's nodes (not_ready counts nodes without a Ready condition).
ZoneState ComputeZoneState(int ready, int not_ready, double unhealthy_zone_threshold);

// client-go's token bucket rate limiter with burst 1, as the node controller's
// RateLimitedTimedQueue uses it. It starts full; a rate <= 0 accepts nothing.
class TokenBucket {
 public:
  using Time = std::chrono::system_clock::time_point;

  TokenBucket(double qps, Time now) : qps_(qps), tokens_(1.0), last_(now) {}

  double qps() const { return qps_; }
  // Takes a token if one is available at `now`.
  bool TryAccept(Time now);
  // How long from `now` until a token is available (0 when one is); nullopt at rate <= 0.
  std::optional<std::chrono::milliseconds> Wait(Time now) const;
  // RateLimitedTimedQueue.SwapLimiter: a new bucket at `qps` (unchanged if equal), full unless
  // the old one had no token left.
  void Swap(double qps, Time now);

 private:
  double Available(Time now) const;

  double qps_;
  double tokens_;
  Time last_;
};

}  // namespace skiff::controllers
