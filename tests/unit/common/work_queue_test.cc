#include "skiff/common/work_queue.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("work queue hands a key added many times out once") {
  skiff::WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("a");
  REQUIRE(q.Len() == 2);
  auto k1 = q.Get();
  auto k2 = q.Get();
  REQUIRE(k1 == std::optional<std::string>("a"));
  REQUIRE(k2 == std::optional<std::string>("b"));
  REQUIRE(q.Len() == 0);
}

TEST_CASE("work queue never hands one key to two workers at once") {
  skiff::WorkQueue q;
  q.Add("a");
  auto k = q.Get();
  REQUIRE(k == std::optional<std::string>("a"));
  q.Add("a");  // changed while being processed
  REQUIRE(q.Len() == 0);
  q.Done("a");
  REQUIRE(q.Len() == 1);
  REQUIRE(q.Get() == std::optional<std::string>("a"));
  q.Done("a");
  REQUIRE(q.Len() == 0);
}

TEST_CASE("work queue delays keys added with AddAfter") {
  skiff::WorkQueue q;
  const auto start = std::chrono::steady_clock::now();
  q.AddAfter("late", 150ms);
  q.Add("now");
  REQUIRE(q.Get() == std::optional<std::string>("now"));
  REQUIRE(q.Get() == std::optional<std::string>("late"));
  REQUIRE(std::chrono::steady_clock::now() - start >= 150ms);
}

TEST_CASE("work queue shutdown wakes waiting workers") {
  skiff::WorkQueue q;
  std::atomic<bool> got_nullopt{false};
  std::thread worker([&] { got_nullopt = !q.Get().has_value(); });
  std::this_thread::sleep_for(50ms);
  q.ShutDown();
  worker.join();
  REQUIRE(got_nullopt);
  q.Add("x");
  REQUIRE(q.Len() == 0);
}

TEST_CASE("work queue rate limiting doubles a key's delay per failure until Forget") {
  skiff::WorkQueueOptions o;
  o.base_delay = 40ms;
  o.max_delay = 10s;
  skiff::WorkQueue q(o);
  CHECK(q.NumRequeues("a") == 0);

  auto start = std::chrono::steady_clock::now();
  CHECK(q.AddRateLimited("a") == 40ms);
  CHECK(q.NumRequeues("a") == 1);
  CHECK(q.Len() == 0);  // waiting, not ready
  REQUIRE(q.Get() == std::optional<std::string>("a"));
  CHECK(std::chrono::steady_clock::now() - start >= 40ms);
  q.Done("a");

  start = std::chrono::steady_clock::now();
  CHECK(q.AddRateLimited("a") == 80ms);
  REQUIRE(q.Get() == std::optional<std::string>("a"));
  CHECK(std::chrono::steady_clock::now() - start >= 80ms);
  q.Done("a");
  CHECK(q.AddRateLimited("a") == 160ms);
  CHECK(q.NumRequeues("a") == 3);
  CHECK(q.NumRequeues("b") == 0);  // counts are per key
  CHECK(q.AddRateLimited("b") == 40ms);

  q.Forget("a");
  CHECK(q.NumRequeues("a") == 0);
  CHECK(q.NumRequeues("b") == 1);
  CHECK(q.AddRateLimited("a") == 40ms);
}

TEST_CASE("work queue rate limiting caps the delay") {
  skiff::WorkQueueOptions o;
  o.base_delay = 1ms;
  o.max_delay = 8ms;
  skiff::WorkQueue q(o);
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(q.AddRateLimited("k"));
  CHECK(delays == std::vector<std::chrono::milliseconds>{1ms, 2ms, 4ms, 8ms, 8ms, 8ms});
  for (int i = 0; i < 200; ++i) q.AddRateLimited("k");  // no overflow past 2^63
  CHECK(q.AddRateLimited("k") == 8ms);
  CHECK(q.NumRequeues("k") == 207);

  skiff::WorkQueue defaults;  // client-go's: 5 ms doubling, capped at 1000 s
  CHECK(defaults.AddRateLimited("x") == 5ms);
  CHECK(defaults.AddRateLimited("x") == 10ms);
  for (int i = 0; i < 30; ++i) defaults.AddRateLimited("x");
  CHECK(defaults.AddRateLimited("x") == 1000s);
}

TEST_CASE("work queue keeps one delayed entry per key, at the earliest time") {
  skiff::WorkQueue q;
  const auto start = std::chrono::steady_clock::now();
  q.AddAfter("a", 60s);
  q.AddAfter("a", 50ms);  // sooner: replaces the minute
  q.AddAfter("a", 30s);   // later than what is waiting: ignored
  REQUIRE(q.Get() == std::optional<std::string>("a"));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 50ms);
  CHECK(waited < 30s);
  q.Done("a");
  // Nothing else is waiting for "a": a new short delay is honoured on its own.
  q.AddAfter("a", 10ms);
  REQUIRE(q.Get() == std::optional<std::string>("a"));
}

TEST_CASE("work queue survives replacing the entry its timer is waiting on") {
  // The timer thread sleeps until the earliest entry is due. Replacing that entry with a sooner
  // one frees it while the timer sleeps; under ASan a timer that still read the freed entry's
  // deadline fails this test.
  skiff::WorkQueue q;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "k" + std::to_string(i);
    q.AddAfter(key, 10min);
    std::this_thread::sleep_for(100us);  // let the timer start waiting on it
    q.AddAfter(key, 1ms);
    REQUIRE(q.Get() == std::optional<std::string>(key));
    q.Done(key);
  }
}
