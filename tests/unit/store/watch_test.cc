#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "store_fixture.h"

using skiff::Code;
using skiff::store::Event;
using skiff::store::EventPtr;
using skiff::store::WatchCloseReason;
using skiff::store::WatchOptions;
using skiff::testing::CollectEvents;
using skiff::testing::StoreFixture;

TEST_CASE("a watch replays history after its start revision, then live changes", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/w/a", "1").ok());     // 1
  REQUIRE(s->Create("/w/b", "1").ok());     // 2
  REQUIRE(s->Update("/w/a", "2", 1).ok());  // 3
  REQUIRE(s->Create("/x/c", "1").ok());     // 4 (other prefix)

  auto w = s->Watch(WatchOptions{.prefix = "/w/", .after = 1});
  REQUIRE(w.ok());
  REQUIRE(s->Delete("/w/b").ok());         // 5
  REQUIRE(s->Create("/w/b", "new").ok());  // 6

  auto events = CollectEvents(**w, 4);
  REQUIRE(events.size() == 4);
  CHECK(events[0]->revision() == 2);
  CHECK(events[0]->created());
  CHECK(events[1]->revision() == 3);
  CHECK(events[1]->type == Event::Type::kPut);
  CHECK_FALSE(events[1]->created());
  CHECK(events[1]->prev_revision == 1);
  CHECK(events[1]->kv.value == "2");
  CHECK(events[2]->revision() == 5);
  CHECK(events[2]->type == Event::Type::kDelete);
  CHECK(events[2]->kv.value == "1");  // the deleted object's last state
  CHECK(events[2]->kv.create_revision == 2);
  CHECK(events[3]->revision() == 6);
  CHECK(events[3]->created());
  CHECK(events[3]->kv.create_revision == 6);

  std::vector<EventPtr> more;
  CHECK((*w)->Poll(&more));
  CHECK(more.empty());
}

TEST_CASE("a watch without a start revision sees only what comes next", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/a", "1").ok());
  auto w = s->Watch(WatchOptions{.prefix = "/"});
  REQUIRE(w.ok());
  REQUIRE(s->Update("/a", "2", 0).ok());
  auto events = CollectEvents(**w, 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0]->revision() == 2);
  CHECK(CollectEvents(**w, 1, std::chrono::milliseconds(100)).empty());
}

TEST_CASE("a watch from a future revision waits for it", "[store]") {
  StoreFixture s;
  auto w = s->Watch(WatchOptions{.prefix = "/", .after = 2});
  REQUIRE(w.ok());
  for (int i = 0; i < 4; ++i) REQUIRE(s->Create("/k" + std::to_string(i), "v").ok());
  auto events = CollectEvents(**w, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0]->revision() == 3);
  CHECK(events[1]->revision() == 4);
}

TEST_CASE("watches see every change of concurrent writers in order, once", "[store]") {
  StoreFixture s;
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 150;
  // Some watchers start before, some during the writes (from revision 0: all of history).
  auto early = s->Watch(WatchOptions{.prefix = "/c/", .after = 0});
  REQUIRE(early.ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        std::string key = "/c/" + std::to_string(t) + "/" + std::to_string(i % 10);
        auto r = i < 10 ? s->Create(key, std::to_string(i)) : s->Update(key, std::to_string(i), 0);
        if (!r.ok()) ++failures;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto late = s->Watch(WatchOptions{.prefix = "/c/", .after = 0});
  REQUIRE(late.ok());
  for (auto& th : threads) th.join();
  REQUIRE(failures == 0);

  const size_t total = kWriters * kPerWriter;
  for (auto* w : {&*early, &*late}) {
    auto events = CollectEvents(**w, total);
    REQUIRE(events.size() == total);
    for (size_t i = 0; i < events.size(); ++i) {
      REQUIRE(events[i]->revision() == static_cast<int64_t>(i + 1));  // no gap, no duplicate
    }
    // Each key's values arrive in the order its writer wrote them.
    std::map<std::string, int> last;
    for (auto& e : events) {
      int v = std::stoi(e->kv.value);
      auto it = last.find(e->kv.key);
      if (it != last.end()) CHECK(v > it->second);
      last[e->kv.key] = v;
    }
  }
}

TEST_CASE("a watcher that does not keep up is closed, and writers never wait for it", "[store]") {
  StoreFixture s;
  auto slow = s->Watch(WatchOptions{.prefix = "/", .max_pending = 20});
  auto fast = s->Watch(WatchOptions{.prefix = "/"});
  REQUIRE(slow.ok());
  REQUIRE(fast.ok());
  for (int i = 0; i < 50; ++i) REQUIRE(s->Create("/k" + std::to_string(i), "v").ok());
  CHECK((*slow)->close_reason() == WatchCloseReason::kFellBehind);
  std::vector<EventPtr> got;
  CHECK_FALSE((*slow)->Poll(&got));
  CHECK(got.empty());
  CHECK(CollectEvents(**fast, 50).size() == 50);
  CHECK((*fast)->close_reason() == WatchCloseReason::kOpen);
}

TEST_CASE("a watch replay larger than the buffer closes the watcher", "[store]") {
  StoreFixture s;
  for (int i = 0; i < 30; ++i) REQUIRE(s->Create("/k" + std::to_string(i), "v").ok());
  auto w = s->Watch(WatchOptions{.prefix = "/", .after = 0, .max_pending = 10});
  REQUIRE(w.ok());
  CHECK((*w)->close_reason() == WatchCloseReason::kFellBehind);
}

TEST_CASE("on_ready wakes the consumer and Close stops delivery", "[store]") {
  StoreFixture s;
  std::atomic<int> wakes{0};
  auto w = s->Watch(WatchOptions{.prefix = "/", .on_ready = [&] { ++wakes; }});
  REQUIRE(w.ok());
  REQUIRE(s->Create("/a", "1").ok());
  CHECK(wakes.load() >= 1);
  (*w)->Close();
  CHECK((*w)->close_reason() == WatchCloseReason::kCancelled);
  REQUIRE(s->Create("/b", "1").ok());
  std::vector<EventPtr> got;
  CHECK_FALSE((*w)->Poll(&got));
  CHECK(got.empty());
}

TEST_CASE("closing the store closes its watchers", "[store]") {
  StoreFixture s;
  auto w = s->Watch(WatchOptions{.prefix = "/"});
  REQUIRE(w.ok());
  auto keep = *w;
  s.Close();
  CHECK(keep->close_reason() == WatchCloseReason::kStoreClosed);
}
