// Events expire --event-ttl after their last write, through shared store leases
// (api/lease_manager.h); other objects never do.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "api/lease_manager.h"
#include "store_api.h"

using nlohmann::json;
using skiff::testing::Ok;
using namespace std::chrono_literals;

namespace {

json Event(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"involvedObject", {{"kind", "Pod"}, {"name", "web"}, {"namespace", "default"}}},
          {"reason", "Started"},
          {"message", "Started container web"},
          {"type", "Normal"},
          {"count", 1}};
}

// Waits up to `timeout` for `done`.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace

TEST_CASE("Events are deleted their TTL after the last write and other objects stay", "[api][events]") {
  skiff::testing::StoreApi api(100ms);
  api.res->SetEventTtl(2s);
  const auto& events = *api.reg.Find("", "v1", "events");
  const auto& events_v1 = *api.reg.Find("events.k8s.io", "v1", "events");
  const auto& configmaps = *api.reg.Find("", "v1", "configmaps");
  const auto start = std::chrono::steady_clock::now();
  Ok(api.res->Create(events, "default", Event("a"), {}, nullptr));
  Ok(api.res->Create(events, "default", Event("b"), {}, nullptr));
  Ok(api.res->Create(configmaps, "default", {{"metadata", {{"name", "keep"}}}}, {}, nullptr));

  // An update one second in gives "b" another full TTL from then.
  std::this_thread::sleep_for(1s);
  CHECK(api.res->Get(events_v1, "default", "b").ok());  // served through events.k8s.io too
  json b = Ok(api.res->Get(events, "default", "b"));
  b["count"] = 2;  // a repeat, as recorders count them
  Ok(api.res->Update(events, "default", "b", b, "", {}, nullptr));

  auto gone = [&](const char* name) { return !api.res->Get(events, "default", name).ok(); };
  REQUIRE(Eventually([&] { return gone("a"); }, 10s));
  CHECK(std::chrono::steady_clock::now() - start >= 2s);  // not before its TTL
  CHECK_FALSE(gone("b"));
  REQUIRE(Eventually([&] { return gone("b"); }, 10s));
  CHECK(std::chrono::steady_clock::now() - start >= 3s);
  CHECK(api.res->Get(configmaps, "default", "keep").ok());
}

TEST_CASE("Without an event TTL Events are kept", "[api][events]") {
  skiff::testing::StoreApi api(100ms);
  const auto& events = *api.reg.Find("", "v1", "events");
  Ok(api.res->Create(events, "default", Event("a"), {}, nullptr));
  std::this_thread::sleep_for(500ms);
  CHECK(api.res->Get(events, "default", "a").ok());
  CHECK(api.store->Get("/registry/core/events/default/a").value().lease == 0);
}

TEST_CASE("LeaseManager shares a lease within its reuse window and caps it", "[api][events]") {
  skiff::testing::StoreApi api;
  skiff::api::LeaseManager hour(*api.store, 1h);
  CHECK(hour.reuse_window() == 60s);  // 5% of an hour would be 3 min: capped at a minute
  const auto first = hour.Acquire().value();
  for (int i = 1; i < 1000; ++i) CHECK(hour.Acquire().value() == first);
  CHECK(hour.Acquire().value() != first);  // the 1001st object gets a new lease

  skiff::api::LeaseManager short_ttl(*api.store, 10s);
  CHECK(short_ttl.reuse_window() == 0s);  // too short to share: a lease each
  CHECK(short_ttl.Acquire().value() != short_ttl.Acquire().value());
}
