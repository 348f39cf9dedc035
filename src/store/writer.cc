#include "writer.h"

#include "skiff/common/log.h"

namespace skiff::store {

Writer::Writer(std::unique_ptr<SqliteConn> conn, Revision current, WatchHub* hub, size_t max_batch)
    : conn_(std::move(conn)),
      hub_(hub),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      revision_(current),
      committed_(current) {
  thread_ = std::thread([this] { Loop(); });
}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Writer::Submit(Op op) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(op));
      cv_.notify_one();
      return;
    }
  }
  op.complete(UnavailableError("store is shutting down"));
}

Status Writer::RunAlone(std::function<Status(SqliteConn&)> fn) {
  auto done = std::make_shared<std::promise<Status>>();
  auto fut = done->get_future();
  Op op;
  op.alone = std::move(fn);
  op.complete = [done](const Status& s) { done->set_value(s); };
  Submit(std::move(op));
  return fut.get();
}

void Writer::Loop() {
  std::vector<Op> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      // A lone operation runs by itself; otherwise take every queued group operation.
      if (queue_.front().alone) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } else {
        while (!queue_.empty() && !queue_.front().alone && group.size() < max_batch_) {
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    if (group.front().alone) {
      group.front().complete(group.front().alone(*conn_));
    } else {
      RunGroup(group);
    }
    group.clear();
  }
}

Status Writer::Sql(const char* sql) {
  auto stmt = conn_->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  int rc = stmt->Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return conn_->Error(rc, sql);
  return Status::Ok();
}

void Writer::RunGroup(std::vector<Op>& ops) {
  auto fail_all = [&](const Status& s) {
    for (Op& op : ops) op.complete(s);
  };
  if (Status s = Sql("BEGIN IMMEDIATE"); !s.ok()) {
    fail_all(s);
    return;
  }
  Txn txn{*conn_, revision_, {}};
  std::vector<Status> results;
  results.reserve(ops.size());
  Status aborted;
  for (Op& op : ops) {
    if (Status s = Sql("SAVEPOINT op"); !s.ok()) {
      aborted = s;
      break;
    }
    const Revision rev_before = txn.revision;
    const size_t events_before = txn.events.size();
    Status st = op.apply(txn);
    if (!st.ok()) {
      if (sqlite3_get_autocommit(conn_->raw())) {
        // SQLite rolled the whole transaction back (disk full, I/O error): the group is lost.
        aborted = st;
        break;
      }
      txn.revision = rev_before;
      txn.events.resize(events_before);
      if (Status s = Sql("ROLLBACK TO op"); !s.ok()) {
        aborted = s;
        break;
      }
    }
    if (Status s = Sql("RELEASE op"); !s.ok()) {
      aborted = s;
      break;
    }
    results.push_back(std::move(st));
  }
  if (aborted.ok() && txn.revision != revision_) {
    auto stmt = conn_->Prepare("UPDATE meta SET value = ?1 WHERE name = 'rev'");
    if (!stmt.ok()) {
      aborted = stmt.status();
    } else if (int rc = stmt->Bind(1, txn.revision).Step(); rc != SQLITE_DONE) {
      aborted = conn_->Error(rc, "record revision");
    }
  }
  if (aborted.ok()) aborted = Sql("COMMIT");
  if (!aborted.ok()) {
    if (!sqlite3_get_autocommit(conn_->raw())) (void)Sql("ROLLBACK");
    log::Warning("store", "write group failed",
                 {{"ops", std::to_string(ops.size())}, {"error", aborted.ToString()}});
    fail_all(aborted);
    return;
  }
  revision_ = txn.revision;
  committed_.store(revision_, std::memory_order_release);
  hub_->Publish(txn.events);
  for (size_t i = 0; i < ops.size(); ++i) ops[i].complete(results[i]);
}

}  // namespace skiff::store
