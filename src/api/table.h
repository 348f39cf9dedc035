// meta.k8s.io/v1 Table responses for `kubectl get`: the server formats every cell.
#pragma once

#include <nlohmann/json.hpp>

#include "http_types.h"
#include "skiff/apis/registry.h"

namespace skiff::api {

// The Accept header asks for a Table (application/json;as=Table;v=v1;g=meta.k8s.io).
bool WantsTable(const HttpRequest& request);

// A Table of the given objects; rows carry PartialObjectMetadata (for -A and --show-labels).
// list_meta: the list's metadata (resourceVersion, continue) or null.
nlohmann::json ToTable(const apis::ResourceType& rt, const nlohmann::json& objects,
                       const nlohmann::json& list_meta, bool include_columns = true);

}  // namespace skiff::api
