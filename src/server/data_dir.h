// The layout of skiff's data directory.
//   <data-dir>/server/db/state.db   the store (embedded SQLite)
//   <data-dir>/server/tls/          the cluster CA, serving and client certificates
//   <data-dir>/server/token         the admin bearer token
//   <data-dir>/agent/               the node agent's state (pods, images, containers)
//   <data-dir>/agent/images/        image archives imported at start (airgap)
//   <data-dir>/storage/             local-path PersistentVolumes (pvc-<uid>_<namespace>_<name>)
#pragma once

#include <string>

namespace skiff::server {

struct DataDir {
  std::string root;
  std::string db_dir() const { return root + "/server/db"; }
  std::string db_path() const { return db_dir() + "/state.db"; }
  std::string tls_dir() const { return root + "/server/tls"; }
  std::string token_path() const { return root + "/server/token"; }
  std::string agent_dir() const { return root + "/agent"; }
  std::string storage_dir() const { return root + "/storage"; }
};

}  // namespace skiff::server
