// SqliteStore maintenance: scheduled compaction, lease expiry, giving freed space back to the
// file system, and statistics.
#include <sys/stat.h>

#include <chrono>

#include "log_table.h"
#include "skiff/common/log.h"
#include "sqlite_store_impl.h"

namespace skiff::store {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// Deletes up to `batch` rows chosen by `select_sql` (which binds ?1 = revision, ?2 = batch).
Result<int64_t> DeleteBatch(Txn& t, const char* sql, Revision revision, size_t batch) {
  auto s = t.conn.Prepare(sql);
  if (!s.ok()) return s.status();
  int rc = s->Bind(1, revision).Bind(2, static_cast<int64_t>(batch)).Step();
  if (rc != SQLITE_DONE) return t.conn.Error(rc, "compact");
  return int64_t{sqlite3_changes(t.conn.raw())};
}

// Superseded versions go first, tombstones after: at every moment in between, a read at any
// revision >= the compacted one still finds exactly the version visible at it.
constexpr const char* kDeleteSuperseded =
    "DELETE FROM log WHERE rev IN (SELECT rev FROM log WHERE superseded IS NOT NULL "
    "AND superseded <= ?1 LIMIT ?2)";
constexpr const char* kDeleteTombstones =
    "DELETE FROM log WHERE rev IN (SELECT rev FROM log WHERE deleted = 1 "
    "AND superseded IS NULL AND rev <= ?1 LIMIT ?2)";

}  // namespace

Result<int64_t> SqliteStore::Compact(Revision revision) {
  std::lock_guard lock(compact_mu_);
  if (revision > CurrentRevision()) {
    return InvalidArgumentError("cannot compact to revision " + std::to_string(revision) +
                                ": the current revision is " + std::to_string(CurrentRevision()));
  }
  if (revision <= compacted_.load()) return int64_t{0};
  // First make the new floor visible, so no reader or watcher starts below it.
  auto marked = writer_->Run<int64_t>([&](Txn& t) -> Result<int64_t> {
    if (Status s = WriteMeta(t.conn, "compact_rev", revision); !s.ok()) return s;
    return int64_t{0};
  });
  if (!marked.ok()) return marked.status();

  int64_t removed = 0;
  for (const char* sql : {kDeleteSuperseded, kDeleteTombstones}) {
    for (;;) {
      auto n = writer_->Run<int64_t>(
          [&](Txn& t) { return DeleteBatch(t, sql, revision, options_.compact_batch_rows); });
      if (!n.ok()) return n.status();
      removed += *n;
      if (static_cast<size_t>(*n) < options_.compact_batch_rows) break;
    }
  }
  if (Status s = ShrinkFile(); !s.ok()) {
    log::Warning("store", "could not shrink the database file", {{"error", s.ToString()}});
  }
  // Published last: once CompactRevision() says so, the history is gone and the space freed.
  compacted_.store(revision);
  return removed;
}

Status SqliteStore::ShrinkFile() {
  // Hand free pages back in slices so writers get the writer thread in between.
  constexpr int64_t kSlicePages = 2048;
  for (;;) {
    bool more = false;
    Status s = writer_->RunAlone([&](SqliteConn& c) -> Status {
      auto free_pages = c.QueryInt("PRAGMA freelist_count");
      if (!free_pages.ok()) return free_pages.status();
      if (*free_pages == 0) return Status::Ok();
      more = *free_pages > kSlicePages;
      return c.Exec("PRAGMA incremental_vacuum(" + std::to_string(kSlicePages) + ")");
    });
    if (!s.ok()) return s;
    if (!more) break;
  }
  // Fold the WAL into the database and cut it back to nothing (a reader still holding an old
  // snapshot only postpones this to the next run).
  return writer_->RunAlone([](SqliteConn& c) -> Status {
    auto busy = c.QueryInt("PRAGMA wal_checkpoint(TRUNCATE)");
    return busy.ok() ? Status::Ok() : busy.status();
  });
}

void SqliteStore::MaintenanceLoop() {
  using Clock = std::chrono::steady_clock;
  const auto interval = options_.compact_interval;
  auto next_compaction = Clock::now() + interval;
  // Each run compacts what the previous run saw as current, so history lives one interval.
  Revision seen_at_last_run = compacted_.load();
  std::unique_lock lock(maint_mu_);
  for (;;) {
    auto wake = Clock::now() + options_.lease_check_interval;
    if (interval.count() > 0) wake = std::min(wake, next_compaction);
    maint_cv_.wait_until(lock, wake, [&] { return stopping_; });
    if (stopping_) return;
    lock.unlock();

    if (Status s = ExpireLeases(); !s.ok()) {
      log::Warning("store", "lease expiry failed", {{"error", s.ToString()}});
    }
    if (interval.count() > 0 && Clock::now() >= next_compaction) {
      next_compaction = Clock::now() + interval;
      const Revision target = seen_at_last_run;
      seen_at_last_run = CurrentRevision();
      if (target > compacted_.load()) {
        auto removed = Compact(target);
        if (!removed.ok()) {
          log::Warning(
              "store", "compaction failed",
              {{"revision", std::to_string(target)}, {"error", removed.status().ToString()}});
        } else {
          log::Debug("store", "compacted",
                     {{"revision", std::to_string(target)}, {"removed", std::to_string(*removed)}});
        }
      }
    }
    lock.lock();
  }
}

Result<StoreStats> SqliteStore::Stats() {
  auto stats = WithSnapshot(readers_, [&](SqliteConn& c) -> Result<StoreStats> {
    StoreStats st;
    auto rev = ReadMeta(c, "rev");
    if (!rev.ok()) return rev.status();
    auto compacted = ReadMeta(c, "compact_rev");
    if (!compacted.ok()) return compacted.status();
    st.revision = *rev;
    st.compact_revision = *compacted;
    auto s = c.Prepare(
        "SELECT count(*), coalesce(sum(length(key) + length(value)), 0) FROM log "
        "WHERE superseded IS NULL AND deleted = 0");
    if (!s.ok()) return s.status();
    if (int rc = s->Step(); rc != SQLITE_ROW) return c.Error(rc, "stats");
    st.live_keys = s->Int(0);
    st.live_bytes = s->Int(1);
    auto rows = c.QueryInt("SELECT count(*) FROM log");
    if (!rows.ok()) return rows.status();
    st.rows = *rows;
    return st;
  });
  if (!stats.ok()) return stats;
  stats->file_bytes = FileSize(options_.path);
  stats->wal_bytes = FileSize(options_.path + "-wal");
  return stats;
}

}  // namespace skiff::store
