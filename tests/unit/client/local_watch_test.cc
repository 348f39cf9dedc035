// Client::Watch on the in-process client: a real store, the objects the API serves.
#include <catch2/catch.hpp>

#include "client_fixture.h"

namespace skiff::client::testing {
namespace {

// Collects what a watch delivers.
struct Collected {
  std::mutex mu;
  std::vector<WatchEvent> events;
  std::vector<Status> closes;
  int batches_in_flight = 0;
  bool overlapped = false;

  std::function<void(std::vector<WatchEvent>&)> OnEvents() {
    return [this](std::vector<WatchEvent>& batch) {
      {
        std::lock_guard lock(mu);
        if (++batches_in_flight > 1) overlapped = true;
      }
      std::lock_guard lock(mu);
      for (WatchEvent& e : batch) events.push_back(std::move(e));
      --batches_in_flight;
    };
  }
  std::function<void(Status)> OnClosed() {
    return [this](Status s) {
      std::lock_guard lock(mu);
      closes.push_back(std::move(s));
    };
  }
  size_t Size() {
    std::lock_guard lock(mu);
    return events.size();
  }
  size_t Closes() {
    std::lock_guard lock(mu);
    return closes.size();
  }
};

TEST_CASE("LocalClient watch delivers ADDED, MODIFIED and DELETED in order, as served") {
  Cluster c;
  const json list = Ok(c.client->List(Pods(), "default", {}));
  Collected got;
  auto sub = Ok(c.client->Watch(Pods(), "default", Rv(list), got.OnEvents(), got.OnClosed()));

  const json created = c.CreatePod("default", Pod("a"));
  c.CreatePod("other", Pod("elsewhere"));  // another namespace: not this watch's
  const json labelled = c.Label("default", "a", "one");
  c.DeletePod("default", "a");
  const std::string deleted_rv = std::to_string(c.store->CurrentRevision());

  REQUIRE(Eventually([&] { return got.Size() >= 3; }));
  std::lock_guard lock(got.mu);
  REQUIRE(got.events.size() == 3);
  CHECK_FALSE(got.overlapped);
  CHECK(got.closes.empty());

  const WatchEvent& added = got.events[0];
  CHECK(added.type == WatchEvent::Type::kAdded);
  CHECK(added.object == created);  // exactly what Create answered (managedFields included)
  CHECK(added.object["apiVersion"] == "v1");
  CHECK(added.object["kind"] == "Pod");

  const WatchEvent& modified = got.events[1];
  CHECK(modified.type == WatchEvent::Type::kModified);
  CHECK(modified.object == labelled);
  CHECK(modified.object["metadata"]["labels"]["v"] == "one");

  const WatchEvent& deleted = got.events[2];
  CHECK(deleted.type == WatchEvent::Type::kDeleted);
  CHECK(deleted.object["metadata"]["name"] == "a");
  CHECK(deleted.object["metadata"]["labels"]["v"] == "one");  // the last state
  CHECK(Rv(deleted.object) == deleted_rv);                    // at the delete's revision
  CHECK(std::stoll(deleted_rv) > std::stoll(Rv(labelled)));
}

TEST_CASE("LocalClient watch of every namespace replays changes after the given revision") {
  Cluster c;
  c.CreatePod("default", Pod("before"));
  const std::string start = Rv(Ok(c.client->List(Pods(), "", {})));
  const json a = c.CreatePod("default", Pod("a"));
  const json b = c.CreatePod("other", Pod("b"));

  // Opened after the creates: they are replayed from `start`, "before" is not.
  Collected got;
  auto sub = Ok(c.client->Watch(Pods(), "", start, got.OnEvents(), got.OnClosed()));
  REQUIRE(Eventually([&] { return got.Size() >= 2; }));
  std::lock_guard lock(got.mu);
  REQUIRE(got.events.size() == 2);
  CHECK(got.events[0].object == a);
  CHECK(got.events[1].object == b);
  CHECK(got.events[1].object["metadata"]["namespace"] == "other");
}

TEST_CASE("LocalClient watch from a compacted revision is kGone") {
  Cluster c;
  const std::string start = Rv(Ok(c.client->List(Pods(), "default", {})));
  c.CreatePod("default", Pod("a"));
  c.Label("default", "a", "x");
  c.CompactAll();
  const int64_t compacted = c.store->CompactRevision();
  REQUIRE(compacted > std::stoll(start));

  Collected got;
  auto sub = c.client->Watch(Pods(), "default", start, got.OnEvents(), got.OnClosed());
  REQUIRE_FALSE(sub.ok());
  CHECK(sub.status().code() == Code::kGone);
  CHECK(sub.status().message() ==
        "too old resource version: " + start + " (" + std::to_string(compacted) + ")");

  // From the compaction point on, watching works again.
  auto ok =
      c.client->Watch(Pods(), "default", std::to_string(compacted), got.OnEvents(), got.OnClosed());
  CHECK(ok.ok());
}

TEST_CASE("LocalClient watch rejects a malformed resourceVersion and an unknown resource") {
  Cluster c;
  Collected got;
  auto bad = c.client->Watch(Pods(), "default", "12abc", got.OnEvents(), got.OnClosed());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message() == "invalid resourceVersion \"12abc\"");

