#include "manifests/manifest_applier.h"

#include <catch2/catch.hpp>

#include "unit/client/client_fixture.h"

using skiff::client::testing::Cluster;
using skiff::client::testing::Ok;
using skiff::manifests::AppliedRef;
using skiff::manifests::ManifestApplier;
using skiff::manifests::ParseManifest;
using nlohmann::json;

namespace {
const skiff::client::Resource kConfigMaps{"", "v1", "configmaps"};
const skiff::client::Resource kNamespaces{"", "v1", "namespaces"};

std::vector<skiff::manifests::ManifestObject> Parse(const std::string& text) {
  auto r = ParseManifest(text);
  REQUIRE(r.ok());
  return *r;
}
}  // namespace

TEST_CASE("applier: namespaces first, each file its own field manager", "[manifests]") {
  Cluster c;
  ManifestApplier applier(*c.client);
  // The ConfigMap comes first in the file but needs the namespace after it.
  auto out = applier.Apply("app.yaml",
                           Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, "
                                 "namespace: app}\ndata: {k: v}\n---\n"
                                 "apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n---\n"
                                 "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n"),
                           {});
  CHECK(out.failures.empty());
  REQUIRE(out.applied.size() == 3);
  json cfg = Ok(c.client->Get(kConfigMaps, "app", "cfg"));
  CHECK(cfg["metadata"]["managedFields"][0]["manager"] == "skiff-manifest:app.yaml");
  CHECK(cfg["metadata"]["managedFields"][0]["operation"] == "Apply");
  // No namespace: "default".
  CHECK(Ok(c.client->Get(kConfigMaps, "default", "plain"))["metadata"]["name"] == "plain");
  CHECK(std::find(out.applied.begin(), out.applied.end(),
                  AppliedRef{"v1", "ConfigMap", "default", "plain"}) != out.applied.end());
  CHECK(std::find(out.applied.begin(), out.applied.end(),
                  AppliedRef{"v1", "Namespace", "", "app"}) != out.applied.end());
}

TEST_CASE("applier: what a file no longer has is deleted, unless the file failed",
          "[manifests]") {
  Cluster c;
  ManifestApplier applier(*c.client);
  auto first = applier.Apply("f.yaml",
                             Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
                                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"),
                             {});
  REQUIRE(first.applied.size() == 2);
  // b refused (a bad name) and a's sibling gone from the file: nothing is deleted.
  auto broken = applier.Apply("f.yaml",
                              Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
                                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n"),
                              first.applied);
  REQUIRE(broken.failures.size() == 1);
  CHECK(broken.failures[0].document == 2);
  CHECK(broken.failures[0].line == 4);
  CHECK(broken.failures[0].object == "ConfigMap default/Bad_Name");
  CHECK_FALSE(broken.failures[0].retry);
  CHECK(broken.deleted.empty());
  CHECK(c.client->Get(kConfigMaps, "default", "b").ok());
  // Fixed: b goes.
  auto fixed = applier.Apply("f.yaml", Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"),
                             first.applied);
  CHECK(fixed.failures.empty());
  REQUIRE(fixed.deleted.size() == 1);
  CHECK(fixed.deleted[0].name == "b");
  CHECK(c.client->Get(kConfigMaps, "default", "b").status().code() == skiff::Code::kNotFound);
}

TEST_CASE("applier: unknown kinds and missing namespaces are failures, the latter retried",
          "[manifests]") {
  Cluster c;
  ManifestApplier applier(*c.client);
  auto out = applier.Apply(
      "x.yaml",
      Parse("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nowhere}\n"),
      {});
  REQUIRE(out.failures.size() == 2);
  CHECK(out.failures[0].message ==
        "no kind \"Widget\" is registered for version \"example.com/v1\"");
  CHECK_FALSE(out.failures[0].retry);
  CHECK(out.failures[1].object == "ConfigMap nowhere/c");
  CHECK(out.failures[1].retry);
  // Deleting objects that are already gone is not an error.
  CHECK(applier.Delete({{"v1", "ConfigMap", "default", "never-made"}}).empty());
  CHECK(ManifestApplier::FieldManager(std::string(200, 'f')).size() == 128);
  // An unknown field is an error (strict validation), not silently dropped.
  auto typo = applier.Apply("t.yaml",
                            Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\n"
                                  "dta: {k: v}\n"),
                            {});
  REQUIRE(typo.failures.size() == 1);
  CHECK_THAT(typo.failures[0].message, Catch::Contains("dta"));
}
