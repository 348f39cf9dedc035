// ControllerRevisions of DaemonSets (daemon/update.go constructHistory, snapshot,
// dedupCurHistories, cleanupHistory).
#include "controllers/daemonset_history.h"

#include <algorithm>
#include <memory>

#include "controllers/controller_ref.h"
#include "controllers/name_hash.h"

namespace skiff::controllers::daemonset {
namespace {

void DropNulls(json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        DropNulls(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (json& e : v) DropNulls(e);
  }
}

std::optional<int64_t> CollisionCount(const json& ds) {
  const json* v = At(ds, {"status", "collisionCount"});
  if (!v || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

std::string CountText(const std::optional<int64_t>& c) {
  return c ? std::to_string(*c) : std::string("<nil>");
}

client::ObjectPtr Share(json obj) { return std::make_shared<const json>(std::move(obj)); }

// snapshot: creates the current revision; on a name collision with other data raises
// status.collisionCount and fails, so the next pass hashes again.
Result<client::ObjectPtr> Snapshot(client::Client& client, const json& ds, int64_t revision) {
  const std::string ns = NamespaceOf(ds);
  const json history = NewHistory(ds, revision);
  auto created = client.Create(client::ControllerRevisions(), ns, history);
  if (created.ok()) return Share(std::move(created).value());
  if (created.status().code() != Code::kAlreadyExists) return created.status();

  auto existing = client.Get(client::ControllerRevisions(), ns, NameOf(history));
  if (!existing.ok()) return existing.status();
  if (MatchesHistory(ds, *existing)) return Share(std::move(existing).value());

  auto fresh = client.Get(client::DaemonSets(), ns, NameOf(ds));
  if (!fresh.ok()) return fresh.status();
  const std::optional<int64_t> seen = CollisionCount(ds);
  const std::optional<int64_t> now = CollisionCount(*fresh);
  if (seen != now) {
    return ConflictError("found a stale collision count (" + CountText(seen) + ", expected " +
                         CountText(now) + ") of DaemonSet \"" + NameOf(ds) +
                         "\" while processing; will retry until it is updated");
  }
  json patch = {{"metadata", {{"resourceVersion", ResourceVersionOf(*fresh)}}},
                {"status", {{"collisionCount", now.value_or(0) + 1}}}};
  auto bumped = client.MergePatch(client::DaemonSets(), ns, NameOf(ds), patch, "status");
  if (!bumped.ok()) return bumped.status();
  return created.status();
}

// dedupCurHistories: keeps the highest revision among those matching the template, moves the
// pods of the others to its hash, and deletes the others.
Result<client::ObjectPtr> Dedup(client::Client& client, const json& ds,
                                const std::vector<client::ObjectPtr>& current,
                                const std::function<Result<PodList>()>& daemon_pods) {
  if (current.size() == 1) return current.front();
  client::ObjectPtr keep;
  for (const auto& h : current) {
    if (!keep || RevisionOf(*h) >= RevisionOf(*keep)) keep = h;
  }
  const std::string keep_hash = LabelOf(*keep, kRevisionHashLabel);
  const std::string ns = NamespaceOf(ds);
  for (const auto& h : current) {
    if (NameOf(*h) == NameOf(*keep)) continue;
    auto pods = daemon_pods();
    if (!pods.ok()) return pods.status();
    for (const auto& pod : *pods) {
      if (LabelOf(*pod, kRevisionHashLabel) == keep_hash) continue;
      json patch = {{"metadata", {{"labels", {{kRevisionHashLabel, keep_hash}}}}}};
      auto relabeled = client.MergePatch(client::Pods(), ns, NameOf(*pod), patch);
      if (!relabeled.ok() && relabeled.status().code() != Code::kNotFound) {
        return relabeled.status();
      }
    }
    Status s = client.Delete(client::ControllerRevisions(), ns, NameOf(*h), {});
    if (!s.ok() && s.code() != Code::kNotFound) return s;
  }
  return keep;
}

}  // namespace

std::string ComputeHash(const json& pod_template, std::optional<int64_t> collision_count) {
  json canonical = pod_template;
  DropNulls(canonical);
  uint32_t h = Fnv1a32(canonical.dump(-1, ' ', false, json::error_handler_t::replace));
  if (collision_count) {
    const auto n = static_cast<uint32_t>(*collision_count);
    const char bytes[8] = {static_cast<char>(n & 0xff),
                           static_cast<char>((n >> 8) & 0xff),
                           static_cast<char>((n >> 16) & 0xff),
                           static_cast<char>((n >> 24) & 0xff),
                           0,
                           0,
                           0,
                           0};
    h = Fnv1a32(std::string_view(bytes, sizeof bytes), h);
  }
  return SafeEncodeString(std::to_string(h));
}

json HistoryData(const json& ds) {
  const json* tmpl = At(ds, {"spec", "template"});
  json t = tmpl && tmpl->is_object() ? *tmpl : json::object();
  t["$patch"] = "replace";
  return {{"spec", {{"template", std::move(t)}}}};
}

bool MatchesHistory(const json& ds, const json& history) {
  const json* data = At(history, {"data"});
  if (!data) return false;
  // Compared without null members: a null may or may not survive the trip through the API.
  json stored = *data;
  json wanted = HistoryData(ds);
  DropNulls(stored);
  DropNulls(wanted);
  return stored == wanted;
}

int64_t RevisionOf(const json& history) { return IntAt(history, {"revision"}, 0); }

json NewHistory(const json& ds, int64_t revision) {
  const json* tmpl = At(ds, {"spec", "template"});
  const std::string hash = ComputeHash(tmpl ? *tmpl : json::object(), CollisionCount(ds));
  json labels = LabelsOf(tmpl ? *tmpl : json::object());
  labels[kRevisionHashLabel] = hash;
  json meta = {{"name", NameOf(ds) + "-" + hash},
               {"namespace", NamespaceOf(ds)},
               {"labels", std::move(labels)},
               {"ownerReferences", {MakeControllerRef(ds, DaemonSetKind())}}};
  const json* annotations = At(ds, {"metadata", "annotations"});
  if (annotations && annotations->is_object() && !annotations->empty()) {
    meta["annotations"] = *annotations;
  }
  return {{"apiVersion", "apps/v1"},
          {"kind", "ControllerRevision"},
          {"metadata", std::move(meta)},
          {"data", HistoryData(ds)},
          {"revision", revision}};
}

Result<Histories> ConstructHistory(client::Client& client, const json& ds,
                                   const apis::LabelSelector& selector,
                                   const std::vector<client::ObjectPtr>& candidates,
                                   const std::function<Result<PodList>()>& daemon_pods) {
  ClaimResult claimed =
      Claim(client, client::ControllerRevisions(), ds, DaemonSetKind(), selector, candidates);
  if (!claimed.status.ok()) return claimed.status;
  const std::string ns = NamespaceOf(ds);
  Histories out;
  std::vector<client::ObjectPtr> current;
  for (client::ObjectPtr h : claimed.owned) {
    if (LabelsOf(*h).find(kRevisionHashLabel) == LabelsOf(*h).end()) {
      // Older revisions without the label take their name as hash (never recomputed, so a
      // collision cannot hit them).
      json patch = {{"metadata",
                     {{"resourceVersion", ResourceVersionOf(*h)},
                      {"labels", {{kRevisionHashLabel, NameOf(*h)}}}}}};
      auto labeled = client.MergePatch(client::ControllerRevisions(), ns, NameOf(*h), patch);
      if (!labeled.ok()) return labeled.status();
      h = Share(std::move(labeled).value());
    }
    (MatchesHistory(ds, *h) ? current : out.old).push_back(std::move(h));
  }
  int64_t max_old = 0;
  for (const auto& h : out.old) max_old = std::max(max_old, RevisionOf(*h));
  const int64_t next = max_old + 1;

  if (current.empty()) {
    auto snapshot = Snapshot(client, ds, next);
    if (!snapshot.ok()) return snapshot.status();
    out.current = std::move(snapshot).value();
    return out;
  }
  auto kept = Dedup(client, ds, current, daemon_pods);
  if (!kept.ok()) return kept.status();
  out.current = std::move(kept).value();
  if (RevisionOf(*out.current) < next) {
    // The template came back (a rollback): its revision becomes the newest.
    json patch = {{"metadata", {{"resourceVersion", ResourceVersionOf(*out.current)}}},
                  {"revision", next}};
    auto raised = client.MergePatch(client::ControllerRevisions(), ns, NameOf(*out.current), patch);
    if (!raised.ok()) return raised.status();
    out.current = Share(std::move(raised).value());
  }
  return out;
}

Status CleanupHistory(client::Client& client, const json& ds, std::vector<client::ObjectPtr> old,
                      const std::set<std::string>& live_hashes) {
  const int64_t keep = IntAt(ds, {"spec", "revisionHistoryLimit"}, 10);
  int64_t to_kill = static_cast<int64_t>(old.size()) - keep;
  if (to_kill <= 0) return Status::Ok();
  std::stable_sort(old.begin(), old.end(),
                   [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
                     return RevisionOf(*a) < RevisionOf(*b);
                   });
  for (const auto& h : old) {
    if (to_kill <= 0) break;
    if (live_hashes.count(LabelOf(*h, kRevisionHashLabel))) continue;
    Status s = client.Delete(client::ControllerRevisions(), NamespaceOf(ds), NameOf(*h), {});
    if (!s.ok() && s.code() != Code::kNotFound) return s;
    --to_kill;
  }
  return Status::Ok();
}

}  // namespace skiff::controllers::daemonset
