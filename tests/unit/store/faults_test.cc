// Bad files and a full disk: start-up refuses what is not ours, and nothing stored is lost.
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "store_fixture.h"

using skiff::Code;
using skiff::store::OpenSqliteStore;
using skiff::store::SqliteStoreOptions;
using skiff::testing::StoreFixture;
using skiff::testing::TempDir;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

skiff::Status OpenStatus(const std::string& path) {
  SqliteStoreOptions o;
  o.path = path;
  auto s = OpenSqliteStore(o);
  return s.ok() ? skiff::Status::Ok() : s.status();
}

}  // namespace

TEST_CASE("a file that is not SQLite is refused and left untouched", "[store][faults]") {
  TempDir dir;
  std::string path = dir / "state.db";
  std::string junk = "this is a text file, not a database\n" + std::string(5000, 'z');
  WriteFile(path, junk);
  auto st = OpenStatus(path);
  CHECK(st.code() == Code::kCorrupt);
  CHECK_THAT(st.message(), Catch::Contains(path) && Catch::Contains("not an SQLite database"));
  CHECK(ReadFile(path) == junk);
}

TEST_CASE("another program's SQLite database is refused and left untouched", "[store][faults]") {
  TempDir dir;
  std::string path = dir / "state.db";
  Sql(path,
      "CREATE TABLE photos(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos "
      "VALUES (1, 'cat');");
  std::string before = ReadFile(path);
  auto st = OpenStatus(path);
  CHECK(st.code() == Code::kCorrupt);
  CHECK_THAT(st.message(), Catch::Contains("another program"));
  CHECK(ReadFile(path) == before);
  CHECK(access((path + "-wal").c_str(), F_OK) != 0);  // not even switched to WAL
}

TEST_CASE("a database from a newer skiff is refused", "[store][faults]") {
  StoreFixture s;
  REQUIRE(s->Create("/k", "v").ok());
  s.Close();
  Sql(s.options.path, "PRAGMA user_version=99");
  auto st = OpenStatus(s.options.path);
  CHECK(st.code() == Code::kCorrupt);
  CHECK_THAT(st.message(), Catch::Contains("newer skiff"));
}

TEST_CASE("a damaged database is refused, not rebuilt", "[store][faults]") {
  StoreFixture s;
  for (int i = 0; i < 300; ++i) {
    REQUIRE(s->Create("/k/" + std::to_string(i), std::string(500, 'a' + i % 26)).ok());
  }
  s.Close();
  std::string data = ReadFile(s.options.path);
  REQUIRE(data.size() > 8 * 4096);
  // Scribble over interior pages (not the header), as a bad sector or torn write would.
  for (size_t off = 3 * 4096; off < 7 * 4096; ++off) data[off] = static_cast<char>(off * 31);
  WriteFile(s.options.path, data);
  auto st = OpenStatus(s.options.path);
  CHECK(st.code() == Code::kCorrupt);
  CHECK_THAT(st.message(), Catch::Contains(s.options.path));
  CHECK(ReadFile(s.options.path) == data);
}

TEST_CASE("a full disk fails writes with a clear error and loses nothing", "[store][faults]") {
  if (geteuid() != 0) FAIL("this test mounts a small tmpfs and must run as root");
  TempDir dir;
  const std::string mnt = dir / "small";
  REQUIRE(mkdir(mnt.c_str(), 0700) == 0);
  REQUIRE(mount("skiff-test", mnt.c_str(), "tmpfs", 0, "size=3m") == 0);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};

  SqliteStoreOptions o;
  o.path = mnt + "/state.db";
  o.compact_interval = std::chrono::milliseconds(0);
  std::vector<std::string> acknowledged;
  skiff::Status failure;
  {
    auto opened = OpenSqliteStore(o);
    REQUIRE(opened.ok());
    auto& s = **opened;
    const std::string value(16 * 1024, 'v');
    for (int i = 0; i < 1000; ++i) {
      std::string key = "/k/" + std::to_string(i);
      auto r = s.Create(key, value);
      if (!r.ok()) {
        failure = r.status();
        break;
      }
      acknowledged.push_back(key);
    }
    REQUIRE_FALSE(failure.ok());
    CHECK(failure.code() == Code::kResourceExhausted);
    CHECK_THAT(failure.message(), Catch::Contains("disk full"));
    // Reads still work, and so do writes once space is back.
    CHECK(s.Get(acknowledged.front()).ok());
    REQUIRE(mount("skiff-test", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
    auto after = s.Create("/after-space-returned", "v");
    INFO(after.status().ToString());
    CHECK(after.ok());
  }
  auto reopened = OpenSqliteStore(o);
  REQUIRE(reopened.ok());
  for (const auto& key : acknowledged) {
    auto g = (*reopened)->Get(key);
    REQUIRE(g.ok());
  }
  CHECK((*reopened)->Get("/after-space-returned").ok());
  CHECK((*reopened)->Count("/k/").value() == static_cast<int64_t>(acknowledged.size()));
}
