// The container environment: image env, envFrom, env with expansion and valueFrom, and the
// messages kubelet shows for CreateContainerConfigError.
#include <catch2/catch.hpp>

#include "runtime/oci/environment.h"
#include "skiff/common/base64.h"
#include "test_util.h"

using namespace skiff::runtime::testing;
using skiff::Code;
using skiff::runtime::internal::EnvVar;
using skiff::runtime::internal::MakeContainerEnv;
using skiff::runtime::internal::MergeProcessEnv;

namespace {

json ConfigMap(const std::string& name, json data) {
  return {{"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", data}};
}
json Secret(const std::string& name, std::map<std::string, std::string> data) {
  json d = json::object();
  for (auto& [k, v] : data) d[k] = skiff::Base64Encode(v);
  return {
      {"kind", "Secret"}, {"metadata", {{"name", name}, {"namespace", "default"}}}, {"data", d}};
}

std::map<std::string, json> Objects() {
  return {{"ConfigMap/default/cm1", ConfigMap("cm1", {{"LOG_LEVEL", "debug"}, {"mode", "fast"}})},
          {"ConfigMap/default/cm2", ConfigMap("cm2", {{"A", "from-cm2"}, {"1bad", "x"}})},
          {"Secret/default/s1", Secret("s1", {{"password", "s3cr=t"}, {"user", "admin"}})}};
}

std::vector<std::string> Flat(const std::vector<EnvVar>& env) {
  std::vector<std::string> out;
  for (const auto& e : env) out.push_back(e.name + "=" + e.value);
  return out;
}

skiff::Result<std::vector<EnvVar>> Env(json container_extra) {
  json pod = MakePod(json::array({MakeContainer(container_extra)}));
  return MakeContainerEnv(pod, pod["spec"]["containers"][0], MapLookup(Objects()), Info());
}

}  // namespace

TEST_CASE("envFrom comes first, env replaces it in place and expands earlier values") {
  auto env = Env({{"envFrom",
                   {{{"configMapRef", {{"name", "cm1"}}}},
                    {{"prefix", "DB_"}, {"secretRef", {{"name", "s1"}}}}}},
                  {"env",
                   {{{"name", "mode"}, {"value", "slow"}},
                    {{"name", "GREETING"}, {"value", "level=$(LOG_LEVEL) user=$(DB_user)"}},
                    {{"name", "LATER_REF"}, {"value", "$(DEFINED_AFTER)"}},
                    {{"name", "DEFINED_AFTER"}, {"value", "x"}},
                    {{"name", "ESCAPED"}, {"value", "$$(LOG_LEVEL)"}}}}});
  REQUIRE(env.ok());
  CHECK(Flat(*env) == std::vector<std::string>{"LOG_LEVEL=debug", "mode=slow", "DB_password=s3cr=t",
                                               "DB_user=admin", "GREETING=level=debug user=admin",
                                               "LATER_REF=$(DEFINED_AFTER)", "DEFINED_AFTER=x",
                                               "ESCAPED=$(LOG_LEVEL)"});
}

TEST_CASE("envFrom skips keys that are not valid variable names after the prefix") {
  auto env = Env({{"envFrom",
                   {{{"prefix", "P="}, {"configMapRef", {{"name", "cm1"}}}},
                    {{"configMapRef", {{"name", "cm2"}}}}}}});
  REQUIRE(env.ok());
  // "P=LOG_LEVEL" contains '='; "1bad" is fine under the relaxed (1.32) rule.
  CHECK(Flat(*env) == std::vector<std::string>{"1bad=x", "A=from-cm2"});
}

