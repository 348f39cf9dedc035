#include "skiff/client/informer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "indexed_cache.h"
#include "skiff/common/log.h"

namespace skiff::client {
namespace {

using Clock = std::chrono::steady_clock;

// A watch that stayed open this long counts as healthy even without events.
constexpr auto kHealthyWatch = std::chrono::seconds(10);

// Cached objects are frozen: managedFields dropped, the options' transform applied, then
// never changed again.
ObjectPtr Freeze(json obj, const InformerOptions& options) {
  auto meta = obj.find("metadata");
  if (meta != obj.end() && meta->is_object()) meta->erase("managedFields");
  if (options.transform) options.transform(obj);
  return std::make_shared<const json>(std::move(obj));
}

std::string ResourceVersionOf(const json& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return {};
  return meta->value("resourceVersion", std::string());
}

// Exponential retry delays: initial, doubling, capped.
class Backoff {
 public:
  explicit Backoff(const InformerOptions& o) : initial_(o.initial_backoff), max_(o.max_backoff) {}
  std::chrono::milliseconds Next() {
    ++failures_;
    const std::chrono::milliseconds d = next_.count() > 0 ? next_ : initial_;
    next_ = std::min(d * 2, max_);
    return std::min(d, max_);
  }
  void Reset() {
    failures_ = 0;
    next_ = std::chrono::milliseconds(0);
  }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_, max_;
  std::chrono::milliseconds next_{0};
  int failures_ = 0;
};

struct HandlerEntry {
  HandlerId id = 0;
  EventHandler handler;
  std::atomic<bool> removed{false};
};

// What a watch callback hands the delivery thread: a batch, or the end of the watch.
struct InboxItem {
  std::vector<WatchEvent> events;
  std::optional<Status> closed;
};

}  // namespace

struct Informer::Impl {
  Impl(Client& c, Resource r, std::string n, InformerOptions o)
      : client(c), resource(std::move(r)), ns(std::move(n)), options(o) {}

  // --- the delivery thread ---
  void Run();
  // Lists and brings the cache in line with the list, notifying the differences. Returns the
  // list's resourceVersion, or an error.
  Result<std::string> Relist();
  // Delivers the current watch's batches until it closes (returns why) or Stop; a batch
  // resets `backoff` (the watch works).
  Status Follow(Backoff& backoff);
  void ApplyEvents(std::vector<WatchEvent>& events);
  // Waits `delay` (or until Stop), attaching handlers added meanwhile.
  void Sleep(std::chrono::milliseconds delay);
  bool Stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }
  void SetSynced(const std::string& rv);

  // --- handlers (callers hold deliver_mu) ---
  void Notify(const IndexedCache::Change& c, const ObjectPtr& deleted_state);
  void ReplayTo(HandlerEntry& entry);
  // Gives handlers added while running their replay and makes them active.
  void AttachPending();

  // --- watch callbacks (the client's thread) ---
  void Push(uint64_t gen, InboxItem item) {
    std::lock_guard lock(mu);
    if (gen != watch_gen || stopping) return;
    inbox.push_back(std::move(item));
    wake.notify_all();
  }

  Client& client;
  const Resource resource;
  const std::string ns;
  const InformerOptions options;
  IndexedCache cache;

  // Held by whoever changes the cache or calls handlers, so that a holder sees a cache in which
  // every change has been notified. Guards `handlers` (entries' `removed` is atomic).
  std::mutex deliver_mu;
  std::vector<std::shared_ptr<HandlerEntry>> handlers;
  // The thread calling handlers right now (RemoveHandler from a handler must not block).
  std::atomic<std::thread::id> notifying{};

  std::mutex stop_mu;  // serializes Stop() (one joiner)

  mutable std::mutex mu;                    // guards everything below
  std::condition_variable wake;             // the delivery thread's wake-ups
  mutable std::condition_variable sync_cv;  // WaitForSync
  enum class State { kNew, kRunning, kStopped } state = State::kNew;
  bool stopping = false;
  uint64_t watch_gen = 0;  // the watch whose callbacks are accepted
  std::deque<InboxItem> inbox;
  std::vector<std::shared_ptr<HandlerEntry>> pending;  // added while running, not attached yet
  std::unordered_map<HandlerId, std::shared_ptr<HandlerEntry>> by_id;
  HandlerId next_id = 1;
  bool synced = false;
  std::string last_rv;
  std::thread thread;
};

void Informer::Impl::Notify(const IndexedCache::Change& c, const ObjectPtr& deleted_state) {
  for (const auto& entry : handlers) {
    if (entry->removed) continue;
    const EventHandler& h = entry->handler;
    try {
      if (c.object && !c.old) {
        if (h.on_add) h.on_add(c.object);
      } else if (c.object) {
        if (h.on_update) h.on_update(c.old, c.object);
      } else if (c.old) {
        if (h.on_delete) h.on_delete(deleted_state ? deleted_state : c.old);
      }
    } catch (const std::exception& e) {
      log::Error("informer", "event handler threw",
                 {{"resource", resource.resource}, {"key", c.key}, {"error", e.what()}});
    } catch (...) {
      log::Error("informer", "event handler threw", {{"resource", resource.resource}});
    }
  }
}

