#include "manifests/manifests_dir.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "events/event_recorder.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::manifests {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kFirstRetry{1000};
constexpr std::chrono::milliseconds kMaxRetry{60000};

bool IsManifestName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;  // hidden files, editors' temporaries
  for (const char* ext : {".yaml", ".yml", ".json"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      return true;
    }
  }
  return false;
}

// FNV-1a 64 of the contents, in hex: enough to notice a change.
std::string Hash(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

ManifestsDir::ManifestsDir(client::Client& client, events::EventRecorder* events,
                           ManifestsDirOptions options)
    : client_(client), events_(events), options_(std::move(options)), applier_(client) {}

Result<std::unique_ptr<ManifestsDir>> ManifestsDir::Start(client::Client& client,
                                                         events::EventRecorder* events,
                                                         ManifestsDirOptions options) {
  if (options.dir.empty()) return InvalidArgumentError("manifests: no directory given");
  if (Status s = MakeDirs(options.dir, 0755); !s.ok()) return s;
  std::unique_ptr<ManifestsDir> d(new ManifestsDir(client, events, std::move(options)));
  d->LoadState();
  d->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (d->wake_fd_ < 0) return InternalError(std::string("manifests: eventfd: ") + std::strerror(errno));
  d->inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (d->inotify_fd_ >= 0 &&
      inotify_add_watch(d->inotify_fd_, d->options_.dir.c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                            IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
    log::Warning("manifests", "cannot watch the directory; rescanning only",
                 {{"dir", d->options_.dir}, {"error", std::strerror(errno)}});
    close(d->inotify_fd_);
    d->inotify_fd_ = -1;
  }
  ManifestsDir* raw = d.get();
  d->thread_ = std::thread([raw] { raw->Loop(); });
  return d;
}

ManifestsDir::~ManifestsDir() {
  Stop();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void ManifestsDir::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
}

int ManifestsDir::passes() const {
  std::lock_guard lock(mu_);
  return passes_;
}

void ManifestsDir::Loop() {
  auto next_rescan = Clock::now();  // the first pass at once
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto wake_at = next_rescan;
    for (const auto& [name, f] : files_) {
      if (f.retry) wake_at = std::min(wake_at, f.retry_at);
    }
    // Rounded up: a wait truncated to 0 ms would pass (doing nothing, the retry not yet due)
    // again and again until the sub-millisecond rest had gone.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - Clock::now());
    if (wait.count() > 0) {
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
      const int n = poll(fds, inotify_fd_ >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(
                                                             wait.count(), 3600 * 1000)));
      if (n > 0 && (fds[0].revents & POLLIN)) return;
      if (n > 0 && inotify_fd_ >= 0 && (fds[1].revents & POLLIN)) {
        // Let a burst of writes end, then read them all at once.
        std::this_thread::sleep_for(options_.settle);
        alignas(inotify_event) char buf[8192];
        while (read(inotify_fd_, buf, sizeof buf) > 0) {
        }
      } else if (Clock::now() < wake_at) {
        continue;  // woken early without a change (EINTR)
      }
    }
    Pass();
    if (Clock::now() >= next_rescan) next_rescan = Clock::now() + options_.rescan;
  }
}

void ManifestsDir::Pass() {
  std::set<std::string> present, skipped;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".skip") == 0) {
      skipped.insert(name.substr(0, name.size() - 5));
    } else if (IsManifestName(name) && entry.is_regular_file(ec)) {
      present.insert(name);
    }
  }
  if (ec) {
    log::Warning("manifests", "cannot read the directory",
                 {{"dir", options_.dir}, {"error", ec.message()}});
  } else {
    for (const std::string& name : present) {
      auto known = files_.find(name);
      if (skipped.count(name)) {
        // Frozen: no retries meanwhile, and read afresh once the marker goes.
        if (known != files_.end()) {
          known->second.retry = false;
          known->second.hash.clear();
        }
        continue;
      }
      auto text = ReadFile(options_.dir + "/" + name);
      if (!text.ok()) {
        log::Warning("manifests", "cannot read a manifest",
                     {{"file", name}, {"error", text.status().message()}});
        if (known != files_.end() && known->second.retry) ScheduleRetry(known->second);
        continue;
      }
      HandleFile(name, *text);
    }
    std::vector<std::string> gone;
    for (auto& [name, f] : files_) {
      if (skipped.count(name)) {
        f.retry = false;  // frozen, file or no file
      } else if (!present.count(name)) {
        gone.push_back(name);
      }
    }
    for (const std::string& name : gone) HandleDeleted(name);
  }
  std::lock_guard lock(mu_);
  ++passes_;
  cv_.notify_all();
}

