// ReadContainerLog: the `log` subresource's view of a container's log files.
#include "change_waiter.h"
#include "log_follower.h"
#include "log_renderer.h"
#include "log_source.h"
#include "log_tail.h"
#include "record_reader.h"
#include "skiff/common/file_util.h"
#include "skiff/common/string_util.h"
#include "skiff/node/container_logs.h"

namespace skiff::node {
namespace {

using logs::LogStream;

constexpr auto kFollowRecheck = std::chrono::milliseconds(250);

Result<std::optional<LogStream>> ParseStream(std::string_view text) {
  std::string lower = AsciiLower(text);
  if (lower.empty() || lower == "all") return std::optional<LogStream>();
  if (lower == "stdout") return std::optional<LogStream>(LogStream::kStdout);
  if (lower == "stderr") return std::optional<LogStream>(LogStream::kStderr);
  return InvalidArgumentError("log stream \"" + std::string(text) +
                              "\" is not one of stdout, stderr, all");
}

}  // namespace

Status ReadContainerLog(const std::string& path, const LogOptions& options,
                        const std::function<bool(std::string_view)>& sink,
                        const std::function<bool()>& still_running,
                        const std::function<bool()>& stop) {
  auto stream = ParseStream(options.stream);
  if (!stream.ok()) return stream.status();
  if (options.tail_lines && *options.tail_lines < 0) {
    return InvalidArgumentError("tailLines " + std::to_string(*options.tail_lines) +
                                " must not be negative");
  }
  if (options.limit_bytes && *options.limit_bytes <= 0) {
    return InvalidArgumentError("limitBytes " + std::to_string(*options.limit_bytes) +
                                " must be positive");
  }

  auto set = logs::OpenLogSources(path, std::nullopt, nullptr);
  if (!set.ok()) return set.status();
  std::vector<logs::LogSource>& files = set->files;
  if (files.empty()) return NotFoundError("container log file " + path + " does not exist");

  logs::TailStart start;
  if (options.tail_lines) {
    auto found = logs::FindTailStart(files, *options.tail_lines, *stream);
    if (!found.ok()) return found.status();
    start = *found;
  }

  logs::LogRenderer renderer({*stream, options.since_time, options.timestamps, options.limit_bytes},
                             sink);
  auto record = [&renderer](std::string_view r) { return renderer.Record(r); };
  bool follow_live = options.follow && set->has_live;
  size_t end = files.size() - (follow_live ? 1 : 0);
  for (size_t i = start.source; i < end && !renderer.done(); ++i) {
    files[i].offset = i == start.source ? start.offset : 0;
    logs::RecordReader reader;
    auto n = reader.ReadAvailable(files[i], record);
    if (!n.ok()) {
      renderer.Flush();
      return n.status();
    }
    reader.Finish(record);
  }
  if (!options.follow || renderer.done()) {
    renderer.Finish();
    return Status::Ok();
  }

  std::optional<logs::LogSource> live;
  if (follow_live) {
    live = std::move(files.back());
    live->offset = start.source == files.size() - 1 ? start.offset : 0;
  }
  logs::LogFollower follower(path, std::move(live), set->newest_rotated);
  logs::ChangeWaiter waiter(DirName(path));
  int quiet_after_exit = 0;
  while (!stop()) {
    bool running = still_running();
    auto progress = follower.Poll(renderer);
    if (!progress.ok()) {
      renderer.Flush();
      return progress.status();
    }
    if (renderer.done()) return Status::Ok();
    if (*progress) {
      quiet_after_exit = 0;
      continue;
    }
    // The container has stopped and its file is drained: one more quiet round lets the driver
    // write what it still had in the pipes.
    if (!running && ++quiet_after_exit >= 2) break;
    if (!renderer.Flush()) return Status::Ok();
    waiter.Wait(kFollowRecheck);
  }
  follower.Finish(renderer);
  renderer.Finish();
  return Status::Ok();
}

}  // namespace skiff::node
