#include "codec.h"

#include <yaml-cpp/yaml.h>

#include "skiff/apis/protobuf.h"
#include "skiff/apis/schema.h"

namespace skiff::api {
namespace {

using nlohmann::json;

std::string MediaType(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

// YAML scalars become JSON strings, numbers, booleans or null as Kubernetes' YAML decoder
// (YAML 1.2-ish: sigs.k8s.io/yaml) reads them; quoted scalars stay strings.
json Scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  char* end = nullptr;
  errno = 0;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (end && *end == '\0' && errno == 0 && !s.empty() &&
      (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+')) {
    return i;
  }
  end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && !s.empty() &&
      (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.')) {
    return d;
  }
  return s;
}

json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return Scalar(n);
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& item : n) a.push_back(ToJson(item));
      return a;
    }
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = ToJson(kv.second);
      return o;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<json> YamlDocumentToJson(const std::string& text, YamlError* error) {
  try {
    YAML::Node node = YAML::Load(text);
    return ToJson(node);
  } catch (const YAML::Exception& e) {
    if (error) *error = {e.mark.line + 1, e.msg};
    return std::nullopt;
  }
}

ApiResult<json> YamlToJson(const std::string& text) {
  YamlError error;
  std::optional<json> doc = YamlDocumentToJson(text, &error);
  if (!doc) {
    return BadRequest("error converting YAML to JSON: yaml: line " + std::to_string(error.line) +
                      ": " + error.message);
  }
  return std::move(*doc);
}

ApiResult<json> DecodeBody(const HttpRequest& request) {
  const std::string type = MediaType(request.Header("content-type"));
  if (type.empty() || type == "application/json" || type == "*/*") {
    try {
      return json::parse(request.body);
    } catch (const json::parse_error& e) {
      return BadRequest(std::string("the request body is not valid JSON: ") + e.what());
    }
  }
  if (type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml") {
    return YamlToJson(request.body);
  }
  if (apis::IsKubernetesProtobuf(type)) {
    auto obj = apis::DecodeKubernetesProtobuf(request.body, apis::BuiltinSchema());
    if (!obj.ok()) return BadRequest(obj.status().message());
    return std::move(obj).value();
  }
  return UnsupportedMediaType(type);
}

HttpResponse JsonResponse(int status, const json& body) {
  return HttpResponse{status, "application/json", body.dump(), {}};
}

HttpResponse ErrorResponse(const ApiError& error) {
  return JsonResponse(error.code, error.ToStatus());
}

}  // namespace skiff::api
