// A data directory for the backup and restore tests: a store with a few objects, the cluster
// PKI files with their modes, the admin token, and the debris a live server leaves in
// server/tls (the PKI's lock, an atomic write's temporary file) that a backup skips.
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "server/data_dir.h"
#include "skiff/common/file_util.h"
#include "skiff/store/sqlite_store.h"
#include "support/temp_dir.h"

namespace skiff::testing {

inline mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

struct BackupFixture {
  TempDir tmp;
  server::DataDir dir{tmp / "data"};
  std::unique_ptr<store::Store> store;
  // Relative path -> {mode, content} of what a backup must hold besides the store.
  std::map<std::string, std::pair<mode_t, std::string>> files = {
      {"server/tls/ca.crt", {0644, "-----BEGIN CERTIFICATE-----\nca\n"}},
      {"server/tls/ca.key", {0600, "-----BEGIN PRIVATE KEY-----\nca key\n"}},
      {"server/tls/serving.crt", {0644, "serving cert"}},
      {"server/tls/serving.key", {0600, "serving key"}},
      {"server/tls/client-admin.crt", {0644, "admin cert"}},
      {"server/tls/client-admin.key", {0600, "admin key"}},
      {"server/token", {0600, "K10secret-token\n"}},
  };

  BackupFixture() {
    REQUIRE(MakeDirs(dir.db_dir()).ok());
    REQUIRE(MakeDirs(dir.tls_dir()).ok());
    for (const auto& [path, file] : files) {
      REQUIRE(WriteFileAtomic(dir.root + "/" + path, file.second, file.first).ok());
    }
    REQUIRE(WriteFileAtomic(dir.tls_dir() + "/.lock", "", 0600).ok());
    REQUIRE(WriteFileAtomic(dir.tls_dir() + "/serving.key.tmp-4242", "half", 0600).ok());
    store::SqliteStoreOptions options;
    options.path = dir.db_path();
    options.compact_interval = std::chrono::milliseconds(0);
    auto opened = store::OpenSqliteStore(options);
    REQUIRE(opened.ok());
    store = std::move(*opened);
    REQUIRE(store->Create("/registry/namespaces/demo", "{\"kind\":\"Namespace\"}").ok());
    REQUIRE(store->Create("/registry/configmaps/demo/c", "{\"kind\":\"ConfigMap\"}").ok());
  }
};

}  // namespace skiff::testing
