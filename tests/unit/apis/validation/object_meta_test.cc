// Metadata validation on every kind: names per kind, namespace scope, labels, annotations,
// owner references, finalizers, and metadata immutability on update.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {
json ConfigMap(json meta) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta}};
}
}  // namespace

TEST_CASE("metadata.name is required and checked with the kind's rule") {
  auto errs = ValidateCreate("", "ConfigMap", ConfigMap({{"namespace", "default"}}));
  REQUIRE_ERROR(errs, "metadata.name: Required value: name or generateName is required");

  errs =
      ValidateCreate("", "ConfigMap", ConfigMap({{"name", "My_Config"}, {"namespace", "default"}}));
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].field == "metadata.name");
  CHECK(errs[0].reason == "FieldValueInvalid");
  CHECK(errs[0].value == "My_Config");
  CHECK(errs[0].detail.rfind("a lowercase RFC 1123 subdomain must consist of", 0) == 0);

  // Namespaces are DNS labels: dots are not allowed.
  json ns = {{"metadata", {{"name", "team.a"}}}};
  REQUIRE_ERROR(ValidateCreate("", "Namespace", ns),
                "metadata.name: Invalid value: \"team.a\": must not contain dots");
  // Services are DNS-1035 labels: no leading digit.
  json svc = {{"metadata", {{"name", "1web"}, {"namespace", "default"}}},
              {"spec", {{"ports", {{{"port", 80}}}}}}};
  ApplyDefaults("", "Service", svc);
  auto svc_errs = ValidateCreate("", "Service", svc);
  REQUIRE(testing::MessagesFor(svc_errs, "metadata.name").size() == 1);
  CHECK(testing::MessagesFor(svc_errs, "metadata.name")[0].find("a DNS-1035 label") !=
        std::string::npos);
  // StatefulSets are DNS labels too; RBAC names are path segments.
  json role = {{"metadata", {{"name", "system:reader"}, {"namespace", "default"}}},
               {"rules", json::array()}};
  REQUIRE_NO_ERRORS(ValidateCreate("rbac.authorization.k8s.io", "Role", role));
}

TEST_CASE("namespace is required for namespaced kinds and forbidden for cluster-scoped ones") {
  REQUIRE_ERROR(ValidateCreate("", "ConfigMap", ConfigMap({{"name", "c"}})),
                "metadata.namespace: Required value");
  json ns = {{"metadata", {{"name", "prod"}, {"namespace", "default"}}}};
  REQUIRE_ERROR(ValidateCreate("", "Namespace", ns),
                "metadata.namespace: Forbidden: not allowed on this type");
  auto errs = ValidateCreate("", "ConfigMap", ConfigMap({{"name", "c"}, {"namespace", "Bad_NS"}}));
  REQUIRE(testing::HasField(errs, "metadata.namespace"));
  CHECK(IsNamespacedKind("apps", "Deployment"));
  CHECK_FALSE(IsNamespacedKind("", "Node"));
  CHECK_FALSE(IsKnownKind("example.com", "Widget"));
}

