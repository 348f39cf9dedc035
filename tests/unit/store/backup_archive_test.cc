// skiff/store/backup_archive.h: what an archive holds, what reading one refuses, and what a
// restored store file looks like. (Backups of a store being written: tests/unit/server.)
#include "skiff/store/backup_archive.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "store_fixture.h"

using skiff::Code;
using skiff::store::BackupFile;
using skiff::store::BackupInfo;
using skiff::store::ReadBackupArchive;
using skiff::store::RestoreStoreFile;
using skiff::store::WriteBackupArchive;
using skiff::testing::StoreFixture;

namespace {

// Runs one query and returns its first column of the first row as text ("" for none).
std::string Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

const std::vector<BackupFile> kFiles = {
    {"server/tls/ca.crt", 0644, "-----BEGIN CERTIFICATE-----\nca\n"},
    {"server/tls/ca.key", 0600, std::string("key\0bytes", 9)},
    {"server/token", 0600, "secret\n"},
};

BackupInfo Info() {
  BackupInfo info;
  info.skiff_version = "v9.8.7";
  info.created_unix = 1700000000;
  info.source = "/var/lib/skiff";
  return info;
}

// A store with a few keys, one updated and one deleted, closed, and an archive of it.
struct ArchiveFixture {
  StoreFixture store;
  std::string archive = store.dir / "backup.db";
  skiff::store::Revision revision = 0;

  ArchiveFixture() {
    for (int i = 0; i < 5; ++i) REQUIRE(store->Create("/k/" + std::to_string(i), "v").ok());
    REQUIRE(store->Update("/k/1", "v1", 0).ok());
    REQUIRE(store->Delete("/k/2").ok());
    revision = store->CurrentRevision();
    store.Close();
    auto written = WriteBackupArchive(store.options.path, archive, Info(), kFiles, nullptr);
    INFO(written.status().ToString());
    REQUIRE(written.ok());
  }
};

}  // namespace

TEST_CASE("an archive holds the store, its info and the files, in one 0600 file", "[backup]") {
  ArchiveFixture f;
  CHECK(ModeOf(f.archive) == 0600);
  CHECK_FALSE(std::filesystem::exists(f.archive + "-journal"));
  CHECK_FALSE(std::filesystem::exists(f.archive + "-wal"));
  CHECK(Query(f.archive, "PRAGMA journal_mode") == "delete");  // self-contained
  auto read = ReadBackupArchive(f.archive);
  INFO(read.status().ToString());
  REQUIRE(read.ok());
  CHECK(read->info.format == skiff::store::kBackupFormatVersion);
  CHECK(read->info.skiff_version == "v9.8.7");
  CHECK(read->info.created_unix == 1700000000);
  CHECK(read->info.source == "/var/lib/skiff");
  CHECK(read->info.revision == f.revision);
  CHECK(read->info.live_keys == 4);
  CHECK(read->files == kFiles);
}

TEST_CASE("a restored store file is the store without the archive's tables", "[backup]") {
  ArchiveFixture f;
  const std::string restored = f.store.dir / "restored.db";
  int64_t last_total = 0;
  REQUIRE(RestoreStoreFile(f.archive, restored, [&](int64_t copied, int64_t total) {
            CHECK(copied <= total);
            last_total = total;
          }).ok());
  CHECK(last_total > 0);
  CHECK(ModeOf(restored) == 0600);
  CHECK(Query(restored, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'skiff_backup%'") ==
        "0");
  CHECK(Query(restored, "PRAGMA integrity_check") == "ok");
  for (const char* pragma : {"PRAGMA application_id", "PRAGMA user_version", "PRAGMA auto_vacuum",
                             "SELECT group_concat(name) FROM "
                             "(SELECT name FROM sqlite_master ORDER BY 1)"}) {
    INFO(pragma);
    CHECK(Query(restored, pragma) == Query(f.store.options.path, pragma));
  }
  skiff::store::SqliteStoreOptions options;
  options.path = restored;
  auto reopened = skiff::store::OpenSqliteStore(options);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->CurrentRevision() == f.revision);
  CHECK((*reopened)->Get("/k/1")->value == "v1");
  CHECK((*reopened)->Get("/k/2").status().code() == Code::kNotFound);
  CHECK(*(*reopened)->Count("/k/") == 4);
}

