#include "local_watch.h"

#include <atomic>
#include <thread>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::client {
namespace {

WatchEvent::Type ClientType(api::WatchEventType t) {
  switch (t) {
    case api::WatchEventType::kAdded:
      return WatchEvent::Type::kAdded;
    case api::WatchEventType::kModified:
      return WatchEvent::Type::kModified;
    case api::WatchEventType::kDeleted:
      return WatchEvent::Type::kDeleted;
  }
  return WatchEvent::Type::kModified;
}

Status CloseStatus(store::WatchCloseReason reason) {
  switch (reason) {
    case store::WatchCloseReason::kFellBehind:
      return UnavailableError("watch closed: the consumer fell behind");
    case store::WatchCloseReason::kStoreClosed:
      return UnavailableError("watch closed: the store shut down");
    default:
      return UnavailableError("watch closed");
  }
}

// What the delivery thread works on. Shared with the thread so that a Subscription destroyed
// from inside its own callback can let the thread finish on its own.
struct WatchState {
  std::shared_ptr<store::Watcher> watcher;
  const apis::ResourceType* rt;
  std::function<void(std::vector<WatchEvent>&)> events;
  std::function<void(Status)> closed;
  std::atomic<bool> stopping{false};
};

void Deliver(const std::shared_ptr<WatchState>& s) {
  std::vector<store::EventPtr> raw;
  std::vector<WatchEvent> batch;
  for (;;) {
    raw.clear();
    // The destructor's Close() wakes this wait at once; the timeout only bounds it.
    const bool open = s->watcher->Wait(&raw, std::chrono::seconds(60));
    if (s->stopping) return;
    batch.clear();
    batch.reserve(raw.size());
    for (const store::EventPtr& e : raw) {
      auto decoded = api::DecodeEvent(*e, *s->rt);
      if (!decoded.ok()) {
        log::Error("client", "watch skips an unreadable object",
                   {{"key", e->kv.key}, {"error", decoded.status().message()}});
        continue;
      }
      batch.push_back({ClientType(decoded->type), std::move(decoded->object)});
    }
    raw.clear();  // drop our references to the shared store events early
    if (!batch.empty()) s->events(batch);
    if (s->stopping) return;
    if (!open) {
      s->closed(CloseStatus(s->watcher->close_reason()));
      return;
    }
  }
}

class LocalWatch : public Subscription {
 public:
  explicit LocalWatch(std::shared_ptr<WatchState> state) : state_(std::move(state)) {
    thread_ = std::thread([s = state_] { Deliver(s); });
  }
  ~LocalWatch() override {
    state_->stopping = true;
    state_->watcher->Close();
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // inside a callback: the thread sees `stopping` when it returns
    } else if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  std::shared_ptr<WatchState> state_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Subscription> StartLocalWatch(std::shared_ptr<store::Watcher> watcher,
                                              const apis::ResourceType& rt,
                                              std::function<void(std::vector<WatchEvent>&)> events,
                                              std::function<void(Status)> closed) {
  auto state = std::make_shared<WatchState>();
  state->watcher = std::move(watcher);
  state->rt = &rt;
  state->events = std::move(events);
  state->closed = std::move(closed);
  return std::make_unique<LocalWatch>(std::move(state));
}

}  // namespace skiff::client
