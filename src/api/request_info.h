// Turns a request path into what it addresses, as kube-apiserver's RequestInfo does:
//   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
//   /apis/{group}/{version}/{resource}/{name}    (cluster-scoped, or a list across namespaces)
//   /api/v1/namespaces/{name}/status|finalize    (a namespace's own subresources)
//   /api/v1/watch/...                            (the legacy watch prefix)
#pragma once

#include <string>

#include "http_types.h"

namespace skiff::api {

struct RequestInfo {
  bool is_resource = false;  // false: discovery, /version, health, openapi, unknown paths
  std::string group;         // "" for core
  std::string version;
  std::string ns;
  std::string resource;
  std::string name;
  std::string subresource;
  // get, list, watch, create, update, patch, delete, deletecollection (or the lower-case HTTP
  // method for non-resource paths)
  std::string verb;
};

RequestInfo ParseRequestInfo(const HttpRequest& request);

// Go's strconv.ParseBool, as Kubernetes parses boolean query parameters ("True", "1", ...).
bool ParseBool(const std::string& text, bool* out);
// A boolean query parameter; false when absent or malformed.
bool QueryBool(const HttpRequest& request, const std::string& name);

}  // namespace skiff::api
