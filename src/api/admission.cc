#include "admission.h"

#include "skiff/apis/schema.h"
#include "skiff/apis/strict.h"
#include "skiff/apis/validation.h"

namespace skiff::api {
namespace {

// Removes the field a strict-decoding path names ("spec.containers[0].foo", "a.b[key].c").
void Prune(nlohmann::json& obj, const std::string& path) {
  nlohmann::json* cur = &obj;
  size_t i = 0;
  std::string last;
  while (i < path.size() && cur) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) return;
      std::string token = path.substr(i + 1, close - i - 1);
      i = close + 1;
      if (cur->is_array()) {
        size_t idx = std::strtoul(token.c_str(), nullptr, 10);
        cur = idx < cur->size() ? &(*cur)[idx] : nullptr;
      } else if (cur->is_object() && cur->contains(token)) {
        cur = &(*cur)[token];
      } else {
        return;
      }
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string::npos) end = path.size();
    last = path.substr(i, end - i);
    i = end;
    if (i >= path.size()) {
      if (cur->is_object()) cur->erase(last);
      return;
    }
    if (!cur->is_object() || !cur->contains(last)) return;
    cur = &(*cur)[last];
  }
}

}  // namespace

ApiResult<bool> CheckFields(const apis::ResourceType& rt, nlohmann::json& obj,
                            const std::string& field_validation,
                            std::vector<std::string>* warnings) {
  const apis::TypeDef* type = apis::BuiltinSchema().KindType(rt.group, rt.version, rt.kind);
  if (!type) return true;  // a kind without a schema is taken as it comes
  const bool ignore = field_validation == "Ignore";
  const bool strict = field_validation == "Strict";
  if (!field_validation.empty() && !ignore && !strict && field_validation != "Warn") {
    return BadRequest("fieldValidation must be one of Ignore, Warn or Strict, not \"" +
                      field_validation + "\"");
  }
  // Unknown fields are found in every mode: Ignore drops them silently.
  apis::FieldErrors problems = apis::CheckStrict(*type, obj);
  if (problems.empty()) return true;
  if (apis::HasTypeErrors(problems) || strict) {
    return BadRequest(apis::DecodeFailureMessage(rt.kind, rt.version, problems));
  }
  for (const apis::FieldError& e : problems) {
    if (warnings && !ignore) warnings->push_back(apis::StrictProblemText(e));
    if (apis::IsUnknownField(e)) Prune(obj, e.field);
  }
  return true;
}

void ApplyDefaults(const apis::ResourceType& rt, nlohmann::json& obj) {
  apis::ApplyDefaults(rt.group, rt.kind, obj);
}

apis::FieldErrors ValidateCreate(const apis::ResourceType& rt, const nlohmann::json& obj) {
  return apis::ValidateCreate(rt.group, rt.kind, obj);
}

apis::FieldErrors ValidateUpdate(const apis::ResourceType& rt, const nlohmann::json& obj,
                                 const nlohmann::json& old) {
  return apis::ValidateUpdate(rt.group, rt.kind, obj, old);
}

apis::FieldErrors ValidateStatusUpdate(const apis::ResourceType& rt, const nlohmann::json& obj,
                                       const nlohmann::json& old) {
  return apis::ValidateStatusUpdate(rt.group, rt.kind, obj, old);
}

}  // namespace skiff::api
