#include "client/api_status.h"

#include <string>

namespace skiff::client {
namespace {

using nlohmann::json;

constexpr size_t kBodyExcerpt = 200;

// The Code for a reason kube-apiserver uses; kOk when the reason says nothing known.
Code CodeForReason(std::string_view reason) {
  if (reason == "NotFound") return Code::kNotFound;
  if (reason == "AlreadyExists") return Code::kAlreadyExists;
  if (reason == "Conflict") return Code::kConflict;
  if (reason == "Gone" || reason == "Expired") return Code::kGone;
  if (reason == "Invalid" || reason == "BadRequest") return Code::kInvalidArgument;
  if (reason == "RequestEntityTooLarge") return Code::kTooLarge;
  if (reason == "TooManyRequests" || reason == "ServiceUnavailable" || reason == "Timeout" ||
      reason == "ServerTimeout") {
    return Code::kUnavailable;
  }
  if (reason == "InternalError" || reason == "Unauthorized" || reason == "Forbidden" ||
      reason == "MethodNotAllowed" || reason == "NotAcceptable" ||
      reason == "UnsupportedMediaType") {
    return Code::kInternal;
  }
  return Code::kOk;
}

Code CodeForHttp(long code) {
  switch (code) {
    case 400:
    case 422:
      return Code::kInvalidArgument;
    case 404:
      return Code::kNotFound;
    case 409:
      return Code::kConflict;
    case 410:
      return Code::kGone;
    case 413:
      return Code::kTooLarge;
    case 429:
      return Code::kUnavailable;
    case 500:
      return Code::kInternal;
    default:
      return code > 500 && code <= 599 ? Code::kUnavailable : Code::kInternal;
  }
}

std::string_view StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

}  // namespace

Status StatusFromApiStatus(long code, std::string_view reason, std::string_view message) {
  Code c = CodeForReason(reason);
  if (c == Code::kOk) c = CodeForHttp(code);
  std::string text(message);
  if (text.empty()) {
    text = "the server responded with HTTP " + std::to_string(code);
    if (!reason.empty()) text += " (" + std::string(reason) + ")";
  }
  return Status(c, std::move(text));
}

Status StatusFromStatusObject(const json& status) {
  if (!status.is_object()) return InternalError("the server sent a malformed Status");
  long code = 0;
  if (auto it = status.find("code"); it != status.end() && it->is_number_integer()) {
    code = it->get<long>();
  }
  return StatusFromApiStatus(code, StringField(status, "reason"), StringField(status, "message"));
}

Status StatusFromHttpResponse(long http_code, std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && StringField(doc, "kind") == "Status") {
    return StatusFromApiStatus(http_code, StringField(doc, "reason"), StringField(doc, "message"));
  }
  std::string text = "the server responded with HTTP " + std::to_string(http_code);
  if (!body.empty()) {
    std::string excerpt(body.substr(0, kBodyExcerpt));
    while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r')) {
      excerpt.pop_back();
    }
    text += ": " + excerpt;
  }
  return Status(CodeForHttp(http_code), std::move(text));
}

}  // namespace skiff::client
