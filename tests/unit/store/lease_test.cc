#include <catch2/catch.hpp>
#include <thread>

#include "store_fixture.h"

using skiff::Code;
using skiff::store::Event;
using skiff::store::WatchOptions;
using skiff::testing::CollectEvents;
using skiff::testing::StoreFixture;
using namespace std::chrono_literals;

TEST_CASE("keys attached to a lease are deleted when it expires", "[store][lease]") {
  StoreFixture s;
  auto lease = s->GrantLease(1s);
  REQUIRE(lease.ok());
  REQUIRE(s->Create("/events/a", "e1", *lease).ok());
  REQUIRE(s->Create("/events/b", "e2", *lease).ok());
  REQUIRE(s->Create("/pods/p", "keep").ok());
  auto w = s->Watch(WatchOptions{.prefix = "/events/"});
  REQUIRE(w.ok());
  CHECK(s->Get("/events/a")->lease == *lease);

  auto events = CollectEvents(**w, 2, 4s);
  REQUIRE(events.size() == 2);
  for (auto& e : events) CHECK(e->type == Event::Type::kDelete);
  CHECK(s->Get("/events/a").status().code() == Code::kNotFound);
  CHECK(s->Get("/pods/p")->value == "keep");
  CHECK(s->KeepAliveLease(*lease).code() == Code::kNotFound);
}

TEST_CASE("keep-alive restarts a lease's TTL", "[store][lease]") {
  StoreFixture s;
  auto lease = s->GrantLease(1s);
  REQUIRE(lease.ok());
  REQUIRE(s->Create("/k", "v", *lease).ok());
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(300ms);
    REQUIRE(s->KeepAliveLease(*lease).ok());
  }
  CHECK(s->Get("/k").ok());  // 1.8 s after grant, still alive
  std::this_thread::sleep_for(1500ms);
  CHECK(s->Get("/k").status().code() == Code::kNotFound);
}

TEST_CASE("revoking a lease deletes its keys now", "[store][lease]") {
  StoreFixture s;
  auto lease = s->GrantLease(3600s);
  REQUIRE(lease.ok());
  REQUIRE(s->Create("/k", "v", *lease).ok());
  REQUIRE(s->Create("/k2", "v").ok());
  REQUIRE(s->Update("/k2", "v2", 0, *lease).ok());  // attach on update
  REQUIRE(s->RevokeLease(*lease).ok());
  CHECK(s->Get("/k").status().code() == Code::kNotFound);
  CHECK(s->Get("/k2").status().code() == Code::kNotFound);
  CHECK(s->RevokeLease(*lease).code() == Code::kNotFound);
}

TEST_CASE("writes naming an unknown lease are refused", "[store][lease]") {
  StoreFixture s;
  CHECK(s->Create("/k", "v", 12345).status().code() == Code::kNotFound);
  CHECK(s->GrantLease(0s).status().code() == Code::kInvalidArgument);
  CHECK(s->CurrentRevision() == 0);
}

TEST_CASE("a lease that ran out while the store was closed expires after reopening",
          "[store][lease]") {
  StoreFixture s;
  auto lease = s->GrantLease(1s);
  REQUIRE(lease.ok());
  REQUIRE(s->Create("/k", "v", *lease).ok());
  s.Close();
  std::this_thread::sleep_for(1200ms);
  s.Reopen();
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (s->Get("/k").ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  CHECK(s->Get("/k").status().code() == Code::kNotFound);
}
