// Constant churn on a fixed set of keys must not grow the database: scheduled compaction,
// incremental vacuum and WAL truncation keep it near the size of the live data.
#include <catch2/catch.hpp>
#include <thread>

#include "store_fixture.h"

using skiff::testing::StoreFixture;
using namespace std::chrono_literals;

TEST_CASE("the database stays bounded under constant churn", "[store][churn]") {
  StoreFixture s;
  s.options.compact_interval = 100ms;
  s.Reopen();
  constexpr int kKeys = 200;
  constexpr int kRounds = 100;  // 20,000 updates of 2 KB: 40 MB written in all
  const std::string filler(2000, 'x');
  for (int k = 0; k < kKeys; ++k) REQUIRE(s->Create("/churn/" + std::to_string(k), filler).ok());

  int64_t peak = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int k = 0; k < kKeys; ++k) {
      REQUIRE(s->Update("/churn/" + std::to_string(k), filler + std::to_string(round), 0).ok());
    }
    auto st = s->Stats();
    REQUIRE(st.ok());
    peak = std::max(peak, st->file_bytes + st->wal_bytes);
  }
  auto live = s->Stats()->live_bytes;
  INFO("live bytes " << live << ", peak file+wal " << peak);
  // Without compaction the file alone would pass 40 MB.
  CHECK(peak < 24 * 1024 * 1024);

  // Two compaction ticks after the churn stops, history is gone and the file has shrunk.
  const auto rev = s->CurrentRevision();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (s->CompactRevision() < rev && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(s->CompactRevision() == rev);
  auto st = s->Stats();
  INFO("file " << st->file_bytes << " wal " << st->wal_bytes << " live " << st->live_bytes);
  CHECK(st->rows == kKeys);
  CHECK(st->file_bytes < 2 * st->live_bytes + 64 * 1024);
  CHECK(st->wal_bytes < 4 * 1024 * 1024);
}
