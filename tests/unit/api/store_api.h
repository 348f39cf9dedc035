// Test support: a real SqliteStore in a temporary directory with api::Resources over it and
// the namespace "default", for tests of Resources and what is built on it.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/resources.h"
#include "skiff/store/sqlite_store.h"
#include "support/temp_dir.h"

namespace skiff::testing {

// The value of a successful ApiResult; fails the test with the API's message otherwise.
template <class T>
T Ok(api::ApiResult<T> r) {
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return std::move(r).value();
}

struct StoreApi {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<api::Resources> res;
  const apis::Registry& reg = apis::Registry::Builtin();

  explicit StoreApi(std::chrono::milliseconds lease_check = std::chrono::seconds(1)) {
    store::SqliteStoreOptions o;
    o.path = dir / "state.db";
    o.compact_interval = std::chrono::milliseconds(0);
    o.lease_check_interval = lease_check;
    auto s = store::OpenSqliteStore(o);
    REQUIRE(s.ok());
    store = std::move(s).value();
    res = std::make_unique<api::Resources>(*store, reg);
    Ok(res->Create(*reg.Find("", "v1", "namespaces"), "", {{"metadata", {{"name", "default"}}}},
                   {}, nullptr));
  }

  // The stored bytes of an object, as JSON.
  nlohmann::json Raw(const std::string& key) {
    auto kv = store->Get(key);
    REQUIRE(kv.ok());
    return nlohmann::json::parse(kv->value);
  }
};

}  // namespace skiff::testing
