// The composition root of `skiff server`: opens the data directory and the store, then runs
// every in-process component until a stop signal arrives.
#pragma once

#include "skiff/cli/options.h"

namespace skiff::server {

// Runs until SIGTERM or SIGINT. Returns the process exit code: 0 after a clean stop, non-zero
// when start-up failed (the reason is logged first, naming the file or setting at fault).
int Run(const cli::ServerOptions& options);

}  // namespace skiff::server
