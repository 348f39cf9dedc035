// Kills a writing process with SIGKILL at random moments and checks that every write it had
// acknowledged is in the database afterwards, and that the database is intact.
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "skiff/store/sqlite_store.h"
#include "support/temp_dir.h"

extern char** environ;

namespace {

struct Acked {
  enum State { kPresent, kDeleting, kDeleted };
  std::map<std::string, State> created;  // acknowledged creates and what followed
  std::map<std::string, long> counters;  // key -> last acknowledged value
  int64_t max_revision = 0;
};

void ParseLine(const std::string& line, Acked* acked) {
  std::istringstream in(line);
  std::string kind, key;
  in >> kind >> key;
  if (kind == "C") {
    int64_t rev;
    in >> rev;
    acked->created[key] = Acked::kPresent;
    acked->max_revision = std::max(acked->max_revision, rev);
  } else if (kind == "U") {
    long n;
    int64_t rev;
    in >> n >> rev;
    acked->counters[key] = std::max(acked->counters[key], n);
    acked->max_revision = std::max(acked->max_revision, rev);
  } else if (kind == "d") {
    acked->created[key] = Acked::kDeleting;  // the delete may or may not have committed
  } else if (kind == "D") {
    acked->created[key] = Acked::kDeleted;
  }
}

// Runs one writer until a random moment, kills it, and returns what it acknowledged.
Acked RunAndKill(const std::string& db, int round, std::mt19937& rng) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::string round_s = std::to_string(round);
  const char* argv[] = {SKIFF_CRASH_WRITER, db.c_str(), round_s.c_str(), "8", nullptr};
  pid_t pid;
  REQUIRE(posix_spawn(&pid, SKIFF_CRASH_WRITER, &fa, nullptr, const_cast<char**>(argv), environ) ==
          0);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);

  // Let it run 20-300 ms after it is ready, reading its reports meanwhile.
  std::string buf;
  char chunk[65536];
  bool ready = false;
  std::chrono::steady_clock::time_point kill_at{};
  std::uniform_int_distribution<int> ms(20, 300);
  for (;;) {
    if (ready && std::chrono::steady_clock::now() >= kill_at) break;
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fds[0], &set);
    timeval tv{0, 5000};
    if (select(fds[0] + 1, &set, nullptr, nullptr, &tv) > 0) {
      ssize_t n = read(fds[0], chunk, sizeof chunk);
      if (n <= 0) break;  // the child died on its own: reported below
      buf.append(chunk, static_cast<size_t>(n));
      if (!ready && buf.find("READY\n") != std::string::npos) {
        ready = true;
        kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms(rng));
      }
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  // Whatever it wrote before dying was acknowledged before it was written.
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof chunk)) > 0) buf.append(chunk, static_cast<size_t>(n));
  close(fds[0]);
  INFO("writer exit status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);

  Acked acked;
  std::istringstream lines(buf);
  std::string line;
  while (std::getline(lines, line)) {
    if (line != "READY") ParseLine(line, &acked);
  }
  return acked;
}

std::string IntegrityCheck(const std::string& db) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  std::string result = "no result";
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return result;
}

}  // namespace

TEST_CASE("SIGKILL at random moments loses no acknowledged write", "[store][crash]") {
  skiff::testing::TempDir dir;
  const std::string db = dir / "state.db";
  std::mt19937 rng(std::random_device{}());
  int64_t total_acked = 0;
  int64_t last_revision = 0;
  for (int round = 1; round <= 25; ++round) {
    Acked acked = RunAndKill(db, round, rng);
    total_acked += static_cast<int64_t>(acked.created.size());

    REQUIRE(IntegrityCheck(db) == "ok");
    skiff::store::SqliteStoreOptions o;
    o.path = db;
    auto opened = skiff::store::OpenSqliteStore(o);
    INFO("round " << round << ": " << opened.status().ToString());
    REQUIRE(opened.ok());
    auto& store = **opened;
    // The counter never goes back, across every kill.
    REQUIRE(store.CurrentRevision() >= acked.max_revision);
    REQUIRE(store.CurrentRevision() >= last_revision);
    last_revision = store.CurrentRevision();
    for (const auto& [key, state] : acked.created) {
      auto g = store.Get(key);
      if (state == Acked::kDeleted) {
        INFO(key);
        REQUIRE(g.status().code() == skiff::Code::kNotFound);
      } else if (state == Acked::kDeleting) {
        INFO(key << ": " << g.status().ToString());
        REQUIRE((g.ok() ? g->value == key : g.status().code() == skiff::Code::kNotFound));
      } else {
        INFO(key << ": " << g.status().ToString());
        REQUIRE(g.ok());
        REQUIRE(g->value == key);
      }
    }
    for (const auto& [key, n] : acked.counters) {
      auto g = store.Get(key);
      REQUIRE(g.ok());
      // It may be ahead (committed, killed before reporting), never behind.
      REQUIRE(std::stol(g->value) >= n);
    }
  }
  INFO("acknowledged creates checked: " << total_acked);
  CHECK(total_acked > 1000);
}
