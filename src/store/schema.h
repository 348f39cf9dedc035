// The on-disk format of the SQLite store, and the checks that guard it at start-up.
//
// Table `log` holds one row per version of a key, keyed by revision:
//   rev         the revision of the change that wrote this version (INTEGER PRIMARY KEY)
//   key         the key
//   create_rev  revision that created the key (for a tombstone: of the deleted version)
//   prev_rev    mod revision of the version this one replaced; 0 when the key did not exist
//   superseded  revision of the change that replaced this version; NULL while it is current
//   deleted     1 for a tombstone (the key's delete); its value is the deleted version's
//   lease       lease id, 0 for none
//   value       the bytes
// A unique partial index allows at most one current row per key, so the store's
// compare-and-swap is also enforced by SQLite itself; a second one indexes only live keys, so
// listing and counting them never touches tombstones or row bodies. Table `meta` holds the global
// revision
// ('rev'), the compacted revision ('compact_rev'). Table `lease` holds leases.
#pragma once

#include <memory>
#include <string>

#include "skiff/common/status.h"
#include "sqlite_conn.h"

namespace skiff::store {

inline constexpr int64_t kApplicationId = 0x736b6666;  // "skff"
inline constexpr int64_t kSchemaVersion = 1;

// Opens the writer connection for `path`, creating and initialising the database when the
// file does not exist. Refuses, with kCorrupt and a message naming the file, a file that is
// not SQLite, fails SQLite's quick_check, belongs to another program, or was written by a newer
// skiff. A refused file is never modified. Leaves the connection in WAL mode, synchronous=FULL.
Result<std::unique_ptr<SqliteConn>> OpenWriter(const std::string& path);

// Opens a read-only-by-use connection on an initialised database.
Result<std::unique_ptr<SqliteConn>> OpenReader(const std::string& path);

}  // namespace skiff::store