void ManifestsDir::HandleFile(const std::string& name, const std::string& text) {
  FileState& f = files_[name];
  const std::string hash = Hash(text);
  if (f.hash == hash && (f.settled || !f.retry || Clock::now() < f.retry_at)) return;
  const bool changed = f.hash != hash;
  f.hash = hash;
  if (changed) f.backoff = std::chrono::milliseconds(0);
  const std::string path = options_.dir + "/" + name;
  auto objects = ParseManifest(text);
  if (!objects.ok()) {
    // Nothing from a broken file is applied or deleted; it is read again when it changes.
    f.settled = false;
    f.retry = false;
    Report("Warning", "FailedManifest",
           "manifest " + path + ": " + std::string(objects.status().message()));
    (void)SaveState();
    return;
  }
  ApplyOutcome out = applier_.Apply(name, *objects, f.objects);
  // What the file has now, plus what it had and could not be deleted (or, with failures,
  // all it had: nothing was deleted).
  std::vector<AppliedRef> now = out.applied;
  for (const AppliedRef& r : f.objects) {
    const bool deleted = std::find(out.deleted.begin(), out.deleted.end(), r) != out.deleted.end();
    if (!deleted && std::find(now.begin(), now.end(), r) == now.end()) now.push_back(r);
  }
  std::sort(now.begin(), now.end());
  f.objects = std::move(now);
  for (const ObjectFailure& failure : out.failures) {
    Report("Warning", "FailedManifest",
           "manifest " + path + ": document " + std::to_string(failure.document) + " (line " +
               std::to_string(failure.line) + "): " + failure.object + ": " + failure.message);
  }
  for (const std::string& e : out.delete_errors) {
    Report("Warning", "FailedManifest", "manifest " + path + ": cannot delete " + e);
  }
  f.settled = out.failures.empty() && out.delete_errors.empty();
  f.retry = !out.delete_errors.empty() ||
            std::any_of(out.failures.begin(), out.failures.end(),
                        [](const ObjectFailure& x) { return x.retry; });
  if (f.retry) ScheduleRetry(f);
  if (f.settled && (changed || !out.deleted.empty())) {
    std::string msg = "manifest " + path + ": applied " + std::to_string(out.applied.size()) +
                      " object(s)";
    if (!out.deleted.empty()) msg += ", deleted " + std::to_string(out.deleted.size());
    Report("Normal", "AppliedManifest", msg);
  }
  if (Status s = SaveState(); !s.ok()) {
    log::Warning("manifests", "cannot save the state", {{"error", s.message()}});
  }
}

void ManifestsDir::HandleDeleted(const std::string& name) {
  FileState& f = files_[name];
  auto failed = applier_.Delete(f.objects);
  const std::string path = options_.dir + "/" + name;
  if (failed.empty()) {
    Report("Normal", "DeletedManifest",
           "manifest " + path + " was removed: deleted " + std::to_string(f.objects.size()) +
               " object(s)");
    files_.erase(name);
  } else {
    std::vector<AppliedRef> left;
    for (auto& [ref, why] : failed) {
      Report("Warning", "FailedManifest",
             "manifest " + path + " was removed: cannot delete " + ref.ToString() + ": " + why);
      left.push_back(ref);
    }
    f.objects = std::move(left);
    f.retry = true;
    ScheduleRetry(f);
  }
  if (Status s = SaveState(); !s.ok()) {
    log::Warning("manifests", "cannot save the state", {{"error", s.message()}});
  }
}

void ManifestsDir::ScheduleRetry(FileState& f) {
  f.backoff = f.backoff.count() == 0 ? kFirstRetry : std::min(kMaxRetry, f.backoff * 2);
  f.retry_at = Clock::now() + f.backoff;
}

void ManifestsDir::Report(const std::string& type, const std::string& reason,
                          const std::string& message) {
  if (type == "Warning") {
    log::Warning("manifests", message, {{"reason", reason}});
  } else {
    log::Info("manifests", message, {{"reason", reason}});
  }
  if (events_ && options_.event_object.is_object()) {
    events_->Record(options_.event_object, "", type, reason, message);
  }
}

Status ManifestsDir::SaveState() const {
  if (options_.state_file.empty()) return Status::Ok();
  json files = json::object();
  for (const auto& [name, f] : files_) {
    json objects = json::array();
    for (const AppliedRef& r : f.objects) objects.push_back(r.ToJson());
    files[name] = {{"hash", f.hash}, {"objects", objects}};
  }
  return WriteFileAtomic(options_.state_file, json{{"files", files}}.dump(1), 0600);
}

void ManifestsDir::LoadState() {
  if (options_.state_file.empty()) return;
  auto text = ReadFile(options_.state_file);
  if (!text.ok()) return;  // none yet
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("files") || !j["files"].is_object()) {
    const std::string aside = options_.state_file + ".corrupt";
    std::rename(options_.state_file.c_str(), aside.c_str());
    log::Warning("manifests", "the state file is corrupt: set aside, every file is applied anew",
                 {{"file", options_.state_file}, {"moved-to", aside}});
    return;
  }
  for (const auto& [name, entry] : j["files"].items()) {
    FileState f;
    // The hash is not kept: every file is applied once at start (its objects may have been
    // changed or deleted by hand meanwhile).
    if (entry.contains("objects") && entry["objects"].is_array()) {
      for (const json& r : entry["objects"]) f.objects.push_back(AppliedRef::FromJson(r));
    }
    files_[name] = std::move(f);
  }
}

}  // namespace skiff::manifests
