#include "resources.h"

#include "admission.h"
#include "pod_admission.h"
#include "storage_admission.h"
#include "continue_token.h"
#include "skiff/apis/conversion.h"
#include "skiff/apis/managed_fields.h"
#include "skiff/apis/schema.h"
#include "skiff/common/log.h"
#include "strategy.h"

namespace skiff::api {
namespace {

constexpr int kMaxConflictRetries = 16;

const apis::ResourceType& NamespaceType(const apis::Registry& reg) {
  return *reg.Find("", "v1", "namespaces");
}

bool IsPod(const apis::ResourceType& rt) { return rt.group.empty() && rt.resource == "pods"; }
bool IsNamespace(const apis::ResourceType& rt) {
  return rt.group.empty() && rt.resource == "namespaces";
}

// The body's apiVersion/kind must name the URL's type (or be absent).
ApiResult<bool> CheckTypeMeta(const apis::ResourceType& rt, json& obj) {
  if (!obj.is_object()) return BadRequest("the body of the request must be a JSON or YAML object");
  std::string api_version = GetString(obj, {"apiVersion"});
  std::string kind = GetString(obj, {"kind"});
  if (!api_version.empty() && api_version != rt.api_version()) {
    return BadRequest("the API version in the data (" + api_version +
                      ") does not match the expected API version (" + rt.api_version() + ")");
  }
  if (!kind.empty() && kind != rt.kind) {
    return BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" +
                      rt.kind + ")");
  }
  obj["apiVersion"] = rt.api_version();
  obj["kind"] = rt.kind;
  if (!obj.contains("metadata") || obj["metadata"].is_null()) obj["metadata"] = json::object();
  if (!obj["metadata"].is_object()) return BadRequest("metadata must be an object");
  return true;
}

bool HasFinalizers(const json& obj) {
  const json* f = Find(obj, {"metadata", "finalizers"});
  return f && f->is_array() && !f->empty();
}

// Nothing holds the object back once it is being deleted: no finalizers (for a namespace, also
// none left in spec.finalizers, which the namespace controller clears after emptying it).
bool Finalized(const apis::ResourceType& rt, const json& obj) {
  if (HasFinalizers(obj)) return false;
  if (rt.group.empty() && rt.resource == "namespaces") {
    const json* f = Find(obj, {"spec", "finalizers"});
    if (f && f->is_array() && !f->empty()) return false;
  }
  return true;
}

void AddFinalizer(json& obj, const std::string& name) {
  json& f = obj["metadata"]["finalizers"];
  if (!f.is_array()) f = json::array();
  for (const json& x : f) {
    if (x == name) return;
  }
  f.push_back(name);
}

// Records which manager owns the fields a write set (metadata.managedFields), as every
// non-apply write in Kubernetes does; server-side apply's conflicts are computed from it.
void TrackManagedFields(const apis::ResourceType& rt, json& obj, const json& old,
                        const WriteOptions& options, const std::string& subresource) {
  if (options.fields_tracked) return;
  const apis::TypeDef* type = apis::BuiltinSchema().KindType(rt.group, rt.version, rt.kind);
  if (!type) return;
  apis::FieldManagerOptions fm;
  fm.subresource = subresource;
  if (rt.has_status) {
    auto reset = apis::FieldSet::FromFieldsV1(
        json{{subresource == "status" ? "f:spec" : "f:status", json::object()}});
    if (reset.ok()) fm.reset_fields = *reset;
  }
  apis::TrackUpdate(obj, old, *type, apis::FieldManagerName(options.field_manager, options.user_agent),
                    std::chrono::system_clock::now(), fm);
}

// `stored` (in st's version) as served in rt's version.
ApiResult<json> Served(const apis::ResourceType& rt, const apis::ResourceType& st, json stored) {
  if (&rt == &st) return stored;
  auto served = ConvertTo(rt, std::move(stored));
  if (!served.ok()) return InternalError(served.status().message());
  return std::move(served).value();
}

// A write in rt's version, converted to the storage version st.
ApiResult<json> ToStorage(const apis::ResourceType& rt, const apis::ResourceType& st, json obj) {
  return Served(st, rt, std::move(obj));
}

// Managed fields are recorded in the version of the request (as Kubernetes' field manager
// does): the stored object and the old one are seen in rt's version, and the result is kept.
void TrackServedFields(const apis::ResourceType& rt, const apis::ResourceType& st, json& stored,
                       const json& old_stored, const WriteOptions& options,
                       const std::string& subresource) {
  if (options.fields_tracked) return;
  if (&rt == &st) return TrackManagedFields(rt, stored, old_stored, options, subresource);
  auto served = Served(rt, st, stored);
  auto old_served = old_stored.is_null() ? ApiResult<json>(json()) : Served(rt, st, old_stored);
  if (!served.ok() || !old_served.ok()) return;
  TrackManagedFields(rt, *served, *old_served, options, subresource);
  const json* fields = Find(*served, {"metadata", "managedFields"});
  if (fields) {
    stored["metadata"]["managedFields"] = *fields;
  } else {
    stored["metadata"].erase("managedFields");
  }
}

json WithoutResourceVersion(json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) {
    obj["metadata"].erase("resourceVersion");
  }
  return obj;
}

}  // namespace

