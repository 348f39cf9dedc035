#include "log_follower.h"

#include <sys/stat.h>

namespace skiff::node::logs {

Result<bool> LogFollower::Poll(LogRenderer& renderer) {
  auto record = [&renderer](std::string_view r) { return renderer.Record(r); };
  bool progress = false;
  if (current_) {
    auto n = reader_.ReadAvailable(*current_, record);
    if (!n.ok()) return n.status();
    progress = *n > 0;
    if (renderer.done()) return progress;
  }
  struct stat st {};
  bool exists = ::stat(path_.c_str(), &st) == 0;
  if (current_ ? (exists && current_->Is(st)) : !exists) return progress;

  // The live name holds another file, or none: ours was rotated away. What the driver wrote
  // before the rename is still to be read; after it the driver writes the new file only.
  if (current_) {
    auto n = reader_.ReadAvailable(*current_, record);
    if (!n.ok()) return n.status();
    reader_.Finish(record);
    if (renderer.done()) return true;
  }
  auto set = OpenLogSources(path_, newest_, current_ ? &*current_ : nullptr);
  if (!set.ok()) return set.status();
  newest_ = set->newest_rotated;
  size_t rotated = set->files.size() - (set->has_live ? 1 : 0);
  for (size_t i = 0; i < rotated && !renderer.done(); ++i) {
    RecordReader reader;
    auto n = reader.ReadAvailable(set->files[i], record);
    if (!n.ok()) return n.status();
    reader.Finish(record);
  }
  current_.reset();
  reader_ = RecordReader();
  if (set->has_live) {
    current_ = std::move(set->files.back());
    auto n = reader_.ReadAvailable(*current_, record);
    if (!n.ok()) return n.status();
  }
  return true;
}

void LogFollower::Finish(LogRenderer& renderer) {
  reader_.Finish([&renderer](std::string_view r) { return renderer.Record(r); });
}

}  // namespace skiff::node::logs
