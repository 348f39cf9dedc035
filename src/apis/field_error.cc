#include "skiff/apis/field_error.h"

namespace skiff::apis {
namespace {

// Kubernetes prints string values quoted and other values as JSON.
std::string ShowValue(const nlohmann::json& v) {
  if (v.is_string()) return nlohmann::json(v.get<std::string>()).dump();
  return v.dump();
}

}  // namespace

FieldError FieldError::Required(std::string field, std::string detail) {
  return {"FieldValueRequired", std::move(field), std::move(detail), nullptr, {}};
}
FieldError FieldError::Invalid(std::string field, nlohmann::json value, std::string detail) {
  return {"FieldValueInvalid", std::move(field), std::move(detail), std::move(value), {}};
}
FieldError FieldError::NotSupported(std::string field, nlohmann::json value,
                                    std::vector<std::string> supported) {
  return {"FieldValueNotSupported", std::move(field), "", std::move(value), std::move(supported)};
}
FieldError FieldError::Duplicate(std::string field, nlohmann::json value) {
  return {"FieldValueDuplicate", std::move(field), "", std::move(value), {}};
}
FieldError FieldError::Forbidden(std::string field, std::string detail) {
  return {"FieldValueForbidden", std::move(field), std::move(detail), nullptr, {}};
}
FieldError FieldError::TooLong(std::string field, nlohmann::json value, size_t max_length) {
  return {"FieldValueTooLong", std::move(field),
          "may not be more than " + std::to_string(max_length) + " bytes", std::move(value), {}};
}
FieldError FieldError::TypeInvalid(std::string field, nlohmann::json value, std::string detail) {
  return {"FieldValueTypeInvalid", std::move(field), std::move(detail), std::move(value), {}};
}

std::string FieldError::CauseMessage() const {
  std::string m;
  if (reason == "FieldValueRequired") {
    m = "Required value";
  } else if (reason == "FieldValueInvalid") {
    m = "Invalid value: " + ShowValue(value);
  } else if (reason == "FieldValueNotSupported") {
    m = "Unsupported value: " + ShowValue(value);
    if (!supported.empty()) {
      m += ": supported values: ";
      for (size_t i = 0; i < supported.size(); ++i) {
        if (i) m += ", ";
        m += nlohmann::json(supported[i]).dump();
      }
    }
  } else if (reason == "FieldValueDuplicate") {
    m = "Duplicate value: " + ShowValue(value);
  } else if (reason == "FieldValueForbidden") {
    m = "Forbidden";
  } else if (reason == "FieldValueTooLong") {
    m = "Too long";
  } else if (reason == "FieldValueTypeInvalid") {
    m = "Invalid value: " + ShowValue(value);
  } else if (reason == "FieldValueNotFound") {
    m = "Not found: " + ShowValue(value);
  } else if (reason == "FieldValueTooMany") {
    m = "Too many: " + ShowValue(value);
  } else if (reason == "FieldValueUnknown") {
    m = "Unknown field";
  } else {
    m = "Internal error";
  }
  if (!detail.empty()) m += ": " + detail;
  return m;
}

std::string FieldError::Message() const { return field + ": " + CauseMessage(); }

}  // namespace skiff::apis
