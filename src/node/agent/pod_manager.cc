#include "pod_manager.h"

#include <dirent.h>

#include <set>

#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

// Not a pod uid: asks a worker to list the node's pods again.
const std::string kRefreshKey = "\x01refresh";
// Not a pod uid either: the periodic full resync, which schedules its own next run.
const std::string kResyncKey = "\x01resync";
constexpr auto kResync = std::chrono::seconds(30);
// A stopper without work for this long leaves.
constexpr auto kIdleExit = std::chrono::seconds(30);

std::set<std::string> LocalPods(const std::string& dir) {
  std::set<std::string> uids;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") uids.insert(name);
    }
    closedir(d);
  }
  return uids;
}

}  // namespace

PodManager::PodManager(client::Client& client, PodWorker& worker, std::string node_name,
                       std::string pods_dir, int workers, int max_stoppers)
    : client_(client),
      worker_(worker),
      node_name_(std::move(node_name)),
      pods_dir_(std::move(pods_dir)),
      workers_(std::max(workers, 1)),
      max_stoppers_(std::max(max_stoppers, 0)) {}

PodManager::~PodManager() { Stop(); }

Status PodManager::Start() {
  for (int i = 0; i < workers_; ++i) workers_threads_.emplace_back([this] { Work(); });
  auto sub = client_.Subscribe(client::Pods(), "", [this] { queue_.Add(kRefreshKey); });
  if (!sub.ok()) return sub.status();
  subscription_ = std::move(*sub);
  // The first resync runs now: it also finds pods left on disk that the API no longer has.
  queue_.Add(kResyncKey);
  return Status::Ok();
}

void PodManager::Stop() {
  subscription_.reset();
  queue_.ShutDown();
  for (std::thread& t : workers_threads_) {
    if (t.joinable()) t.join();
  }
  workers_threads_.clear();
  std::vector<Stopper> stoppers;
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;  // no stopper starts from here on; the idle ones leave
    stoppers.swap(stoppers_);
  }
  stop_cv_.notify_all();
  for (Stopper& s : stoppers) {
    if (s.thread.joinable()) s.thread.join();
  }
}

bool PodManager::Stops(const std::string& key) const {
  if (key == kRefreshKey || key == kResyncKey) return false;
  std::lock_guard lock(mu_);
  auto it = pods_.find(key);
  if (it == pods_.end()) return true;
  auto meta = it->second.find("metadata");
  if (meta == it->second.end() || !meta->is_object()) return false;
  auto deletion = meta->find("deletionTimestamp");
  return deletion != meta->end() && !deletion->is_null();
}

bool PodManager::Offload(const std::string& key) {
  {
    std::lock_guard lock(stop_mu_);
    if (stopping_) return false;
    if (idle_stoppers_ == 0) {
      if (live_stoppers_ >= max_stoppers_) return false;
      // Reap the stoppers that left.
      for (auto it = stoppers_.begin(); it != stoppers_.end();) {
        if (it->finished->load()) {
          it->thread.join();
          it = stoppers_.erase(it);
        } else {
          ++it;
        }
      }
      auto finished = std::make_shared<std::atomic<bool>>(false);
      ++live_stoppers_;
      ++idle_stoppers_;
      stoppers_.push_back({std::thread([this, finished] {
                             StopperLoop();
                             finished->store(true);
                           }),
                           finished});
    }
    --idle_stoppers_;  // this key's
    handed_.push_back(key);
  }
  stop_cv_.notify_one();
  return true;
}

void PodManager::StopperLoop() {
  std::unique_lock lock(stop_mu_);
  while (true) {
    if (!stop_cv_.wait_for(lock, kIdleExit, [&] { return stopping_ || !handed_.empty(); })) {
      break;  // idle long enough
    }
    // Stopping: what was handed over and not begun is left for the next start (the pod's
    // record on disk says what to stop).
    if (stopping_) break;
    std::string key = std::move(handed_.front());
    handed_.pop_front();
    lock.unlock();
    Handle(key);
    lock.lock();
    ++idle_stoppers_;
  }
  --idle_stoppers_;
  --live_stoppers_;
}

std::optional<json> PodManager::FindPod(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& [uid, pod] : pods_) {
    if (pod["metadata"].value("namespace", "") == ns && pod["metadata"].value("name", "") == name) {
      return pod;
    }
  }
  return std::nullopt;
}

std::vector<json> PodManager::Pods() const {
  std::lock_guard lock(mu_);
  std::vector<json> pods;
  pods.reserve(pods_.size());
  for (const auto& [uid, pod] : pods_) pods.push_back(pod);
  return pods;
}

void PodManager::Refresh(bool scan_disk) {
  auto list = client_.List(client::Pods(), "", {"", "spec.nodeName=" + node_name_});
  if (!list.ok()) {
    log::Warning("agent", "cannot list this node's pods", {{"error", list.status().message()}});
    queue_.AddAfter(kRefreshKey, std::chrono::seconds(2));
    return;
  }
  std::vector<std::string> changed;
  {
    std::lock_guard lock(mu_);
    std::map<std::string, json> pods;
    for (json& pod : (*list)["items"]) {
      const std::string uid = pod["metadata"].value("uid", "");
      const std::string rv = pod["metadata"].value("resourceVersion", "");
      auto it = versions_.find(uid);
      if (it == versions_.end() || it->second != rv) changed.push_back(uid);
      versions_[uid] = rv;
      pods.emplace(uid, std::move(pod));
    }
    for (const auto& [uid, pod] : pods_) {
      if (!pods.count(uid)) changed.push_back(uid);  // deleted from the API
    }
    if (scan_disk) {
      for (const std::string& uid : LocalPods(pods_dir_)) {
        if (!pods.count(uid) && !pods_.count(uid)) changed.push_back(uid);  // left on disk
      }
    }
    pods_ = std::move(pods);
    for (auto it = versions_.begin(); it != versions_.end();) {
      it = pods_.count(it->first) ? std::next(it) : versions_.erase(it);
    }
  }
  for (const std::string& uid : changed) queue_.Add(uid);
}

void PodManager::Work() {
  while (auto key = queue_.Get()) {
    if (Stops(*key) && Offload(*key)) continue;
    Handle(*key);
  }
}

void PodManager::Handle(const std::string& key) {
  if (key == kRefreshKey || key == kResyncKey) {
    Refresh(key == kResyncKey);
    if (key == kResyncKey) queue_.AddAfter(kResyncKey, kResync);
    queue_.Done(key);
    return;
  }
  std::optional<json> pod;
  {
    std::lock_guard lock(mu_);
    if (auto it = pods_.find(key); it != pods_.end()) pod = it->second;
  }
  SyncResult r = worker_.Sync(key, pod);
  queue_.Done(key);
  if (r.requeue_after.count() > 0) queue_.AddAfter(key, r.requeue_after);
}

}  // namespace skiff::node