Resources::Resources(store::Store& store, const apis::Registry& registry)
    : store_(store), registry_(registry) {}

ApiResult<store::LeaseId> Resources::LeaseFor(const apis::ResourceType& st) {
  if (!event_leases_ || !st.group.empty() || st.resource != "events") return store::LeaseId{0};
  auto lease = event_leases_->Acquire();
  if (!lease.ok()) return FromStatus(lease.status(), &st, "");
  return *lease;
}

const apis::ResourceType& Resources::StorageType(const apis::ResourceType& rt) const {
  if (apis::IsStorageVersion(rt.group, rt.version, rt.resource)) return rt;
  const apis::StorageVersion sv = apis::StorageOf(rt.group, rt.version, rt.resource);
  const apis::ResourceType* st = registry_.Find(sv.group, sv.version, sv.resource);
  return st ? *st : rt;
}

ApiResult<json> Resources::Get(const apis::ResourceType& rt, const std::string& ns,
                               const std::string& name) {
  auto kv = store_.Get(StorageKey(rt, ns, name));
  if (!kv.ok()) return FromStatus(kv.status(), &rt, name);
  auto obj = DecodeStored(*kv, rt);
  if (!obj.ok()) return InternalError(obj.status().message());
  return std::move(obj).value();
}

ApiResult<json> Resources::List(const apis::ResourceType& rt, const std::string& ns,
                                const ListOptions& o) {
  auto filter = ListFilter::Make(rt, o.label_selector, o.field_selector);
  if (!filter.ok()) return filter.error();
  const std::string prefix = StoragePrefix(rt, ns);

  store::Revision at = 0;
  std::string start_after;
  if (!o.continue_token.empty()) {
    auto token = DecodeContinue(o.continue_token);
    if (!token.ok()) return token.error();
    at = token->revision;
    start_after = prefix + token->start_after;
  } else if (!o.resource_version.empty() && o.resource_version != "0") {
    store::Revision rv = 0;
    try {
      rv = std::stoll(o.resource_version);
    } catch (...) {
      return BadRequest("invalid resource version \"" + o.resource_version + "\"");
    }
    if (rv > store_.CurrentRevision()) {
      return ApiError{504, "Timeout",
                      "Too large resource version: " + o.resource_version +
                          ", current: " + std::to_string(store_.CurrentRevision()),
                      json{{"causes", {{{"reason", "ResourceVersionTooLarge"},
                                        {"message", "Too large resource version"}}}},
                           {"retryAfterSeconds", 1}}};
    }
    if (o.resource_version_match == "Exact") at = rv;
  }

  json items = json::array();
  std::string next_token;
  int64_t remaining = -1;
  store::Revision revision = at;
  // Fetch pages until `limit` objects matched or the keys run out (selectors may skip many).
  const int64_t fetch = o.limit > 0 ? std::max<int64_t>(o.limit, 64) : 0;
  for (;;) {
    auto page = store_.List({.prefix = prefix, .start_after = start_after, .revision = at,
                             .limit = fetch});
    if (!page.ok()) {
      if (page.status().code() == Code::kGone && !o.continue_token.empty()) {
        return Gone(
            "The provided continue parameter is too old to display a consistent list result. "
            "You can start a new list without the continue parameter, or use the continue token "
            "in this response to retrieve the remainder of the results. Continuing with the "
            "provided token results in an inconsistent list - objects that were created, "
            "modified, or deleted between the time the first chunk was returned and now may "
            "show up in the list.");
      }
      return FromStatus(page.status(), &rt, "");
    }
    at = revision = page->revision;
    bool stopped = false;
    for (size_t i = 0; i < page->items.size(); ++i) {
      const store::KeyValue& kv = page->items[i];
      auto obj = DecodeStored(kv, rt);
      if (!obj.ok()) {
        log::Error("api", "skipping an unreadable object", {{"key", kv.key}});
        continue;
      }
      if (!filter->Matches(*obj)) continue;
      items.push_back(std::move(obj).value());
      if (o.limit > 0 && static_cast<int64_t>(items.size()) >= o.limit) {
        if (i + 1 < page->items.size() || page->more) {
          next_token = EncodeContinue({revision, kv.key.substr(prefix.size())});
          // Kubernetes counts what is left only when no selector filters it.
          if (filter->everything()) {
            remaining = static_cast<int64_t>(page->items.size() - i - 1) +
                        (page->more ? page->remaining : 0);
          }
        }
        stopped = true;
        break;
      }
    }
    if (stopped || !page->more || page->items.empty()) break;
    start_after = page->items.back().key;
  }
  json meta = {{"resourceVersion", std::to_string(revision)}};
  if (!next_token.empty()) meta["continue"] = next_token;
  if (remaining > 0) meta["remainingItemCount"] = remaining;
  return json{{"apiVersion", rt.api_version()},
              {"kind", rt.list_kind()},
              {"metadata", meta},
              {"items", std::move(items)}};
}

