// rbac.authorization.k8s.io/v1 validation (pkg/apis/rbac/validation).
#include "kinds.h"
#include "object_meta.h"

namespace skiff::apis::internal {
namespace {

constexpr const char* kRBACGroup = "rbac.authorization.k8s.io";

void ValidatePolicyRules(FieldErrors& errs, const json& rules, bool namespaced) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const json& r = rules[i];
    Path rp = Path("rules").Index(i);
    if (Len(r, "verbs") == 0) {
      errs.push_back(
          FieldError::Required(rp.Child("verbs"), "verbs must contain at least one value"));
    }
    if (Len(r, "nonResourceURLs") > 0) {
      const json& urls = Arr(r, "nonResourceURLs");
      if (namespaced) {
        errs.push_back(FieldError::Invalid(rp.Child("nonResourceURLs"), urls,
                                           "namespaced rules cannot apply to non-resource URLs"));
      }
      if (Len(r, "apiGroups") > 0 || Len(r, "resources") > 0 || Len(r, "resourceNames") > 0) {
        errs.push_back(FieldError::Invalid(
            rp.Child("nonResourceURLs"), urls,
            "rules cannot apply to both regular resources and non-resource URLs"));
      }
      continue;
    }
    if (Len(r, "apiGroups") == 0) {
      errs.push_back(FieldError::Required(rp.Child("apiGroups"),
                                          "resource rules must supply at least one api group"));
    }
    if (Len(r, "resources") == 0) {
      errs.push_back(FieldError::Required(rp.Child("resources"),
                                          "resource rules must supply at least one resource"));
    }
  }
}

void ValidateRoleRef(FieldErrors& errs, const json& ref, bool cluster) {
  Path p("roleRef");
  std::string group = Str(ref, "apiGroup");
  if (group != kRBACGroup) {
    errs.push_back(FieldError::NotSupported(p.Child("apiGroup"), group, {kRBACGroup}));
  }
  std::string kind = Str(ref, "kind");
  if (cluster) {
    if (kind != "ClusterRole") {
      errs.push_back(FieldError::NotSupported(p.Child("kind"), kind, {"ClusterRole"}));
    }
  } else if (kind != "Role" && kind != "ClusterRole") {
    errs.push_back(FieldError::NotSupported(p.Child("kind"), kind, {"Role", "ClusterRole"}));
  }
  std::string name = Str(ref, "name");
  if (name.empty()) {
    errs.push_back(FieldError::Required(p.Child("name")));
  } else {
    AddInvalid(errs, p.Child("name"), name, NameIsPathSegment(name, false));
  }
}

void ValidateSubjects(FieldErrors& errs, const json& subjects, bool cluster) {
  for (size_t i = 0; i < subjects.size(); ++i) {
    const json& s = subjects[i];
    Path sp = Path("subjects").Index(i);
    std::string name = Str(s, "name");
    std::string kind = Str(s, "kind");
    std::string group = Str(s, "apiGroup");
    if (name.empty()) errs.push_back(FieldError::Required(sp.Child("name")));
    if (kind == "ServiceAccount") {
      if (!name.empty()) AddInvalid(errs, sp.Child("name"), name, NameIsDNSSubdomain(name, false));
      if (!group.empty()) {
        errs.push_back(FieldError::NotSupported(sp.Child("apiGroup"), group, {""}));
      }
      if (cluster && Str(s, "namespace").empty()) {
        errs.push_back(FieldError::Required(sp.Child("namespace")));
      }
    } else if (kind == "User" || kind == "Group") {
      if (group != kRBACGroup) {
        errs.push_back(FieldError::NotSupported(sp.Child("apiGroup"), group, {kRBACGroup}));
      }
    } else {
      errs.push_back(
          FieldError::NotSupported(sp.Child("kind"), kind, {"ServiceAccount", "User", "Group"}));
    }
  }
}

FieldErrors RoleRefImmutable(const json& obj, const json& old) {
  FieldErrors errs;
  if (!SemanticEqual(Obj(obj, "roleRef"), Obj(old, "roleRef"))) {
    errs.push_back(FieldError::Invalid("roleRef", Obj(obj, "roleRef"), "cannot change roleRef"));
  }
  return errs;
}

}  // namespace

FieldErrors ValidateRole(const json& obj) {
  FieldErrors errs;
  ValidatePolicyRules(errs, Arr(obj, "rules"), true);
  return errs;
}

FieldErrors ValidateClusterRole(const json& obj) {
  FieldErrors errs;
  ValidatePolicyRules(errs, Arr(obj, "rules"), false);
  if (const json* agg = Get(obj, "aggregationRule")) {
    const json& sels = Arr(*agg, "clusterRoleSelectors");
    if (sels.empty()) {
      errs.push_back(FieldError::Required(Path("aggregationRule").Child("clusterRoleSelectors"),
                                          "at least one clusterRoleSelector required if "
                                          "aggregationRule is non-nil"));
    }
    for (size_t i = 0; i < sels.size(); ++i) {
      ValidateLabelSelector(errs, sels[i],
                            Path("aggregationRule").Child("clusterRoleSelectors").Index(i));
    }
  }
  return errs;
}

FieldErrors ValidateRoleBinding(const json& obj) {
  FieldErrors errs;
  ValidateRoleRef(errs, Obj(obj, "roleRef"), false);
  ValidateSubjects(errs, Arr(obj, "subjects"), false);
  return errs;
}

FieldErrors ValidateRoleBindingUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateRoleBinding(obj);
  Append(errs, RoleRefImmutable(obj, old));
  return errs;
}

FieldErrors ValidateClusterRoleBinding(const json& obj) {
  FieldErrors errs;
  ValidateRoleRef(errs, Obj(obj, "roleRef"), true);
  ValidateSubjects(errs, Arr(obj, "subjects"), true);
  return errs;
}

FieldErrors ValidateClusterRoleBindingUpdate(const json& obj, const json& old) {
  FieldErrors errs = ValidateClusterRoleBinding(obj);
  Append(errs, RoleRefImmutable(obj, old));
  return errs;
}

}  // namespace skiff::apis::internal
