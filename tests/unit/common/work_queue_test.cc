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
