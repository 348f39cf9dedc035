// Internal: counts keyed by a topology pair (label key, label value), looked up without
// allocating.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace skiff::scheduler::internal {

class TopologyCounts {
 public:
  // Adds `delta`; an entry that reaches zero is removed (as kube's topologyToMatchedTermCount).
  void Add(std::string_view key, std::string_view value, int64_t delta) {
    if (delta == 0) return;
    auto k = counts_.find(key);
    if (k == counts_.end()) k = counts_.emplace(std::string(key), Values()).first;
    auto v = k->second.find(value);
    if (v == k->second.end()) v = k->second.emplace(std::string(value), 0).first;
    v->second += delta;
    if (v->second == 0) {
      k->second.erase(v);
      if (k->second.empty()) counts_.erase(k);
    }
  }
  int64_t Get(std::string_view key, std::string_view value) const {
    auto k = counts_.find(key);
    if (k == counts_.end()) return 0;
    auto v = k->second.find(value);
    return v == k->second.end() ? 0 : v->second;
  }
  bool empty() const { return counts_.empty(); }

 private:
  using Values = std::map<std::string, int64_t, std::less<>>;
  std::map<std::string, Values, std::less<>> counts_;
};

}  // namespace skiff::scheduler::internal
