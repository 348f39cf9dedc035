// SqliteStore: open, reads, writes, watches and leases. Maintenance (compaction, lease expiry,
// shrinking the file) lives in sqlite_store_maintenance.cc.
#include <chrono>

#include "log_table.h"
#include "schema.h"
#include "skiff/common/log.h"
#include "sqlite_store_impl.h"

namespace skiff::store {
namespace {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ConflictOn(const std::string& key, Revision expected, Revision actual) {
  return ConflictError("key " + key + " was modified: expected revision " +
                       std::to_string(expected) + ", current revision " + std::to_string(actual));
}

Result<KeyValue> DeleteInTxn(Txn& t, const std::string& key, Revision expected) {
  auto cur = FindCurrent(t.conn, key);
  if (!cur.ok()) return cur.status();
  if (!*cur || (*cur)->deleted) return NotFoundError("key " + key + " not found");
  const CurrentRow& c = **cur;
  if (expected != 0 && c.rev != expected) return ConflictOn(key, expected, c.rev);
  const Revision rev = t.NextRevision();
  if (Status s = MarkSuperseded(t.conn, c.rev, rev); !s.ok()) return s;
  if (Status s = InsertVersion(t.conn, {rev, key, c.create_rev, c.rev, true, c.lease, c.value});
      !s.ok()) {
    return s;
  }
  auto e = std::make_shared<Event>();
  e->type = Event::Type::kDelete;
  e->kv = KeyValue{key, c.value, c.create_rev, rev, c.lease};
  e->prev_revision = c.rev;
  KeyValue out = e->kv;
  t.events.push_back(std::move(e));
  return out;
}

Status CheckLeaseExists(SqliteConn& c, LeaseId lease) {
  if (lease == 0) return Status::Ok();
  auto s = c.Prepare("SELECT 1 FROM lease WHERE id = ?1");
  if (!s.ok()) return s.status();
  int rc = s->Bind(1, lease).Step();
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc == SQLITE_DONE) return NotFoundError("lease " + std::to_string(lease) + " not found");
  return c.Error(rc, "read lease");
}

// Deletes a lease's keys (each an ordinary delete) and the lease itself.
Status RevokeInTxn(Txn& t, LeaseId lease) {
  auto keys = KeysWithLease(t.conn, lease);
  if (!keys.ok()) return keys.status();
  for (const std::string& key : *keys) {
    auto d = DeleteInTxn(t, key, 0);
    if (!d.ok()) return d.status();
  }
  auto s = t.conn.Prepare("DELETE FROM lease WHERE id = ?1");
  if (!s.ok()) return s.status();
  if (int rc = s->Bind(1, lease).Step(); rc != SQLITE_DONE) return t.conn.Error(rc, "revoke lease");
  if (sqlite3_changes(t.conn.raw()) == 0) {
    return NotFoundError("lease " + std::to_string(lease) + " not found");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  auto conn = OpenWriter(options.path);
  if (!conn.ok()) return conn.status();
  auto rev = ReadMeta(**conn, "rev");
  if (!rev.ok()) return rev.status();
  auto compacted = ReadMeta(**conn, "compact_rev");
  if (!compacted.ok()) return compacted.status();
  // The counter never goes backwards, even if the meta row lagged a log row.
  auto max_rev = (*conn)->QueryInt("SELECT coalesce(max(rev), 0) FROM log");
  if (!max_rev.ok()) return max_rev.status();
  const Revision current = std::max(*rev, *max_rev);
  log::Info("store", "opened",
            {{"path", options.path},
             {"revision", std::to_string(current)},
             {"compacted", std::to_string(*compacted)}});
  return std::unique_ptr<Store>(
      new SqliteStore(options, std::move(conn).value(), current, *compacted));
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<SqliteConn> conn,
                         Revision current, Revision compacted)
    : options_(options),
      hub_(current),
      readers_(options.path, options.max_idle_readers),
      compacted_(compacted),
      writer_(std::make_unique<Writer>(std::move(conn), current, &hub_, options.max_group_ops)) {
  maintenance_ = std::thread([this] { MaintenanceLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(maint_mu_);
    stopping_ = true;
  }
  maint_cv_.notify_all();
  maintenance_.join();
  writer_.reset();  // finishes queued writes
  hub_.CloseAll();
}

Status SqliteStore::CheckKey(const std::string& key) const {
  if (key.empty()) return InvalidArgumentError("empty key");
  if (key.size() > options_.max_key_bytes) {
    return TooLargeError("key of " + std::to_string(key.size()) + " bytes is over the limit of " +
                         std::to_string(options_.max_key_bytes));
  }
  return Status::Ok();
}

Status SqliteStore::CheckValue(const std::string& key, const std::string& value) const {
  if (Status s = CheckKey(key); !s.ok()) return s;
  if (value.size() > options_.max_value_bytes) {
    return TooLargeError("value for " + key + " is " + std::to_string(value.size()) +
                         " bytes, over the limit of " + std::to_string(options_.max_value_bytes));
  }
  return Status::Ok();
}

Status SqliteStore::CheckReadRevision(SqliteConn& c, Revision revision) {
  auto compacted = ReadMeta(c, "compact_rev");
  if (!compacted.ok()) return compacted.status();
  auto current = ReadMeta(c, "rev");
  if (!current.ok()) return current.status();
  if (revision < *compacted) {
    return GoneError("revision " + std::to_string(revision) +
                     " has been compacted; the oldest available is " + std::to_string(*compacted));
  }
  if (revision > *current) {
    return InvalidArgumentError("revision " + std::to_string(revision) +
                                " is in the future; the current revision is " +
                                std::to_string(*current));
  }
  return Status::Ok();
}

Result<KeyValue> SqliteStore::Create(const std::string& key, const std::string& value,
                                     LeaseId lease) {
  if (Status s = CheckValue(key, value); !s.ok()) return s;
  return writer_->Run<KeyValue>([&](Txn& t) -> Result<KeyValue> {
    auto cur = FindCurrent(t.conn, key);
    if (!cur.ok()) return cur.status();
    if (*cur && !(*cur)->deleted) return AlreadyExistsError("key " + key + " already exists");
    if (Status s = CheckLeaseExists(t.conn, lease); !s.ok()) return s;
    const Revision rev = t.NextRevision();
    // The tombstone of an earlier life stops being current before the new version starts.
    if (*cur) {
      if (Status s = MarkSuperseded(t.conn, (*cur)->rev, rev); !s.ok()) return s;
    }
    if (Status s = InsertVersion(t.conn, {rev, key, rev, 0, false, lease, value}); !s.ok()) {
      return s;
    }
    auto e = std::make_shared<Event>();
    e->kv = KeyValue{key, value, rev, rev, lease};
    KeyValue out = e->kv;
    t.events.push_back(std::move(e));
    return out;
  });
}

Result<KeyValue> SqliteStore::Update(const std::string& key, const std::string& value,
                                     Revision expected, LeaseId lease) {
  if (Status s = CheckValue(key, value); !s.ok()) return s;
  return writer_->Run<KeyValue>([&](Txn& t) -> Result<KeyValue> {
    auto cur = FindCurrent(t.conn, key);
    if (!cur.ok()) return cur.status();
    if (!*cur || (*cur)->deleted) return NotFoundError("key " + key + " not found");
    const CurrentRow& c = **cur;
    if (expected != 0 && c.rev != expected) return ConflictOn(key, expected, c.rev);
    if (Status s = CheckLeaseExists(t.conn, lease); !s.ok()) return s;
    const Revision rev = t.NextRevision();
    if (Status s = MarkSuperseded(t.conn, c.rev, rev); !s.ok()) return s;
    if (Status s = InsertVersion(t.conn, {rev, key, c.create_rev, c.rev, false, lease, value});
        !s.ok()) {
      return s;
    }
    auto e = std::make_shared<Event>();
    e->kv = KeyValue{key, value, c.create_rev, rev, lease};
    e->prev_revision = c.rev;
    KeyValue out = e->kv;
    t.events.push_back(std::move(e));
    return out;
  });
}

Result<KeyValue> SqliteStore::Delete(const std::string& key, Revision expected) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  return writer_->Run<KeyValue>([&](Txn& t) { return DeleteInTxn(t, key, expected); });
}

Result<KeyValue> SqliteStore::Get(const std::string& key, Revision revision) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  return WithSnapshot(readers_, [&](SqliteConn& c) -> Result<KeyValue> {
    if (revision != 0) {
      if (Status s = CheckReadRevision(c, revision); !s.ok()) return s;
    }
    return GetAt(c, key, revision);
  });
}

Result<ListResult> SqliteStore::List(const ListOptions& o) {
  if (o.limit < 0) return InvalidArgumentError("negative list limit");
  return WithSnapshot(readers_, [&](SqliteConn& c) -> Result<ListResult> {
    ListResult out;
    auto current = ReadMeta(c, "rev");
    if (!current.ok()) return current.status();
    out.revision = *current;
    ListOptions q = o;
    if (o.revision != 0) {
      if (Status s = CheckReadRevision(c, o.revision); !s.ok()) return s;
      out.revision = o.revision;
      // Nothing changed since: the current rows are the rows at that revision, and the
      // partial index of current rows is the fast path (paging through a quiet store).
      if (o.revision == *current) q.revision = 0;
    }
    auto items = ListRange(c, q);
    if (!items.ok()) return items.status();
    out.items = std::move(items).value();
    if (o.limit > 0 && out.items.size() > static_cast<size_t>(o.limit)) {
      out.items.pop_back();
      out.more = true;
      auto rest = CountRange(c, o.prefix, out.items.back().key, q.revision);
      if (!rest.ok()) return rest.status();
      out.remaining = *rest;
    }
    return out;
  });
}

Result<int64_t> SqliteStore::Count(const std::string& prefix) {
  return WithSnapshot(readers_,
                      [&](SqliteConn& c) { return CountRange(c, prefix, std::string(), 0); });
}

Result<std::shared_ptr<Watcher>> SqliteStore::Watch(WatchOptions o) {
  auto w = std::make_shared<HubWatcher>(o.prefix, o.max_pending, std::move(o.on_ready));
  const Revision published = hub_.Register(w, o.after);
  const Revision after = w->after();
  std::vector<EventPtr> replay;
  if (after < published) {
    auto changes = WithSnapshot(readers_, [&](SqliteConn& c) -> Result<std::vector<EventPtr>> {
      auto compacted = ReadMeta(c, "compact_rev");
      if (!compacted.ok()) return compacted.status();
      if (after < *compacted) {
        return GoneError("cannot watch from revision " + std::to_string(after) +
                         ": it has been compacted; the oldest available is " +
                         std::to_string(*compacted));
      }
      return ReadChanges(c, o.prefix, after, published);
    });
    if (!changes.ok()) {
      w->Close();
      return changes.status();
    }
    replay = std::move(changes).value();
  }
  w->FinishStart(std::move(replay));
  return std::shared_ptr<Watcher>(w);
}

Result<LeaseId> SqliteStore::GrantLease(std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return InvalidArgumentError("lease TTL must be positive");
  return writer_->Run<LeaseId>([&](Txn& t) -> Result<LeaseId> {
    auto s = t.conn.Prepare("INSERT INTO lease(ttl_s, expires_ms) VALUES (?1, ?2)");
    if (!s.ok()) return s.status();
    int rc = s->Bind(1, int64_t{ttl.count()}).Bind(2, NowUnixMs() + ttl.count() * 1000).Step();
    if (rc != SQLITE_DONE) return t.conn.Error(rc, "grant lease");
    return LeaseId{sqlite3_last_insert_rowid(t.conn.raw())};
  });
}

Status SqliteStore::KeepAliveLease(LeaseId lease) {
  return writer_
      ->Run<bool>([&](Txn& t) -> Result<bool> {
        auto s = t.conn.Prepare("UPDATE lease SET expires_ms = ?2 + ttl_s * 1000 WHERE id = ?1");
        if (!s.ok()) return s.status();
        int rc = s->Bind(1, lease).Bind(2, NowUnixMs()).Step();
        if (rc != SQLITE_DONE) return t.conn.Error(rc, "keep lease alive");
        if (sqlite3_changes(t.conn.raw()) == 0) {
          return NotFoundError("lease " + std::to_string(lease) + " not found");
        }
        return true;
      })
      .status();
}

Status SqliteStore::RevokeLease(LeaseId lease) {
  return writer_
      ->Run<bool>([&](Txn& t) -> Result<bool> {
        if (Status s = RevokeInTxn(t, lease); !s.ok()) return s;
        return true;
      })
      .status();
}

Status SqliteStore::ExpireLeases() {
  // Look first on a reader, so an idle store does not take the write lock every tick.
  auto due = WithSnapshot(readers_, [](SqliteConn& c) -> Result<bool> {
    auto s = c.Prepare("SELECT 1 FROM lease WHERE expires_ms <= ?1 LIMIT 1");
    if (!s.ok()) return s.status();
    int rc = s->Bind(1, NowUnixMs()).Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return c.Error(rc, "find expired leases");
    return rc == SQLITE_ROW;
  });
  if (!due.ok()) return due.status();
  if (!*due) return Status::Ok();
  return writer_
      ->Run<bool>([&](Txn& t) -> Result<bool> {
        auto s = t.conn.Prepare("SELECT id FROM lease WHERE expires_ms <= ?1");
        if (!s.ok()) return s.status();
        s->Bind(1, NowUnixMs());
        std::vector<LeaseId> expired;
        int rc;
        while ((rc = s->Step()) == SQLITE_ROW) expired.push_back(s->Int(0));
        if (rc != SQLITE_DONE) return t.conn.Error(rc, "find expired leases");
        for (LeaseId id : expired) {
          if (Status st = RevokeInTxn(t, id); !st.ok()) return st;
        }
        return true;
      })
      .status();
}

}  // namespace skiff::store
