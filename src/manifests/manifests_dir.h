// The manifests directory (--manifests-dir), k3s's auto-deploying manifests done properly:
// every .yaml, .yml and .json file in it is applied at start and whenever it changes (inotify,
// and a rescan every `rescan` as a safety net) by ManifestApplier; objects removed from a file,
// and every object of a deleted file, are deleted. A marker "<file>.skip" beside a file leaves
// it alone: not applied, its objects not deleted (as in k3s). What each file applied is kept
// in `state_file`, so deletions also happen for files removed while skiff was down.
// A broken file (bad YAML, an object without a kind or name) or a refused object is logged
// and recorded as a Warning Event on `event_object` with the file, document and line; the file
// is tried again when it changes, and refused objects also with back-off (a namespace made by
// another file, say). Files are handled one at a time, in name order. The directory is made
// when missing. Thread-safe; Stop (or the destructor) ends the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "manifests/manifest_applier.h"
#include "skiff/client/client.h"

namespace skiff::events {
class EventRecorder;
}

namespace skiff::manifests {

struct ManifestsDirOptions {
  std::string dir;
  std::string state_file;
  std::chrono::milliseconds rescan = std::chrono::seconds(30);
  // How long to wait after a change for more of them (an editor writing several times).
  std::chrono::milliseconds settle = std::chrono::milliseconds(20);
  // The object the Events are about (this node); null: no Events.
  nlohmann::json event_object;
};

class ManifestsDir {
 public:
  // Loads the state file (a corrupt one is set aside and started afresh), makes the
  // directory when missing and starts the thread, whose first pass applies every file.
  static Result<std::unique_ptr<ManifestsDir>> Start(client::Client& client,
                                                     events::EventRecorder* events,
                                                     ManifestsDirOptions options);
  ~ManifestsDir();
  void Stop();

  // Passes made so far (each looks at every file once).
  int passes() const;

 private:
  struct FileState {
    std::string hash;                 // of the contents last handled
    std::vector<AppliedRef> objects;  // applied from the file and not deleted since
    bool settled = false;             // the last pass applied all of it (nothing to retry)
    bool retry = false;               // worth retrying unchanged (with back-off)
    std::chrono::steady_clock::time_point retry_at{};
    std::chrono::milliseconds backoff{0};
  };

  ManifestsDir(client::Client& client, events::EventRecorder* events, ManifestsDirOptions options);
  void Loop();
  void Pass();
  void HandleFile(const std::string& name, const std::string& text);
  void HandleDeleted(const std::string& name);
  void Report(const std::string& type, const std::string& reason, const std::string& message);
  void ScheduleRetry(FileState& f);
  Status SaveState() const;
  void LoadState();

  client::Client& client_;
  events::EventRecorder* events_;
  const ManifestsDirOptions options_;
  ManifestApplier applier_;
  std::map<std::string, FileState> files_;  // by file name; only the loop thread touches it
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop wakes the loop

  mutable std::mutex mu_;  // guards passes_, stopping_
  std::condition_variable cv_;
  int passes_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::manifests
