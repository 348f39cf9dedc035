#include "image_gc.h"

#include "skiff/common/log.h"

namespace skiff::node {

ImageGc::ImageGc(runtime::ImageStore& images, std::function<std::set<std::string>()> in_use,
                 Policy policy)
    : images_(images), in_use_(std::move(in_use)), policy_(policy) {
  if (policy_.high_percent >= 100) return;  // kubelet: 100 turns image GC off
  loop_.Start(policy_.first, policy_.interval, [this] { RunOnce(); });
}

ImageGc::~ImageGc() { Stop(); }

void ImageGc::Stop() { loop_.Stop(); }

int64_t ImageGc::RunOnce() { return Collect(policy_.high_percent, policy_.low_percent); }

// High 0 forces a collection; low 0 takes every candidate.
int64_t ImageGc::DeleteUnused() { return Collect(0, 0); }

int64_t ImageGc::Collect(int high_percent, int low_percent) {
  std::set<std::string> ids;
  for (const std::string& ref : in_use_()) {
    if (auto image = images_.Lookup(ref); image.ok()) ids.insert(image->id);
  }
  auto freed = images_.GarbageCollect(high_percent, low_percent, ids, policy_.min_age);
  if (!freed.ok()) {
    log::Warning("agent", "image garbage collection failed", {{"error", freed.status().message()}});
    return 0;
  }
  if (*freed > 0) log::Info("agent", "removed unused images", {{"bytes", std::to_string(*freed)}});
  return *freed;
}

}  // namespace skiff::node