TEST_CASE("labels and annotations are validated under their map's path") {
  json meta = {{"name", "c"},
               {"namespace", "default"},
               {"labels", {{"app", "web"}, {"bad key", "x"}, {"tier", "front end"}}}};
  auto errs = ValidateCreate("", "ConfigMap", ConfigMap(meta));
  auto msgs = testing::MessagesFor(errs, "metadata.labels");
  REQUIRE(msgs.size() == 2);
  CHECK(testing::HasMessage(
      errs,
      "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric "
      "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
      "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));

  json big = {{"name", "c"},
              {"namespace", "default"},
              {"annotations", {{"a", std::string(256 * 1024, 'x')}}}};
  REQUIRE_ERROR(ValidateCreate("", "ConfigMap", ConfigMap(big)),
                "metadata.annotations: Too long: may not be more than 262144 bytes");
  // Annotation keys are case-insensitive qualified names.
  json upper = {
      {"name", "c"}, {"namespace", "default"}, {"annotations", {{"Example.COM/Key", "v"}}}};
  REQUIRE_NO_ERRORS(ValidateCreate("", "ConfigMap", ConfigMap(upper)));
}

TEST_CASE("ownerReferences and finalizers") {
  json meta = {{"name", "c"},
               {"namespace", "default"},
               {"ownerReferences",
                {{{"apiVersion", "apps/v1"},
                  {"kind", "ReplicaSet"},
                  {"name", "rs1"},
                  {"uid", "u1"},
                  {"controller", true}},
                 {{"apiVersion", ""},
                  {"kind", "Deployment"},
                  {"name", "d"},
                  {"uid", "u2"},
                  {"controller", true}}}},
               {"finalizers", {"example.com/cleanup", "bad finalizer"}}};
  auto errs = ValidateCreate("", "ConfigMap", ConfigMap(meta));
  REQUIRE_ERROR(
      errs, "metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty");
  bool found_controller = false;
  for (const auto& e : errs) {
    if (e.field == "metadata.ownerReferences" &&
        e.detail ==
            "Only one reference can have Controller set to true. Found \"true\" in references for "
            "ReplicaSet/rs1 and Deployment/d") {
      found_controller = true;
    }
  }
  CHECK(found_controller);
  REQUIRE(testing::MessagesFor(errs, "metadata.finalizers").size() == 1);

  json orphan = {
      {"name", "c"}, {"namespace", "default"}, {"finalizers", {"orphan", "foregroundDeletion"}}};
  auto orphan_errs = ValidateCreate("", "ConfigMap", ConfigMap(orphan));
  REQUIRE(orphan_errs.size() == 1);
  CHECK(orphan_errs[0].detail == "finalizer orphan and foregroundDeletion cannot be both set");
}

TEST_CASE("metadata name, namespace, uid and creationTimestamp are immutable on update") {
  json old = ConfigMap({{"name", "c"},
                        {"namespace", "default"},
                        {"uid", "u1"},
                        {"creationTimestamp", "2024-01-02T03:04:05Z"},
                        {"resourceVersion", "5"}});
  json changed = old;
  changed["metadata"]["uid"] = "u2";
  changed["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z";
  auto errs = ValidateUpdate("", "ConfigMap", changed, old);
  REQUIRE_ERROR(errs, "metadata.uid: Invalid value: \"u2\": field is immutable");
  REQUIRE_ERROR(errs,
                "metadata.creationTimestamp: Invalid value: \"2025-01-01T00:00:00Z\": field is "
                "immutable");
  json renamed = old;
  renamed["metadata"]["name"] = "d";
  REQUIRE_ERROR(ValidateUpdate("", "ConfigMap", renamed, old),
                "metadata.name: Invalid value: \"d\": field is immutable");
  REQUIRE_NO_ERRORS(ValidateUpdate("", "ConfigMap", old, old));

  // No new finalizers once deletion started.
  json deleting = old;
  deleting["metadata"]["deletionTimestamp"] = "2024-02-02T00:00:00Z";
  json more = deleting;
  more["metadata"]["finalizers"] = {"example.com/x"};
  REQUIRE_ERROR(ValidateUpdate("", "ConfigMap", more, deleting),
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object is "
                "being deleted, found new finalizers []string{\"example.com/x\"}");
}

TEST_CASE("ValidateObjectMeta is usable for kinds validated elsewhere") {
  json meta = {{"name", "x"}, {"namespace", "default"}};
  REQUIRE_NO_ERRORS(ValidateObjectMeta(meta, true, NameIsDNSSubdomain));
  REQUIRE_ERROR(ValidateObjectMeta(meta, false, NameIsDNSSubdomain),
                "metadata.namespace: Forbidden: not allowed on this type");
  // Unknown kinds: names are checked, scope is not.
  json widget = {{"metadata", {{"name", "Bad"}, {"namespace", "default"}}}};
  auto errs = ValidateCreate("example.com", "Widget", widget);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].field == "metadata.name");
}

TEST_CASE("PrepareForUpdate keeps uid and timestamps the client did not send") {
  json old = ConfigMap({{"name", "c"},
                        {"namespace", "default"},
                        {"uid", "u1"},
                        {"creationTimestamp", "2024-01-02T03:04:05Z"},
                        {"deletionTimestamp", "2024-02-02T00:00:00Z"},
                        {"deletionGracePeriodSeconds", 30},
                        {"resourceVersion", "5"}});
  json replaced = ConfigMap({{"name", "c"},
                             {"namespace", "default"},
                             {"resourceVersion", "5"},
                             {"creationTimestamp", "1999-01-01T00:00:00Z"}});
  PrepareForUpdate("", "ConfigMap", replaced, old);
  CHECK(replaced["metadata"]["uid"] == "u1");
  CHECK(replaced["metadata"]["creationTimestamp"] == "2024-01-02T03:04:05Z");
  CHECK(replaced["metadata"]["deletionTimestamp"] == "2024-02-02T00:00:00Z");
  CHECK(replaced["metadata"]["deletionGracePeriodSeconds"] == 30);
  REQUIRE_NO_ERRORS(ValidateUpdate("", "ConfigMap", replaced, old));
}
