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
//   /registry/<group|core>/<resource>/<namespace>/<name>, cluster-scoped without <namespace>.
// Versions of one group share storage (autoscaling/v1 and v2 HPAs are the same objects).
std::string StoragePrefix(const apis::ResourceType& rt, const std::string& ns);
std::string StorageKey(const apis::ResourceType& rt, const std::string& ns,
                       const std::string& name);

// The object as served: parsed from the stored bytes, with metadata.resourceVersion set to
// the key's revision and apiVersion/kind of `rt`.
Result<json> DecodeStored(const store::KeyValue& kv, const apis::ResourceType& rt);
// The bytes stored for an object (without metadata.resourceVersion, which the store owns).
std::string EncodeForStore(const json& obj);

// obj["a"]["b"] as a string/int, or a default, without creating anything.
std::string GetString(const json& obj, std::initializer_list<const char*> path,
                      const std::string& fallback = "");
const json* Find(const json& obj, std::initializer_list<const char*> path);

}  // namespace skiff::api
