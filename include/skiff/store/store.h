// The store: a revisioned key-value log, the single source of truth for every API object.
//
// Model (the etcd v3 model that Kubernetes is built on):
// - Every change (create, update, delete) gets the next value of one global revision counter.
//   Revisions strictly increase, survive restarts and are never reused.
// - A key's create_revision is the revision that created it; its mod_revision the revision of
//   its latest change. Updates and deletes compare-and-swap on mod_revision.
// - Reads see a consistent snapshot: "latest" or any revision not yet compacted.
// - Watches deliver, in revision order and without gaps or duplicates, every change after a
//   start revision, then live changes as they commit.
// - Compaction forgets superseded versions at or below a revision; reading or watching from
//   before it answers kGone.
// - A lease expires after its TTL and deletes the keys attached to it (as ordinary deletes,
//   which watchers see).
//
// Every implementation is thread-safe: any method may be called from any thread at once.
// Values are opaque bytes. Acknowledged writes are durable (they survive kill -9 and power loss).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::store {

using Revision = int64_t;
using LeaseId = int64_t;  // 0 = no lease

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;
  Revision mod_revision = 0;
  LeaseId lease = 0;
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  // kPut: the new version. kDelete: the last version before the delete, except that
  // kv.mod_revision is the revision of the delete itself.
  KeyValue kv;
  // mod_revision of the version this change replaced; 0 when the key did not exist.
  Revision prev_revision = 0;

  Revision revision() const { return kv.mod_revision; }
  // A put that brought the key into existence (first create, or create after a delete).
  bool created() const { return type == Type::kPut && kv.create_revision == kv.mod_revision; }
};

// Events are immutable once committed and shared by every watcher that receives them.
using EventPtr = std::shared_ptr<const Event>;

struct ListOptions {
  std::string prefix;       // keys starting with this; "" = every key
  std::string start_after;  // exclusive lower bound for pagination ("" = from the first key)
  Revision revision = 0;    // 0 = latest; otherwise the state at this revision
  int64_t limit = 0;        // 0 = no limit
};

struct ListResult {
  std::vector<KeyValue> items;  // ordered by key
  Revision revision = 0;        // the revision the list reflects
  bool more = false;            // further keys exist after items.back()
  int64_t remaining = 0;        // how many keys follow (when more)
};

enum class WatchCloseReason {
  kOpen,         // not closed
  kCancelled,    // the consumer closed it
  kFellBehind,   // the consumer did not keep up; the bounded buffer overflowed
  kStoreClosed,  // the store shut down
};

// A live subscription. Events arrive in revision order.
// Thread-safety: all methods may be called from any thread.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // Moves every queued event into *out (appending). Never blocks.
  // Returns false once the watcher is closed and nothing is left to read.
  virtual bool Poll(std::vector<EventPtr>* out) = 0;
  // Like Poll, but waits up to `timeout` for at least one event or the close.
  virtual bool Wait(std::vector<EventPtr>* out, std::chrono::milliseconds timeout) = 0;
  // Stops delivery and frees the buffer. Idempotent.
  virtual void Close() = 0;
  virtual WatchCloseReason close_reason() const = 0;
};

struct WatchOptions {
  std::string prefix;
  // Deliver changes with revision > after. Unset: only changes committed from now on.
  std::optional<Revision> after;
  // Events buffered but not yet read beyond which the watcher is closed with kFellBehind.
  size_t max_pending = 100000;
  // Called (from the store's writer thread or the Watch caller's thread) whenever events or the
  // close become available. Must be quick and must not call back into the store; typically it
  // posts a wake-up to the consumer's executor.
  std::function<void()> on_ready;
};

struct StoreStats {
  Revision revision = 0;
  Revision compact_revision = 0;
  int64_t live_keys = 0;
  int64_t rows = 0;        // versions kept, including superseded ones and tombstones
  int64_t live_bytes = 0;  // sum of key and value sizes of live keys
  int64_t file_bytes = 0;  // database file
  int64_t wal_bytes = 0;   // write-ahead log file
};

class Store {
 public:
  virtual ~Store() = default;

  // Fails with kAlreadyExists when the key exists, kTooLarge over the value limit.
  virtual Result<KeyValue> Create(const std::string& key, const std::string& value,
                                  LeaseId lease = 0) = 0;
  // Replaces the value when the key's mod_revision equals expected_revision (0 = any):
  // kNotFound when the key is missing, kConflict when it changed.
  virtual Result<KeyValue> Update(const std::string& key, const std::string& value,
                                  Revision expected_revision, LeaseId lease = 0) = 0;
  // Deletes the key when its mod_revision equals expected_revision (0 = any). Returns the last
  // version, with mod_revision set to the revision of the delete.
  virtual Result<KeyValue> Delete(const std::string& key, Revision expected_revision = 0) = 0;

  // The key at the latest revision (revision 0) or as it was at `revision`.
  virtual Result<KeyValue> Get(const std::string& key, Revision revision = 0) = 0;
  virtual Result<ListResult> List(const ListOptions& options) = 0;
  // Live keys under prefix, at the latest revision.
  virtual Result<int64_t> Count(const std::string& prefix) = 0;

  // kGone when options.after is older than the compacted revision.
  virtual Result<std::shared_ptr<Watcher>> Watch(WatchOptions options) = 0;

  virtual Result<LeaseId> GrantLease(std::chrono::seconds ttl) = 0;
  // Restarts the lease's TTL. kNotFound when it expired or was revoked.
  virtual Status KeepAliveLease(LeaseId lease) = 0;
  // Ends the lease now, deleting its keys.
  virtual Status RevokeLease(LeaseId lease) = 0;

  // Forgets every version superseded at or before `revision` (and tombstones at or before it).
  // Runs in small batches so writers are never held up for long. Returns versions removed.
  virtual Result<int64_t> Compact(Revision revision) = 0;

  virtual Revision CurrentRevision() const = 0;
  // The revision the last finished compaction reached (reads below it answer kGone).
  virtual Revision CompactRevision() const = 0;
  virtual Result<StoreStats> Stats() = 0;
};

}  // namespace skiff::store
