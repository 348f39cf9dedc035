// Patch content types, request bodies, dispatch, and kube-apiserver's answers to failures.
#include "go_text.h"
#include "skiff/apis/patch.h"
#include "skiff/common/string_util.h"

namespace skiff::apis {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonPatchOperations = 10000;  // kube-apiserver's maxJSONPatchOperations

// The parse error without nlohmann's "[json.exception.parse_error.101] " prefix.
std::string ParseErrorText(const json::parse_error& e) {
  std::string what = e.what();
  size_t close = what.find("] ");
  return close == std::string::npos ? what : what.substr(close + 2);
}

// The strategic merge patch errors kube-apiserver turns into 400 and 422
// (interpretStrategicMergePatchError); every other one becomes a 500.
bool IsSmpBadRequest(const std::string& m) {
  return m == "invalid JSON document" || m == "invalid patch format of primitive list" ||
         m == "invalid patch format of retainKeys" ||
         m == "invalid patch format of setElementOrder list" ||
         m == "strategic merge patch format is not supported";
}
bool IsSmpUnprocessable(const std::string& m) {
  return m == "lists of lists are not supported" ||
         m == "patch content doesn't match retainKeys list";
}

PatchErrorResponse Rejected(const std::string& cause) {
  return {422, "Invalid", "the server rejected our request due to an error in our request",
          "UnexpectedServerResponse", cause};
}

}  // namespace

std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type) {
  std::string media = AsciiLower(TrimAsciiSpace(content_type.substr(0, content_type.find(';'))));
  if (media == "application/json-patch+json") return PatchType::kJson;
  if (media == "application/merge-patch+json") return PatchType::kMerge;
  if (media == "application/strategic-merge-patch+json") return PatchType::kStrategicMerge;
  return std::nullopt;
}

std::string_view PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "";
}

Result<nlohmann::json> ParsePatchBody(PatchType type, std::string_view body) {
  json parsed;
  try {
    parsed = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
    if (type == PatchType::kMerge) return InvalidArgumentError("Invalid JSON Patch");
    if (TrimAsciiSpace(body).empty()) return InvalidArgumentError("unexpected end of JSON input");
    return InvalidArgumentError("invalid JSON in patch body: " + ParseErrorText(e));
  }
  switch (type) {
    case PatchType::kJson: {
      if (parsed.is_null()) return json::array();
      if (!parsed.is_array()) {
        return InvalidArgumentError("json: cannot unmarshal " + patch_internal::GoJsonKind(parsed) +
                                    " into Go value of type jsonpatch.Patch");
      }
      for (const json& op : parsed) {
        if (!op.is_object() && !op.is_null()) {
          return InvalidArgumentError("json: cannot unmarshal " + patch_internal::GoJsonKind(op) +
                                      " into Go value of type jsonpatch.Operation");
        }
      }
      if (parsed.size() > kMaxJsonPatchOperations) {
        return TooLargeError("The allowed maximum operations in a JSON patch is " +
                             std::to_string(kMaxJsonPatchOperations) + ", got " +
                             std::to_string(parsed.size()));
      }
      return parsed;
    }
    case PatchType::kMerge:
      if (!parsed.is_object()) return InvalidArgumentError("Invalid JSON Patch");
      return parsed;
    case PatchType::kStrategicMerge:
      if (parsed.is_null()) return json::object();
      if (!parsed.is_object()) {
        return InvalidArgumentError("json: cannot unmarshal " + patch_internal::GoJsonKind(parsed) +
                                    " into Go value of type map[string]interface {}");
      }
      return parsed;
  }
  return InternalError("unknown patch type");
}

Result<nlohmann::json> ApplyPatch(PatchType patch_type, const nlohmann::json& doc,
                                  const nlohmann::json& patch, const TypeDef* type) {
  switch (patch_type) {
    case PatchType::kJson:
      return ApplyJsonPatch(doc, patch);
    case PatchType::kMerge:
      return ApplyMergePatch(doc, patch);
    case PatchType::kStrategicMerge:
      return ApplyStrategicMergePatch(doc, patch, type);
  }
  return InternalError("unknown patch type");
}

PatchErrorResponse DescribePatchError(PatchType type, PatchStage stage, const Status& error) {
  const std::string& m = error.message();
  if (error.code() == Code::kTooLarge) {
    return {413, "RequestEntityTooLarge", "Request entity too large: " + m, "", ""};
  }
  if (error.code() == Code::kUnimplemented) return {415, "UnsupportedMediaType", m, "", ""};
  if (stage == PatchStage::kParse) return {400, "BadRequest", m, "", ""};
  switch (type) {
    case PatchType::kJson:
      return Rejected(m);
    case PatchType::kStrategicMerge:
      if (IsSmpBadRequest(m)) return {400, "BadRequest", m, "", ""};
      if (IsSmpUnprocessable(m)) return Rejected(m);
      break;
    case PatchType::kMerge:
      break;
  }
  return {500, "", m, "", ""};
}

}  // namespace skiff::apis
