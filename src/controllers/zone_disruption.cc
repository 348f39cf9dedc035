#include "controllers/zone_disruption.h"

#include <algorithm>
#include <cmath>

namespace skiff::controllers {

const char* ZoneStateName(ZoneState state) {
  switch (state) {
    case ZoneState::kInitial:
      return "Initial";
    case ZoneState::kNormal:
      return "Normal";
    case ZoneState::kFullDisruption:
      return "FullDisruption";
    case ZoneState::kPartialDisruption:
      return "PartialDisruption";
  }
  return "";
}

ZoneState ComputeZoneState(int ready, int not_ready, double unhealthy_zone_threshold) {
  if (ready == 0 && not_ready > 0) return ZoneState::kFullDisruption;
  if (not_ready > 2 && static_cast<double>(not_ready) / static_cast<double>(not_ready + ready) >=
                           unhealthy_zone_threshold) {
    return ZoneState::kPartialDisruption;
  }
  return ZoneState::kNormal;
}

double TokenBucket::Available(Time now) const {
  if (qps_ <= 0) return 0;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  return std::min(1.0, tokens_ + std::max(0.0, elapsed) * qps_);
}

bool TokenBucket::TryAccept(Time now) {
  if (qps_ <= 0) return false;
  tokens_ = Available(now);
  last_ = std::max(last_, now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::optional<std::chrono::milliseconds> TokenBucket::Wait(Time now) const {
  if (qps_ <= 0) return std::nullopt;
  const double missing = 1.0 - Available(now);
  if (missing <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(missing / qps_ * 1000.0)));
}

void TokenBucket::Swap(double qps, Time now) {
  if (qps == qps_) return;
  if (qps <= 0) {
    qps_ = 0;
    tokens_ = 0;
    last_ = now;
    return;
  }
  const bool had_token = TryAccept(now);
  qps_ = qps;
  tokens_ = had_token ? 1.0 : 0.0;
  last_ = now;
}

}  // namespace skiff::controllers
