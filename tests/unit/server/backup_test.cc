// skiff/server/backup.h and restore.h together: a backup of a data directory whose store is
// being written restores to a consistent copy, with the PKI files and their modes; what
// `skiff backup` refuses; and what the commands print.
#include "skiff/server/backup.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "backup_fixture.h"
#include "server/backup_report.h"
#include "skiff/server/restore.h"

using skiff::Code;
using skiff::server::DataDir;
using skiff::server::RestoreBackup;
using skiff::server::TakeBackup;
using skiff::testing::BackupFixture;
using skiff::testing::ModeOf;

namespace {

std::string WriterKey(int i) {
  char key[32];
  std::snprintf(key, sizeof key, "/registry/w/%06d", i);
  return key;
}

// Writes keys /registry/w/000000, 000001, ... one after the other until stopped; `acked`
// counts the writes the store acknowledged.
class Writer {
 public:
  explicit Writer(skiff::store::Store& store)
      : thread_([this, &store] {
          for (int i = 0; !stop_; ++i) {
            if (!store.Create(WriterKey(i), "value " + std::to_string(i)).ok()) return;
            ++acked;
          }
        }) {}
  ~Writer() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Waits until `n` more writes are acknowledged; false after 20 s.
  bool AwaitMore(int n) {
    const int target = acked + n;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (acked < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return acked >= target;
  }

  std::atomic<int> acked{0};

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("backup and restore round trip", "[backup]") {
  BackupFixture f;
  // Over 1024 pages (4 MiB), so the copy takes several steps with commits between them.
  const std::string big(8192, 'x');
  for (int i = 0; i < 700; ++i) {
    REQUIRE(f.store->Create("/registry/big/" + std::to_string(i), big + std::to_string(i)).ok());
  }
  Writer writer(*f.store);
  REQUIRE(writer.AwaitMore(5));
  const int acked_before = writer.acked;
  int steps = 0;
  bool writes_went_on = true;
  const std::string file = f.tmp / "box.backup";
  auto backup = TakeBackup(f.dir.root, file, [&](int64_t copied, int64_t total) {
    CHECK(copied <= total);
    // The server keeps committing while the copy's snapshot is held.
    if (++steps == 1) writes_went_on = writer.AwaitMore(3);
  });
  writer.Stop();
  INFO(backup.status().ToString());
  REQUIRE(backup.ok());
  CHECK(steps >= 2);
  CHECK(writes_went_on);
  CHECK(ModeOf(file) == 0600);
  CHECK_FALSE(std::filesystem::exists(file + ".tmp"));
  CHECK(backup->files == f.files.size());
  CHECK(backup->bytes == static_cast<int64_t>(std::filesystem::file_size(file)));
  CHECK(backup->info.source == f.dir.root);
  f.store.reset();

  const DataDir restored{f.tmp / "new/data"};
  auto archive = RestoreBackup(file, restored.root, nullptr);
  INFO(archive.status().ToString());
  REQUIRE(archive.ok());
  for (const std::string& d :
       {restored.root, restored.root + "/server", restored.db_dir(), restored.tls_dir()}) {
    INFO(d);
    CHECK(ModeOf(d) == 0700);
  }
  CHECK_FALSE(std::filesystem::exists(restored.root + "/.skiff-restore"));
  std::size_t in_tls = 0;
  for (const auto& entry : std::filesystem::directory_iterator(restored.tls_dir())) {
    (void)entry;
    ++in_tls;
  }
  CHECK(in_tls == f.files.size() - 1);  // no lock, no temporary file
  for (const auto& [path, file_info] : f.files) {
    INFO(path);
    const std::string at = restored.root + "/" + path;
    CHECK(ModeOf(at) == file_info.first);
    CHECK(*skiff::ReadFile(at) == file_info.second);
  }

  skiff::store::SqliteStoreOptions options;
  options.path = restored.db_path();
  auto store = skiff::store::OpenSqliteStore(options);
  REQUIRE(store.ok());
  CHECK((*store)->CurrentRevision() == backup->info.revision);
  CHECK(*(*store)->Count("") == backup->info.live_keys);
  CHECK((*store)->Get("/registry/configmaps/demo/c").ok());
  CHECK((*store)->Get("/registry/big/699")->value == big + "699");
  // Every write acknowledged before the backup began, and the ones after it form no holes.
  const int64_t kept = *(*store)->Count("/registry/w/");
  CHECK(kept >= acked_before);
  CHECK(kept <= writer.acked);
  for (int i = 0; i < kept; ++i) {
    auto kv = (*store)->Get(WriterKey(i));
    INFO(WriterKey(i));
    REQUIRE(kv.ok());
    CHECK(kv->value == "value " + std::to_string(i));
  }
}

TEST_CASE("a backup never replaces a file and needs a server's data directory", "[backup]") {
  BackupFixture f;
  const std::string file = f.tmp / "box.backup";
  SECTION("FILE exists") {
    std::ofstream(file) << "keep me";
    auto refused = TakeBackup(f.dir.root, file, nullptr);
    CHECK(refused.status().code() == Code::kAlreadyExists);
    CHECK_THAT(refused.status().message(), Catch::Contains(file + " already exists"));
    CHECK(*skiff::ReadFile(file) == "keep me");
  }
  SECTION("FILE.tmp exists") {
    std::ofstream(file + ".tmp") << "another backup";
    auto refused = TakeBackup(f.dir.root, file, nullptr);
    CHECK_THAT(refused.status().message(),
               Catch::Contains(file + ".tmp already exists: another skiff backup"));
    CHECK(*skiff::ReadFile(file + ".tmp") == "another backup");
    CHECK_FALSE(std::filesystem::exists(file));
  }
  SECTION("no store") {
    auto refused = TakeBackup(f.tmp / "elsewhere", file, nullptr);
    CHECK(refused.status().code() == Code::kNotFound);
    CHECK_THAT(refused.status().message(),
               Catch::Contains("there is no store at " + f.tmp / "elsewhere/server/db/state.db"));
  }
  SECTION("no CA") {
    std::filesystem::remove(f.dir.tls_dir() + "/ca.key");
    auto refused = TakeBackup(f.dir.root, file, nullptr);
    CHECK(refused.status().code() == Code::kNotFound);
    CHECK_THAT(refused.status().message(), Catch::Contains(f.dir.tls_dir() + "/ca.key"));
  }
  CHECK_FALSE(std::filesystem::exists(file + "-journal"));
}

TEST_CASE("skiff backup and skiff restore print what they did, or the cause and exit 1",
          "[backup]") {
  BackupFixture f;
  f.store.reset();
  const std::string file = f.tmp / "box.backup";
  skiff::cli::BackupOptions options{"", f.dir.root, file};
  std::ostringstream out, err;
  REQUIRE(skiff::server::RunBackup(options, out, err) == 0);
  CHECK(err.str().empty());
  CHECK_THAT(out.str(), Catch::StartsWith("backup: wrote " + file + " (") &&
                            Catch::Contains("KiB): the store at revision ") &&
                            Catch::Contains(" with 2 objects, and 7 files") &&
                            Catch::EndsWith(", from " + f.dir.root + "\n"));
  out.str("");
  CHECK(skiff::server::RunBackup(options, out, err) == 1);
  CHECK(out.str().empty());
  CHECK(err.str() == "skiff: backup: " + file +
                         " already exists; skiff backup never replaces a file: remove it or "
                         "name another\n");

  err.str("");
  options.data_dir = f.tmp / "restored";
  REQUIRE(skiff::server::RunRestore(options, out, err) == 0);
  CHECK(err.str().empty());
  CHECK_THAT(out.str(), Catch::StartsWith("restore: wrote the store at revision ") &&
                            Catch::Contains(" into " + options.data_dir + ", from " + file) &&
                            Catch::Contains("(taken from " + f.dir.root + " at ") &&
                            Catch::EndsWith("restore: start it with: skiff server --data-dir " +
                                            options.data_dir + "\n"));
  out.str("");
  CHECK(skiff::server::RunRestore(options, out, err) == 1);
  CHECK(out.str().empty());
  CHECK_THAT(err.str(), Catch::StartsWith("skiff: restore: " + options.data_dir +
                                          " is not empty (it holds \"server\")"));
}

TEST_CASE("progress lines are printed only for copies of several steps", "[backup]") {
  std::ostringstream out;
  auto small = skiff::server::PageProgress(out, "backup");
  small(12, 12);
  CHECK(out.str().empty());
  auto big = skiff::server::PageProgress(out, "restore");
  big(1024, 2500);
  big(2048, 2500);
  big(2500, 2500);
  CHECK(out.str() ==
        "restore: copied 1024 of 2500 pages of the store\n"
        "restore: copied 2048 of 2500 pages of the store\n"
        "restore: copied 2500 of 2500 pages of the store\n");
  out.str("");
  auto huge = skiff::server::PageProgress(out, "backup");  // a line a tenth, and the last
  for (int64_t copied = 1024; copied < 100000; copied += 1024) huge(copied, 100000);
  huge(100000, 100000);
  const std::string lines = out.str();
  CHECK_THAT(lines, Catch::StartsWith("backup: copied 1024 of 100000 pages of the store\n"
                                      "backup: copied 10240 of 100000 pages of the store\n") &&
                        Catch::EndsWith("backup: copied 100000 of 100000 pages of the store\n"));
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 11);
  CHECK(skiff::server::HumanSize(96) == "96 B");
  CHECK(skiff::server::HumanSize(831488) == "812.0 KiB");
  CHECK(skiff::server::HumanSize(1572864) == "1.5 MiB");
  CHECK(skiff::server::HumanSize(int64_t{3} << 30) == "3.0 GiB");
}
