// Child process of the crash test: writes as fast as it can from several threads and reports
// every acknowledged write on stdout, one line each, until it is killed.
//   crash_writer DB ROUND THREADS
// Lines: "C <key> <revision>" for a create (value = key), "U <key> <n> <revision>" for an
// update of a per-thread counter key to n, "d <key>" before a delete, "D <key>" after it.
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "skiff/common/log.h"
#include "skiff/store/sqlite_store.h"

namespace {

std::mutex g_out;

void Report(const std::string& line) {
  std::lock_guard lock(g_out);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n <= 0) _exit(3);
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DB ROUND THREADS\n", argv[0]);
    return 2;
  }
  skiff::log::SetLevel(skiff::log::Level::kError);
  skiff::store::SqliteStoreOptions o;
  o.path = argv[1];
  o.compact_interval = std::chrono::milliseconds(30);  // compaction runs amid the writes too
  auto opened = skiff::store::OpenSqliteStore(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  skiff::store::Store& store = **opened;
  const std::string round = argv[2];
  const int threads = std::stoi(argv[3]);
  Report("READY\n");
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::string counter = "/crash/counter/" + round + "/" + std::to_string(t);
      if (!store.Create(counter, "0").ok()) _exit(4);
      for (long i = 1;; ++i) {
        std::string key =
            "/crash/keys/" + round + "/" + std::to_string(t) + "/" + std::to_string(i);
        auto c = store.Create(key, key);
        if (!c.ok()) _exit(5);
        Report("C " + key + " " + std::to_string(c->mod_revision) + "\n");
        auto u = store.Update(counter, std::to_string(i), 0);
        if (!u.ok()) _exit(6);
        Report("U " + counter + " " + std::to_string(i) + " " + std::to_string(u->mod_revision) +
               "\n");
        if (i % 5 == 0) {
          Report("d " + key + "\n");  // about to delete: either outcome is fine until "D"
          if (!store.Delete(key, c->mod_revision).ok()) _exit(7);
          Report("D " + key + "\n");
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
