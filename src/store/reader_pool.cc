#include "reader_pool.h"

#include "schema.h"

namespace skiff::store {

Result<ReaderPool::Handle> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Handle(this, std::move(conn));
    }
  }
  auto conn = OpenReader(path_);
  if (!conn.ok()) return conn.status();
  return Handle(this, std::move(conn).value());
}

void ReaderPool::Release(std::unique_ptr<SqliteConn> conn) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
}

}  // namespace skiff::store