  auto unknown = c.client->Watch({"", "v1", "widgets"}, "", "", got.OnEvents(), got.OnClosed());
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == Code::kNotFound);
}

TEST_CASE("destroying a watch stops delivery and does not run closed") {
  Cluster c;
  Collected first, second;
  auto sub1 = Ok(c.client->Watch(Pods(), "", "", first.OnEvents(), first.OnClosed()));
  auto sub2 = Ok(c.client->Watch(Pods(), "", "", second.OnEvents(), second.OnClosed()));
  c.CreatePod("default", Pod("a"));
  REQUIRE(Eventually([&] { return first.Size() == 1; }));

  sub1.reset();
  c.CreatePod("default", Pod("b"));
  // The second watch sees both creates; by then the first would have seen "b" too.
  REQUIRE(Eventually([&] { return second.Size() == 2; }));
  CHECK(first.Size() == 1);
  CHECK(first.Closes() == 0);
}

TEST_CASE("a watch ended by the store runs closed once with kUnavailable") {
  Cluster c;
  Collected got;
  auto sub = Ok(c.client->Watch(Pods(), "", "", got.OnEvents(), got.OnClosed()));
  c.CreatePod("default", Pod("a"));
  REQUIRE(Eventually([&] { return got.Size() == 1; }));

  c.client.reset();
  c.resources.reset();
  c.store.reset();  // shuts the store down: every watcher is closed
  REQUIRE(Eventually([&] { return got.Closes() == 1; }));
  std::lock_guard lock(got.mu);
  CHECK(got.closes[0].code() == Code::kUnavailable);
  CHECK(got.closes[0].message() == "watch closed: the store shut down");
  CHECK(got.events.size() == 1);
}

TEST_CASE("a watch may be destroyed from inside its own callback") {
  Cluster c;
  std::unique_ptr<Subscription> sub;
  std::mutex mu;
  std::atomic<int> batches{0};
  std::atomic<bool> destroyed{false};
  auto events = [&](std::vector<WatchEvent>&) {
    ++batches;
    std::lock_guard lock(mu);
    sub.reset();  // must neither deadlock nor crash
    destroyed = true;
  };
  {
    std::lock_guard lock(mu);
    sub = Ok(c.client->Watch(Pods(), "", "", events, [](Status) {}));
  }
  c.CreatePod("default", Pod("a"));
  REQUIRE(Eventually([&] { return destroyed.load(); }));
  c.CreatePod("default", Pod("b"));
  Collected barrier;
  auto other = Ok(c.client->Watch(Pods(), "", "", barrier.OnEvents(), barrier.OnClosed()));
  c.CreatePod("default", Pod("c"));
  REQUIRE(Eventually([&] { return barrier.Size() == 1; }));
  CHECK(batches == 1);
}

}  // namespace
}  // namespace skiff::client::testing
