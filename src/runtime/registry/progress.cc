#include "runtime/registry/progress.h"

namespace skiff::runtime {

const char* PullPhaseName(PullPhase phase) {
  switch (phase) {
    case PullPhase::kResolving:
      return "resolving";
    case PullPhase::kDownloading:
      return "downloading";
    case PullPhase::kUnpacking:
      return "unpacking";
    case PullPhase::kDone:
      return "done";
  }
  return "unknown";
}

namespace registry {

ProgressReporter::ProgressReporter(std::function<void(const PullProgress&)> callback,
                                   std::string ref, std::chrono::milliseconds interval)
    : callback_(std::move(callback)), interval_(interval) {
  current_.ref = std::move(ref);
}

void ProgressReporter::SetPhase(PullPhase phase) {
  current_.phase = phase;
  Report(true);
}

void ProgressReporter::SetTotals(int64_t bytes, int layers) {
  current_.bytes_total = bytes;
  current_.layers_total = layers;
}

void ProgressReporter::AddBytes(int64_t delta) {
  current_.bytes_done += delta;
  Report(false);
}

void ProgressReporter::LayerDone() {
  ++current_.layers_done;
  Report(false);
}

void ProgressReporter::Report(bool force) {
  if (!callback_) return;
  const Clock::time_point now = Clock::now();
  if (!force && now - last_report_ < interval_) return;
  last_report_ = now;
  callback_(current_);
}

}  // namespace registry
}  // namespace skiff::runtime
