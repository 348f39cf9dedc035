// Request bodies to objects and objects to response bodies, by content type.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api_error.h"
#include "http_types.h"

namespace skiff::api {

// JSON, YAML (one document) or Kubernetes protobuf, by the request's Content-Type.
// Malformed bodies give BadRequest naming the problem; other types UnsupportedMediaType.
ApiResult<nlohmann::json> DecodeBody(const HttpRequest& request);

// Parses YAML text (one document) into JSON.
ApiResult<nlohmann::json> YamlToJson(const std::string& text);

// The same, with the failure's line (1-based, in `text`) and reason apart (for callers that
// report a position in a larger file).
struct YamlError {
  int line = 0;
  std::string message;
};
std::optional<nlohmann::json> YamlDocumentToJson(const std::string& text, YamlError* error);

// A JSON response with the right Content-Type (kubectl assumes protobuf when it is missing).
HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse ErrorResponse(const ApiError& error);

}  // namespace skiff::api
