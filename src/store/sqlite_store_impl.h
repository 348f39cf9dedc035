// SqliteStore: the Store on SQLite. Private to the store library.
//
// Threads: callers' threads run reads on pooled connections; the Writer's thread runs every
// write; one maintenance thread expires leases and runs scheduled compaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "reader_pool.h"
#include "skiff/store/sqlite_store.h"
#include "watch_hub.h"
#include "writer.h"

namespace skiff::store {

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<SqliteConn> writer_conn,
              Revision current, Revision compacted);
  ~SqliteStore() override;

  Result<KeyValue> Create(const std::string& key, const std::string& value, LeaseId lease) override;
  Result<KeyValue> Update(const std::string& key, const std::string& value,
                          Revision expected_revision, LeaseId lease) override;
  Result<KeyValue> Delete(const std::string& key, Revision expected_revision) override;
  Result<KeyValue> Get(const std::string& key, Revision revision) override;
  Result<ListResult> List(const ListOptions& options) override;
  Result<int64_t> Count(const std::string& prefix) override;
  Result<std::shared_ptr<Watcher>> Watch(WatchOptions options) override;
  Result<LeaseId> GrantLease(std::chrono::seconds ttl) override;
  Status KeepAliveLease(LeaseId lease) override;
  Status RevokeLease(LeaseId lease) override;
  Result<int64_t> Compact(Revision revision) override;
  Revision CurrentRevision() const override { return writer_->committed(); }
  Revision CompactRevision() const override { return compacted_.load(); }
  Result<StoreStats> Stats() override;

 private:
  Status CheckKey(const std::string& key) const;
  Status CheckValue(const std::string& key, const std::string& value) const;
  // Checks `revision` against the snapshot's bounds (kGone / kInvalidArgument).
  static Status CheckReadRevision(SqliteConn& c, Revision revision);

  // Maintenance (sqlite_store_maintenance.cc).
  void MaintenanceLoop();
  Status ExpireLeases();
  Status ShrinkFile();

  const SqliteStoreOptions options_;
  WatchHub hub_;
  ReaderPool readers_;
  std::atomic<Revision> compacted_;
  std::mutex compact_mu_;  // one compaction at a time
  std::unique_ptr<Writer> writer_;

  std::mutex maint_mu_;  // guards stopping_
  std::condition_variable maint_cv_;
  bool stopping_ = false;
  std::thread maintenance_;
};

}  // namespace skiff::store
