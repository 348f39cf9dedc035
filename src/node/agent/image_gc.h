// Image garbage collection, kubelet's way: when the disk holding the image store is more than
// high_percent full, images no container of this node uses (and not imported from the airgap
// directory) are removed, least recently used first, until usage is below low_percent.
// Runs every `interval` on its own thread.
#pragma once

#include <chrono>
#include <functional>
#include <set>

#include "skiff/common/periodic.h"
#include "skiff/runtime/image_store.h"

namespace skiff::node {

class ImageGc {
 public:
  // `in_use` returns the image references (ids, tags or repo digests) containers use now.
  ImageGc(runtime::ImageStore& images, std::function<std::set<std::string>()> in_use,
          int high_percent = 85, int low_percent = 80,
          std::chrono::seconds interval = std::chrono::minutes(5));
  ~ImageGc();
  void Stop();
  // One pass (the loop's body; tests call it directly). Returns bytes freed.
  int64_t RunOnce();

 private:
  runtime::ImageStore& images_;
  const std::function<std::set<std::string>()> in_use_;
  const int high_, low_;
  Periodic loop_;  // last: stopped first
};

}  // namespace skiff::node
