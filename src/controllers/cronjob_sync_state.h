// What one CronJobController::Sync pass carries between its parts (cronjob_controller.cc,
// cronjob_sync.cc, cronjob_cleanup.cc). Internal to the controller.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "controllers/cronjob_controller.h"

namespace skiff::controllers {

struct CronJobController::SyncState {
  std::string key, ns, name;
  // The CronJob being synced: the cached object (or a fresher one from the API), with the
  // pass's status changes applied.
  nlohmann::json cj;
  // The status of the object `cj` was read as, to tell whether the pass changed it.
  nlohmann::json base_status;
  // Uids of the Jobs this pass deleted (kept out of status.active if a fresher copy is read).
  std::set<std::string> deleted;
};

}  // namespace skiff::controllers
