// SQL access to the `log` table (see schema.h for its columns). Plain functions over a
// connection; the caller owns the transaction. Used by the writer (in its group transaction)
// and by readers (each inside one read transaction, so results are a consistent snapshot).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "skiff/store/store.h"
#include "sqlite_conn.h"

namespace skiff::store {

// The current row of a key: the live version, or its tombstone.
struct CurrentRow {
  Revision rev = 0;
  Revision create_rev = 0;
  bool deleted = false;
  LeaseId lease = 0;
  std::string value;
};

struct VersionRow {
  Revision rev;
  std::string_view key;
  Revision create_rev;
  Revision prev_rev;
  bool deleted;
  LeaseId lease;
  std::string_view value;
};

// The exclusive upper bound of keys starting with prefix ("" when there is none).
std::string PrefixEnd(const std::string& prefix);

Result<std::optional<CurrentRow>> FindCurrent(SqliteConn& c, const std::string& key);
Status InsertVersion(SqliteConn& c, const VersionRow& row);
Status MarkSuperseded(SqliteConn& c, Revision rev, Revision by);

// Live keys attached to a lease.
Result<std::vector<std::string>> KeysWithLease(SqliteConn& c, LeaseId lease);

// Reads the meta counters inside the caller's transaction.
Result<Revision> ReadMeta(SqliteConn& c, const char* name);
Status WriteMeta(SqliteConn& c, const char* name, Revision value);

Result<KeyValue> GetAt(SqliteConn& c, const std::string& key, Revision revision);
// Keys in [prefix, PrefixEnd(prefix)) after start_after, at `revision` (0 = latest),
// at most limit+1 rows so the caller can tell whether more exist.
Result<std::vector<KeyValue>> ListRange(SqliteConn& c, const ListOptions& o);
Result<int64_t> CountRange(SqliteConn& c, const std::string& prefix, const std::string& start_after,
                           Revision revision);
// Every change with after < rev <= upto under prefix, ascending.
Result<std::vector<EventPtr>> ReadChanges(SqliteConn& c, const std::string& prefix, Revision after,
                                          Revision upto);

}  // namespace skiff::store
