// The public entry points: generic metadata handling around the per-kind table.
#include "skiff/apis/validation.h"

#include "kinds.h"

namespace skiff::apis {

using internal::FindKind;
using internal::KindInfo;

namespace {

FieldErrors InternalError(const char* what) {
  return {FieldError{"InternalError", "", std::string("internal error: ") + what, nullptr, {}}};
}

// Unknown kinds: DNS-subdomain names and no scope check.
FieldErrors GenericMeta(const KindInfo* info, const nlohmann::json& obj) {
  const nlohmann::json& meta = internal::Obj(obj, "metadata");
  if (info) return ValidateObjectMeta(meta, info->namespaced, info->name);
  FieldErrors errs = ValidateObjectMeta(meta, false, NameIsDNSSubdomain);
  // Without knowing the scope, a namespace is neither required nor forbidden.
  std::erase_if(errs, [](const FieldError& e) { return e.field == "metadata.namespace"; });
  return errs;
}

}  // namespace

void ApplyDefaults(std::string_view group, std::string_view kind, nlohmann::json& obj) {
  const KindInfo* info = FindKind(group, kind);
  if (!info || !info->defaults || !obj.is_object()) return;
  try {
    info->defaults(obj);
  } catch (const std::exception&) {
    // Defaulting never fails a request; validation reports whatever is wrong.
  }
}

void PrepareForCreate(std::string_view group, std::string_view kind, nlohmann::json& obj) {
  const KindInfo* info = FindKind(group, kind);
  if (!info || !info->prepare_create || !obj.is_object()) return;
  try {
    info->prepare_create(obj);
  } catch (const std::exception&) {
  }
}

void PrepareForUpdate(std::string_view group, std::string_view kind, nlohmann::json& obj,
                      const nlohmann::json& old) {
  if (!obj.is_object()) return;
  try {
    // rest.BeforeUpdate: keep the uid when none is sent, ignore changes to the creation
    // timestamp, and never drop a deletion timestamp or grace period.
    const nlohmann::json& old_meta = internal::Obj(old, "metadata");
    nlohmann::json* meta = internal::EnsureObj(obj, "metadata");
    if (meta) {
      if (internal::Str(*meta, "uid").empty() && internal::Get(old_meta, "uid")) {
        (*meta)["uid"] = old_meta["uid"];
      }
      for (const char* key : {"creationTimestamp", "deletionTimestamp"}) {
        if (const nlohmann::json* v = internal::Get(old_meta, key)) (*meta)[key] = *v;
      }
      if (!internal::Get(*meta, "deletionGracePeriodSeconds") &&
          internal::Get(old_meta, "deletionGracePeriodSeconds")) {
        (*meta)["deletionGracePeriodSeconds"] = old_meta["deletionGracePeriodSeconds"];
      }
    }
    const KindInfo* info = FindKind(group, kind);
    if (info && info->prepare_update) info->prepare_update(obj, old);
  } catch (const std::exception&) {
  }
}

FieldErrors ValidateCreate(std::string_view group, std::string_view kind,
                           const nlohmann::json& obj) {
  try {
    if (!obj.is_object()) {
      return {FieldError::TypeInvalid("", obj, "the object must be a JSON object")};
    }
    const KindInfo* info = FindKind(group, kind);
    FieldErrors errs = GenericMeta(info, obj);
    if (info && info->validate) internal::Append(errs, info->validate(obj));
    return errs;
  } catch (const std::exception& e) {
    return InternalError(e.what());
  }
}

FieldErrors ValidateUpdate(std::string_view group, std::string_view kind, const nlohmann::json& obj,
                           const nlohmann::json& old) {
  try {
    if (!obj.is_object()) {
      return {FieldError::TypeInvalid("", obj, "the object must be a JSON object")};
    }
    const KindInfo* info = FindKind(group, kind);
    FieldErrors errs =
        ValidateObjectMetaUpdate(internal::Obj(obj, "metadata"), internal::Obj(old, "metadata"));
    FieldErrors meta = GenericMeta(info, obj);
    // Names are immutable: an old object with a name that is no longer valid must still be
    // updatable (Kubernetes skips the name check on update for this reason).
    std::erase_if(meta, [](const FieldError& e) { return e.field == "metadata.name"; });
    internal::Append(errs, std::move(meta));
    if (info && info->validate_update) {
      internal::Append(errs, info->validate_update(obj, old));
    } else if (info && info->validate) {
      internal::Append(errs, info->validate(obj));
    }
    return errs;
  } catch (const std::exception& e) {
    return InternalError(e.what());
  }
}

FieldErrors ValidateStatusUpdate(std::string_view group, std::string_view kind,
                                 const nlohmann::json& obj, const nlohmann::json& old) {
  try {
    if (!obj.is_object()) {
      return {FieldError::TypeInvalid("", obj, "the object must be a JSON object")};
    }
    const KindInfo* info = FindKind(group, kind);
    FieldErrors errs =
        ValidateObjectMetaUpdate(internal::Obj(obj, "metadata"), internal::Obj(old, "metadata"));
    if (info && info->validate_status) internal::Append(errs, info->validate_status(obj, old));
    return errs;
  } catch (const std::exception& e) {
    return InternalError(e.what());
  }
}

bool IsKnownKind(std::string_view group, std::string_view kind) {
  return FindKind(group, kind) != nullptr;
}

bool IsNamespacedKind(std::string_view group, std::string_view kind) {
  const KindInfo* info = FindKind(group, kind);
  return info && info->namespaced;
}

}  // namespace skiff::apis
