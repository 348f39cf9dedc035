// Opens a SqliteStore on a fresh temporary database for a test.
#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "skiff/store/sqlite_store.h"
#include "support/temp_dir.h"

namespace skiff::testing {

struct StoreFixture {
  TempDir dir;
  store::SqliteStoreOptions options;
  std::unique_ptr<store::Store> store;

  StoreFixture() {
    options.path = dir / "state.db";
    options.compact_interval = std::chrono::milliseconds(0);  // tests compact explicitly
    options.lease_check_interval = std::chrono::milliseconds(50);
    Reopen();
  }
  void Close() { store.reset(); }
  void Reopen() {
    store.reset();
    auto s = store::OpenSqliteStore(options);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    store = std::move(s).value();
  }
  store::Store& operator*() { return *store; }
  store::Store* operator->() { return store.get(); }
};

// Waits for events until `n` have arrived or `timeout` passes.
inline std::vector<store::EventPtr> CollectEvents(
    store::Watcher& w, size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::vector<store::EventPtr> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    if (!w.Wait(&out, std::chrono::milliseconds(50))) break;
  }
  return out;
}

}  // namespace skiff::testing
