// Service validation, clusterIP immutability and the update-time patching of allocated values.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {

json NewService(json spec) {
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "web"}, {"namespace", "default"}, {"resourceVersion", "1"}}},
              {"spec", spec}};
  ApplyDefaults("", "Service", svc);
  PrepareForCreate("", "Service", svc);
  return svc;
}

json Allocated() {
  json svc = NewService({{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}}}}});
  svc["spec"]["clusterIP"] = "10.43.0.10";
  svc["spec"]["clusterIPs"] = {"10.43.0.10"};
  svc["spec"]["ipFamilies"] = {"IPv4"};
  svc["spec"]["ipFamilyPolicy"] = "SingleStack";
  return svc;
}

}  // namespace

TEST_CASE("service ports: required, ranges, names and duplicates") {
  REQUIRE_NO_ERRORS(ValidateCreate("", "Service", Allocated()));
  REQUIRE_ERROR(ValidateCreate("", "Service", NewService({{"selector", {{"a", "b"}}}})),
                "spec.ports: Required value");
  REQUIRE_ERROR(ValidateCreate("", "Service", NewService({{"ports", {{{"port", 0}}}}})),
                "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
  REQUIRE_ERROR(
      ValidateCreate("", "Service", NewService({{"ports", {{{"port", 80}}, {{"port", 81}}}}})),
      "spec.ports[0].name: Required value");
  auto dup = ValidateCreate(
      "", "Service",
      NewService({{"ports", {{{"name", "a"}, {"port", 80}}, {{"name", "b"}, {"port", 80}}}}}));
  REQUIRE(testing::MessagesFor(dup, "spec.ports[1]").size() == 1);
  CHECK(testing::MessagesFor(dup, "spec.ports[1]")[0].rfind("spec.ports[1]: Duplicate value:", 0) ==
        0);
  REQUIRE_ERROR(ValidateCreate("", "Service",
                               NewService({{"ports", {{{"port", 80}, {"protocol", "ICMP"}}}}})),
                "spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", "
                "\"TCP\", \"UDP\"");
  REQUIRE_ERROR(
      ValidateCreate("", "Service", NewService({{"ports", {{{"port", 80}, {"nodePort", 30080}}}}})),
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
}

TEST_CASE("service type, affinity, clusterIP format and ExternalName") {
  REQUIRE_ERROR(
      ValidateCreate("", "Service", NewService({{"type", "Public"}, {"ports", {{{"port", 80}}}}})),
      "spec.type: Unsupported value: \"Public\": supported values: \"ClusterIP\", "
      "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
  REQUIRE_ERROR(
      ValidateCreate("", "Service",
                     NewService({{"sessionAffinity", "Cookie"}, {"ports", {{{"port", 80}}}}})),
      "spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: "
      "\"ClientIP\", \"None\"");
  REQUIRE_ERROR(
      ValidateCreate("", "Service",
                     NewService({{"clusterIP", "10.43.0.300"}, {"ports", {{{"port", 80}}}}})),
      "spec.clusterIPs[0]: Invalid value: \"10.43.0.300\": must be a valid IP address, "
      "(e.g. 10.9.8.7 or 2001:db8::ffff)");
  REQUIRE_NO_ERRORS(ValidateCreate(
      "", "Service", NewService({{"clusterIP", "None"}, {"selector", {{"a", "b"}}}})));
  REQUIRE_ERROR(
      ValidateCreate(
          "", "Service",
          NewService({{"type", "NodePort"}, {"clusterIP", "None"}, {"ports", {{{"port", 80}}}}})),
      "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort "
      "services");
  REQUIRE_ERROR(ValidateCreate("", "Service", NewService({{"type", "ExternalName"}})),
                "spec.externalName: Required value");
  REQUIRE_NO_ERRORS(ValidateCreate(
      "", "Service", NewService({{"type", "ExternalName"}, {"externalName", "db.example.com."}})));
  REQUIRE_ERROR(
      ValidateCreate("", "Service",
                     NewService({{"externalTrafficPolicy", "Local"}, {"ports", {{{"port", 80}}}}})),
      "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for "
      "externally-accessible services");
  json dual = NewService({{"clusterIP", "10.43.0.1"},
                          {"clusterIPs", {"10.43.0.1", "10.43.0.2"}},
                          {"ports", {{{"port", 80}}}}});
  REQUIRE_ERROR(ValidateCreate("", "Service", dual),
                "spec.clusterIPs: Invalid value: [\"10.43.0.1\",\"10.43.0.2\"]: may specify no "
                "more than one IP for each IP family");
}

TEST_CASE("clusterIPs may not change once set") {
  json old = Allocated();
  json changed = old;
  changed["spec"]["clusterIP"] = "10.43.0.11";
  PrepareForUpdate("", "Service", changed, old);
  auto errs = ValidateUpdate("", "Service", changed, old);
  REQUIRE_ERROR(errs,
                "spec.clusterIPs[0]: Invalid value: [\"10.43.0.11\"]: may not change once set");
}

TEST_CASE("ipFamilies may not change once set") {
  json old = Allocated();
  json changed = old;
  changed["spec"]["ipFamilies"] = {"IPv6"};
  REQUIRE_ERROR(ValidateUpdate("", "Service", changed, old),
                "spec.ipFamilies[0]: Invalid value: [\"IPv6\"]: may not change once set");
  json dropped = old;
  dropped["spec"].erase("ipFamilies");
  REQUIRE_ERROR(ValidateUpdate("", "Service", dropped, old),
                "spec.ipFamilies[0]: Invalid value: []: primary ipFamily can not be unset");
}

TEST_CASE("an update that omits allocated values keeps them") {
  json old = Allocated();
  old["spec"]["type"] = "NodePort";
  old["spec"]["externalTrafficPolicy"] = "Cluster";
  old["spec"]["ports"][0]["nodePort"] = 30080;
  json replaced = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", "web"}, {"namespace", "default"}, {"resourceVersion", "1"}}},
      {"spec",
       {{"type", "NodePort"}, {"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}}}}}}};
  ApplyDefaults("", "Service", replaced);
  PrepareForUpdate("", "Service", replaced, old);
  CHECK(replaced["spec"]["clusterIP"] == "10.43.0.10");
  CHECK(replaced["spec"]["clusterIPs"] == json{"10.43.0.10"});
  CHECK(replaced["spec"]["ports"][0]["nodePort"] == 30080);
  CHECK(replaced["spec"]["ipFamilyPolicy"] == "SingleStack");
  REQUIRE_NO_ERRORS(ValidateUpdate("", "Service", replaced, old));
}
