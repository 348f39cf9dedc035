// What the client tests share: a real SqliteStore in a temporary directory with Resources and
// a LocalClient over it; a Client that forwards to it but lets a test break, hold or fail
// calls; a handler that records what it hears; and waiting on a condition with a timeout.
#pragma once

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/resources.h"
#include "client/local_client.h"
#include "skiff/client/informer.h"
#include "skiff/store/sqlite_store.h"
#include "support/temp_dir.h"

namespace skiff::client::testing {

using namespace std::chrono_literals;

// Polls `cond` until it holds or `timeout` passes; returns its last value.
template <class F>
bool Eventually(F cond, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return cond();
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

template <class T>
T Ok(Result<T> r) {
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

inline std::string Rv(const json& obj) { return obj["metadata"]["resourceVersion"]; }

// A pod as a controller would create it.
inline json Pod(const std::string& name, const std::string& node = "",
                const std::string& owner_uid = "") {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  if (!owner_uid.empty()) {
    pod["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                           {"kind", "ReplicaSet"},
                                           {"name", "rs-" + owner_uid},
                                           {"uid", owner_uid},
                                           {"controller", true}}};
  }
  return pod;
}

// The store, Resources and a LocalClient, with namespaces "default" and "other".
struct Cluster {
  skiff::testing::TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<api::Resources> resources;
  std::unique_ptr<LocalClient> client;

  Cluster() {
    store::SqliteStoreOptions o;
    o.path = dir / "state.db";
    o.compact_interval = 0ms;
    store = Ok(store::OpenSqliteStore(o));
    resources = std::make_unique<api::Resources>(*store, apis::Registry::Builtin());
    client = std::make_unique<LocalClient>(*resources);
    for (const char* ns : {"default", "other"}) {
      Ok(client->Create({"", "v1", "namespaces"}, "", {{"metadata", {{"name", ns}}}}));
    }
  }

  // Through the interface (its default arguments).
  Client& api() { return *client; }

  json CreatePod(const std::string& ns, const json& pod) {
    return Ok(client->Create(Pods(), ns, pod));
  }
  json Label(const std::string& ns, const std::string& name, const std::string& value) {
    return Ok(api().MergePatch(Pods(), ns, name, {{"metadata", {{"labels", {{"v", value}}}}}}));
  }
  void DeletePod(const std::string& ns, const std::string& name) {
    Client::DeleteOptions o;
    o.grace_period_seconds = 0;
    Status s = client->Delete(Pods(), ns, name, o);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  // Forgets all history: watching from any earlier revision is kGone from now on.
  void CompactAll() { REQUIRE(store->Compact(store->CurrentRevision()).ok()); }
};

// Forwards to another Client; a test can make lists fail, hold watch starts, and cut the
// current watch off (silently, then with a `closed` status of its choice).
class ProxyClient : public Client {
 public:
  explicit ProxyClient(Client& inner) : inner_(inner) {}

  std::atomic<int> fail_lists{0};  // lists answer kUnavailable while this is > 0 (counts down)
  std::atomic<int> list_calls{0};
  std::atomic<int> watch_calls{0};      // Watch() called
  std::atomic<int> watches_started{0};  // Watch() returned a working watch

  // While held, Watch() blocks (after counting the call) until Release().
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  // Stops delivery of the newest watch without telling its consumer.
  void CutWatch() {
    auto slot = Newest();
    std::lock_guard lock(slot->mu);
    slot->inner.reset();
  }
  // Ends the newest watch: its `closed` runs with `status`.
  void CloseWatch(Status status) {
    auto slot = Newest();
    std::lock_guard lock(slot->mu);
    slot->inner.reset();
    if (!slot->live) return;
    slot->live = false;
    slot->closed(std::move(status));
  }

  Result<json> Get(const Resource& r, const std::string& ns, const std::string& name) override {
    return inner_.Get(r, ns, name);
  }
  Result<json> List(const Resource& r, const std::string& ns, const Selectors& s) override {
    ++list_calls;
    if (fail_lists.load() > 0) {
      --fail_lists;
      return UnavailableError("the API is down");
    }
    return inner_.List(r, ns, s);
  }
  Result<json> Create(const Resource& r, const std::string& ns, const json& obj) override {
    return inner_.Create(r, ns, obj);
  }
  Result<json> Update(const Resource& r, const std::string& ns, const json& obj,
                      const std::string& sub) override {
    return inner_.Update(r, ns, obj, sub);
  }
  Result<json> MergePatch(const Resource& r, const std::string& ns, const std::string& name,
                          const json& patch, const std::string& sub) override {
    return inner_.MergePatch(r, ns, name, patch, sub);
  }
  Result<json> CreateSubresource(const Resource& r, const std::string& ns, const std::string& name,
                                 const std::string& sub, const json& obj) override {
    return inner_.CreateSubresource(r, ns, name, sub, obj);
  }
  Status Delete(const Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& o) override {
    return inner_.Delete(r, ns, name, o);
  }
  Result<std::unique_ptr<Subscription>> Subscribe(const Resource& r, const std::string& ns,
                                                  std::function<void()> changed) override {
    return inner_.Subscribe(r, ns, std::move(changed));
  }
  Result<std::unique_ptr<Subscription>> Watch(const Resource& r, const std::string& ns,
                                              const std::string& rv,
                                              std::function<void(std::vector<WatchEvent>&)> events,
                                              std::function<void(Status)> closed) override {
    {
      std::unique_lock lock(mu_);
      ++watch_calls;
      cv_.wait(lock, [&] { return !held_; });
    }
    auto slot = std::make_shared<Slot>();
    slot->closed = closed;
    std::lock_guard slot_lock(slot->mu);
    auto inner = inner_.Watch(r, ns, rv, std::move(events), [slot](Status s) {
      // The inner watch ended on its own: pass it on unless the test already closed it.
      std::thread([slot, s] {
        std::lock_guard lock(slot->mu);
        if (!slot->live) return;
        slot->live = false;
        slot->closed(s);
      }).detach();
    });
    if (!inner.ok()) return inner.status();
    slot->inner = std::move(inner).value();
    {
      std::lock_guard lock(mu_);
      newest_ = slot;
    }
    ++watches_started;
    return std::unique_ptr<Subscription>(std::make_unique<ProxySubscription>(slot));
  }

 private:
  struct Slot {
    std::mutex mu;  // guards the below
    std::unique_ptr<Subscription> inner;
    std::function<void(Status)> closed;
    bool live = true;
  };
  class ProxySubscription : public Subscription {
   public:
    explicit ProxySubscription(std::shared_ptr<Slot> slot) : slot_(std::move(slot)) {}
    ~ProxySubscription() override {
      std::lock_guard lock(slot_->mu);
      slot_->live = false;
      slot_->inner.reset();
    }

   private:
    std::shared_ptr<Slot> slot_;
  };

  std::shared_ptr<Slot> Newest() {
    std::lock_guard lock(mu_);
    REQUIRE(newest_);
    return newest_;
  }

  Client& inner_;
  std::mutex mu_;  // guards held_ and newest_
  std::condition_variable cv_;
  bool held_ = false;
  std::shared_ptr<Slot> newest_;
};

// Records every notification as "add default/a 7", "update default/a 7->9", "delete default/a 12"
// (key and resourceVersions).
class Recorder {
 public:
  EventHandler Handler() {
    EventHandler h;
    h.on_add = [this](const ObjectPtr& o) { Record("add " + KeyOf(*o) + " " + Rv(*o)); };
    h.on_update = [this](const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
      Record("update " + KeyOf(*new_obj) + " " + Rv(*old_obj) + "->" + Rv(*new_obj));
    };
    h.on_delete = [this](const ObjectPtr& o) { Record("delete " + KeyOf(*o) + " " + Rv(*o)); };
    return h;
  }
  std::vector<std::string> Log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  size_t Count() const {
    std::lock_guard lock(mu_);
    return log_.size();
  }
  bool Has(const std::string& line) const {
    std::lock_guard lock(mu_);
    return std::find(log_.begin(), log_.end(), line) != log_.end();
  }
  // Waits until `line` was recorded.
  bool WaitFor(const std::string& line) const {
    return Eventually([&] { return Has(line); });
  }

 private:
  void Record(std::string line) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(line));
  }
  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

}  // namespace skiff::client::testing
