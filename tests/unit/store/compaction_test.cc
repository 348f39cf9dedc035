#include <catch2/catch.hpp>
#include <thread>

#include "store_fixture.h"

using skiff::Code;
using skiff::store::ListOptions;
using skiff::store::WatchOptions;
using skiff::testing::CollectEvents;
using skiff::testing::StoreFixture;
using namespace std::chrono_literals;

TEST_CASE("compaction forgets superseded versions and answers Gone below it", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/a", "1").ok());     // 1
  REQUIRE(s->Update("/a", "2", 0).ok());  // 2
  REQUIRE(s->Create("/b", "1").ok());     // 3
  REQUIRE(s->Delete("/b").ok());          // 4
  REQUIRE(s->Update("/a", "3", 0).ok());  // 5
  REQUIRE(s->Create("/c", "1").ok());     // 6
  CHECK(s->Stats()->rows == 6);

  auto removed = s->Compact(4);
  REQUIRE(removed.ok());
  // Gone: a@1 (superseded at 2), a@2 is visible at 4 (kept), b@3 (superseded at 4), b's
  // tombstone@4.
  CHECK(*removed == 3);
  CHECK(s->CompactRevision() == 4);
  auto stats = s->Stats();
  CHECK(stats->rows == 3);
  CHECK(stats->live_keys == 2);

  CHECK(s->Get("/a", 3).status().code() == Code::kGone);
  CHECK(s->Get("/a", 4)->value == "2");
  CHECK(s->Get("/b", 4).status().code() == Code::kNotFound);
  CHECK(s->Get("/a")->value == "3");
  auto gone_list = s->List(ListOptions{.prefix = "/", .revision = 2});
  CHECK(gone_list.status().code() == Code::kGone);
  CHECK_THAT(gone_list.status().message(), Catch::Contains("compacted"));
  CHECK(s->List(ListOptions{.prefix = "/", .revision = 4})->items.size() == 1);

  auto gone_watch = s->Watch(WatchOptions{.prefix = "/", .after = 3});
  CHECK(gone_watch.status().code() == Code::kGone);
  auto ok_watch = s->Watch(WatchOptions{.prefix = "/", .after = 4});
  REQUIRE(ok_watch.ok());
  auto events = CollectEvents(**ok_watch, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0]->revision() == 5);
  CHECK(events[1]->revision() == 6);

  CHECK(s->Compact(99).status().code() == Code::kInvalidArgument);
  CHECK(*s->Compact(2) == 0);  // already below the floor: nothing to do
  CHECK(s->CompactRevision() == 4);
}

TEST_CASE("compaction in many small batches keeps every read correct", "[store]") {
  StoreFixture s;
  s.options.compact_batch_rows = 7;
  s.Reopen();
  for (int i = 0; i < 40; ++i) REQUIRE(s->Create("/k/" + std::to_string(i), "0").ok());
  for (int round = 1; round <= 5; ++round) {
    for (int i = 0; i < 40; ++i) {
      REQUIRE(s->Update("/k/" + std::to_string(i), std::to_string(round), 0).ok());
    }
  }
  for (int i = 0; i < 40; i += 2) REQUIRE(s->Delete("/k/" + std::to_string(i)).ok());
  const auto rev = s->CurrentRevision();
  auto removed = s->Compact(rev);
  REQUIRE(removed.ok());
  CHECK(*removed == 40 * 5 + 20 + 20);  // old versions, deleted keys' last versions, tombstones
  CHECK(s->Stats()->rows == 20);
  auto list = s->List(ListOptions{.prefix = "/k/"});
  REQUIRE(list->items.size() == 20);
  for (auto& kv : list->items) CHECK(kv.value == "5");
}

TEST_CASE("scheduled compaction keeps history one interval long", "[store]") {
  StoreFixture s;
  s.options.compact_interval = 200ms;
  s.Reopen();
  REQUIRE(s->Create("/k", "0").ok());
  for (int i = 1; i <= 50; ++i) REQUIRE(s->Update("/k", std::to_string(i), 0).ok());
  const auto rev = s->CurrentRevision();
  // Two ticks later, everything superseded before the first tick is gone.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (s->CompactRevision() < rev && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  CHECK(s->CompactRevision() == rev);
  CHECK(s->Stats()->rows == 1);
  CHECK(s->Get("/k")->value == "50");
}