void Informer::Impl::ReplayTo(HandlerEntry& entry) {
  if (!entry.handler.on_add) return;
  for (const ObjectPtr& obj : cache.List()) {
    if (entry.removed) return;
    try {
      entry.handler.on_add(obj);
    } catch (...) {
      log::Error("informer", "event handler threw", {{"resource", resource.resource}});
    }
  }
}

void Informer::Impl::AttachPending() {
  std::vector<std::shared_ptr<HandlerEntry>> added;
  {
    std::lock_guard lock(mu);
    added.swap(pending);
  }
  if (added.empty()) return;
  std::lock_guard deliver(deliver_mu);
  notifying = std::this_thread::get_id();
  for (auto& entry : added) {
    if (entry->removed) continue;
    ReplayTo(*entry);
    handlers.push_back(entry);
  }
  std::erase_if(handlers, [](const auto& e) { return e->removed.load(); });
  notifying = std::thread::id();
}

void Informer::Impl::SetSynced(const std::string& rv) {
  {
    std::lock_guard lock(mu);
    last_rv = rv;
    synced = true;
  }
  sync_cv.notify_all();
}

Result<std::string> Informer::Impl::Relist() {
  auto list = client.List(resource, ns, {});
  if (!list.ok()) return list.status();
  std::string rv;
  std::vector<std::pair<std::string, ObjectPtr>> fresh;
  try {
    rv = (*list)["metadata"].value("resourceVersion", std::string());
    json& items = (*list)["items"];
    if (!items.is_array()) return InternalError("the list has no items array");
    fresh.reserve(items.size());
    for (json& item : items) {
      ObjectPtr obj = Freeze(std::move(item), options);
      fresh.emplace_back(KeyOf(*obj), std::move(obj));
    }
  } catch (const std::exception& e) {
    return InternalError(std::string("unreadable list: ") + e.what());
  }
  if (rv.empty()) return InternalError("the list has no resourceVersion");
  list = json();  // free the emptied list before the cache swaps generations
  {
    std::lock_guard deliver(deliver_mu);
    std::vector<IndexedCache::Change> changes = cache.Replace(std::move(fresh));
    notifying = std::this_thread::get_id();
    for (const IndexedCache::Change& c : changes) Notify(c, nullptr);
    std::erase_if(handlers, [](const auto& e) { return e->removed.load(); });
    notifying = std::thread::id();
  }
  SetSynced(rv);
  return rv;
}

void Informer::Impl::ApplyEvents(std::vector<WatchEvent>& events) {
  if (events.empty()) return;
  std::vector<IndexedCache::Change> changes;
  std::vector<ObjectPtr> deleted_states;  // per change: the watch's final state of a delete
  changes.reserve(events.size());
  deleted_states.reserve(events.size());
  std::string rv;
  for (WatchEvent& e : events) {
    ObjectPtr obj = Freeze(std::move(e.object), options);
    std::string key = KeyOf(*obj);
    rv = ResourceVersionOf(*obj);
    if (e.type == WatchEvent::Type::kDeleted) {
      changes.push_back({std::move(key), nullptr, nullptr});
      deleted_states.push_back(std::move(obj));
    } else {
      changes.push_back({std::move(key), std::move(obj), nullptr});
      deleted_states.emplace_back();
    }
  }
  {
    std::lock_guard deliver(deliver_mu);
    cache.Apply(changes);
    {
      std::lock_guard lock(mu);
      if (!rv.empty()) last_rv = rv;
    }
    notifying = std::this_thread::get_id();
    for (size_t i = 0; i < changes.size(); ++i) Notify(changes[i], deleted_states[i]);
    std::erase_if(handlers, [](const auto& e) { return e->removed.load(); });
    notifying = std::thread::id();
  }
}

void Informer::Impl::Sleep(std::chrono::milliseconds delay) {
  const auto deadline = Clock::now() + delay;
  std::unique_lock lock(mu);
  while (!stopping) {
    if (!pending.empty()) {
      lock.unlock();
      AttachPending();
      lock.lock();
      continue;
    }
    if (wake.wait_until(lock, deadline) == std::cv_status::timeout) return;
  }
}

Status Informer::Impl::Follow(Backoff& backoff) {
  const auto started = Clock::now();
  std::deque<InboxItem> items;
  for (;;) {
    {
      std::unique_lock lock(mu);
      wake.wait(lock, [&] { return stopping || !inbox.empty() || !pending.empty(); });
      if (stopping) return UnavailableError("informer stopped");
      items.swap(inbox);
    }
    AttachPending();
    for (InboxItem& item : items) {
      if (item.closed) {
        if (Clock::now() - started >= kHealthyWatch) backoff.Reset();
        return *item.closed;
      }
      ApplyEvents(item.events);
      backoff.Reset();  // the watch works
    }
    items.clear();
  }
}

