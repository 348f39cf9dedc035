#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "store_fixture.h"

using skiff::Code;
using skiff::testing::StoreFixture;

TEST_CASE("concurrent writers share commits and get unique, dense revisions", "[store]") {
  StoreFixture s;
  constexpr int kThreads = 16;
  constexpr int kEach = 100;
  std::vector<std::vector<int64_t>> revs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = s->Create("/t/" + std::to_string(t) + "/" + std::to_string(i), "v");
        if (r.ok()) revs[t].push_back(r->mod_revision);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (auto& v : revs) {
    CHECK(v.size() == kEach);
    CHECK(std::is_sorted(v.begin(), v.end()));  // each thread sees its writes in order
    all.insert(v.begin(), v.end());
  }
  CHECK(all.size() == kThreads * kEach);
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == kThreads * kEach);
  CHECK(s->Count("/t/").value() == kThreads * kEach);
}

TEST_CASE("compare-and-swap lets exactly one of many racing updaters win", "[store]") {
  StoreFixture s;
  auto base = s->Create("/counter", "0");
  REQUIRE(base.ok());
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      auto r = s->Update("/counter", std::to_string(t), base->mod_revision);
      if (r.ok())
        ++wins;
      else if (r.status().code() == Code::kConflict)
        ++conflicts;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wins == 1);
  CHECK(conflicts == 11);
  CHECK(s->CurrentRevision() == 2);
}

TEST_CASE("a read-modify-write loop over CAS loses no increment", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/n", "0").ok());
  std::vector<std::thread> threads;
  std::atomic<int> read_errors{0};  // Catch2 assertions are not thread-safe: count, check after
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        for (;;) {
          auto cur = s->Get("/n");
          if (!cur.ok()) {
            ++read_errors;
            return;
          }
          auto r = s->Update("/n", std::to_string(std::stoi(cur->value) + 1), cur->mod_revision);
          if (r.ok()) break;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(read_errors == 0);
  CHECK(s->Get("/n")->value == "100");
}
