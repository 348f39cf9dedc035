#include "controllers/controller_loop.h"

#include <algorithm>
#include <exception>

#include "skiff/common/log.h"

namespace skiff::controllers {

ControllerLoop::ControllerLoop(ControllerLoopOptions options, SyncFn sync)
    : options_(std::move(options)),
      sync_(std::move(sync)),
      queue_(WorkQueueOptions{options_.base_backoff, options_.max_backoff}) {}

ControllerLoop::~ControllerLoop() { Stop(); }

void ControllerLoop::Enqueue(const std::string& key) { queue_.Add(key); }

void ControllerLoop::EnqueueAfter(const std::string& key, std::chrono::milliseconds delay) {
  queue_.AddAfter(key, delay);
}

void ControllerLoop::Start() {
  if (started_) return;
  started_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

void ControllerLoop::Stop() {
  queue_.ShutDown();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

uint64_t ControllerLoop::syncs() const { return syncs_.load(); }

void ControllerLoop::Work() {
  while (auto key = queue_.Get()) {
    Status s;
    try {
      s = sync_(*key);
    } catch (const std::exception& e) {
      s = InternalError(std::string("unexpected error: ") + e.what());
    }
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      const auto delay = queue_.AddRateLimited(*key);
      // A conflict is optimistic concurrency at work (another writer got there first): the
      // retry reads the new version. Worth a line only when debugging.
      auto log_fn = s.code() == Code::kConflict ? log::Debug : log::Warning;
      log_fn(options_.name, "sync failed; retrying",
             {{"key", *key},
              {"error", s.message()},
              {"retry-in", std::to_string(delay.count()) + "ms"}});
    }
    queue_.Done(*key);
    ++syncs_;
  }
}

}  // namespace skiff::controllers
