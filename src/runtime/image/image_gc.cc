// Image garbage collection by disk usage, least recently used first.
#include <sys/statvfs.h>

#include <algorithm>
#include <ctime>

#include "runtime/image/errno_status.h"
#include "runtime/image/store_state.h"
#include "skiff/common/log.h"

namespace skiff::runtime {

using image_detail::StoreState;

namespace {

constexpr int64_t kStalePartialSeconds = int64_t{24} * 3600;

// Percent of the file system holding `path` in use, as df and the kubelet count it.
Result<int> UsedPercent(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    return image_detail::ErrnoStatus(errno, "cannot statvfs " + path);
  }
  if (st.f_blocks == 0) return 0;
  auto capacity = static_cast<long double>(st.f_blocks);
  auto available = static_cast<long double>(st.f_bavail);
  return 100 - static_cast<int>(available * 100 / capacity);
}

}  // namespace

namespace image_detail {

std::vector<std::string> StoreState::EvictionOrder(const std::set<std::string>& in_use,
                                                   int64_t used_before_ms) const {
  std::vector<std::pair<int64_t, std::string>> order;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, r] : images) {
      if (!r.pinned && in_use.count(id) == 0 && r.last_used_ms <= used_before_ms) {
        order.emplace_back(r.last_used_ms, id);
      }
    }
  }
  std::sort(order.begin(), order.end());
  std::vector<std::string> ids;
  for (auto& [t, id] : order) ids.push_back(std::move(id));
  return ids;
}

int64_t StoreState::SweepOrphansExclusive() {
  std::set<std::string> used_layers;
  std::set<std::string> used_blobs;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, r] : images) {
      used_layers.insert(r.diff_ids.begin(), r.diff_ids.end());
      used_blobs.insert(r.blobs.begin(), r.blobs.end());
    }
  }
  int64_t freed = 0;
  // No registration runs now (gc_mu is exclusive): an unreferenced layer is garbage.
  for (const std::string& d : layers.List()) {
    if (used_layers.count(d) != 0) continue;
    auto n = layers.Remove(d);
    if (n.ok()) freed += *n;
  }
  const int64_t cutoff = static_cast<int64_t>(::time(nullptr)) - options.orphan_blob_grace_seconds;
  for (const auto& blob : content->ListBlobs()) {
    if (used_blobs.count(blob.digest) != 0 || blob.mtime_s > cutoff) continue;
    if (content->DeleteBlob(blob.digest).ok()) freed += blob.size;
  }
  content->RemoveStalePartials(kStalePartialSeconds);
  return freed;
}

}  // namespace image_detail

std::vector<std::string> ImageStore::EvictionOrder(const std::set<std::string>& in_use,
                                                   std::chrono::milliseconds min_age) const {
  return s_->EvictionOrder(in_use, image_detail::NowMs() - min_age.count());
}

Result<int64_t> ImageStore::GarbageCollect(int high_percent, int low_percent,
                                           const std::set<std::string>& in_use,
                                           std::chrono::milliseconds min_age) {
  std::unique_lock<std::shared_mutex> gc(s_->gc_mu);
  auto used = UsedPercent(s_->root);
  if (!used.ok()) return used.status();
  if (*used < high_percent) return int64_t{0};
  log::Info("images", "image garbage collection",
            {{"used_percent", std::to_string(*used)},
             {"high_percent", std::to_string(high_percent)},
             {"low_percent", std::to_string(low_percent)}});
  int64_t freed = s_->SweepOrphansExclusive();
  for (const std::string& id : s_->EvictionOrder(in_use, image_detail::NowMs() - min_age.count())) {
    used = UsedPercent(s_->root);
    if (!used.ok()) return used.status();
    if (*used < low_percent) break;
    auto n = s_->RemoveExclusive(id);
    if (!n.ok()) return n.status();
    freed += *n;
  }
  return freed;
}

}  // namespace skiff::runtime
