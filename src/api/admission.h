// Admission: what every write passes through before it is stored: field validation of the
// body (strict decoding), defaulting, and validation of the object (and of the change, on
// update). The REST layer calls these; the rules themselves live in src/apis.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_error.h"
#include "skiff/apis/registry.h"

namespace skiff::api {

// Checks the body against the kind's schema. "Strict": unknown fields fail with BadRequest;
// "Warn" or "": they become warnings; "Ignore": nothing. Values of the wrong type always fail.
// Unknown fields that do not fail are dropped from obj, as Kubernetes' decoder drops them.
ApiResult<bool> CheckFields(const apis::ResourceType& rt, nlohmann::json& obj,
                            const std::string& field_validation,
                            std::vector<std::string>* warnings);

void ApplyDefaults(const apis::ResourceType& rt, nlohmann::json& obj);
apis::FieldErrors ValidateCreate(const apis::ResourceType& rt, const nlohmann::json& obj);
apis::FieldErrors ValidateUpdate(const apis::ResourceType& rt, const nlohmann::json& obj,
                                 const nlohmann::json& old);
apis::FieldErrors ValidateStatusUpdate(const apis::ResourceType& rt, const nlohmann::json& obj,
                                       const nlohmann::json& old);

}  // namespace skiff::api
