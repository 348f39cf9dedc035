// The store's single writer: one SQLite connection and one thread that group-commits.
//
// Callers hand it operations; the thread takes every operation waiting (up to a batch limit),
// runs them in one transaction, each inside its own savepoint, commits once (one fsync for the
// whole group), publishes the group's events to the watch hub in revision order, and only then
// completes the callers. So durability does not cost throughput: 16 concurrent writers share
// one commit. An operation that fails leaves no trace (its savepoint is rolled back); a failed
// commit fails every operation of its group and consumes no revision.
//
// Thread-safety: Run/RunAlone may be called from any thread; everything else is internal to
// the writer thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "skiff/store/store.h"
#include "sqlite_conn.h"
#include "watch_hub.h"

namespace skiff::store {

// What an operation sees inside the writer's transaction.
struct Txn {
  SqliteConn& conn;
  Revision revision;             // the latest revision allocated so far in this group
  std::vector<EventPtr> events;  // this group's events, ascending

  Revision NextRevision() { return ++revision; }
};

class Writer {
 public:
  Writer(std::unique_ptr<SqliteConn> conn, Revision current, WatchHub* hub, size_t max_batch);
  ~Writer();  // finishes queued operations, then stops
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs fn inside a group-committed transaction and waits for the commit.
  template <class T>
  Result<T> Run(std::function<Result<T>(Txn&)> fn) {
    auto slot = std::make_shared<std::optional<Result<T>>>();
    auto done = std::make_shared<std::promise<Result<T>>>();
    auto fut = done->get_future();
    Op op;
    op.apply = [fn = std::move(fn), slot](Txn& t) {
      slot->emplace(fn(t));
      return (*slot)->status();
    };
    op.complete = [slot, done](const Status& s) {
      if (s.ok() && slot->has_value()) {
        done->set_value(std::move(**slot));
      } else {
        done->set_value(s.ok() ? InternalError("operation produced no result") : s);
      }
    };
    Submit(std::move(op));
    return fut.get();
  }

  // Runs fn alone, outside any transaction (checkpoints, vacuum), between groups.
  Status RunAlone(std::function<Status(SqliteConn&)> fn);

  // The latest committed revision.
  Revision committed() const { return committed_.load(std::memory_order_acquire); }

 private:
  struct Op {
    std::function<Status(Txn&)> apply;         // in a group transaction
    std::function<Status(SqliteConn&)> alone;  // or alone, when set
    std::function<void(const Status&)> complete;
  };

  void Submit(Op op);
  void Loop();
  void RunGroup(std::vector<Op>& ops);
  Status Sql(const char* sql);

  std::unique_ptr<SqliteConn> conn_;
  WatchHub* hub_;
  const size_t max_batch_;
  Revision revision_;  // writer thread only
  std::atomic<Revision> committed_;

  std::mutex mu_;  // guards queue_ and stopping_
  std::condition_variable cv_;
  std::deque<Op> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::store
