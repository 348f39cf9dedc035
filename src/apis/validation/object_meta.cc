// ObjectMeta validation (apimachinery/pkg/api/validation/objectmeta.go) and label selectors.
#include "object_meta.h"

#include <algorithm>
#include <set>

#include "skiff/common/string_util.h"

namespace skiff::apis {
namespace internal {
namespace {

constexpr size_t kTotalAnnotationSizeLimitB = 256 * 1024;

void ValidateOwnerReferences(FieldErrors& errs, const json& refs, const Path& path) {
  std::string first_controller;
  for (const auto& ref : refs) {
    std::string api_version = Str(ref, "apiVersion");
    std::string kind = Str(ref, "kind");
    // schema.FromAPIVersionAndKind: "group/version" or "version".
    std::string version = api_version;
    std::string group;
    if (auto slash = api_version.find('/'); slash != std::string::npos) {
      group = api_version.substr(0, slash);
      version = api_version.substr(slash + 1);
    }
    if (version.empty()) {
      errs.push_back(
          FieldError::Invalid(path.Child("apiVersion"), api_version, "version must not be empty"));
    }
    if (kind.empty()) {
      errs.push_back(FieldError::Invalid(path.Child("kind"), kind, "kind must not be empty"));
    }
    if (Str(ref, "name").empty()) {
      errs.push_back(FieldError::Invalid(path.Child("name"), "", "name must not be empty"));
    }
    if (Str(ref, "uid").empty()) {
      errs.push_back(FieldError::Invalid(path.Child("uid"), "", "uid must not be empty"));
    }
    if (group.empty() && version == "v1" && kind == "Event") {
      errs.push_back(
          FieldError::Invalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (IsTrue(ref, "controller")) {
      std::string cur = kind + "/" + Str(ref, "name");
      if (!first_controller.empty()) {
        errs.push_back(FieldError::Invalid(path, refs,
                                           "Only one reference can have Controller set to true. "
                                           "Found \"true\" in references for " +
                                               first_controller + " and " + cur));
      } else {
        first_controller = cur;
      }
    }
  }
}

void ValidateFinalizers(FieldErrors& errs, const json& finalizers, const std::string& path) {
  bool orphan = false, foreground = false;
  for (const auto& f : finalizers) {
    std::string name = f.is_string() ? f.get<std::string>() : std::string();
    AddInvalid(errs, path, name, IsQualifiedName(name));
    orphan = orphan || name == "orphan";
    foreground = foreground || name == "foregroundDeletion";
  }
  if (orphan && foreground) {
    errs.push_back(FieldError::Invalid(
        path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
}

bool ExpressionMatches(const json& expr, const json& labels) {
  std::string key = Str(expr, "key");
  std::string op = Str(expr, "operator");
  const json* v = Get(labels, key);
  bool has = v && v->is_string();
  std::string value = has ? v->get<std::string>() : "";
  auto in_values = [&] {
    for (const auto& x : Arr(expr, "values")) {
      if (x.is_string() && x.get<std::string>() == value) return true;
    }
    return false;
  };
  if (op == "In") return has && in_values();
  if (op == "NotIn") return !has || !in_values();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  return false;
}

}  // namespace

void ValidateLabels(FieldErrors& errs, const json& labels, const std::string& path) {
  if (!labels.is_object()) return;
  for (const auto& [k, v] : labels.items()) {
    AddInvalid(errs, path, k, IsQualifiedName(k));
    std::string value = v.is_string() ? v.get<std::string>() : std::string();
    AddInvalid(errs, path, value, IsValidLabelValue(value));
  }
}

void ValidateAnnotations(FieldErrors& errs, const json& annotations, const std::string& path) {
  if (!annotations.is_object()) return;
  size_t total = 0;
  for (const auto& [k, v] : annotations.items()) {
    AddInvalid(errs, path, k, IsQualifiedName(AsciiLower(k)));
    total += k.size() + (v.is_string() ? v.get<std::string>().size() : 0);
  }
  if (total > kTotalAnnotationSizeLimitB) {
    errs.push_back(FieldError::TooLong(path, "", kTotalAnnotationSizeLimitB));
  }
}

void ValidateLabelSelector(FieldErrors& errs, const json& selector, const std::string& path) {
  if (!selector.is_object()) return;
  Path p(path);
  ValidateLabels(errs, Obj(selector, "matchLabels"), p.Child("matchLabels"));
  const json& exprs = Arr(selector, "matchExpressions");
  for (size_t i = 0; i < exprs.size(); ++i) {
    const json& e = exprs[i];
    Path ep = p.Child("matchExpressions").Index(i);
    std::string op = Str(e, "operator");
    size_t nvalues = Len(e, "values");
    if (op == "In" || op == "NotIn") {
      if (nvalues == 0) {
        errs.push_back(FieldError::Required(
            ep.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (nvalues > 0) {
        errs.push_back(FieldError::Forbidden(
            ep.Child("values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push_back(
          FieldError::Invalid(ep.Child("operator"), op, "not a valid selector operator"));
    }
    std::string key = Str(e, "key");
    AddInvalid(errs, ep.Child("key"), key, IsQualifiedName(key));
    const json& values = Arr(e, "values");
    for (size_t j = 0; j < values.size(); ++j) {
      std::string v = values[j].is_string() ? values[j].get<std::string>() : std::string();
      AddInvalid(errs, ep.Child("values").Index(j), v, IsValidLabelValue(v));
    }
  }
}

bool SelectorIsEmpty(const json& selector) {
  return Len(selector, "matchLabels") == 0 && Len(selector, "matchExpressions") == 0;
}

bool SelectorMatches(const json* selector, const json& labels) {
  if (!selector || !selector->is_object()) return false;
  for (const auto& [k, v] : Obj(*selector, "matchLabels").items()) {
    const json* have = Get(labels, k);
    if (!have || *have != v) return false;
  }
  for (const auto& e : Arr(*selector, "matchExpressions")) {
    if (!ExpressionMatches(e, labels)) return false;
  }
  return true;
}

void ValidateImmutable(FieldErrors& errs, const json& new_value, const json& old_value,
                       const std::string& path) {
  if (!SemanticEqual(new_value, old_value)) {
    errs.push_back(FieldError::Invalid(path, new_value, kFieldImmutableErrorMsg));
  }
}

void ValidateImmutableMember(FieldErrors& errs, const json& n, const json& o, std::string_view key,
                             const Path& parent) {
  const json* nv = Get(n, key);
  const json* ov = Get(o, key);
  ValidateImmutable(errs, nv ? *nv : json(), ov ? *ov : json(), parent.Child(std::string(key)));
}

}  // namespace internal

using namespace internal;  // NOLINT: this file implements the internal helpers' public face

FieldErrors ValidateObjectMeta(const nlohmann::json& metadata, bool namespaced,
                               NameValidator name_validator, const std::string& path) {
  FieldErrors errs;
  Path p(path);
  std::string generate_name = Str(metadata, "generateName");
  if (!generate_name.empty() && name_validator) {
    AddInvalid(errs, p.Child("generateName"), generate_name, name_validator(generate_name, true));
  }
  std::string name = Str(metadata, "name");
  if (name.empty()) {
    errs.push_back(FieldError::Required(p.Child("name"), "name or generateName is required"));
  } else if (name_validator) {
    AddInvalid(errs, p.Child("name"), name, name_validator(name, false));
  }
  std::string ns = Str(metadata, "namespace");
  if (namespaced) {
    if (ns.empty()) {
      errs.push_back(FieldError::Required(p.Child("namespace")));
    } else {
      AddInvalid(errs, p.Child("namespace"), ns, NameIsDNSLabel(ns, false));
    }
  } else if (!ns.empty()) {
    errs.push_back(FieldError::Forbidden(p.Child("namespace"), "not allowed on this type"));
  }
  ValidateNonnegativeMember(errs, metadata, "generation", p);
  ValidateLabels(errs, Obj(metadata, "labels"), p.Child("labels"));
  ValidateAnnotations(errs, Obj(metadata, "annotations"), p.Child("annotations"));
  ValidateOwnerReferences(errs, Arr(metadata, "ownerReferences"), p.Child("ownerReferences"));
  ValidateFinalizers(errs, Arr(metadata, "finalizers"), p.Child("finalizers"));
  return errs;
}

FieldErrors ValidateObjectMetaUpdate(const nlohmann::json& metadata, const nlohmann::json& old,
                                     const std::string& path) {
  FieldErrors errs;
  Path p(path);
  if (Get(old, "deletionTimestamp")) {
    std::set<std::string> old_finalizers;
    for (const auto& f : Arr(old, "finalizers")) {
      if (f.is_string()) old_finalizers.insert(f.get<std::string>());
    }
    std::vector<std::string> extra;
    for (const auto& f : Arr(metadata, "finalizers")) {
      if (f.is_string() && !old_finalizers.count(f.get<std::string>())) {
        extra.push_back(f.get<std::string>());
      }
    }
    if (!extra.empty()) {
      std::sort(extra.begin(), extra.end());
      std::string list = "[]string{";
      for (size_t i = 0; i < extra.size(); ++i) {
        if (i) list += ", ";
        list += nlohmann::json(extra[i]).dump();
      }
      list += "}";
      errs.push_back(FieldError::Forbidden(
          p.Child("finalizers"),
          "no new finalizers can be added if the object is being deleted, found new finalizers " +
              list));
    }
  }
  auto new_gen = Int(metadata, "generation").value_or(0);
  if (new_gen < Int(old, "generation").value_or(0)) {
    errs.push_back(FieldError::Invalid(p.Child("generation"), new_gen, "must not be decremented"));
  }
  for (const char* key : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                          "deletionGracePeriodSeconds"}) {
    const json* nv = Get(metadata, key);
    const json* ov = Get(old, key);
    json a = nv ? *nv : json();
    json b = ov ? *ov : json();
    // Kubernetes compares strings, so "" and unset are the same value.
    if (a.is_string() && a.get<std::string>().empty()) a = nullptr;
    if (b.is_string() && b.get<std::string>().empty()) b = nullptr;
    if (!SemanticEqual(a, b)) {
      errs.push_back(
          FieldError::Invalid(p.Child(key), nv ? *nv : json(""), kFieldImmutableErrorMsg));
    }
  }
  ValidateLabels(errs, Obj(metadata, "labels"), p.Child("labels"));
  ValidateAnnotations(errs, Obj(metadata, "annotations"), p.Child("annotations"));
  ValidateOwnerReferences(errs, Arr(metadata, "ownerReferences"), p.Child("ownerReferences"));
  return errs;
}

}  // namespace skiff::apis
