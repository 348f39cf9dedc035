// The embedded store: the Store contract (store.h) on one SQLite file.
//
// Durability: WAL with synchronous=FULL; concurrent writers share group commits.
// Growth: history is compacted on a schedule (each run forgets what was superseded before the
// previous run, as kube-apiserver's compactor does), in small batches; freed pages go back to
// the file system (incremental vacuum) and the WAL is checkpointed and truncated.
// Safety: a file that is not skiff's, or is damaged, stops Open with kCorrupt and is never
// modified.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "skiff/store/store.h"

namespace skiff::store {

struct SqliteStoreOptions {
  std::string path;                      // the database file; its directory must exist
  size_t max_value_bytes = 1536 * 1024;  // Kubernetes' per-object limit (1.5 MiB)
  size_t max_key_bytes = 4096;
  // How often history is compacted; 0 disables the schedule (Compact() still works).
  std::chrono::milliseconds compact_interval = std::chrono::minutes(5);
  size_t compact_batch_rows = 1000;  // rows deleted per transaction while compacting
  std::chrono::milliseconds lease_check_interval = std::chrono::seconds(1);
  size_t max_group_ops = 1024;  // operations per group commit
  size_t max_idle_readers = 4;  // read connections kept open between reads
};

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace skiff::store
