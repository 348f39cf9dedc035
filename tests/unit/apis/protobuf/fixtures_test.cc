// Real kubectl 1.32/1.33 bodies decode to what kubectl 1.31 sent as JSON for the same command.
#include "fixtures.h"

#include <catch2/catch.hpp>
#include <set>

#include "skiff/apis/protobuf.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::apis::BuiltinSchema;
using skiff::apis::DecodeKubernetesProtobuf;
using skiff::apis::testing::Fixture;
using skiff::apis::testing::KubernetesSubsetSchema;
using skiff::apis::testing::LoadFixtures;

namespace {

const std::vector<Fixture>& Fixtures() {
  static const std::vector<Fixture> fixtures = LoadFixtures();
  return fixtures;
}

void CheckDecodes(const Fixture& f, const skiff::apis::Schema& schema) {
  INFO("fixture " << f.name);
  auto got = DecodeKubernetesProtobuf(f.body, schema);
  INFO(got.status().message());
  REQUIRE(got.ok());
  INFO("got " << got->dump() << "\nwant " << f.expected.dump());
  CHECK(*got == f.expected);
}

}  // namespace

TEST_CASE("the captured fixtures are all there") {
  std::set<std::string> names;
  for (const Fixture& f : Fixtures()) names.insert(f.name);
  for (const char* want : {"clusterrole",
                           "clusterrolebinding",
                           "configmap",
                           "cronjob",
                           "deployment",
                           "deployment-zero-replicas",
                           "ingress",
                           "job",
                           "job-from-cronjob",
                           "namespace",
                           "pdb-max-unavailable",
                           "pdb-min-available",
                           "pdb-min-available-zero",
                           "priorityclass",
                           "priorityclass-zero",
                           "quota",
                           "role",
                           "rolebinding",
                           "secret-docker-registry",
                           "secret-generic",
                           "service-clusterip-headless",
                           "service-externalname",
                           "service-nodeport",
                           "serviceaccount",
                           "token"}) {
    CHECK(names.count(want) == 1);
  }
}

TEST_CASE("fixtures decode with hand-built Kubernetes types") {
  const auto schema = KubernetesSubsetSchema();
  int decoded = 0;
  for (const char* name :
       {"namespace", "secret-generic", "secret-docker-registry", "configmap", "deployment",
        "deployment-zero-replicas", "service-nodeport", "service-clusterip-headless",
        "service-externalname", "priorityclass", "priorityclass-zero", "pdb-min-available",
        "pdb-min-available-zero", "pdb-max-unavailable", "ingress", "token"}) {
    for (const Fixture& f : Fixtures()) {
      if (f.name != name) continue;
      CheckDecodes(f, *schema);
      ++decoded;
    }
  }
  CHECK(decoded == 16);
}

TEST_CASE("every fixture of a built-in kind decodes with the built-in schema") {
  // The kinds `kubectl create <generator>` makes; each must be in the built-in schema.
  const std::set<std::string> generator_fixtures = {"clusterrole",
                                                    "clusterrolebinding",
                                                    "configmap",
                                                    "cronjob",
                                                    "deployment",
                                                    "deployment-zero-replicas",
                                                    "job",
                                                    "job-from-cronjob",
                                                    "namespace",
                                                    "pdb-max-unavailable",
                                                    "pdb-min-available",
                                                    "pdb-min-available-zero",
                                                    "priorityclass",
                                                    "priorityclass-zero",
                                                    "quota",
                                                    "role",
                                                    "rolebinding",
                                                    "secret-docker-registry",
                                                    "secret-generic",
                                                    "service-clusterip-headless",
                                                    "service-externalname",
                                                    "service-nodeport",
                                                    "serviceaccount"};
  int decoded = 0;
  for (const Fixture& f : Fixtures()) {
    const std::string command = f.name.substr(0, f.name.find('.'));
    const std::string& api_version = f.expected["apiVersion"].get_ref<const std::string&>();
    const size_t slash = api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    const std::string version = api_version.substr(slash == std::string::npos ? 0 : slash + 1);
    if (BuiltinSchema().KindType(group, version, f.expected["kind"].get<std::string>()) ==
        nullptr) {
      INFO("fixture " << f.name);
      CHECK(generator_fixtures.count(command) == 0);
      WARN("the built-in schema has no " << f.expected["kind"] << " yet; " << f.name
                                         << " not decoded");
      continue;
    }
    CheckDecodes(f, BuiltinSchema());
    ++decoded;
  }
  CHECK(decoded >= static_cast<int>(generator_fixtures.size()));
}

TEST_CASE("a body decodes to exactly kubectl's JSON text for a Deployment") {
  const auto schema = KubernetesSubsetSchema();
  int found = 0;
  for (const Fixture& f : Fixtures()) {
    if (f.name != "deployment-zero-replicas") continue;
    ++found;
    auto got = DecodeKubernetesProtobuf(f.body, *schema);
    REQUIRE(got.ok());
    // replicas is a Go pointer: an explicit 0 stays (otherwise defaulting would make it 1).
    CHECK(got->at("spec").at("replicas") == 0);
    CHECK(got->at("metadata").at("creationTimestamp").is_null());
    CHECK_FALSE(got->at("metadata").contains("namespace"));
    CHECK(got->at("status") == json::object());
    CHECK(got->dump() ==
          R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"creationTimestamp":null,)"
          R"("labels":{"app":"idle"},"name":"idle"},"spec":{"replicas":0,"selector":)"
          R"({"matchLabels":{"app":"idle"}},"strategy":{},"template":{"metadata":)"
          R"({"creationTimestamp":null,"labels":{"app":"idle"}},"spec":{"containers":)"
          R"([{"image":"nginx","name":"nginx","resources":{}}]}}},"status":{}})");
  }
  CHECK(found == 1);
}