TEST_CASE("valueFrom reads ConfigMap and Secret keys") {
  auto env = Env({{"env",
                   {{{"name", "LEVEL"},
                     {"valueFrom", {{"configMapKeyRef", {{"name", "cm1"}, {"key", "LOG_LEVEL"}}}}}},
                    {{"name", "PASS"},
                     {"valueFrom", {{"secretKeyRef", {{"name", "s1"}, {"key", "password"}}}}}}}}});
  REQUIRE(env.ok());
  CHECK(Flat(*env) == std::vector<std::string>{"LEVEL=debug", "PASS=s3cr=t"});
}

TEST_CASE("Missing objects and keys give kubelet's messages unless optional") {
  auto ref = [](const char* kind, const char* name, const char* key, bool optional) {
    json r = {{"name", name}, {"key", key}};
    if (optional) r["optional"] = true;
    return json{{"env", {{{"name", "X"}, {"valueFrom", {{kind, r}}}}}}};
  };
  auto e1 = Env(ref("configMapKeyRef", "nope", "k", false));
  CHECK(e1.status().code() == Code::kNotFound);
  CHECK(e1.status().message() == "configmap \"nope\" not found");
  auto e2 = Env(ref("configMapKeyRef", "cm1", "k", false));
  CHECK(e2.status().code() == Code::kInvalidArgument);
  CHECK(e2.status().message() == "couldn't find key k in ConfigMap default/cm1");
  auto e3 = Env(ref("secretKeyRef", "s", "k", false));
  CHECK(e3.status().message() == "secret \"s\" not found");
  auto e4 = Env(ref("secretKeyRef", "s1", "k", false));
  CHECK(e4.status().message() == "couldn't find key k in Secret default/s1");
  for (auto* kind : {"configMapKeyRef", "secretKeyRef"}) {
    auto missing_obj = Env(ref(kind, "nope", "k", true));
    REQUIRE(missing_obj.ok());
    CHECK(missing_obj->empty());  // the variable is not set at all
  }
  auto missing_key = Env(ref("configMapKeyRef", "cm1", "k", true));
  REQUIRE(missing_key.ok());
  CHECK(missing_key->empty());

  auto from = Env({{"envFrom", {{{"configMapRef", {{"name", "nope"}}}}}}});
  CHECK(from.status().message() == "configmap \"nope\" not found");
  auto from_opt = Env({{"envFrom", {{{"secretRef", {{"name", "nope"}, {"optional", true}}}}}}});
  REQUIRE(from_opt.ok());
  CHECK(from_opt->empty());
}

TEST_CASE("A failing lookup other than not-found is passed on") {
  json pod = MakePod(json::array({MakeContainer(
      {{"env",
        {{{"name", "X"},
          {"valueFrom",
           {{"configMapKeyRef", {{"name", "cm"}, {"key", "k"}, {"optional", true}}}}}}}}})}));
  auto lookup = [](const std::string&, const std::string&,
                   const std::string&) -> skiff::Result<json> {
    return skiff::UnavailableError("api server unreachable");
  };
  auto env = MakeContainerEnv(pod, pod["spec"]["containers"][0], lookup, Info());
  CHECK(env.status().code() == Code::kUnavailable);
  CHECK(env.status().message() == "api server unreachable");
}