TEST_CASE("an archive is never written over a file", "[backup]") {
  ArchiveFixture f;
  auto again = WriteBackupArchive(f.store.options.path, f.archive, Info(), kFiles, nullptr);
  CHECK(again.status().code() == Code::kAlreadyExists);
  CHECK_THAT(again.status().message(), Catch::Contains(f.archive));
  CHECK(ReadBackupArchive(f.archive).ok());
  const std::string store_copy = f.store.dir / "copy.db";
  std::ofstream(store_copy) << "x";
  CHECK(RestoreStoreFile(f.archive, store_copy, nullptr).code() == Code::kAlreadyExists);
}

TEST_CASE("what a crashed copy left beside the archive is not played into it", "[backup]") {
  StoreFixture store;
  REQUIRE(store->Create("/k", "v").ok());
  const std::string archive = store.dir / "backup.db";
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    std::ofstream(archive + suffix) << std::string(4096, '\x01');
  }
  auto written = WriteBackupArchive(store.options.path, archive, Info(), kFiles, nullptr);
  INFO(written.status().ToString());
  REQUIRE(written.ok());
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    CHECK_FALSE(std::filesystem::exists(archive + suffix));
  }
  auto read = ReadBackupArchive(archive);
  REQUIRE(read.ok());
  CHECK(read->info.live_keys == 1);
}

TEST_CASE("a missing store and a file that is not skiff's store are not archived", "[backup]") {
  StoreFixture store;
  const std::string archive = store.dir / "backup.db";
  auto missing = WriteBackupArchive(store.dir / "nothing.db", archive, Info(), {}, nullptr);
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK_THAT(missing.status().message(), Catch::Contains(store.dir / "nothing.db"));
  const std::string foreign = store.dir / "foreign.db";
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(foreign.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto refused = WriteBackupArchive(foreign, archive, Info(), {}, nullptr);
  CHECK(refused.status().code() == Code::kCorrupt);
  CHECK_THAT(refused.status().message(), Catch::Contains("not a skiff store"));
  CHECK_FALSE(std::filesystem::exists(archive));
}

TEST_CASE("reading refuses what is not a complete skiff backup, naming the file", "[backup]") {
  ArchiveFixture f;
  const std::string path = f.store.dir / "other";
  auto refused = [&](Code code, const std::string& why) {
    auto read = ReadBackupArchive(path);
    CHECK(read.status().code() == code);
    CHECK_THAT(read.status().message(), Catch::Contains(path) && Catch::Contains(why));
  };
  SECTION("missing") { refused(Code::kNotFound, "does not exist"); }
  SECTION("empty") {
    std::ofstream(path).flush();
    refused(Code::kInvalidArgument, "is not a skiff backup (the file is empty)");
  }
  SECTION("text") {
    std::ofstream(path) << "hello, this is not a database at all\n";
    refused(Code::kInvalidArgument, "is not a skiff backup (not an SQLite database)");
  }
  SECTION("the store itself") {
    std::filesystem::copy_file(f.store.options.path, path);
    refused(Code::kInvalidArgument, "without skiff_backup_meta");
  }
  SECTION("truncated") {
    std::filesystem::copy_file(f.archive, path);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    refused(Code::kCorrupt, "is damaged or truncated");
  }
  SECTION("a newer format") {
    std::filesystem::copy_file(f.archive, path);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE skiff_backup_meta SET format = 2", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
    refused(Code::kInvalidArgument, "was written by a newer skiff");
  }
}