ApiResult<bool> Resources::CheckNamespaceAccepts(const apis::ResourceType& rt,
                                                 const std::string& ns) {
  if (!rt.namespaced) return true;
  const apis::ResourceType& nst = NamespaceType(registry_);
  auto kv = store_.Get(StorageKey(nst, "", ns));
  if (!kv.ok()) {
    if (kv.status().code() == Code::kNotFound) return NotFound(nst, ns);
    return FromStatus(kv.status(), &nst, ns);
  }
  auto obj = DecodeStored(*kv, nst);
  if (obj.ok() && (Find(*obj, {"metadata", "deletionTimestamp"}) ||
                   GetString(*obj, {"status", "phase"}) == "Terminating")) {
    ApiError e = Forbidden("unable to create new content in namespace " + ns +
                           " because it is being terminated");
    e.details = {{"causes", {{{"reason", "NamespaceTerminating"},
                              {"message", "namespace " + ns + " is being terminated"},
                              {"field", "metadata.namespace"}}}}};
    return e;
  }
  return true;
}

ApiResult<json> Resources::PrepareCreate(const apis::ResourceType& rt, const std::string& ns,
                                         json obj, const WriteOptions& options,
                                         std::vector<std::string>* warnings) {
  if (auto ok = CheckTypeMeta(rt, obj); !ok.ok()) return ok.error();
  if (auto ok = CheckFields(rt, obj, options.field_validation, warnings); !ok.ok()) {
    return ok.error();
  }
  json& meta = obj["metadata"];
  if (rt.namespaced) {
    std::string body_ns = GetString(meta, {"namespace"});
    if (ns.empty()) {
      return MethodNotAllowed("a namespace is required to create " + rt.qualified_resource());
    }
    if (!body_ns.empty() && body_ns != ns) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  std::string name = GetString(meta, {"name"});
  std::string generate = GetString(meta, {"generateName"});
  if (name.empty() && !generate.empty()) {
    if (generate.size() > 58) generate.resize(58);
    meta["name"] = generate + RandomNameSuffix();
  }
  if (!GetString(meta, {"resourceVersion"}).empty()) {
    return BadRequest("resourceVersion should not be set on objects to be created");
  }
  meta["uid"] = NewUid();
  meta["creationTimestamp"] = NowRfc3339();
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  const apis::ResourceType& st = StorageType(rt);
  if (TracksGeneration(st)) {
    meta["generation"] = 1;
  } else {
    meta.erase("generation");
  }
  auto stored = ToStorage(rt, st, std::move(obj));
  if (!stored.ok()) return stored.error();
  json& s = *stored;
  ApplyDefaults(st, s);
  PrepareForCreate(st, s);
  TrackServedFields(rt, st, s, json(), options, "");
  // The rules of the request's group, on the stored shape (as Kubernetes validates the
  // internal object with the request's version in mind).
  apis::FieldErrors errs = ValidateCreate(rt, s);
  if (!errs.empty()) return Invalid(rt, GetString(s, {"metadata", "name"}), errs);
  return stored;
}

ApiResult<json> Resources::Create(const apis::ResourceType& rt, const std::string& ns, json body,
                                  const WriteOptions& options,
                                  std::vector<std::string>* warnings) {
  auto prepared = PrepareCreate(rt, ns, std::move(body), options, warnings);
  if (!prepared.ok()) return prepared.error();
  json& obj = *prepared;  // in the storage version
  const apis::ResourceType& st = StorageType(rt);
  const std::string name = GetString(obj, {"metadata", "name"});
  if (auto ok = CheckNamespaceAccepts(rt, ns); !ok.ok()) {
    ApiError e = ok.error();
    if (e.code == 403) {
      e.message = rt.qualified_resource() + " \"" + name + "\" is forbidden: " + e.message;
    }
    return e;
  }
  if (IsPod(rt)) {
    if (auto ok = AdmitPodCreate(*this, obj); !ok.ok()) {
      ApiError e = ok.error();
      if (e.code == 403) e.message = "pods \"" + name + "\" is forbidden: " + e.message;
      return e;
    }
    if (warnings) {
      for (std::string& w : UnsupportedVolumeWarnings(obj["spec"], "spec")) {
        warnings->push_back(std::move(w));
      }
    }
  }
  if (IsStorageAdmitted(rt)) {
    if (auto ok = AdmitStorageCreate(*this, rt, obj); !ok.ok()) {
      ApiError e = ok.error();
      if (e.code == 403) {
        e.message = rt.qualified_resource() + " \"" + name + "\" is forbidden: " + e.message;
      }
      return e;
    }
  }
  if (options.dry_run) {
    if (store_.Get(StorageKey(rt, ns, name)).ok()) return AlreadyExists(rt, name);
    return Served(rt, st, std::move(obj));
  }
  std::unique_lock<std::mutex> service_lock;
  if (rt.group.empty() && rt.resource == "services") {
    service_lock = std::unique_lock(services_.lock());
    // An existing Service answers AlreadyExists, not an allocation conflict with itself.
    if (store_.Get(StorageKey(rt, ns, name)).ok()) return AlreadyExists(rt, name);
    auto allocated = services_.Allocate(store_, rt, obj);
    if (!allocated.ok()) return allocated.error();
  }
  auto lease = LeaseFor(st);
  if (!lease.ok()) return lease.error();
  auto kv = store_.Create(StorageKey(rt, ns, name), EncodeForStore(obj), *lease);
  if (!kv.ok()) return FromStatus(kv.status(), &rt, name);
  obj["metadata"]["resourceVersion"] = std::to_string(kv->mod_revision);
  return Served(rt, st, std::move(obj));
}

ApiResult<json> Resources::Update(const apis::ResourceType& rt, const std::string& ns,
                                  const std::string& name, json obj,
                                  const std::string& subresource, const WriteOptions& options,
                                  std::vector<std::string>* warnings) {
  if (auto ok = CheckTypeMeta(rt, obj); !ok.ok()) return ok.error();
  const std::string body_name = GetString(obj, {"metadata", "name"});
  if (!body_name.empty() && body_name != name) {
    return BadRequest("the name of the object (" + body_name +
                      ") does not match the name on the URL (" + name + ")");
  }
  const apis::ResourceType& st = StorageType(rt);
  auto kv = store_.Get(StorageKey(rt, ns, name));
  if (!kv.ok()) {
    // Whether a PUT may create is the storage's rule (shared by the versions serving it).
    if (kv.status().code() == Code::kNotFound && st.create_on_update && subresource.empty()) {
      obj["metadata"]["name"] = name;
      obj["metadata"].erase("resourceVersion");
      return Create(rt, ns, std::move(obj), options, warnings);
    }
    return FromStatus(kv.status(), &rt, name);
  }
  auto old = DecodeStored(*kv, st);
  if (!old.ok()) return InternalError(old.status().message());
  const std::string rv = GetString(obj, {"metadata", "resourceVersion"});
  if (!rv.empty() && rv != std::to_string(kv->mod_revision)) {
    return Conflict(rt, name,
                    "the object has been modified; please apply your changes to the latest "
                    "version and try again");
  }
  return CommitUpdate(rt, ns, name, *old, kv->mod_revision, std::move(obj), subresource,
                      options, warnings);
}

ApiResult<json> Resources::CommitUpdate(const apis::ResourceType& rt, const std::string& ns,
                                        const std::string& name, const json& old,
                                        store::Revision old_rev, json obj,
                                        const std::string& subresource,
                                        const WriteOptions& options,
                                        std::vector<std::string>* warnings) {
  if (subresource != "status") {
    if (auto ok = CheckFields(rt, obj, options.field_validation, warnings); !ok.ok()) {
      return ok.error();
    }
  }
  json& meta = obj["metadata"];
  const json& old_meta = old["metadata"];
  meta["name"] = name;
  if (rt.namespaced) meta["namespace"] = ns;
  // What the server owns stays as it was.
  for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation"}) {
    if (old_meta.contains(field)) {
      meta[field] = old_meta[field];
    } else {
      meta.erase(field);
    }
  }
  const apis::ResourceType& st = StorageType(rt);
  auto stored = ToStorage(rt, st, std::move(obj));
  if (!stored.ok()) return stored.error();
  json& s = *stored;
  ApplyDefaults(st, s);
  PrepareForUpdate(st, subresource, s, old);
  TrackServedFields(rt, st, s, old, options, subresource);
  if (TracksGeneration(st) && subresource.empty() && SpecChanged(s, old)) {
    s["metadata"]["generation"] = old_meta.value("generation", int64_t{0}) + 1;
  }
  // A binding is checked by BindPod: its change to spec.nodeName is what pod updates forbid.
  apis::FieldErrors errs = subresource == "binding"  ? apis::FieldErrors{}
                           : subresource == "status" ? ValidateStatusUpdate(rt, s, old)
                                                     : ValidateUpdate(rt, s, old);
  if (!errs.empty()) return Invalid(rt, name, errs);
  if (subresource.empty() && IsStorageAdmitted(rt)) {
    if (auto ok = AdmitStorageUpdate(*this, rt, s, old); !ok.ok()) {
      ApiError e = ok.error();
      if (e.code == 403) {
        e.message = rt.qualified_resource() + " \"" + name + "\" is forbidden: " + e.message;
      }
      return e;
    }
  }
  const std::string key = StorageKey(rt, ns, name);
  // An object being deleted goes once its last finalizer is removed, unless a graceful
  // deletion is still running (a pod whose kubelet stops it deletes it itself): Kubernetes'
  // ShouldDeleteDuringUpdate.
  const int64_t old_grace = old_meta.contains("deletionGracePeriodSeconds") &&
                                    old_meta["deletionGracePeriodSeconds"].is_number_integer()
                                ? old_meta["deletionGracePeriodSeconds"].get<int64_t>()
                                : 0;
  if (Find(old, {"metadata", "deletionTimestamp"}) && old_grace == 0 && Finalized(st, s)) {
    if (options.dry_run) return Served(rt, st, std::move(s));
    auto gone = store_.Delete(key, old_rev);
    if (!gone.ok()) return FromStatus(gone.status(), &rt, name);
    s["metadata"]["resourceVersion"] = std::to_string(gone->mod_revision);
    return Served(rt, st, std::move(s));
  }
  if (WithoutResourceVersion(s) == WithoutResourceVersion(old)) {
    return Served(rt, st, old);  // nothing changed
  }
  if (options.dry_run) return Served(rt, st, std::move(s));
  auto lease = LeaseFor(st);
  if (!lease.ok()) return lease.error();
  auto kv = store_.Update(key, EncodeForStore(s), old_rev, *lease);
  if (!kv.ok()) return FromStatus(kv.status(), &rt, name);
  s["metadata"]["resourceVersion"] = std::to_string(kv->mod_revision);
  return Served(rt, st, std::move(s));
}

