// Image garbage collection, kubelet's way: when the disk holding the image store is at least
// high_percent full, images no container of this node uses, not imported from the airgap
// directory and not pulled or used within min_age are removed, least recently used first,
// until usage is below low_percent. Runs on its own thread soon after start and then every
// `interval` (kubelet: 5 minutes); high_percent 100 turns it off.
#pragma once

#include <chrono>
#include <functional>
#include <set>

#include "skiff/common/periodic.h"
#include "skiff/runtime/image_store.h"

namespace skiff::node {

class ImageGc {
 public:
  struct Policy {
    int high_percent = 85;  // --image-gc-high-threshold
    int low_percent = 80;   // --image-gc-low-threshold
    std::chrono::milliseconds min_age = std::chrono::minutes(2);  // --minimum-image-ttl-duration
    std::chrono::milliseconds first = std::chrono::seconds(10);
    std::chrono::milliseconds interval = std::chrono::minutes(5);
  };
  // `in_use` returns the image references (ids, tags or repo digests) containers use now.
  ImageGc(runtime::ImageStore& images, std::function<std::set<std::string>()> in_use,
          Policy policy);
  ~ImageGc();
  void Stop();
  // One pass (the loop's body; tests call it directly). Returns bytes freed.
  int64_t RunOnce();
  // kubelet's DeleteUnusedImages, for the eviction manager under disk pressure: every image
  // the policy lets go (unused, not imported, older than min_age), however full the disk.
  // Returns bytes freed. Thread-safe with the loop (the store serializes collections).
  int64_t DeleteUnused();

 private:
  int64_t Collect(int high_percent, int low_percent);

  runtime::ImageStore& images_;
  const std::function<std::set<std::string>()> in_use_;
  const Policy policy_;
  Periodic loop_;  // last: stopped first
};

}  // namespace skiff::node
