// Resources::Patch: read, apply the patch, write with compare-and-swap (retrying on conflicts
// unless the patch itself pins a resourceVersion). Patches and server-side apply work in the
// request's version: the stored object is read converted to it (Get), patched with that
// version's schema, and written back through Update/Create/CommitUpdate, which convert to the
// storage version.
#include "admission.h"
#include "codec.h"
#include "skiff/apis/managed_fields.h"
#include "resources.h"
#include "skiff/apis/patch.h"
#include "skiff/apis/schema.h"

namespace skiff::api {
namespace {

ApiError PatchError(apis::PatchType type, apis::PatchStage stage, const Status& s) {
  apis::PatchErrorResponse r = apis::DescribePatchError(type, stage, s);
  ApiError e{r.code, r.reason.empty() ? "InternalError" : r.reason, r.message, nullptr};
  if (!r.cause_type.empty()) {
    e.details = {{"causes", {{{"reason", r.cause_type}, {"message", r.cause_message}}}}};
  }
  return e;
}

}  // namespace

ApiResult<json> Resources::Patch(const apis::ResourceType& rt, const std::string& ns,
                                 const std::string& name, const std::string& content_type,
                                 const std::string& body, const std::string& subresource,
                                 const WriteOptions& options, std::vector<std::string>* warnings) {
  if (content_type.rfind("application/apply-patch+yaml", 0) == 0) {
    if (!subresource.empty()) {
      return MethodNotAllowed("server-side apply is not supported on the " + subresource +
                              " subresource");
    }
    return Apply(rt, ns, name, body, options, warnings);
  }
  auto type = apis::PatchTypeFromContentType(content_type);
  if (!type) {
    return ApiError{415, "UnsupportedMediaType", std::string(apis::kUnsupportedPatchMediaTypeMessage),
                    nullptr};
  }
  auto patch = apis::ParsePatchBody(*type, body);
  if (!patch.ok()) return PatchError(*type, apis::PatchStage::kParse, patch.status());
  const apis::TypeDef* schema = apis::BuiltinSchema().KindType(rt.group, rt.version, rt.kind);

  // A resourceVersion inside the patch is a precondition: no retry then.
  const bool pinned = patch->is_object() && patch->contains("metadata") &&
                      (*patch)["metadata"].is_object() &&
                      (*patch)["metadata"].contains("resourceVersion");
  for (int attempt = 0;; ++attempt) {
    auto current = Get(rt, ns, name);
    if (!current.ok()) return current.error();
    auto patched = apis::ApplyPatch(*type, *current, *patch, schema);
    if (!patched.ok()) return PatchError(*type, apis::PatchStage::kApply, patched.status());
    json obj = std::move(patched).value();
    if (!obj.is_object()) return BadRequest("the patch did not produce an object");
    if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
    // Without a precondition, the write is checked against the version just read.
    const std::string read_rv = GetString(*current, {"metadata", "resourceVersion"});
    if (!pinned) obj["metadata"]["resourceVersion"] = read_rv;
    auto result = Update(rt, ns, name, std::move(obj), subresource, options, warnings);
    if (result.ok() || pinned || result.error().code != 409 || attempt >= 16) return result;
    if (warnings) warnings->clear();
  }
}

ApiResult<json> Resources::Apply(const apis::ResourceType& rt, const std::string& ns,
                                 const std::string& name, const std::string& body,
                                 const WriteOptions& options, std::vector<std::string>* warnings) {
  if (options.field_manager.empty()) {
    return Invalid(rt, name,
                   {apis::FieldError::Required("fieldManager", "is required for apply patch")});
  }
  auto applied = YamlToJson(body);
  if (!applied.ok()) return applied.error();
  if (!applied->is_object()) return BadRequest("the apply patch must be an object");
  const apis::TypeDef* type = apis::BuiltinSchema().KindType(rt.group, rt.version, rt.kind);
  if (!type) return UnsupportedMediaType("application/apply-patch+yaml");
  const std::string body_name = GetString(*applied, {"metadata", "name"});
  if (!body_name.empty() && body_name != name) {
    return BadRequest("the name of the object (" + body_name +
                      ") does not match the name on the URL (" + name + ")");
  }
  apis::FieldManagerOptions fm;
  if (rt.has_status) {
    auto reset = apis::FieldSet::FromFieldsV1(json{{"f:status", json::object()}});
    if (reset.ok()) fm.reset_fields = *reset;
  }
  for (int attempt = 0;; ++attempt) {
    auto current = Get(rt, ns, name);
    if (!current.ok() && current.error().code != 404) return current.error();
    const json live = current.ok() ? *current : json();
    auto result = apis::Apply(live, *applied, *type, options.field_manager, options.force,
                              std::chrono::system_clock::now(), fm);
    if (!result.ok()) {
      if (result.status().code() == Code::kInternal) return InternalError(result.status().message());
      return BadRequest(result.status().message());
    }
    if (!result->conflicts.empty()) {
      json status = apis::ConflictStatus(*result);
      ApiError e{409, "Conflict", status.value("message", result->conflict_message),
                 status.value("details", json())};
      return e;
    }
    json obj = std::move(result->object);
    WriteOptions tracked = options;
    tracked.fields_tracked = true;  // Apply recorded the ownership itself
    if (!current.ok()) {
      obj["metadata"]["name"] = name;
      auto created = Create(rt, ns, std::move(obj), tracked, warnings);
      if (created.ok() || created.error().code != 409 || attempt >= 16) return created;
      continue;
    }
    obj["metadata"]["resourceVersion"] = GetString(live, {"metadata", "resourceVersion"});
    auto kv = store_.Get(StorageKey(rt, ns, name));
    if (!kv.ok()) return FromStatus(kv.status(), &rt, name);
    if (std::to_string(kv->mod_revision) != GetString(live, {"metadata", "resourceVersion"})) {
      if (attempt >= 16) return Conflict(rt, name, "the object changed during apply");
      continue;
    }
    // The live object was applied to in the request's version; the update compares with
    // the stored one.
    auto stored = DecodeStored(*kv, StorageType(rt));
    if (!stored.ok()) return InternalError(stored.status().message());
    auto updated = CommitUpdate(rt, ns, name, *stored, kv->mod_revision, std::move(obj), "",
                                tracked, warnings);
    if (updated.ok() || updated.error().code != 409 || attempt >= 16) return updated;
  }
}

}  // namespace skiff::api