ApiResult<json> Resources::GuaranteedUpdate(
    const apis::ResourceType& rt, const std::string& ns, const std::string& name,
    const std::string& subresource, const std::function<ApiResult<json>(json current)>& mutate) {
  const apis::ResourceType& st = StorageType(rt);
  for (int attempt = 0;; ++attempt) {
    auto kv = store_.Get(StorageKey(rt, ns, name));
    if (!kv.ok()) return FromStatus(kv.status(), &rt, name);
    auto stored = DecodeStored(*kv, st);
    if (!stored.ok()) return InternalError(stored.status().message());
    auto current = Served(rt, st, *stored);
    if (!current.ok()) return current.error();
    auto changed = mutate(std::move(current).value());
    if (!changed.ok()) return changed.error();
    auto result = CommitUpdate(rt, ns, name, *stored, kv->mod_revision, std::move(*changed),
                               subresource, WriteOptions{}, nullptr);
    if (result.ok() || result.error().code != 409 || attempt >= kMaxConflictRetries) {
      return result;
    }
  }
}

ApiResult<json> Resources::Delete(const apis::ResourceType& rt, const std::string& ns,
                                  const std::string& name, const DeleteOptions& o) {
  const std::string key = StorageKey(rt, ns, name);
  const apis::ResourceType& st = StorageType(rt);
  for (int attempt = 0;; ++attempt) {
    auto kv = store_.Get(key);
    if (!kv.ok()) return FromStatus(kv.status(), &rt, name);
    auto current = DecodeStored(*kv, st);  // worked on in the storage version
    if (!current.ok()) return InternalError(current.status().message());
    json obj = *current;
    const std::string uid = GetString(obj, {"metadata", "uid"});
    if (!o.precondition_uid.empty() && o.precondition_uid != uid) {
      return Conflict(rt, name,
                      "Precondition failed: UID in precondition: " + o.precondition_uid +
                          ", UID in object meta: " + uid);
    }
    if (!o.precondition_resource_version.empty() &&
        o.precondition_resource_version != std::to_string(kv->mod_revision)) {
      return Conflict(rt, name,
                      "Precondition failed: ResourceVersion in precondition: " +
                          o.precondition_resource_version +
                          ", ResourceVersion in object meta: " + std::to_string(kv->mod_revision));
    }

    bool changed = false;
    json& meta = obj["metadata"];
    const bool already_deleting = meta.contains("deletionTimestamp");
    if (o.propagation_policy == "Orphan") {
      AddFinalizer(obj, "orphan");
      changed = true;
    } else if (o.propagation_policy == "Foreground") {
      AddFinalizer(obj, "foregroundDeletion");
      changed = true;
    }
    if (IsNamespace(rt)) {
      // The namespace controller empties it, then removes the "kubernetes" finalizer.
      obj["status"]["phase"] = "Terminating";
      changed = true;
    }
    // Pods on a node stop gracefully: the node agent deletes them after the grace period.
    int64_t grace = 0;
    if (IsPod(rt) && !GetString(obj, {"spec", "nodeName"}).empty()) {
      const std::string phase = GetString(obj, {"status", "phase"});
      if (phase != "Succeeded" && phase != "Failed") {
        grace = o.grace_period_seconds.value_or(
            obj["spec"].value("terminationGracePeriodSeconds", int64_t{30}));
        if (already_deleting) {
          grace = std::min(grace, meta.value("deletionGracePeriodSeconds", grace));
        }
      }
    }
    const bool graceful = grace > 0;
    const bool finalizing = HasFinalizers(obj) || IsNamespace(rt);
    if (!graceful && !finalizing) {
      if (o.dry_run) return Served(rt, st, std::move(obj));
      auto gone = store_.Delete(key, kv->mod_revision);
      if (gone.ok()) {
        obj["metadata"]["resourceVersion"] = std::to_string(gone->mod_revision);
        return Served(rt, st, std::move(obj));
      }
      if (gone.status().code() == Code::kConflict && attempt < kMaxConflictRetries) continue;
      return FromStatus(gone.status(), &rt, name);
    }
    if (!already_deleting) {
      auto now = std::chrono::system_clock::now();
      meta["deletionTimestamp"] = Rfc3339(now + std::chrono::seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
      changed = true;
    } else if (graceful && grace < meta.value("deletionGracePeriodSeconds", grace + 1)) {
      meta["deletionTimestamp"] = Rfc3339(std::chrono::system_clock::now() +
                                          std::chrono::seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
      changed = true;
    }
    if (!changed || o.dry_run) return Served(rt, st, std::move(obj));
    auto kv2 = store_.Update(key, EncodeForStore(obj), kv->mod_revision);
    if (kv2.ok()) {
      obj["metadata"]["resourceVersion"] = std::to_string(kv2->mod_revision);
      return Served(rt, st, std::move(obj));
    }
    if (kv2.status().code() == Code::kConflict && attempt < kMaxConflictRetries) continue;
    return FromStatus(kv2.status(), &rt, name);
  }
}

ApiResult<json> Resources::DeleteCollection(const apis::ResourceType& rt, const std::string& ns,
                                            const ListOptions& list, const DeleteOptions& o) {
  auto listed = List(rt, ns, list);
  if (!listed.ok()) return listed.error();
  json deleted = json::array();
  for (const json& item : (*listed)["items"]) {
    auto r = Delete(rt, GetString(item, {"metadata", "namespace"}),
                    GetString(item, {"metadata", "name"}), o);
    if (r.ok()) {
      deleted.push_back(std::move(r).value());
    } else if (r.error().code != 404) {
      return r.error();
    }
  }
  (*listed)["items"] = std::move(deleted);
  return listed;
}

}  // namespace skiff::api
