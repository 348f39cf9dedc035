#include "client/level_subscription.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "skiff/common/log.h"

namespace skiff::client {
namespace {

using Clock = std::chrono::steady_clock;

// A watch that stayed open this long was healthy, even without events.
constexpr auto kHealthyWatch = std::chrono::seconds(10);

struct State {
  LevelSubscriptionDeps deps;
  std::function<void()> changed;

  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;            // guarded by mu
  uint64_t watch_gen = 0;           // guarded by mu: the watch whose end is awaited
  std::optional<Status> watch_end;  // guarded by mu

  // The thread running `changed` now (so destruction from inside it does not wait on itself).
  std::atomic<std::thread::id> calling{};
  // Serializes `changed` against destruction: held while it runs.
  std::mutex call_mu;

  bool Stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  // Runs `changed` unless stopping; logs what it throws.
  void Call() {
    std::lock_guard call(call_mu);
    if (Stopping()) return;
    calling = std::this_thread::get_id();
    try {
      changed();
    } catch (const std::exception& e) {
      log::Error("remote-client", "subscription callback threw", {{"error", e.what()}});
    } catch (...) {
      log::Error("remote-client", "subscription callback threw");
    }
    calling = std::thread::id();
  }

  // Sleeps `d` or until stopping; true when stopping.
  bool Sleep(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    return wake.wait_for(lock, d, [&] { return stopping; });
  }
};

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(initial), max_(max), next_(initial) {}
  std::chrono::milliseconds Next() {
    const auto d = next_;
    next_ = std::min(next_ * 2, max_);
    return d;
  }
  void Reset() { next_ = initial_; }

 private:
  const std::chrono::milliseconds initial_, max_;
  std::chrono::milliseconds next_;
};

void Run(const std::shared_ptr<State>& st, std::string rv) {
  Backoff backoff(st->deps.initial_backoff, st->deps.max_backoff);
  bool first = true;
  int expired_in_a_row = 0;
  while (!st->Stopping()) {
    if (!first) {
      auto fresh = st->deps.current_resource_version();
      if (!fresh.ok()) {
        log::Debug("remote-client", "subscription list failed; retrying",
                   {{"error", fresh.status().ToString()}});
        if (st->Sleep(backoff.Next())) break;
        continue;
      }
      rv = std::move(fresh).value();
    }
    first = false;
    st->Call();
    if (st->Stopping()) break;

    uint64_t gen;
    {
      std::lock_guard lock(st->mu);
      gen = ++st->watch_gen;
      st->watch_end.reset();
    }
    auto batches = std::make_shared<std::atomic<uint64_t>>(0);
    std::weak_ptr<State> weak = st;
    auto on_events = [weak, batches](std::vector<WatchEvent>&) {
      ++*batches;
      if (auto s = weak.lock()) s->Call();
    };
    auto on_closed = [weak, gen](Status why) {
      auto s = weak.lock();
      if (!s) return;
      {
        std::lock_guard lock(s->mu);
        if (s->watch_gen != gen) return;
        s->watch_end = std::move(why);
      }
      s->wake.notify_all();
    };
    const auto started = Clock::now();
    auto watch = st->deps.watch(rv, on_events, on_closed);
    Status why;
    if (watch.ok()) {
      std::unique_lock lock(st->mu);
      st->wake.wait(lock, [&] { return st->stopping || st->watch_end.has_value(); });
      if (st->watch_end) why = *st->watch_end;
    } else {
      why = watch.status();
    }
    if (watch.ok()) watch->reset();  // stops it and waits for its callback
    if (st->Stopping()) break;
    if (watch.ok() && (*batches > 0 || Clock::now() - started >= kHealthyWatch)) backoff.Reset();
    // An expired start needs a fresh version, nothing more: at once, unless that repeats.
    expired_in_a_row = why.code() == Code::kGone ? expired_in_a_row + 1 : 0;
    if (expired_in_a_row == 1) continue;
    log::Debug("remote-client", "subscription watch ended; resubscribing",
               {{"reason", why.ToString()}});
    if (st->Sleep(backoff.Next())) break;
  }
}

class LevelSubscription : public Subscription {
 public:
  LevelSubscription(std::shared_ptr<State> state, std::thread thread)
      : state_(std::move(state)), thread_(std::move(thread)) {}

  ~LevelSubscription() override {
    {
      std::lock_guard lock(state_->mu);
      state_->stopping = true;
    }
    state_->wake.notify_all();
    if (state_->calling.load() == std::this_thread::get_id()) {
      // From inside `changed`: the subscription's thread ends by itself (it may be this very
      // thread, or be about to stop the watch whose thread this is).
      thread_.detach();
      return;
    }
    {
      std::lock_guard call(state_->call_mu);  // waits for a running `changed`
    }
    thread_.join();
  }

 private:
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<Subscription>> StartLevelSubscription(LevelSubscriptionDeps deps,
                                                             std::string first_resource_version,
                                                             std::function<void()> changed) {
  auto st = std::make_shared<State>();
  st->deps = std::move(deps);
  st->changed = std::move(changed);
  std::thread thread;
  try {
    thread = std::thread(
        [st, rv = std::move(first_resource_version)]() mutable { Run(st, std::move(rv)); });
  } catch (const std::system_error& e) {
    return ResourceExhaustedError(std::string("cannot start a subscription thread: ") + e.what());
  }
  return std::unique_ptr<Subscription>(std::make_unique<LevelSubscription>(st, std::move(thread)));
}

}  // namespace skiff::client
