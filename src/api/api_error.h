// Failures as the Kubernetes API reports them: an HTTP code, a reason and a Status object.
//
// Every error a client sees goes through here, so the reason/code pairs and message shapes
// match kube-apiserver's (kubectl and the Python client branch on them).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "skiff/apis/field_error.h"
#include "skiff/apis/registry.h"
#include "skiff/common/status.h"

namespace skiff::api {

struct ApiError {
  int code = 500;
  std::string reason = "InternalError";
  std::string message;
  nlohmann::json details;  // {name, group, kind, causes, retryAfterSeconds}; null when none

  // The v1 Status object sent as the response body (or a watch ERROR event's object).
  nlohmann::json ToStatus() const;
};

// Constructors for the errors handlers raise. `rt` names the resource in the message the way
// Kubernetes does (`deployments.apps "web" not found`).
ApiError NotFound(const apis::ResourceType& rt, const std::string& name);
ApiError AlreadyExists(const apis::ResourceType& rt, const std::string& name);
ApiError Conflict(const apis::ResourceType& rt, const std::string& name, const std::string& why);
ApiError Invalid(const apis::ResourceType& rt, const std::string& name,
                 const apis::FieldErrors& errors);
ApiError BadRequest(const std::string& message);
ApiError Forbidden(const std::string& message);
ApiError MethodNotAllowed(const std::string& message);
ApiError UnsupportedMediaType(const std::string& content_type);
ApiError NotAcceptable(const std::string& message);
ApiError Gone(const std::string& message);
ApiError TooLarge(const std::string& message);
ApiError InternalError(const std::string& message);
ApiError ServiceUnavailable(const std::string& message);
ApiError PageNotFound(const std::string& path);
// Maps a store/module Status (kNotFound, kConflict, ...) for the object rt/name.
ApiError FromStatus(const Status& status, const apis::ResourceType* rt, const std::string& name);

// A value or an ApiError.
template <class T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  const ApiError& error() const { return std::get<ApiError>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace skiff::api
