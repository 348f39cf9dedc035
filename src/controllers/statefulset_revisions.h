// A StatefulSet's revisions (kube-controller-manager's getStatefulSetRevisions, newRevision,
// ApplyRevision and truncateHistory): each version of spec.template is a ControllerRevision
// (controller_history.h) whose data is the patch {"spec":{"template":{...,"$patch":"replace"}}}
// that restores it, labelled with the template's labels, annotated with the set's annotations.
//
// The update revision is the one equal to the set's current template: the latest revision if
// it is equal; an older equal one (a rollback) gets the next revision number; otherwise a new
// revision is created (raising the collision count on name collisions). The current revision
// is the one status.currentRevision names, or the update revision when there is none. Old
// revisions that no pod uses and that are neither current nor update are deleted, oldest
// first, beyond spec.revisionHistoryLimit (10).
//
// Pure functions but ResolveRevisions and TruncateHistory, which write through the history.
// Thread-safe. Errors are Statuses; nothing throws.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controllers/controller_history.h"
#include "skiff/common/status.h"

namespace skiff::controllers::statefulset {

using nlohmann::json;

// The revision data of the set's template (getPatch).
json RevisionData(const json& set);
// newRevision: the ControllerRevision of the set's template with this number.
json NewRevision(const json& set, int64_t revision, int32_t collision_count);
// ApplyRevision: the set with spec.template as the revision recorded it. kInvalidArgument
// when the revision's data has no template.
Result<json> ApplyRevision(const json& set, const json& revision);

// The two revisions a sync works with, and the sets they describe.
struct Revisions {
  json current;      // the current ControllerRevision
  json update;       // the update ControllerRevision
  json current_set;  // the set with the current revision's template
  json update_set;   // the set with the update revision's template
  std::string current_name;
  std::string update_name;
  int32_t collision_count = 0;
};

// getStatefulSetRevisions over `sorted` (the set's revisions, SortControllerRevisions order).
Result<Revisions> ResolveRevisions(history::ControllerHistory& history, const json& set,
                                   const history::RevisionList& sorted);

// truncateHistory: deletes the oldest revisions beyond spec.revisionHistoryLimit among those
// that are not `live` (the current and update revisions and every pod's revision).
Status TruncateHistory(history::ControllerHistory& history, const json& set,
                       const history::RevisionList& sorted, const std::vector<std::string>& live);

}  // namespace skiff::controllers::statefulset
