#include "api_error.h"

namespace skiff::api {
namespace {

nlohmann::json Details(const apis::ResourceType& rt, const std::string& name) {
  nlohmann::json d = {{"name", name}, {"kind", rt.resource}};
  if (!rt.group.empty()) d["group"] = rt.group;
  return d;
}

ApiError Make(int code, std::string reason, std::string message,
              nlohmann::json details = nullptr) {
  return ApiError{code, std::move(reason), std::move(message), std::move(details)};
}

}  // namespace

nlohmann::json ApiError::ToStatus() const {
  nlohmann::json s = {{"kind", "Status"},       {"apiVersion", "v1"},   {"metadata", nlohmann::json::object()},
                      {"status", "Failure"},    {"message", message}, {"reason", reason},
                      {"code", code}};
  if (!details.is_null()) s["details"] = details;
  return s;
}

ApiError NotFound(const apis::ResourceType& rt, const std::string& name) {
  return Make(404, "NotFound", rt.qualified_resource() + " \"" + name + "\" not found",
              Details(rt, name));
}

ApiError AlreadyExists(const apis::ResourceType& rt, const std::string& name) {
  return Make(409, "AlreadyExists", rt.qualified_resource() + " \"" + name + "\" already exists",
              Details(rt, name));
}

ApiError Conflict(const apis::ResourceType& rt, const std::string& name, const std::string& why) {
  return Make(409, "Conflict",
              "Operation cannot be fulfilled on " + rt.qualified_resource() + " \"" + name +
                  "\": " + why,
              Details(rt, name));
}

ApiError Invalid(const apis::ResourceType& rt, const std::string& name,
                 const apis::FieldErrors& errors) {
  std::string message = rt.kind + (rt.group.empty() ? "" : "." + rt.group) + " \"" + name +
                        "\" is invalid: ";
  nlohmann::json causes = nlohmann::json::array();
  if (errors.size() > 1) message += "[";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) message += ", ";
    message += errors[i].Message();
    causes.push_back({{"reason", errors[i].reason},
                      {"message", errors[i].CauseMessage()},
                      {"field", errors[i].field}});
  }
  if (errors.size() > 1) message += "]";
  nlohmann::json details = {{"name", name}, {"kind", rt.kind}, {"causes", causes}};
  if (!rt.group.empty()) details["group"] = rt.group;
  return Make(422, "Invalid", message, details);
}

ApiError BadRequest(const std::string& m) { return Make(400, "BadRequest", m); }
ApiError Forbidden(const std::string& m) { return Make(403, "Forbidden", m); }
ApiError MethodNotAllowed(const std::string& m) { return Make(405, "MethodNotAllowed", m); }
ApiError UnsupportedMediaType(const std::string& ct) {
  return Make(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                                           "accepted media types include: application/json, "
                                           "application/yaml, application/vnd.kubernetes.protobuf"
                                           " (got " + ct + ")");
}
ApiError NotAcceptable(const std::string& m) { return Make(406, "NotAcceptable", m); }
ApiError Gone(const std::string& m) { return Make(410, "Expired", m); }
ApiError TooLarge(const std::string& m) { return Make(413, "RequestEntityTooLarge", m); }
ApiError InternalError(const std::string& m) {
  return Make(500, "InternalError", "Internal error occurred: " + m);
}
ApiError ServiceUnavailable(const std::string& m) { return Make(503, "ServiceUnavailable", m); }
ApiError PageNotFound(const std::string& path) {
  return Make(404, "NotFound", "the server could not find the requested resource (" + path + ")",
              nlohmann::json{{"causes", {{{"reason", "UnexpectedServerResponse"},
                                          {"message", "404 page not found"}}}}});
}

ApiError FromStatus(const Status& status, const apis::ResourceType* rt, const std::string& name) {
  switch (status.code()) {
    case Code::kNotFound:
      return rt ? NotFound(*rt, name) : Make(404, "NotFound", status.message());
    case Code::kAlreadyExists:
      return rt ? AlreadyExists(*rt, name) : Make(409, "AlreadyExists", status.message());
    case Code::kConflict:
      return rt ? Conflict(*rt, name,
                           "the object has been modified; please apply your changes to the "
                           "latest version and try again")
                : Make(409, "Conflict", status.message());
    case Code::kGone:
      return Gone(status.message());
    case Code::kInvalidArgument:
      return BadRequest(status.message());
    case Code::kTooLarge:
      return TooLarge(status.message());
    case Code::kUnavailable:
    case Code::kResourceExhausted:
      return ServiceUnavailable(status.message());
    default:
      return InternalError(status.message());
  }
}

}  // namespace skiff::api
