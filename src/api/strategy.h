// Per-kind rules the REST layer applies around writes, as kube-apiserver's registry strategies
// do: which kinds count generations, what a create resets, how the spec/status split works.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "skiff/apis/registry.h"

namespace skiff::api {

// Kinds whose metadata.generation counts spec changes (and observedGeneration follows).
bool TracksGeneration(const apis::ResourceType& rt);

// Resets what a client may not set on create (status, mostly).
void PrepareForCreate(const apis::ResourceType& rt, nlohmann::json& obj);

// For an update of the main resource (or its finalize subresource), keeps the old status; for
// the status subresource, keeps everything but the status; a pods/binding ("binding") keeps
// all it was given.
void PrepareForUpdate(const apis::ResourceType& rt, const std::string& subresource,
                      nlohmann::json& obj, const nlohmann::json& old);

// True when obj and old differ outside metadata and status (a spec change).
bool SpecChanged(const nlohmann::json& obj, const nlohmann::json& old);

}  // namespace skiff::api
