// Store benchmark: prints the figures the README records.
//   store_bench [--dir DIR] [--quick]
// DIR (default: a temporary directory under /var/tmp) must be on the disk under test: the
// figures measure durable (fsync'd) writes.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "skiff/common/log.h"
#include "skiff/store/sqlite_store.h"

namespace {

using Clock = std::chrono::steady_clock;
using skiff::store::Store;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::string StatusLine(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return line.substr(std::strlen(field));
  }
  return "?";
}

double RssMb() { return std::stod(StatusLine("VmRSS:")) / 1024.0; }

std::unique_ptr<Store> Open(const std::string& path, std::chrono::milliseconds compact) {
  skiff::store::SqliteStoreOptions o;
  o.path = path;
  o.compact_interval = compact;
  auto s = skiff::store::OpenSqliteStore(o);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

// Runs `per_thread` operations on each of `threads` threads; returns operations per second.
template <class Op>
double Parallel(int threads, int per_thread, Op op) {
  std::vector<std::thread> ts;
  std::atomic<int> errors{0};
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!op(t, i)) ++errors;
      }
    });
  }
  for (auto& t : ts) t.join();
  double secs = Seconds(Clock::now() - start);
  if (errors) {
    std::fprintf(stderr, "%d operations failed\n", errors.load());
    std::exit(1);
  }
  return threads * per_thread / secs;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[idx];
}

}  // namespace

int main(int argc, char** argv) {
  std::string base = "/var/tmp";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      base = argv[++i];
    } else if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: %s [--dir DIR] [--quick]\n", argv[0]);
      return 2;
    }
  }
  skiff::log::SetLevel(skiff::log::Level::kWarning);
  std::string tmpl = base + "/skiff-bench-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = tmpl;
  const int scale = quick ? 10 : 1;
  const std::string value(1024, 'v');  // a typical small object
  std::printf("skiff store benchmark (%s, values of %zu bytes, synchronous=FULL)\n", dir.c_str(),
              value.size());

  {
    auto store = Open(dir + "/writes.db", std::chrono::milliseconds(0));
    double one = Parallel(1, 2000 / scale, [&](int, int i) {
      return store->Create("/one/" + std::to_string(i), value).ok();
    });
    std::printf("durable creates/s, 1 writer:          %9.0f\n", one);
    double sixteen = Parallel(16, 1000 / scale, [&](int t, int i) {
      return store->Create("/many/" + std::to_string(t) + "/" + std::to_string(i), value).ok();
    });
    std::printf("durable creates/s, 16 writers:        %9.0f\n", sixteen);
    double updates = Parallel(16, 1000 / scale, [&](int t, int i) {
      return store->Update("/many/" + std::to_string(t) + "/" + std::to_string(i), value + "u", 0)
          .ok();
    });
    std::printf("durable updates/s, 16 writers:        %9.0f\n", updates);
  }

  {
    auto store = Open(dir + "/list.db", std::chrono::milliseconds(0));
    const int n = 10000 / scale;
    Parallel(16, n / 16, [&](int t, int i) {
      char key[64];
      std::snprintf(key, sizeof key, "/registry/pods/ns%d/pod-%05d", t, i);
      return store->Create(key, value).ok();
    });
    std::vector<double> full_ms;
    for (int i = 0; i < 5; ++i) {
      auto start = Clock::now();
      auto r = store->List({.prefix = "/registry/pods/"});
      full_ms.push_back(Seconds(Clock::now() - start) * 1000);
      if (!r.ok() || r->items.size() != static_cast<size_t>(n / 16 * 16)) return 1;
    }
    auto start = Clock::now();
    std::string after;
    size_t seen = 0;
    skiff::store::Revision at = 0;
    for (;;) {
      auto page = store->List(
          {.prefix = "/registry/pods/", .start_after = after, .revision = at, .limit = 500});
      if (!page.ok()) return 1;
      at = page->revision;
      seen += page->items.size();
      if (!page->more) break;
      after = page->items.back().key;
    }
    double paged_ms = Seconds(Clock::now() - start) * 1000;
    std::printf("list %zu objects, one call (median):  %9.1f ms\n", seen, Percentile(full_ms, 0.5));
    std::printf("list %zu objects, pages of 500:       %9.1f ms\n", seen, paged_ms);
  }

  {
    auto store = Open(dir + "/watch.db", std::chrono::milliseconds(0));
    constexpr int kWatchers = 100;
    const int events = 1000 / scale;
    std::vector<std::vector<double>> latencies(kWatchers);
    std::vector<std::thread> consumers;
    std::vector<std::shared_ptr<skiff::store::Watcher>> watchers;
    for (int w = 0; w < kWatchers; ++w) {
      auto r = store->Watch({.prefix = "/watch/"});
      if (!r.ok()) return 1;
      watchers.push_back(*r);
    }
    for (int w = 0; w < kWatchers; ++w) {
      consumers.emplace_back([&, w] {
        std::vector<skiff::store::EventPtr> got;
        size_t done = 0;
        while (done < static_cast<size_t>(events)) {
          got.clear();
          if (!watchers[w]->Wait(&got, std::chrono::seconds(5))) break;
          int64_t now = NowNs();
          for (auto& e : got) {
            latencies[w].push_back((now - std::stoll(e->kv.value)) / 1e6);
          }
          done += got.size();
        }
      });
    }
    // Paced writes (about 500/s), each value the time just before the write was sent: the
    // latency includes the durable commit, then the fan-out to all watchers.
    for (int i = 0; i < events; ++i) {
      if (!store->Create("/watch/" + std::to_string(i), std::to_string(NowNs())).ok()) return 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    for (auto& c : consumers) c.join();
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::printf("watch delivery to %d watchers (%zu deliveries), write to receipt:\n", kWatchers,
                all.size());
    std::printf("  p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", Percentile(all, 0.5),
                Percentile(all, 0.99), Percentile(all, 1.0));
  }

  {
    // 100,000 updates over 1,000 keys with compaction every second, as a busy box would see.
    const std::string path = dir + "/churn.db";
    auto store = Open(path, std::chrono::milliseconds(1000));
    const int keys = 1000, updates = 100000 / scale;
    for (int k = 0; k < keys; ++k) {
      if (!store->Create("/churn/" + std::to_string(k), value).ok()) return 1;
    }
    auto start = Clock::now();
    double rate = Parallel(16, updates / 16, [&](int t, int i) {
      int k = (t * 7919 + i * 104729) % keys;
      return store->Update("/churn/" + std::to_string(k), value + std::to_string(i), 0).ok();
    });
    (void)start;
    auto mid = store->Stats();
    const auto rev = store->CurrentRevision();
    while (store->CompactRevision() < rev)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto end = store->Stats();
    std::printf("churn: %d updates over %d keys at %.0f/s\n", updates / 16 * 16, keys, rate);
    std::printf("  right after:       db %.2f MB + wal %.2f MB (live data %.2f MB)\n",
                mid->file_bytes / 1e6, mid->wal_bytes / 1e6, mid->live_bytes / 1e6);
    std::printf("  after compaction:  db %.2f MB + wal %.2f MB = %.2fx live data\n",
                end->file_bytes / 1e6, end->wal_bytes / 1e6,
                static_cast<double>(end->file_bytes + end->wal_bytes) /
                    static_cast<double>(end->live_bytes));
  }
  std::printf("resident memory: now %.1f MB, peak%s\n", RssMb(), StatusLine("VmHWM:").c_str());
  std::filesystem::remove_all(dir);
  return 0;
}
