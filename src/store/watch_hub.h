// In-process fan-out of committed events to watchers.
//
// The store's single writer calls Publish() right after each commit, in revision order. A
// watcher registered at published revision P receives every published event with revision > P
// that matches its prefix (and is after its start revision); the store replays older history
// from the database before handing the watcher out (see Register/FinishStart).
//
// Thread-safety: every method is thread-safe. mu_ guards watchers_ and published_; each
// watcher guards its own queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "skiff/store/store.h"

namespace skiff::store {

class HubWatcher final : public Watcher {
 public:
  HubWatcher(std::string prefix, size_t max_pending, std::function<void()> on_ready)
      : prefix_(std::move(prefix)), max_pending_(max_pending), on_ready_(std::move(on_ready)) {}

  bool Poll(std::vector<EventPtr>* out) override;
  bool Wait(std::vector<EventPtr>* out, std::chrono::milliseconds timeout) override;
  void Close() override { CloseWith(WatchCloseReason::kCancelled); }
  WatchCloseReason close_reason() const override;

  bool Matches(const Event& e) const {
    return e.revision() > after_ && e.kv.key.compare(0, prefix_.size(), prefix_) == 0;
  }
  // Appends events already filtered by Matches. Closes with kFellBehind on overflow.
  // Returns whether the consumer should be woken.
  bool Push(const std::vector<const EventPtr*>& events);
  // Puts replayed history in front of whatever arrived live meanwhile, then starts waking the
  // consumer. Closes with kFellBehind when the total is over the limit.
  void FinishStart(std::vector<EventPtr> replay);
  void CloseWith(WatchCloseReason reason);
  bool closed() const;
  // Events after this revision are delivered. Fixed by WatchHub::Register.
  Revision after() const { return after_; }
  void Notify() const {
    if (on_ready_) on_ready_();
  }

 private:
  bool TakeLocked(std::vector<EventPtr>* out);

  friend class WatchHub;
  const std::string prefix_;
  Revision after_ = 0;  // set once by WatchHub::Register before any event is matched
  const size_t max_pending_;
  const std::function<void()> on_ready_;

  mutable std::mutex mu_;  // guards queue_, reason_, started_
  std::condition_variable cv_;
  std::deque<EventPtr> queue_;
  WatchCloseReason reason_ = WatchCloseReason::kOpen;
  bool started_ = false;  // the consumer has the watcher: wake it on new events
};

class WatchHub {
 public:
  explicit WatchHub(Revision published) : published_(published) {}

  // Adds a watcher that will receive published events after `after` (unset: after everything
  // published so far); returns the revision published so far: history in (after, returned]
  // must be replayed by the caller before FinishStart.
  Revision Register(const std::shared_ptr<HubWatcher>& w, std::optional<Revision> after);
  // Delivers one commit's events (ascending revisions) to every matching watcher.
  void Publish(const std::vector<EventPtr>& events);
  // Closes every watcher with kStoreClosed; later Register calls get closed watchers.
  void CloseAll();
  Revision published() const;

 private:
  mutable std::mutex mu_;  // guards watchers_, published_, closed_
  std::vector<std::shared_ptr<HubWatcher>> watchers_;
  Revision published_;
  bool closed_ = false;
};

}  // namespace skiff::store
