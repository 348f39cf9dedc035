// Request bodies to objects and objects to response bodies, by content type.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api_error.h"
#include "http_types.h"

namespace skiff::api {

// JSON, YAML (one document) or Kubernetes protobuf, by the request's Content-Type.
// Malformed bodies give BadRequest naming the problem; other types UnsupportedMediaType.
ApiResult<nlohmann::json> DecodeBody(const HttpRequest& request);

// Parses YAML text (one document) into JSON.
ApiResult<nlohmann::json> YamlToJson(const std::string& text);

// A JSON response with the right Content-Type (kubectl assumes protobuf when it is missing).
HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse ErrorResponse(const ApiError& error);

}  // namespace skiff::api
