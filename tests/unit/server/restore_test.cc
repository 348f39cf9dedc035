// skiff/server/restore.h: what a restore refuses, and that a refused restore writes nothing.
#include "skiff/server/restore.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "backup_fixture.h"
#include "skiff/server/backup.h"

using skiff::Code;
using skiff::server::RestoreBackup;
using skiff::testing::BackupFixture;

namespace {

// A fixture with a backup of its data directory at `file`.
struct Backed : BackupFixture {
  std::string file = tmp / "box.backup";
  std::string target = tmp / "target";
  Backed() {
    store.reset();
    REQUIRE(skiff::server::TakeBackup(dir.root, file, nullptr).ok());
  }
  std::vector<std::string> TargetEntries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(target)) {
      names.push_back(e.path().filename());
    }
    return names;
  }
};

}  // namespace

TEST_CASE("restore refuses a data directory that is not empty, naming what it holds", "[backup]") {
  Backed f;
  std::filesystem::create_directory(f.target);
  SECTION("a file in it") {
    std::ofstream(f.target + "/notes.txt") << "mine";
    auto refused = RestoreBackup(f.file, f.target, nullptr);
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK(refused.status().message() ==
          f.target +
              " is not empty (it holds \"notes.txt\"): skiff restore writes only into an "
              "empty or new directory");
    CHECK(f.TargetEntries() == std::vector<std::string>{"notes.txt"});
  }
  SECTION("an interrupted restore") {
    std::filesystem::create_directory(f.target + "/.skiff-restore");
    auto refused = RestoreBackup(f.file, f.target, nullptr);
    CHECK_THAT(refused.status().message(),
               Catch::Contains("holds .skiff-restore from an interrupted restore"));
  }
  SECTION("not a directory") {
    auto refused = RestoreBackup(f.file, f.file, nullptr);
    CHECK(refused.status().message() == f.file + " is not a directory");
  }
  SECTION("an empty one is fine") {
    auto done = RestoreBackup(f.file, f.target + "/", nullptr);
    INFO(done.status().ToString());
    CHECK(done.ok());
    CHECK(f.TargetEntries() == std::vector<std::string>{"server"});
  }
}

TEST_CASE("restore writes nothing from a file that is not a whole skiff backup", "[backup]") {
  Backed f;
  const std::string bad = f.tmp / "bad.backup";
  std::string why;
  SECTION("random bytes") {
    std::ofstream(bad) << std::string(70000, '\x5a');
    why = "is not a skiff backup (not an SQLite database)";
  }
  SECTION("truncated") {
    std::filesystem::copy_file(f.file, bad);
    std::filesystem::resize_file(bad, std::filesystem::file_size(bad) - 4096);
    why = "is damaged or truncated";
  }
  SECTION("a file outside server/tls") {
    std::filesystem::copy_file(f.file, bad);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(bad.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(
                db, "INSERT INTO skiff_backup_files VALUES ('server/tls/../../../x', 420, 'x')",
                nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    why = "holds a file skiff does not restore: \"server/tls/../../../x\"";
  }
  auto refused = RestoreBackup(bad, f.target, nullptr);
  CHECK_THAT(refused.status().message(), Catch::StartsWith(bad) && Catch::Contains(why));
  CHECK_FALSE(std::filesystem::exists(f.target));
  CHECK_FALSE(std::filesystem::exists(f.tmp / "x"));
}
