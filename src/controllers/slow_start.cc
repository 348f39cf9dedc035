#include "controllers/slow_start.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace skiff::controllers {

void ParallelFor(int n, int parallelism, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  auto work = [&] {
    for (int i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> helpers;
  const int threads = std::min(n, std::max(1, parallelism));
  for (int t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
}

SlowStartResult SlowStartBatch(int count, int initial_batch, int parallelism,
                               const std::function<Status()>& fn) {
  SlowStartResult out;
  int remaining = count;
  std::mutex mu;  // guards out.first_error and failures
  for (int batch = std::min(remaining, std::max(1, initial_batch)); batch > 0;
       batch = std::min(2 * batch, remaining)) {
    int failures = 0;
    ParallelFor(batch, parallelism, [&](int) {
      Status s = fn();
      if (s.ok()) return;
      std::lock_guard lock(mu);
      if (++failures == 1) out.first_error = std::move(s);
    });
    out.successes += batch - failures;
    if (failures > 0) return out;
    remaining -= batch;
  }
  return out;
}

}  // namespace skiff::controllers