TEST_CASE("fieldRef exposes pod fields and runtime info") {
  auto field = [](const char* name, const char* path) {
    return json{{"name", name},
                {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", path}}}}}};
  };
  auto env = Env(
      {{"env",
        {field("NAME", "metadata.name"), field("NS", "metadata.namespace"),
         field("UID", "metadata.uid"), field("APP", "metadata.labels['app']"),
         field("ABSENT", "metadata.labels['nope']"), field("NOTE", "metadata.annotations['note']"),
         field("LABELS", "metadata.labels"), field("NODE", "spec.nodeName"),
         field("SA", "spec.serviceAccountName"), field("HOST_IP", "status.hostIP"),
         field("POD_IP", "status.podIP"), field("POD_IPS", "status.podIPs")}}});
  REQUIRE(env.ok());
  CHECK(Flat(*env) == std::vector<std::string>{"NAME=web", "NS=default", "UID=0b5e-uid", "APP=web",
                                               "ABSENT=", "NOTE=say \"hi\"\n",
                                               "LABELS=app=\"web\"\ntier=\"front\"", "NODE=node-1",
                                               "SA=default", "HOST_IP=192.168.1.10",
                                               "POD_IP=10.42.0.7", "POD_IPS=10.42.0.7,fd00::7"});
}

TEST_CASE("Unsupported fieldRefs are errors with kubelet's wording") {
  auto one = [](json field_ref) {
    return Env({{"env", {{{"name", "X"}, {"valueFrom", {{"fieldRef", field_ref}}}}}}});
  };
  CHECK(one({{"apiVersion", "v2"}, {"fieldPath", "metadata.name"}}).status().message() ==
        "unsupported pod version: v2");
  CHECK(one({{"fieldPath", "spec.containers"}}).status().message() ==
        "field label not supported: spec.containers");
  CHECK(one({{"fieldPath", "metadata.name['x']"}}).status().message() ==
        "field label does not support subscript: metadata.name['x']");
  CHECK(one({{"fieldPath", "spec.restartPolicy"}}).status().message() ==
        "unsupported fieldPath: spec.restartPolicy");
}

TEST_CASE("resourceFieldRef uses limits, requests, divisors and node allocatable") {
  auto res = [](const char* name, const char* resource, json divisor = nullptr,
                const char* container = nullptr) {
    json r = {{"resource", resource}};
    if (!divisor.is_null()) r["divisor"] = divisor;
    if (container) r["containerName"] = container;
    return json{{"name", name}, {"valueFrom", {{"resourceFieldRef", r}}}};
  };
  json resources = {{"requests", {{"cpu", "250m"}, {"memory", "64Mi"}}},
                    {"limits", {{"memory", "128Mi"}}}};
  auto env = Env(
      {{"resources", resources},
       {"env",
        {res("CPU_REQ", "requests.cpu"), res("CPU_REQ_M", "requests.cpu", "1m"),
         res("CPU_LIM", "limits.cpu"),  // no limit: node allocatable (2)
         res("CPU_LIM_M", "limits.cpu", "1m"), res("MEM_LIM", "limits.memory"),
         res("MEM_LIM_MI", "limits.memory", "1Mi"), res("MEM_REQ_K", "requests.memory", "1k"),
         res("EPH", "limits.ephemeral-storage"), res("OTHER", "limits.memory", nullptr, "app")}}});
  REQUIRE(env.ok());
  CHECK(Flat(*env) == std::vector<std::string>{"CPU_REQ=1", "CPU_REQ_M=250", "CPU_LIM=2",
                                               "CPU_LIM_M=2000", "MEM_LIM=134217728",
                                               "MEM_LIM_MI=128", "MEM_REQ_K=67109", "EPH=0",
                                               "OTHER=134217728"});
  auto bad = Env({{"env", {res("X", "limits.gpu")}}});
  CHECK(bad.status().message() == "unsupported container resource : limits.gpu");
  auto no_container = Env({{"env", {res("X", "limits.cpu", nullptr, "sidecar")}}});
  CHECK(no_container.status().message() == "container sidecar not found");
}

TEST_CASE("The process env is PATH, HOSTNAME, image env, then container env, replaced in place") {
  std::vector<EnvVar> container = {{"LANG", "C"}, {"HOME", "/data"}, {"EXTRA", "1"}};
  auto env = MergeProcessEnv("web", {"PATH=/custom/bin", "HOME=/root", "TERM=xterm"}, container);
  CHECK(env == std::vector<std::string>{"PATH=/custom/bin", "HOSTNAME=web", "HOME=/data",
                                        "TERM=xterm", "LANG=C", "EXTRA=1"});
  auto plain = MergeProcessEnv("h", {}, {});
  CHECK(plain ==
        std::vector<std::string>{
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=h"});
}
