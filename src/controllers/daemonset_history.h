// A DaemonSet's ControllerRevisions, as kube-controller-manager keeps them (daemon/update.go
// constructHistory, snapshot, dedupCurHistories, cleanupHistory, Match, getPatch;
// controller.ComputeHash).
//
// Each distinct spec.template is one ControllerRevision "<ds>-<hash>" controlled by the
// DaemonSet: labels = the template's labels plus controller-revision-hash=<hash>, annotations =
// the DaemonSet's, data = {"spec":{"template":<template + "$patch":"replace">}}, revision = one
// more than every other revision's. The revision whose data matches the template is current:
// made when missing, its revision raised to the top when it comes back (a rollback), and
// duplicates folded into the newest (their pods relabeled first). A name taken by a revision
// with other data (a hash collision) raises status.collisionCount and fails the pass (the next
// pass hashes again). Old revisions beyond spec.revisionHistoryLimit are deleted oldest first,
// except those whose hash a daemon pod still carries.
//
// NOTE: the StatefulSet controller's ControllerRevision support (controller_history.h) was
// written at the same time by someone else; this file is to be folded into it.
//
// Thread-safe (no state); errors are the Client's, returned without retrying.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/daemonset_util.h"
#include "skiff/apis/selector.h"
#include "skiff/client/client.h"
#include "skiff/common/status.h"

namespace skiff::controllers::daemonset {

// controller.ComputeHash as skiff computes it: FNV-1a 32 over the template's compact JSON
// (members sorted, nulls dropped), then over the collision count as 8 little-endian bytes when
// set; the decimal value's bytes mapped through rand.SafeEncodeString's alphabet.
std::string ComputeHash(const json& pod_template, std::optional<int64_t> collision_count);

// getPatch: {"spec":{"template":<spec.template with "$patch":"replace">}}.
json HistoryData(const json& ds);
// Match: the revision's data is the DaemonSet's template (null members ignored).
bool MatchesHistory(const json& ds, const json& history);
// The revision's `revision` (0 when absent).
int64_t RevisionOf(const json& history);
// The ControllerRevision snapshot() creates for the DaemonSet's current template.
json NewHistory(const json& ds, int64_t revision);

struct Histories {
  client::ObjectPtr current;           // as the API (or cache) has it
  std::vector<client::ObjectPtr> old;  // every other revision the DaemonSet controls
};

// constructHistory. `candidates` are the ControllerRevisions of the DaemonSet's namespace (from
// the cache); they are claimed first (controller_ref.h Claim). `daemon_pods` lists the
// DaemonSet's pods, called only when duplicates have to be folded.
Result<Histories> ConstructHistory(client::Client& client, const json& ds,
                                   const apis::LabelSelector& selector,
                                   const std::vector<client::ObjectPtr>& candidates,
                                   const std::function<Result<PodList>()>& daemon_pods);

// cleanupHistory: deletes old revisions beyond spec.revisionHistoryLimit (default 10), lowest
// revision first, skipping those whose hash is in `live_hashes` (the hashes the DaemonSet's
// pods carry).
Status CleanupHistory(client::Client& client, const json& ds, std::vector<client::ObjectPtr> old,
                      const std::set<std::string>& live_hashes);

}  // namespace skiff::controllers::daemonset