void Informer::Impl::Run() {
  Backoff backoff(options);
  while (!Stopping()) {
    AttachPending();
    auto rv = Relist();
    if (!rv.ok()) {
      log::Warning("informer", "list failed; retrying",
                   {{"resource", resource.resource}, {"error", rv.status().ToString()}});
      Sleep(backoff.Next());
      continue;
    }
    uint64_t gen;
    {
      std::lock_guard lock(mu);
      gen = ++watch_gen;
      inbox.clear();
    }
    auto sub = client.Watch(
        resource, ns, *rv,
        [this, gen](std::vector<WatchEvent>& events) {
          Push(gen, InboxItem{std::move(events), {}});
        },
        [this, gen](Status s) {
          Push(gen, InboxItem{{}, std::move(s)});
        });
    Status why = sub.ok() ? Follow(backoff) : sub.status();
    if (sub.ok()) sub->reset();  // stops the client's delivery and waits for its callback
    {
      std::lock_guard lock(mu);
      ++watch_gen;  // nothing more from that watch
      inbox.clear();
      if (stopping) break;
    }
    // A compacted start needs a relist, nothing more: do it at once, unless that keeps failing.
    const std::chrono::milliseconds delay = backoff.Next();
    if (why.code() == Code::kGone && backoff.failures() <= 1) {
      log::Debug("informer", "watch expired; relisting", {{"resource", resource.resource}});
      continue;
    }
    log::Info("informer", "watch ended; relisting",
              {{"resource", resource.resource}, {"reason", why.ToString()}});
    Sleep(delay);
  }
}

Informer::Informer(Client& client, Resource resource, std::string ns, InformerOptions options)
    : impl_(std::make_unique<Impl>(client, std::move(resource), std::move(ns), options)) {}

Informer::~Informer() { Stop(); }

Status Informer::AddIndex(const std::string& name, IndexFunc fn) {
  if (!fn) return InvalidArgumentError("index \"" + name + "\" has no function");
  return impl_->cache.AddIndex(name, std::move(fn));
}

HandlerId Informer::AddHandler(EventHandler handler) {
  auto entry = std::make_shared<HandlerEntry>();
  entry->handler = std::move(handler);
  {
    std::lock_guard lock(impl_->mu);
    entry->id = impl_->next_id++;
    impl_->by_id[entry->id] = entry;
    if (impl_->state == Impl::State::kRunning) {
      impl_->pending.push_back(entry);
      impl_->wake.notify_all();
      return entry->id;
    }
  }
  // Not running: nothing else calls handlers, so replay here.
  std::lock_guard deliver(impl_->deliver_mu);
  impl_->notifying = std::this_thread::get_id();
  impl_->ReplayTo(*entry);
  impl_->handlers.push_back(entry);
  impl_->notifying = std::thread::id();
  return entry->id;
}

void Informer::RemoveHandler(HandlerId id) {
  std::shared_ptr<HandlerEntry> entry;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->by_id.find(id);
    if (it == impl_->by_id.end()) return;
    entry = std::move(it->second);
    impl_->by_id.erase(it);
    std::erase(impl_->pending, entry);
  }
  entry->removed = true;
  if (impl_->notifying.load() == std::this_thread::get_id()) return;  // dropped after the call
  std::lock_guard deliver(impl_->deliver_mu);                         // waits for a running call
  std::erase(impl_->handlers, entry);
}

void Informer::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->state != Impl::State::kNew) return;
  impl_->state = Impl::State::kRunning;
  impl_->thread = std::thread([impl = impl_.get()] { impl->Run(); });
}

void Informer::Stop() {
  std::lock_guard stop(impl_->stop_mu);
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->state == Impl::State::kStopped) return;
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  {
    std::lock_guard lock(impl_->mu);
    impl_->state = Impl::State::kStopped;
  }
  impl_->sync_cv.notify_all();
  impl_->AttachPending();  // handlers added while it stopped still get their replay
}

bool Informer::HasSynced() const {
  std::lock_guard lock(impl_->mu);
  return impl_->synced;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  impl_->sync_cv.wait_for(lock, timeout,
                          [&] { return impl_->synced || impl_->state == Impl::State::kStopped; });
  return impl_->synced;
}

std::string Informer::LastSyncResourceVersion() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_rv;
}

ObjectPtr Informer::Get(const std::string& key) const { return impl_->cache.Get(key); }

ObjectPtr Informer::Get(const std::string& ns, const std::string& name) const {
  return impl_->cache.Get(ns.empty() ? name : ns + "/" + name);
}

std::vector<ObjectPtr> Informer::List() const { return impl_->cache.List(); }

std::vector<ObjectPtr> Informer::ListNamespace(const std::string& ns) const {
  if (ns.empty()) return impl_->cache.List();
  return impl_->cache.ByIndex(kNamespaceIndex, ns);
}

std::vector<ObjectPtr> Informer::ByIndex(const std::string& index, const std::string& value) const {
  return impl_->cache.ByIndex(index, value);
}

size_t Informer::Size() const { return impl_->cache.Size(); }

const Resource& Informer::resource() const { return impl_->resource; }
const std::string& Informer::ns() const { return impl_->ns; }

}  // namespace skiff::client
