#include "updater.h"

#include "typed_ops.h"

namespace skiff::apis::ssa {
namespace {

using nlohmann::json;

// structured-merge-diff names the request's own changes with this placeholder, then merges
// them into the real Update entry (kube's managedFieldsUpdater). Identifiers are JSON objects,
// so it cannot clash.
constexpr const char* kCurrentOperation = "current-operation";

Comparison CompareExcluding(const Context& ctx, const json& a, const json& b) {
  Comparison c = CompareObjects(a, b, ctx.type);
  if (!ctx.ignored.empty()) {
    c.added = c.added.RecursiveDifference(ctx.ignored);
    c.modified = c.modified.RecursiveDifference(ctx.ignored);
    c.removed = c.removed.RecursiveDifference(ctx.ignored);
  }
  return c;
}

void EraseEmpty(Managers& managers) {
  for (auto it = managers.begin(); it != managers.end();) {
    it = it->second.fields.empty() ? managers.erase(it) : std::next(it);
  }
}

// Fields the change modified or added leave every other manager (or, without force, are
// returned as conflicts with managers untouched); removed fields leave every other manager.
std::map<std::string, FieldSet> TakeChanged(const Comparison& cmp, Managers& managers,
                                            const std::string& workflow, bool force) {
  FieldSet changed = cmp.modified.Union(cmp.added);
  std::map<std::string, FieldSet> conflicts;
  for (auto& [id, m] : managers) {
    if (id == workflow) continue;
    FieldSet c = m.fields.Intersection(changed);
    if (!c.empty()) conflicts[id] = std::move(c);
  }
  if (!force && !conflicts.empty()) return conflicts;
  for (auto& [id, m] : managers) {
    if (id == workflow) continue;
    auto it = conflicts.find(id);
    if (it != conflicts.end()) m.fields = m.fields.Difference(it->second);
    if (!cmp.removed.empty()) m.fields = m.fields.Difference(cmp.removed);
  }
  EraseEmpty(managers);
  return {};
}

void Strip(Managers& managers, const std::string& id) {
  auto it = managers.find(id);
  if (it == managers.end()) return;
  it->second.fields = it->second.fields.Difference(StripSet());
  if (it->second.fields.empty()) managers.erase(it);
}

// structured-merge-diff's prune: removes what `last` (the applier's previous set) had and
// nobody owns now, including the applier's new configuration.
json Prune(const Context& ctx, const json& merged, const Managers& managers,
           const FieldSet& last_set) {
  if (last_set.empty()) return merged;
  const TypeDef& t = ctx.type;
  FieldSet last = EnsureNamedFieldsAreMembers(last_set, t);
  json pruned = RemoveItems(merged, t, last);
  // Add back what anyone owns.
  FieldSet managed;
  for (const auto& [id, m] : managers) managed = managed.Union(m.fields);
  FieldSet merged_set = EnsureNamedFieldsAreMembers(ToFieldSet(merged, t), t);
  FieldSet pruned_set = EnsureNamedFieldsAreMembers(ToFieldSet(pruned, t), t);
  pruned = RemoveItems(
      merged, t, merged_set.Difference(pruned_set.Union(EnsureNamedFieldsAreMembers(managed, t))));
  // Add back what the applier did not own before (dangling items).
  pruned_set = EnsureNamedFieldsAreMembers(ToFieldSet(pruned, t), t);
  return RemoveItems(merged, t, merged_set.Difference(pruned_set).Intersection(last));
}

}  // namespace

void RecordUpdate(const Context& ctx, const json& old_obj, const json& new_obj, Managers& managers,
                  const std::string& manager) {
  Comparison cmp = CompareExcluding(ctx, old_obj, new_obj);
  (void)TakeChanged(cmp, managers, kCurrentOperation, /*force=*/true);
  FieldSet set = cmp.modified.Union(cmp.added)
                     .Difference(cmp.removed)
                     .RecursiveDifference(ctx.ignored)
                     .Difference(StripSet());
  if (set.empty()) {  // the request changed nothing anyone tracks: times stay
    CapUpdateManagers(managers);
    return;
  }
  std::string id = ManagerIdentifier(manager, "Update", ctx.api_version, ctx.subresource);
  auto it = managers.find(id);
  if (it != managers.end()) set = set.Union(it->second.fields);
  ManagerEntry& e = managers[id];
  e.manager = manager;
  e.operation = "Update";
  e.api_version = ctx.api_version;
  e.subresource = ctx.subresource;
  e.fields = std::move(set);
  e.time = ctx.now;
  CapUpdateManagers(managers);
}

ApplyOutcome RecordApply(const Context& ctx, const json& live, const json& config,
                         Managers& managers, const std::string& manager, bool force) {
  std::string id = ManagerIdentifier(manager, "Apply", "", ctx.subresource);
  json merged = Merge(live, config, ctx.type);
  Managers work = managers;
  FieldSet last_set;
  std::optional<std::string> last_time;
  if (auto it = work.find(id); it != work.end()) {
    last_set = it->second.fields;
    last_time = it->second.time;
  }
  ManagerEntry& e = work[id];
  e.manager = manager;
  e.operation = "Apply";
  e.api_version = ctx.api_version;
  e.subresource = ctx.subresource;
  e.fields = ToFieldSet(config, ctx.type).RecursiveDifference(ctx.ignored);
  e.time = last_time;
  json result = Prune(ctx, merged, work, last_set);
  Comparison cmp = CompareExcluding(ctx, live, result);
  ApplyOutcome out;
  out.conflicts = TakeChanged(cmp, work, id, force);
  if (!out.conflicts.empty()) return out;
  EraseEmpty(work);
  bool noop = live == result;
  Strip(work, id);
  if (!noop) {
    if (auto it = work.find(id); it != work.end()) it->second.time = ctx.now;
  }
  CapUpdateManagers(work);
  managers = std::move(work);
  out.object = std::move(result);
  return out;
}

}  // namespace skiff::apis::ssa
