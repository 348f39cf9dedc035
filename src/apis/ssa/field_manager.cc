// The public entry points: Apply, TrackUpdate and the helpers of the API layer. They compose
// the engine (updater.cc) the way kube-apiserver's managers chain does: decode managedFields,
// check the version, honour the client-side apply annotation, start tracking before the first
// apply, encode, and keep timestamps of no-op writes.
#include <optional>

#include "go_json.h"
#include "managers.h"
#include "skiff/apis/managed_fields.h"
#include "typed_ops.h"
#include "updater.h"

namespace skiff::apis {
namespace {

using nlohmann::json;
using ssa::Managers;

constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
constexpr size_t kFieldManagerMaxLength = 128;
constexpr size_t kMaxSubresourceNameLength = 256;

std::string GroupVersion(const TypeDef& t) {
  return t.group.empty() ? t.version : t.group + "/" + t.version;
}

std::string StringAt(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const json* Metadata(const json& obj) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

// metadata.managedFields when present and not null.
const json* ManagedFieldsOf(const json& obj) {
  const json* meta = Metadata(obj);
  if (!meta) return nullptr;
  auto it = meta->find("managedFields");
  return it != meta->end() && !it->is_null() ? &*it : nullptr;
}

json WithoutManagedFields(const json& obj) {
  json out = obj;
  if (out.is_object() && out.contains("metadata") && out["metadata"].is_object()) {
    out["metadata"].erase("managedFields");
  }
  return out;
}

void SetManagedFields(json& obj, json list) {
  if (list.is_null()) {
    if (obj.contains("metadata") && obj["metadata"].is_object()) {
      obj["metadata"].erase("managedFields");
    }
    return;
  }
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  obj["metadata"]["managedFields"] = std::move(list);
}

// [] or [{}]: the client asks to stop tracking (kube's isResetManagedFields).
bool IsReset(const json* mf) {
  if (!mf || !mf->is_array()) return false;
  if (mf->empty()) return true;
  if (mf->size() != 1 || !(*mf)[0].is_object()) return false;
  for (const auto& [k, v] : (*mf)[0].items()) {
    if (!v.is_null() && !(v.is_string() && v.get<std::string>().empty())) return false;
  }
  return true;
}

// "apps/v1" -> {"apps","v1"}; "v1" -> {"","v1"}; nullopt for more than one "/".
std::optional<std::pair<std::string, std::string>> ParseGroupVersion(const std::string& gv) {
  if (gv.empty() || gv == "/") return std::make_pair(std::string(), std::string());
  size_t slash = gv.find('/');
  if (slash == std::string::npos) return std::make_pair(std::string(), gv);
  if (gv.find('/', slash + 1) != std::string::npos) return std::nullopt;
  return std::make_pair(gv.substr(0, slash), gv.substr(slash + 1));
}

std::string GvkString(const std::string& group, const std::string& version,
                      const std::string& kind) {
  return group + "/" + version + ", Kind=" + kind;
}

bool HasLastApplied(const json& obj) {
  const json* meta = Metadata(obj);
  if (!meta) return false;
  auto ann = meta->find("annotations");
  if (ann == meta->end() || !ann->is_object()) return false;
  auto it = ann->find(kLastApplied);
  return it != ann->end() && it->is_string() && !it->get<std::string>().empty();
}

// The annotation value kubectl's server-side apply leaves behind: the applied configuration
// without the annotation itself, as Go encodes it (with a trailing newline).
std::string BuildLastApplied(const json& applied) {
  json copy = applied;
  if (copy.contains("metadata") && copy["metadata"].is_object()) {
    json& meta = copy["metadata"];
    if (meta.contains("annotations") && meta["annotations"].is_object()) {
      meta["annotations"].erase(kLastApplied);
    }
  }
  return ssa::GoJson(copy) + "\n";
}

// Conflicts kubectl may override when upgrading from client-side apply: the fields the
// last-applied annotation records with the value the object still has.
std::optional<FieldSet> AllowedFromLastApplied(const json& live, const TypeDef& type,
                                               const std::string& gv) {
  if (!HasLastApplied(live)) return std::nullopt;
  json last = json::parse((*Metadata(live))["annotations"][kLastApplied].get<std::string>(),
                          nullptr, false);
  if (!last.is_object() || StringAt(last, "apiVersion") != gv) return std::nullopt;
  if (!ssa::ValidateTyped(last, type, false).empty()) return std::nullopt;
  FieldSet set = ssa::ToFieldSet(last, type);
  ssa::Comparison cmp = ssa::CompareObjects(last, live, type);
  return set.Difference(cmp.modified).Difference(cmp.added).Difference(cmp.removed);
}

// Keeps the stored timestamps when a write changes neither the object nor the ownership
// (kube's IgnoreManagedFieldsTimestampsTransformer): no spurious resourceVersion bump.
void RestoreNoopTimestamps(json& obj, const json& old_obj) {
  if (!old_obj.is_object()) return;
  const json* old_mf = ManagedFieldsOf(old_obj);
  const json* new_mf = ManagedFieldsOf(obj);
  if (!old_mf || !new_mf || !old_mf->is_array() || !new_mf->is_array()) return;
  if (old_mf->size() != new_mf->size()) return;
  for (size_t i = 0; i < old_mf->size(); ++i) {
    json a = (*old_mf)[i], b = (*new_mf)[i];
    if (a.is_object()) a.erase("time");
    if (b.is_object()) b.erase("time");
    if (a != b) return;
  }
  if (WithoutManagedFields(obj) != WithoutManagedFields(old_obj)) return;
  json restored = *old_mf;
  SetManagedFields(obj, std::move(restored));
}

ApplyResult ConflictResult(const std::map<std::string, FieldSet>& conflicts) {
  ApplyResult r;
  std::vector<std::string> lines;
  for (const auto& [id, set] : conflicts) {
    std::string who = ssa::PrintManager(id);
    json parsed = json::parse(id, nullptr, false);
    std::string name = StringAt(parsed, "manager");
    lines.push_back("conflicts with " + who + ":");
    set.ForEach([&](const FieldPath& p) {
      std::string field = FieldPathString(p);
      r.conflicts.push_back({name, field, "conflict with " + who});
      lines.push_back("- " + field);
    });
  }
  if (r.conflicts.size() == 1) {
    r.conflict_message =
        "Apply failed with 1 conflict: " + r.conflicts[0].message + ": " + r.conflicts[0].field;
  } else {
    r.conflict_message = "Apply failed with " + std::to_string(r.conflicts.size()) + " conflicts: ";
    for (size_t i = 0; i < lines.size(); ++i) r.conflict_message += (i ? "\n" : "") + lines[i];
  }
  return r;
}

ssa::Context MakeContext(const TypeDef& type, const FieldManagerOptions& options,
                         std::chrono::system_clock::time_point now) {
  return ssa::Context{type, GroupVersion(type), options.subresource, options.reset_fields,
                      ssa::FormatTime(now)};
}

}  // namespace

FieldSet FieldsOf(const nlohmann::json& obj, const TypeDef& type) {
  return ssa::ToFieldSet(obj, type).Difference(ssa::StripSet());
}

Result<ApplyResult> Apply(const json& live, const json& applied, const TypeDef& type,
                          const std::string& manager, bool force,
                          std::chrono::system_clock::time_point now,
                          const FieldManagerOptions& options) {
  if (manager.empty()) {
    return InvalidArgumentError(
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
        "for apply patch");
  }
  if (!type.IsKind()) return InternalError("apply: " + type.name + " is not a kind");
  if (!applied.is_object()) {
    return InvalidArgumentError("error decoding YAML: the apply patch must be an object");
  }
  auto decoded = ssa::DecodeManagedFields(ManagedFieldsOf(live) ? *ManagedFieldsOf(live) : json());
  if (!decoded.ok()) {
    return InternalError("failed to decode managed fields: " + decoded.status().message());
  }
  // The applied object must be of the endpoint's group, version and kind.
  std::string kind = StringAt(applied, "kind");
  auto gv = ParseGroupVersion(StringAt(applied, "apiVersion"));
  if (!gv) gv = std::make_pair(std::string(), std::string());
  if (gv->first != type.group || gv->second != type.version || kind != type.kind) {
    return InvalidArgumentError("invalid object type: " + GvkString(gv->first, gv->second, kind));
  }
  if (const json* meta = Metadata(applied)) {
    auto mf = meta->find("managedFields");
    if (mf != meta->end() && mf->is_array()) {
      return InvalidArgumentError("metadata.managedFields must be nil");
    }
  }
  std::vector<std::string> errors = ssa::ValidateTyped(applied, type, false);
  if (!errors.empty()) {
    std::string what;
    if (errors.size() == 1) {
      what = errors[0];
    } else {
      what = "errors:";
      for (const std::string& e : errors) what += "\n  " + e;
    }
    const json* meta = Metadata(applied);
    std::string ns = meta ? StringAt(*meta, "namespace") : "";
    std::string name = meta ? StringAt(*meta, "name") : "";
    return InternalError("failed to create typed patch object (" + ns + "/" + name + "; " +
                         GvkString(type.group, type.version, type.kind) + "): " + what);
  }

  ssa::Context ctx = MakeContext(type, options, now);
  json live_plain = live.is_object() ? WithoutManagedFields(live) : json::object();
  auto run = [&](bool f, Managers& m) {
    if (m.empty()) {
      // Tracking starts here: whatever the object has belongs to "before-first-apply".
      ssa::RecordUpdate(ctx, json::object(), live_plain, m, "before-first-apply");
    }
    return ssa::RecordApply(ctx, live_plain, applied, m, manager, f);
  };
  Managers managers = *decoded;
  ssa::ApplyOutcome outcome = run(force, managers);
  if (!outcome.conflicts.empty() && manager == "kubectl") {
    // Upgrading from client-side apply: what the annotation says kubectl applied is kubectl's.
    if (auto allowed = AllowedFromLastApplied(live_plain, type, ctx.api_version)) {
      std::map<std::string, FieldSet> remaining;
      for (const auto& [id, set] : outcome.conflicts) {
        FieldSet rest = set.Difference(*allowed);
        if (!rest.empty()) remaining[id] = std::move(rest);
      }
      if (remaining.empty()) {
        managers = *decoded;
        outcome = run(true, managers);
      } else {
        outcome.conflicts = std::move(remaining);
      }
    }
  }
  if (!outcome.conflicts.empty()) return ConflictResult(outcome.conflicts);

  json obj = std::move(outcome.object);
  if (manager == "kubectl" && HasLastApplied(obj)) {
    obj["metadata"]["annotations"][kLastApplied] = BuildLastApplied(applied);
  }
  SetManagedFields(obj, ssa::EncodeManagedFields(managers));
  RestoreNoopTimestamps(obj, live);
  ApplyResult r;
  r.object = std::move(obj);
  return r;
}

void TrackUpdate(json& new_obj, const json& old_obj, const TypeDef& type,
                 const std::string& manager, std::chrono::system_clock::time_point now,
                 const FieldManagerOptions& options) {
  if (!new_obj.is_object() || !type.IsKind()) return;
  Managers live_managers;
  if (const json* mf = ManagedFieldsOf(old_obj)) {
    auto d = ssa::DecodeManagedFields(*mf);
    if (d.ok()) live_managers = std::move(*d);
  }
  Managers managers;
  if (!options.subresource.empty()) {
    managers = live_managers;  // subresources never set managedFields
  } else {
    const json* requested = ManagedFieldsOf(new_obj);
    if (!IsReset(requested)) {
      auto d = ssa::DecodeManagedFields(requested ? *requested : json());
      managers = d.ok() && !d->empty() ? std::move(*d) : live_managers;
    }
  }
  SetManagedFields(new_obj, nullptr);
  bool create = !old_obj.is_object() ||
                StringAt(Metadata(old_obj) ? *Metadata(old_obj) : json(), "uid").empty();
  if (managers.empty() && !create) return;  // an untracked object stays untracked
  ssa::Context ctx = MakeContext(type, options, now);
  json old_plain = old_obj.is_object() ? WithoutManagedFields(old_obj) : json::object();
  ssa::RecordUpdate(ctx, old_plain, new_obj, managers, manager);
  SetManagedFields(new_obj, ssa::EncodeManagedFields(managers));
  RestoreNoopTimestamps(new_obj, old_obj);
}

std::string FieldManagerName(std::string_view param, std::string_view user_agent) {
  if (!param.empty()) return std::string(param);
  std::string_view prefix = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (size_t i = 0; i < prefix.size();) {
    unsigned char c = static_cast<unsigned char>(prefix[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > prefix.size()) len = prefix.size() - i;
    bool printable = len > 1 || (c >= 0x20 && c != 0x7F && c < 0x80);
    if (printable) {
      if (out.size() + len > kFieldManagerMaxLength) break;
      out.append(prefix.substr(i, len));
    }
    i += len;
  }
  return out;
}

FieldErrors ValidateFieldManager(std::string_view manager, const std::string& path) {
  FieldErrors errs;
  if (manager.size() > kFieldManagerMaxLength) {
    errs.push_back(FieldError::TooLong(path, std::string(manager), kFieldManagerMaxLength));
  }
  for (size_t i = 0; i < manager.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(manager[i]);
    if (c < 0x20 || c == 0x7F) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "invalid character U+%04X (at position %zu)", c, i);
      errs.push_back(FieldError::Invalid(path, std::string(manager), buf));
    }
  }
  return errs;
}

FieldErrors ValidateManagedFields(const json& managed_fields, const std::string& path) {
  FieldErrors errs;
  if (!managed_fields.is_array()) return errs;
  for (size_t i = 0; i < managed_fields.size(); ++i) {
    const json& e = managed_fields[i];
    Path p = Path(path).Index(i);
    std::string op = StringAt(e, "operation");
    if (op != "Apply" && op != "Update") {
      errs.push_back(FieldError::Invalid(p.Child("operation"), op, "must be `Apply` or `Update`"));
    }
    std::string ft = StringAt(e, "fieldsType");
    if (!ft.empty() && ft != "FieldsV1") {
      errs.push_back(FieldError::Invalid(p.Child("fieldsType"), ft, "must be `FieldsV1`"));
    }
    for (FieldError& fe : ValidateFieldManager(StringAt(e, "manager"), p.Child("manager"))) {
      errs.push_back(std::move(fe));
    }
    std::string sub = StringAt(e, "subresource");
    if (sub.size() > kMaxSubresourceNameLength) {
      errs.push_back(FieldError::TooLong(p.Child("subresource"), sub, kMaxSubresourceNameLength));
    }
  }
  return errs;
}

json ConflictStatus(const ApplyResult& result) {
  json causes = json::array();
  for (const ApplyConflict& c : result.conflicts) {
    causes.push_back(
        {{"reason", "FieldManagerConflict"}, {"message", c.message}, {"field", c.field}});
  }
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Failure"},
          {"message", result.conflict_message},
          {"reason", "Conflict"},
          {"details", {{"causes", causes}}},
          {"code", 409}};
}

}  // namespace skiff::apis
