// kube-controller-manager's controller history (pkg/controller/history): the ControllerRevisions
// in which the StatefulSet and DaemonSet controllers record each version of their pod template.
//
// A revision is an apps/v1 ControllerRevision named "<parent>-<hash>", controlled by its parent
// (controller reference), labelled with the parent's template labels plus
// controller.kubernetes.io/hash=<hash>, carrying `data` (what the parent needs to restore that
// version, e.g. a patch of spec.template) and `revision`, a number that orders versions.
//
// The hash is the FNV-1 32-bit hash of the data's compact JSON (keys sorted) followed, when a
// collision count is given, by the count in decimal, printed in decimal and safe-encoded
// (rand.SafeEncodeString). When the name is taken by a revision with different data, creation
// retries with the collision count raised by one: the caller stores the final count in its
// status (status.collisionCount) so later hashes avoid the collision again.
//
// Everything here is a pure function of its arguments except ControllerHistory, whose methods
// call the API through the Client. Errors are Statuses; nothing throws. Thread-safe (no state
// beyond the Client reference).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controllers/controller_ref.h"
#include "controllers/name_hash.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers::history {

using nlohmann::json;
using RevisionPtr = client::ObjectPtr;  // a ControllerRevision (cached, immutable)
using RevisionList = std::vector<RevisionPtr>;

inline constexpr char kControllerRevisionHashLabel[] = "controller.kubernetes.io/hash";

using controllers::Fnv1_32;            // name_hash.h
using controllers::SafeEncodeString;  // name_hash.h
// HashControllerRevision: SafeEncodeString of the decimal FNV-1 32 of data.dump() (plus the
// decimal collision count when given).
std::string HashControllerRevision(const json& data, std::optional<int32_t> collision_count);
// "<prefix>-<hash>", the prefix cut to 223 bytes (names stay within 253).
std::string ControllerRevisionName(std::string prefix, const std::string& hash);

// NewControllerRevision: a ControllerRevision (not yet created) in the parent's namespace,
// controlled by `parent` of `kind`, labelled with `template_labels` and the hash label, with
// `data`, `revision` and the name ControllerRevisionName(parent name, hash).
json NewControllerRevision(const json& parent, const OwnerKind& kind, const json& template_labels,
                           const json& data, int64_t revision,
                           std::optional<int32_t> collision_count);

// The revision number (`revision`, 0 when absent).
int64_t RevisionNumber(const json& revision);
// Sorts by revision number, then creationTimestamp, then name (SortControllerRevisions).
void SortControllerRevisions(RevisionList& revisions);
// Both null, or both with equal data (EqualRevision; the hash labels must agree when both
// are set).
bool EqualRevision(const json* lhs, const json* rhs);
// The revisions equal to `needle`, in the order given (FindEqualRevisions).
RevisionList FindEqualRevisions(const RevisionList& revisions, const json& needle);
// 1 for no revisions, else the highest revision number + 1 (`sorted` by revision).
int64_t NextRevision(const RevisionList& sorted);

// The revisions of `parent`'s namespace in `informer` that match `selector` and are controlled
// by `parent` or by nothing (ListControllerRevisions). A null or empty selector matches none.
RevisionList ListControllerRevisions(const client::Informer& informer, const json& parent,
                                     const apis::LabelSelector& selector);

// The API side of the history. `client` must outlive it.
class ControllerHistory {
 public:
  explicit ControllerHistory(client::Client& client) : client_(client) {}

  // CreateControllerRevision: creates `revision` (from NewControllerRevision) under the name of
  // its hash with *collision_count. When that name exists with equal data the existing one is
  // returned; with other data *collision_count is raised and the name recomputed (at most 64
  // tries, then kInternal).
  Result<json> Create(const json& parent, const json& revision, int32_t* collision_count);
  // UpdateControllerRevision: sets the revision number (a no-op when equal); kConflict when the
  // revision changed since `revision` was read.
  Result<json> UpdateRevisionNumber(const json& revision, int64_t new_revision);
  // DeleteControllerRevision. A revision already gone is not an error.
  Status Delete(const json& revision);

 private:
  client::Client& client_;
};

}  // namespace skiff::controllers::history
