#include "skiff/common/periodic.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("periodic: runs every interval until stopped, and stops at once") {
  std::atomic<int> runs{0};
  skiff::Periodic loop;
  loop.Start(10ms, [&] { ++runs; });
  for (int i = 0; i < 500 && runs.load() < 3; ++i) std::this_thread::sleep_for(2ms);
  CHECK(runs.load() >= 3);
  const auto stopping = std::chrono::steady_clock::now();
  loop.Stop();
  const int after = runs.load();
  std::this_thread::sleep_for(30ms);
  CHECK(runs.load() == after);
  CHECK(std::chrono::steady_clock::now() - stopping < 1s);
  loop.Stop();  // idempotent
}

TEST_CASE("periodic: a long interval does not delay Stop, and nothing runs before it") {
  std::atomic<int> runs{0};
  const auto started = std::chrono::steady_clock::now();
  {
    skiff::Periodic loop;
    loop.Start(std::chrono::hours(1), [&] { ++runs; });
  }  // the destructor stops it
  CHECK(runs.load() == 0);
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}
