// OpenAPI v3 documents generated from the built-in schema: /openapi/v3 (the index) and
// /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>. kubectl apply needs them (it looks
// for a patch operation with a fieldValidation parameter, then lets the server validate) and
// kubectl explain reads the schemas. Built once, on first use; thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "skiff/apis/registry.h"

namespace skiff::api {

class OpenApi {
 public:
  explicit OpenApi(const apis::Registry& registry) : registry_(registry) {}
  // The index document.
  const std::string& Index();
  // The document for "api/v1" or "apis/<group>/<version>"; nullptr when not served.
  const std::string* GroupVersion(const std::string& path);

 private:
  void Build();
  const apis::Registry& registry_;
  std::once_flag once_;
  std::string index_;
  std::map<std::string, std::string> docs_;  // by "api/v1", "apis/apps/v1"
};

}  // namespace skiff::api
