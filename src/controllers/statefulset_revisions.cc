#include "controllers/statefulset_revisions.h"

#include <set>

#include "api/object_util.h"
#include "controllers/controller_ref.h"

namespace skiff::controllers::statefulset {

json RevisionData(const json& set) {
  const json* tmpl = api::Find(set, {"spec", "template"});
  json t = tmpl && tmpl->is_object() ? *tmpl : json::object();
  t["$patch"] = "replace";
  return {{"spec", {{"template", std::move(t)}}}};
}

json NewRevision(const json& set, int64_t revision, int32_t collision_count) {
  const json* labels = api::Find(set, {"spec", "template", "metadata", "labels"});
  json cr =
      history::NewControllerRevision(set, StatefulSetKind(), labels ? *labels : json::object(),
                                     RevisionData(set), revision, collision_count);
  const json* annotations = api::Find(set, {"metadata", "annotations"});
  if (annotations && annotations->is_object() && !annotations->empty()) {
    cr["metadata"]["annotations"] = *annotations;
  }
  return cr;
}

Result<json> ApplyRevision(const json& set, const json& revision) {
  const json* tmpl = api::Find(revision, {"data", "spec", "template"});
  if (!tmpl || !tmpl->is_object()) {
    return InvalidArgumentError("ControllerRevision " +
                                api::GetString(revision, {"metadata", "name"}) +
                                " has no spec.template in its data");
  }
  json restored = set;
  json t = *tmpl;
  t.erase("$patch");
  restored["spec"]["template"] = std::move(t);
  return restored;
}

Result<Revisions> ResolveRevisions(history::ControllerHistory& history, const json& set,
                                   const history::RevisionList& sorted) {
  Revisions out;
  const json* count = api::Find(set, {"status", "collisionCount"});
  out.collision_count = count && count->is_number_integer() ? count->get<int32_t>() : 0;

  const json candidate = NewRevision(set, history::NextRevision(sorted), out.collision_count);
  const history::RevisionList equal = history::FindEqualRevisions(sorted, candidate);
  if (!equal.empty() && history::EqualRevision(sorted.back().get(), equal.back().get())) {
    out.update = *sorted.back();  // the template has not changed
  } else if (!equal.empty()) {
    // A rollback: the equal revision becomes the newest.
    auto updated = history.UpdateRevisionNumber(*equal.back(), history::RevisionNumber(candidate));
    if (!updated.ok()) return updated.status();
    out.update = std::move(*updated);
  } else {
    auto created = history.Create(set, candidate, &out.collision_count);
    if (!created.ok()) return created.status();
    out.update = std::move(*created);
  }

  const std::string current_name = api::GetString(set, {"status", "currentRevision"});
  for (const auto& r : sorted) {
    if (!current_name.empty() && api::GetString(*r, {"metadata", "name"}) == current_name) {
      out.current = *r;
      break;
    }
  }
  if (out.current.is_null()) out.current = out.update;
  out.current_name = api::GetString(out.current, {"metadata", "name"});
  out.update_name = api::GetString(out.update, {"metadata", "name"});

  auto current_set = ApplyRevision(set, out.current);
  if (!current_set.ok()) return current_set.status();
  auto update_set = ApplyRevision(set, out.update);
  if (!update_set.ok()) return update_set.status();
  out.current_set = std::move(*current_set);
  out.update_set = std::move(*update_set);
  return out;
}

Status TruncateHistory(history::ControllerHistory& history, const json& set,
                       const history::RevisionList& sorted, const std::vector<std::string>& live) {
  const std::set<std::string> keep(live.begin(), live.end());
  history::RevisionList old;
  for (const auto& r : sorted) {
    if (!keep.count(api::GetString(*r, {"metadata", "name"}))) old.push_back(r);
  }
  const json* limit_json = api::Find(set, {"spec", "revisionHistoryLimit"});
  const int64_t limit =
      limit_json && limit_json->is_number_integer() ? limit_json->get<int64_t>() : 10;
  if (limit < 0 || static_cast<int64_t>(old.size()) <= limit) return Status::Ok();
  const size_t excess = old.size() - static_cast<size_t>(limit);
  for (size_t i = 0; i < excess; ++i) {
    Status s = history.Delete(*old[i]);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace skiff::controllers::statefulset
