// Small helpers on API objects (nlohmann::json) shared by the REST layer and controllers.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/apis/registry.h"
#include "skiff/store/store.h"

namespace skiff::api {

using nlohmann::json;

// "2026-11-28T09:10:11Z" (Kubernetes' metav1.Time: seconds precision, UTC).
std::string Rfc3339(std::chrono::system_clock::time_point t);
std::string NowRfc3339();
// Parses Rfc3339 output (and fractional seconds); false when malformed.
bool ParseRfc3339(const std::string& text, std::chrono::system_clock::time_point* out);

// A random RFC 4122 version 4 UUID.
std::string NewUid();
// The 5 random characters Kubernetes appends to generateName (bcdfghjklmnpqrstvwxz2456789).
std::string RandomNameSuffix();

// Where objects of a resource live in the store:
//   /registry/<group|core>/<resource>/<namespace>/<name>, cluster-scoped without <namespace>,
// with the group and resource of the resource's storage version (apis::StorageOf): every
// version that serves the same objects shares one prefix (autoscaling/v1 and v2 HPAs;
// v1 and events.k8s.io/v1 Events under /registry/core/events/).
std::string StoragePrefix(const apis::ResourceType& rt, const std::string& ns);
std::string StorageKey(const apis::ResourceType& rt, const std::string& ns,
                       const std::string& name);

// The object as served in `rt`'s version: parsed from the stored bytes, converted from the
// version it was stored in (its apiVersion; the storage version when it has none) to rt's
// (apis::ConvertVersion), with apiVersion/kind of `rt` and metadata.resourceVersion set to the
// key's revision. Bytes that are not a JSON object are kCorrupt; a stored apiVersion that
// cannot be converted is taken to be the storage version.
Result<json> DecodeStored(const store::KeyValue& kv, const apis::ResourceType& rt);
// How a watch reports one store change when no selector filters it: a delete is DELETED
// (with the last state before it, resourceVersion = the delete's revision), a put that brought
// the key into existence ADDED, any other put MODIFIED.
enum class WatchEventType { kAdded, kModified, kDeleted };
struct DecodedEvent {
  WatchEventType type = WatchEventType::kAdded;
  json object;  // as DecodeStored serves it
};
Result<DecodedEvent> DecodeEvent(const store::Event& e, const apis::ResourceType& rt);
// "ADDED", "MODIFIED", "DELETED": the type as a watch stream spells it.
const char* WatchEventTypeName(WatchEventType type);
// `obj` (any served version of rt's kind, per its apiVersion) in rt's version, relabelled.
// InternalError when the kind has no conversion between the two versions.
Result<json> ConvertTo(const apis::ResourceType& rt, json obj);
// The bytes stored for an object (without metadata.resourceVersion, which the store owns).
// `obj` is in its storage version.
std::string EncodeForStore(const json& obj);

// obj["a"]["b"] as a string/int, or a default, without creating anything.
std::string GetString(const json& obj, std::initializer_list<const char*> path,
                      const std::string& fallback = "");
const json* Find(const json& obj, std::initializer_list<const char*> path);
// metadata.finalizers holds `finalizer`.
bool HasFinalizer(const json& obj, const std::string& finalizer);

}  // namespace skiff::api
