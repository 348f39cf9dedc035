#include "skiff/server/server.h"

#include <signal.h>

#include "data_dir.h"
#include "skiff/common/log.h"
#include "skiff/store/sqlite_store.h"

namespace skiff::server {

int Run(const cli::ServerOptions& options) {
  // Every thread started from here on inherits this mask; the main thread alone takes the
  // stop signals with sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  if (!options.datastore_endpoint.empty()) {
    log::Error("server",
               "the etcd datastore is not built yet; remove --datastore-endpoint to "
               "use the embedded SQLite store");
    return 1;
  }
  DataDir dir{options.data_dir};
  if (Status s = MakeDirs(dir.db_dir()); !s.ok()) {
    log::Error("server", "cannot prepare the data directory", {{"error", s.message()}});
    return 1;
  }
  store::SqliteStoreOptions store_options;
  store_options.path = dir.db_path();
  store_options.compact_interval = options.compact_interval;
  auto store = store::OpenSqliteStore(store_options);
  if (!store.ok()) {
    log::Error("server", "cannot open the store", {{"error", store.status().message()}});
    return 1;
  }
  // Plainly, until the next capabilities land: nothing serves the Kubernetes API yet.
  log::Warning("server",
               "this build has the store only: the Kubernetes API server, controllers and node "
               "agent are not built yet, so kubectl cannot connect");
  log::Info("server", "running", {{"data-dir", options.data_dir}, {"db", dir.db_path()}});

  int sig = 0;
  sigwait(&stop, &sig);
  log::Info("server", "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  store->reset();
  log::Info("server", "stopped");
  return 0;
}

}  // namespace skiff::server
