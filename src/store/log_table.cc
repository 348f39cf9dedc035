#include "log_table.h"

namespace skiff::store {
namespace {

// Binds the [lo, hi) key range of a prefix; an unbounded top uses a key above every string.
void BindRange(Stmt& s, int lo_idx, int hi_idx, const std::string& prefix,
               const std::string& start_after) {
  s.Bind(lo_idx, std::max(prefix, start_after));
  std::string end = PrefixEnd(prefix);
  if (end.empty()) {
    s.BindBlob(hi_idx, std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff", 8));
  } else {
    s.Bind(hi_idx, end);
  }
}

}  // namespace

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

Result<std::optional<CurrentRow>> FindCurrent(SqliteConn& c, const std::string& key) {
  auto s = c.Prepare(
      "SELECT rev, create_rev, deleted, lease, value FROM log "
      "WHERE key = ?1 AND superseded IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, key);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<CurrentRow>();
  if (rc != SQLITE_ROW) return c.Error(rc, "read key " + key);
  return std::optional<CurrentRow>(
      CurrentRow{s->Int(0), s->Int(1), s->Int(2) != 0, s->Int(3), s->Text(4)});
}

Status InsertVersion(SqliteConn& c, const VersionRow& r) {
  auto s = c.Prepare(
      "INSERT INTO log(rev, key, create_rev, prev_rev, superseded, deleted, lease, value) "
      "VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7)");
  if (!s.ok()) return s.status();
  s->Bind(1, r.rev).Bind(2, r.key).Bind(3, r.create_rev).Bind(4, r.prev_rev);
  s->Bind(5, int64_t{r.deleted ? 1 : 0}).Bind(6, r.lease).BindBlob(7, r.value);
  int rc = s->Step();
  if (rc != SQLITE_DONE) return c.Error(rc, "write key " + std::string(r.key));
  return Status::Ok();
}

Status MarkSuperseded(SqliteConn& c, Revision rev, Revision by) {
  auto s = c.Prepare("UPDATE log SET superseded = ?2 WHERE rev = ?1");
  if (!s.ok()) return s.status();
  int rc = s->Bind(1, rev).Bind(2, by).Step();
  if (rc != SQLITE_DONE) return c.Error(rc, "supersede revision " + std::to_string(rev));
  return Status::Ok();
}

Result<std::vector<std::string>> KeysWithLease(SqliteConn& c, LeaseId lease) {
  auto s = c.Prepare(
      "SELECT key FROM log WHERE lease = ?1 AND lease <> 0 AND superseded IS NULL "
      "AND deleted = 0");
  if (!s.ok()) return s.status();
  s->Bind(1, lease);
  std::vector<std::string> keys;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) keys.push_back(s->Text(0));
  if (rc != SQLITE_DONE) return c.Error(rc, "keys of lease " + std::to_string(lease));
  return keys;
}

Result<Revision> ReadMeta(SqliteConn& c, const char* name) {
  auto s = c.Prepare("SELECT value FROM meta WHERE name = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, std::string_view(name));
  int rc = s->Step();
  if (rc == SQLITE_ROW) return s->Int(0);
  if (rc == SQLITE_DONE) return CorruptError(std::string("store meta '") + name + "' is missing");
  return c.Error(rc, std::string("read meta ") + name);
}

Status WriteMeta(SqliteConn& c, const char* name, Revision value) {
  auto s = c.Prepare("UPDATE meta SET value = ?2 WHERE name = ?1");
  if (!s.ok()) return s.status();
  int rc = s->Bind(1, std::string_view(name)).Bind(2, value).Step();
  if (rc != SQLITE_DONE) return c.Error(rc, std::string("write meta ") + name);
  return Status::Ok();
}

Result<KeyValue> GetAt(SqliteConn& c, const std::string& key, Revision revision) {
  // The version visible at `revision` is the newest one written at or before it.
  auto s = revision == 0 ? c.Prepare(
                               "SELECT rev, create_rev, deleted, lease, value FROM log "
                               "WHERE key = ?1 AND superseded IS NULL")
                         : c.Prepare(
                               "SELECT rev, create_rev, deleted, lease, value FROM log "
                               "WHERE key = ?1 AND rev <= ?2 ORDER BY rev DESC LIMIT 1");
  if (!s.ok()) return s.status();
  s->Bind(1, key);
  if (revision != 0) s->Bind(2, revision);
  int rc = s->Step();
  if (rc == SQLITE_ROW && s->Int(2) == 0) {
    return KeyValue{key, s->Text(4), s->Int(1), s->Int(0), s->Int(3)};
  }
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return NotFoundError("key " + key + " not found");
  return c.Error(rc, "read key " + key);
}

Result<std::vector<KeyValue>> ListRange(SqliteConn& c, const ListOptions& o) {
  auto s = o.revision == 0 ? c.Prepare(
                                 "SELECT key, rev, create_rev, lease, value FROM log "
                                 "WHERE superseded IS NULL AND key >= ?1 AND key < ?2 AND key > ?3 "
                                 "AND deleted = 0 ORDER BY key LIMIT ?4")
                           : c.Prepare(
                                 "SELECT key, rev, create_rev, lease, value FROM log "
                                 "WHERE key >= ?1 AND key < ?2 AND key > ?3 AND rev <= ?5 "
                                 "AND (superseded IS NULL OR superseded > ?5) AND deleted = 0 "
                                 "ORDER BY key LIMIT ?4");
  if (!s.ok()) return s.status();
  BindRange(*s, 1, 2, o.prefix, o.start_after);
  s->Bind(3, o.start_after);
  s->Bind(4, o.limit > 0 ? o.limit + 1 : int64_t{-1});
  if (o.revision != 0) s->Bind(5, o.revision);
  std::vector<KeyValue> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    out.push_back(KeyValue{s->Text(0), s->Text(4), s->Int(2), s->Int(1), s->Int(3)});
  }
  if (rc != SQLITE_DONE) return c.Error(rc, "list " + o.prefix);
  return out;
}

Result<int64_t> CountRange(SqliteConn& c, const std::string& prefix, const std::string& start_after,
                           Revision revision) {
  auto s = revision == 0 ? c.Prepare(
                               "SELECT count(*) FROM log WHERE superseded IS NULL AND key >= ?1 "
                               "AND key < ?2 AND key > ?3 AND deleted = 0")
                         : c.Prepare(
                               "SELECT count(*) FROM log WHERE key >= ?1 AND key < ?2 AND key > ?3 "
                               "AND rev <= ?4 AND (superseded IS NULL OR superseded > ?4) "
                               "AND deleted = 0");
  if (!s.ok()) return s.status();
  BindRange(*s, 1, 2, prefix, start_after);
  s->Bind(3, start_after);
  if (revision != 0) s->Bind(4, revision);
  int rc = s->Step();
  if (rc != SQLITE_ROW) return c.Error(rc, "count " + prefix);
  return s->Int(0);
}

Result<std::vector<EventPtr>> ReadChanges(SqliteConn& c, const std::string& prefix, Revision after,
                                          Revision upto) {
  auto s = c.Prepare(
      "SELECT rev, key, create_rev, prev_rev, deleted, lease, value FROM log "
      "WHERE rev > ?1 AND rev <= ?2 AND key >= ?3 AND key < ?4 ORDER BY rev");
  if (!s.ok()) return s.status();
  s->Bind(1, after).Bind(2, upto);
  BindRange(*s, 3, 4, prefix, "");
  std::vector<EventPtr> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    auto e = std::make_shared<Event>();
    e->type = s->Int(4) ? Event::Type::kDelete : Event::Type::kPut;
    e->kv = KeyValue{s->Text(1), s->Text(6), s->Int(2), s->Int(0), s->Int(5)};
    e->prev_revision = s->Int(3);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return c.Error(rc, "read changes under " + prefix);
  return out;
}

}  // namespace skiff::store
