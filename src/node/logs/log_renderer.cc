#include "log_renderer.h"

namespace skiff::node::logs {
namespace {
constexpr size_t kFlushAt = 32 * 1024;
}  // namespace

bool LogRenderer::Record(std::string_view record) {
  if (done_) return false;
  auto entry = ParseCriEntry(record);
  if (!entry) {
    ++malformed_;
    return true;
  }
  if (options_.stream && entry->stream != *options_.stream) return true;
  Line& line = lines_[static_cast<int>(entry->stream)];
  if (!line.open) {
    line.open = true;
    line.skip = options_.since && entry->time < *options_.since;
    line.started = false;
    line.time = entry->time;
  }
  if (!line.skip) {
    if (!entry->partial) {
      Start(line);
      Emit(line.held);
      Emit(entry->content);
      Emit("\n");
    } else if (line.held.size() + entry->content.size() > kMaxHeldLine) {
      Start(line);
      Emit(line.held);
      Emit(entry->content);
      line.held.clear();
    } else {
      line.held.append(entry->content);
    }
  }
  if (!entry->partial) {
    line.open = false;
    line.held.clear();
    if (line.held.capacity() > kMaxHeldLine) line.held.shrink_to_fit();
  }
  if (out_.size() >= kFlushAt) Flush();
  return !done_;
}

void LogRenderer::Start(Line& line) {
  if (line.started) return;
  line.started = true;
  if (!options_.timestamps) return;
  std::string prefix;
  AppendTimestamp(line.time, &prefix);
  prefix += ' ';
  Emit(prefix);
}

void LogRenderer::Emit(std::string_view text) {
  if (done_ || text.empty()) return;
  if (static_cast<int64_t>(text.size()) >= remaining_) {
    out_.append(text.substr(0, static_cast<size_t>(remaining_)));
    remaining_ = 0;
    Flush();
    done_ = true;
    return;
  }
  remaining_ -= static_cast<int64_t>(text.size());
  out_.append(text);
}

bool LogRenderer::Flush() {
  if (out_.empty()) return !done_;
  bool ok = sink_(out_);
  out_.clear();
  if (out_.capacity() > 4 * kFlushAt) out_.shrink_to_fit();
  if (!ok) done_ = true;
  return !done_;
}

bool LogRenderer::Finish() {
  for (Line& line : lines_) {
    if (line.open && !line.skip && !line.held.empty()) {
      Start(line);
      Emit(line.held);
    }
    line = Line();
  }
  return Flush();
}

}  // namespace skiff::node::logs
