// A pool of read connections. Reads never wait for the writer (WAL): each read borrows a
// connection, runs one read transaction on it and gives it back.
// Thread-safety: Acquire and the returned handle's destructor are thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "sqlite_conn.h"

namespace skiff::store {

class ReaderPool {
 public:
  ReaderPool(std::string path, size_t max_idle) : path_(std::move(path)), max_idle_(max_idle) {}

  class Handle {
   public:
    Handle(ReaderPool* pool, std::unique_ptr<SqliteConn> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = delete;
    ~Handle() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    SqliteConn& operator*() { return *conn_; }
    SqliteConn* operator->() { return conn_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<SqliteConn> conn_;
  };

  Result<Handle> Acquire();

 private:
  void Release(std::unique_ptr<SqliteConn> conn);

  const std::string path_;
  const size_t max_idle_;
  std::mutex mu_;  // guards idle_
  std::vector<std::unique_ptr<SqliteConn>> idle_;
};

// Runs fn inside one read transaction (a consistent snapshot) on a pooled connection.
template <class F>
auto WithSnapshot(ReaderPool& pool, F&& fn) -> decltype(fn(std::declval<SqliteConn&>())) {
  auto h = pool.Acquire();
  if (!h.ok()) return h.status();
  SqliteConn& c = **h;
  if (Status s = c.Exec("BEGIN"); !s.ok()) return s;
  auto out = fn(c);
  (void)c.Exec("COMMIT");  // read-only: ends the snapshot, cannot lose anything
  return out;
}

}  // namespace skiff::store
