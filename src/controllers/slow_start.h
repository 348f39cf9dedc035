// How controllers issue many API writes: kube-controller-manager's slowStartBatch (creates in
// batches of 1, 2, 4, 8 ..., stopping at the first batch with a failure, so a controller that
// cannot create, say over quota, fails one call and not 500), and a bounded parallel loop for
// the calls of one batch.
//
// Thread-safety: `fn` runs on up to `parallelism` threads at once and must be thread-safe.
#pragma once

#include <functional>

#include "skiff/common/status.h"

namespace skiff::controllers {

struct SlowStartResult {
  int successes = 0;
  Status first_error;  // of the batch that stopped it; OK when all `count` calls succeeded
};

// Calls fn `count` times in batches of initial_batch, then twice the previous batch (at most
// what is left). Every call of a batch runs, even after one failed; no later batch starts
// after a failure. Kubernetes' initial batch is 1 (SlowStartInitialBatchSize).
SlowStartResult SlowStartBatch(int count, int initial_batch, int parallelism,
                               const std::function<Status()>& fn);

// Runs fn(0) .. fn(n - 1) on up to `parallelism` threads (the caller's among them) and returns
// when all have returned.
void ParallelFor(int n, int parallelism, const std::function<void(int)>& fn);

}  // namespace skiff::controllers
