// Field-level validation errors, as Kubernetes reports them in an Invalid Status's causes.
//
// A FieldError names the field by its JSON path ("spec.template.spec.containers[0].image",
// "metadata.labels[app]") and carries the reason Kubernetes uses (FieldValueRequired, ...).
// Message() renders it the way kube-apiserver does, e.g.
//   spec.replicas: Invalid value: -1: must be greater than or equal to 0
//   metadata.name: Required value: name or generateName is required
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skiff::apis {

struct FieldError {
  std::string reason;  // FieldValueRequired, FieldValueInvalid, FieldValueNotSupported,
                       // FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong,
                       // FieldValueTooMany, FieldValueTypeInvalid
  std::string field;   // JSON path of the field
  std::string detail;  // the explanation (may be empty)
  nlohmann::json value;  // the bad value (null when not applicable)
  std::vector<std::string> supported;  // for NotSupported

  static FieldError Required(std::string field, std::string detail = "");
  static FieldError Invalid(std::string field, nlohmann::json value, std::string detail);
  static FieldError NotSupported(std::string field, nlohmann::json value,
                                 std::vector<std::string> supported);
  static FieldError Duplicate(std::string field, nlohmann::json value);
  static FieldError Forbidden(std::string field, std::string detail);
  static FieldError TooLong(std::string field, nlohmann::json value, size_t max_length);
  static FieldError TypeInvalid(std::string field, nlohmann::json value, std::string detail);

  // "<field>: <kind of error>[: value][: detail]", as in a Status message.
  std::string Message() const;
  // The error without the field prefix, as in a Status cause's message.
  std::string CauseMessage() const;
};

using FieldErrors = std::vector<FieldError>;

// Builds paths: Path("spec").Child("containers").Index(0).Child("image").
class Path {
 public:
  explicit Path(std::string root = "") : p_(std::move(root)) {}
  Path Child(const std::string& name) const { return Path(p_.empty() ? name : p_ + "." + name); }
  Path Index(size_t i) const { return Path(p_ + "[" + std::to_string(i) + "]"); }
  Path Key(const std::string& k) const { return Path(p_ + "[" + k + "]"); }
  const std::string& str() const { return p_; }
  operator const std::string&() const { return p_; }  // NOLINT: paths are strings

 private:
  std::string p_;
};

}  // namespace skiff::apis
