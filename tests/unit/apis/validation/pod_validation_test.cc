// Pod spec validation: each rule with Kubernetes' field path and message.
#include <catch2/catch.hpp>
#include <functional>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {

json ValidPod() {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}
  })");
  ApplyDefaults("", "Pod", pod);
  return pod;
}

// Validates `pod` after applying `mutate` to its spec (defaults applied first).
FieldErrors ValidateWith(const std::function<void(json&)>& mutate, bool redefault = false) {
  json pod = ValidPod();
  mutate(pod["spec"]);
  if (redefault) ApplyDefaults("", "Pod", pod);
  return ValidateCreate("", "Pod", pod);
}

}  // namespace

TEST_CASE("a valid defaulted pod has no errors") {
  REQUIRE_NO_ERRORS(ValidateCreate("", "Pod", ValidPod()));
}

TEST_CASE("containers and images are required, names are DNS labels and unique") {
  REQUIRE_ERROR(ValidateWith([](json& s) { s["containers"] = json::array(); }),
                "spec.containers: Required value");
  REQUIRE_ERROR(ValidateWith([](json& s) { s["containers"][0].erase("image"); }),
                "spec.containers[0].image: Required value");
  REQUIRE_ERROR(ValidateWith([](json& s) { s["containers"][0].erase("name"); }),
                "spec.containers[0].name: Required value");
  auto errs = ValidateWith([](json& s) { s["containers"][0]["name"] = "App_1"; });
  REQUIRE(testing::MessagesFor(errs, "spec.containers[0].name").size() == 1);
  errs = ValidateWith([](json& s) { s["containers"].push_back(s["containers"][0]); });
  REQUIRE_ERROR(errs, "spec.containers[1].name: Duplicate value: \"app\"");
  errs = ValidateWith(
      [](json& s) {
        s["initContainers"] = {{{"name", "app"}, {"image", "busybox"}}};
      },
      true);
  REQUIRE_ERROR(errs, "spec.initContainers[0].name: Duplicate value: \"app\"");
}

TEST_CASE("enums: restartPolicy, dnsPolicy, imagePullPolicy, protocol, terminationMessagePolicy") {
  REQUIRE_ERROR(ValidateWith([](json& s) { s["restartPolicy"] = "Sometimes"; }),
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
                "\"Always\", \"OnFailure\", \"Never\"");
  REQUIRE_ERROR(ValidateWith([](json& s) { s["dnsPolicy"] = "Google"; }),
                "spec.dnsPolicy: Unsupported value: \"Google\": supported values: "
                "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"");
  REQUIRE_ERROR(ValidateWith([](json& s) { s["containers"][0]["imagePullPolicy"] = "Sometimes"; }),
                "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported "
                "values: \"Always\", \"IfNotPresent\", \"Never\"");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["ports"] = {{{"containerPort", 80}, {"protocol", "HTTP"}}};
                }),
                "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported "
                "values: \"SCTP\", \"TCP\", \"UDP\"");
  REQUIRE_ERROR(
      ValidateWith([](json& s) { s["containers"][0]["terminationMessagePolicy"] = "Always"; }),
      "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Always\": supported "
      "values: \"File\", \"FallbackToLogsOnError\"");
}

TEST_CASE("ports: ranges, names and host port conflicts") {
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["ports"] = {{{"containerPort", 70000}, {"protocol", "TCP"}}};
                }),
                "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between "
                "1 and 65535, inclusive");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["ports"] = {{{"protocol", "TCP"}}};
                }),
                "spec.containers[0].ports[0].containerPort: Required value");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["ports"] = {
                      {{"name", "http"}, {"containerPort", 80}, {"protocol", "TCP"}},
                      {{"name", "http"}, {"containerPort", 81}, {"protocol", "TCP"}}};
                }),
                "spec.containers[0].ports[1].name: Duplicate value: \"http\"");
  REQUIRE_ERROR(ValidateWith(
                    [](json& s) {
                      s["containers"].push_back({{"name", "b"}, {"image", "x:1"}});
                      s["containers"][0]["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}}};
                      s["containers"][1]["ports"] = {{{"containerPort", 81}, {"hostPort", 8080}}};
                    },
                    true),
                "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\"");
}

TEST_CASE("volumeMounts must name a volume") {
  auto errs = ValidateWith([](json& s) {
    s["containers"][0]["volumeMounts"] = {{{"name", "data"}, {"mountPath", "/data"}}};
  });
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].reason == "FieldValueNotFound");
  CHECK(errs[0].field == "spec.containers[0].volumeMounts[0].name");
  CHECK(errs[0].value == "data");
  // With the volume present the mount is fine; a second mount on the same path is not.
  errs = ValidateWith(
      [](json& s) {
        s["volumes"] = {{{"name", "data"}}};
        s["containers"][0]["volumeMounts"] = {{{"name", "data"}, {"mountPath", "/data"}},
                                              {{"name", "data"}, {"mountPath", "/data"}}};
      },
      true);
  REQUIRE(errs.size() == 1);
  REQUIRE_ERROR(errs,
                "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be "
                "unique");
  errs = ValidateWith(
      [](json& s) {
        s["volumes"] = {{{"name", "data"}}};
        s["containers"][0]["volumeMounts"] = {
            {{"name", "data"}, {"mountPath", "/d"}, {"subPath", "../x"}}};
      },
      true);
  REQUIRE_ERROR(errs,
                "spec.containers[0].volumeMounts.subPath: Invalid value: \"../x\": must not "
                "contain '..'");
}

TEST_CASE("volumes: names, sources and duplicates") {
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["volumes"] = {{{"name", "a"}, {"emptyDir", json::object()}},
                                  {{"name", "a"}, {"emptyDir", json::object()}}};
                }),
                "spec.volumes[1].name: Duplicate value: \"a\"");
  REQUIRE_ERROR(
      ValidateWith([](json& s) {
        s["volumes"] = {
            {{"name", "a"}, {"emptyDir", json::object()}, {"hostPath", {{"path", "/x"}}}}};
      }),
      "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["volumes"] = {{{"name", "c"}, {"configMap", json::object()}}};
                }),
                "spec.volumes[0].configMap.name: Required value");
  REQUIRE_ERROR(
      ValidateWith([](json& s) {
        s["volumes"] = {{{"name", "s"}, {"secret", {{"secretName", "s"}, {"defaultMode", 1000}}}}};
      }),
      "spec.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between "
      "0 and 0777 (octal), both inclusive");
  REQUIRE_ERROR(
      ValidateWith([](json& s) {
        s["volumes"] = {{{"name", "h"}, {"hostPath", {{"path", "/x"}, {"type", "Dir"}}}}};
      }),
      "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", "
      "\"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
      "\"FileOrCreate\", \"Socket\"");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["volumes"] = {{{"name", "p"}, {"persistentVolumeClaim", json::object()}}};
                }),
                "spec.volumes[0].persistentVolumeClaim.claimName: Required value");
  REQUIRE_ERROR(
      ValidateWith([](json& s) {
        s["volumes"] = {{{"name", "Bad_Name"}, {"emptyDir", json::object()}}};
      }),
      "spec.volumes[0].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must "
      "consist of lower case alphanumeric characters or '-', and must start and end with "
      "an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
      "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
}

TEST_CASE("env: names and valueFrom sources") {
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["env"] = {{{"value", "x"}}};
                }),
                "spec.containers[0].env[0].name: Required value");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["env"] = {{{"name", "A=B"}}};
                }),
                "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment "
                "variable name must consist only of printable ASCII characters other than '='");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["env"] = {{{"name", "A"}, {"valueFrom", json::object()}}};
                }),
                "spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: "
                "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["env"] = {
                      {{"name", "A"},
                       {"value", "v"},
                       {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}};
                }),
                "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified "
                "when `value` is not empty");
  REQUIRE_ERROR(
      ValidateWith(
          [](json& s) {
            s["containers"][0]["env"] = {
                {{"name", "A"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "spec.hostname"}}}}}}};
          },
          true),
      "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
      "\"spec.hostname\": supported values: \"metadata.name\", \"metadata.namespace\", "
      "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", "
      "\"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\"");
  REQUIRE_NO_ERRORS(ValidateWith(
      [](json& s) {
        s["containers"][0]["env"] = {
            {{"name", "APP"},
             {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.labels['app']"}}}}}}};
      },
      true));
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["envFrom"] = {{{"prefix", "P_"}}};
                }),
                "spec.containers[0].envFrom: Invalid value: \"\": must specify one of: "
                "`configMapRef` or `secretRef`");
}

TEST_CASE("probes and lifecycle handlers") {
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["livenessProbe"] = {{"periodSeconds", 5}};
                }),
                "spec.containers[0].livenessProbe: Required value: must specify a handler type");
  REQUIRE_NO_ERRORS(ValidateWith(
      [](json& s) {
        s["containers"][0]["livenessProbe"] = {{"exec", {{"command", {"true"}}}}};
      },
      true));
  REQUIRE_ERROR(ValidateWith(
                    [](json& s) {
                      s["containers"][0]["livenessProbe"] = {{"exec", {{"command", {"true"}}}},
                                                             {"successThreshold", 2}};
                    },
                    true),
                "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1");
  REQUIRE_ERROR(ValidateWith(
                    [](json& s) {
                      s["containers"][0]["readinessProbe"] = {{"httpGet", {{"port", 80}}},
                                                              {"exec", {{"command", {"true"}}}}};
                    },
                    true),
                "spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 "
                "handler type");
  REQUIRE_ERROR(ValidateWith(
                    [](json& s) {
                      s["containers"][0]["readinessProbe"] = {{"httpGet", {{"port", "HTTP"}}}};
                    },
                    true),
                "spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"HTTP\": must "
                "contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  REQUIRE_ERROR(ValidateWith(
                    [](json& s) {
                      s["containers"][0]["readinessProbe"] = {{"tcpSocket", {{"port", 80}}},
                                                              {"timeoutSeconds", -1}};
                    },
                    true),
                "spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: -1: must be "
                "greater than or equal to 0");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["lifecycle"] = {{"preStop", {{"sleep", {{"seconds", 60}}}}}};
                }),
                "spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: 60: must be "
                "greater than 0 and less than terminationGracePeriodSeconds (30)");
  REQUIRE_ERROR(
      ValidateWith(
          [](json& s) {
            s["initContainers"] = {{{"name", "i"},
                                    {"image", "x:1"},
                                    {"readinessProbe", {{"exec", {{"command", {"x"}}}}}}}};
          },
          true),
      "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
      "containers without restartPolicy=Always");
  REQUIRE_NO_ERRORS(ValidateWith(
      [](json& s) {
        s["initContainers"] = {{{"name", "sidecar"},
                                {"image", "x:1"},
                                {"restartPolicy", "Always"},
                                {"readinessProbe", {{"exec", {{"command", {"x"}}}}}}}};
      },
      true));
  REQUIRE_ERROR(
      ValidateWith([](json& s) { s["containers"][0]["restartPolicy"] = "Always"; }),
      "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers");
}

TEST_CASE("resources: names, quantities and requests within limits") {
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["resources"] = {{"limits", {{"cpu", "1"}}},
                                                     {"requests", {{"cpu", "2"}}}};
                }),
                "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or "
                "equal to cpu limit of 1");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["resources"] = {{"requests", {{"memory", "-1Gi"}}}};
                }),
                "spec.containers[0].resources.requests[memory]: Invalid value: \"-1Gi\": must be "
                "greater than or equal to 0");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["resources"] = {{"limits", {{"gpu", "1"}}}};
                }),
                "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a "
                "standard resource for containers");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["resources"] = {
                      {"limits", {{"example.com/dongle", "500m"}}},
                      {"requests", {{"example.com/dongle", "500m"}}}};
                }),
                "spec.containers[0].resources.limits[example.com/dongle]: Invalid value: \"500m\": "
                "must be an integer");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["containers"][0]["resources"] = {{"requests", {{"example.com/dongle", "1"}}}};
                }),
                "spec.containers[0].resources.limits: Required value: Limit must be set for non "
                "overcommitable resources");
}

TEST_CASE("pod-level fields: tolerations, affinity, names, dns config, deadlines") {
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["tolerations"] = {{{"key", "k"}, {"operator", "Exists"}, {"value", "v"}}};
                }),
                "spec.tolerations[0].operator: Invalid value: {\"key\":\"k\",\"operator\":"
                "\"Exists\",\"value\":\"v\"}: value must be empty when `operator` is 'Exists'");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["tolerations"] = {{{"operator", "Equal"}}};
                }),
                "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists "
                "when `key` is empty, which means \"match all values and all keys\"");
  REQUIRE_ERROR(
      ValidateWith([](json& s) {
        s["tolerations"] = {{{"key", "k"}, {"tolerationSeconds", 5}, {"effect", "NoSchedule"}}};
      }),
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be "
      "'NoExecute' when `tolerationSeconds` is set");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["affinity"] = {{"nodeAffinity",
                                    {{"requiredDuringSchedulingIgnoredDuringExecution",
                                      {{"nodeSelectorTerms", json::array()}}}}}};
                }),
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
                "nodeSelectorTerms: Required value: must have at least one node selector term");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["affinity"] = {{"podAntiAffinity",
                                    {{"requiredDuringSchedulingIgnoredDuringExecution",
                                      {{{"labelSelector", {{"matchLabels", {{"a", "b"}}}}}}}}}}};
                }),
                "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
                "topologyKey: Required value: can not be empty");
  REQUIRE_ERROR(
      ValidateWith([](json& s) { s["dnsPolicy"] = "None"; }),
      "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None");
  REQUIRE_ERROR(ValidateWith([](json& s) { s["activeDeadlineSeconds"] = 0; }),
                "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, "
                "inclusive");
  auto errs = ValidateWith([](json& s) { s["serviceAccountName"] = "Bad"; });
  REQUIRE(testing::HasField(errs, "spec.serviceAccountName"));
  errs = ValidateWith([](json& s) { s["hostname"] = "a.b"; });
  REQUIRE_ERROR(errs, "spec.hostname: Invalid value: \"a.b\": must not contain dots");
  REQUIRE_ERROR(
      ValidateWith([](json& s) {
        s["topologySpreadConstraints"] = {
            {{"maxSkew", 0}, {"topologyKey", "zone"}, {"whenUnsatisfiable", "DoNotSchedule"}}};
      }),
      "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["securityContext"] = {{"runAsUser", -1}};
                }),
                "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and "
                "2147483647, inclusive");
  REQUIRE_ERROR(ValidateWith([](json& s) {
                  s["nodeSelector"] = {{"disk", "fast ssd"}};
                }),
                "spec.nodeSelector: Invalid value: \"fast ssd\": a valid label must be an empty "
                "string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
                "end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  REQUIRE_ERROR(ValidateWith(
                    [](json& s) {
                      s["ephemeralContainers"] = {{{"name", "dbg"}, {"image", "busybox"}}};
                    },
                    true),
                "spec.ephemeralContainers: Forbidden: cannot be set on create");
}

namespace {

json EphemeralVolume(json claim_template) {
  return {{"name", "scratch"}, {"ephemeral", {{"volumeClaimTemplate", std::move(claim_template)}}}};
}

json ClaimTemplate() {
  return {
      {"metadata", {{"labels", {{"tier", "cache"}}}, {"annotations", {{"note", "x"}}}}},
      {"spec",
       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
}

FieldErrors ValidateEphemeral(json volume) {
  return ValidateWith([&](json& s) { s["volumes"] = {volume}; }, true);
}

}  // namespace

TEST_CASE("an ephemeral volume needs a claim template whose spec is a valid claim's") {
  REQUIRE_NO_ERRORS(ValidateEphemeral(EphemeralVolume(ClaimTemplate())));
  REQUIRE_ERROR(ValidateEphemeral({{"name", "scratch"}, {"ephemeral", json::object()}}),
                "spec.volumes[0].ephemeral.volumeClaimTemplate: Required value");
  json no_spec = ClaimTemplate();
  no_spec.erase("spec");
  auto errs = ValidateEphemeral(EphemeralVolume(no_spec));
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value: "
                "at least 1 access mode is required");
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required "
                "value");
  json bad = ClaimTemplate();
  bad["spec"]["accessModes"] = {"ReadWriteSometimes"};
  bad["spec"]["resources"]["requests"]["storage"] = "0";
  bad["spec"]["volumeMode"] = "Tape";
  errs = ValidateEphemeral(EphemeralVolume(bad));
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Unsupported "
                "value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", "
                "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Invalid "
                "value: \"0\": must be greater than zero");
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.volumeMode: Unsupported "
                "value: \"Tape\": supported values: \"Block\", \"Filesystem\"");
  REQUIRE_ERROR(ValidateEphemeral({{"name", "scratch"},
                                   {"emptyDir", json::object()},
                                   {"ephemeral", {{"volumeClaimTemplate", ClaimTemplate()}}}}),
                "spec.volumes[0].ephemeral: Forbidden: may not specify more than 1 volume type");
}

TEST_CASE("an ephemeral volume's claim template carries labels and annotations only") {
  json tmpl = ClaimTemplate();
  tmpl["metadata"]["name"] = "mine";
  tmpl["metadata"]["uid"] = "1234";
  tmpl["metadata"]["finalizers"] = {"example.com/keep"};
  auto errs = ValidateEphemeral(EphemeralVolume(tmpl));
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name: Forbidden: cannot "
                "be set");
  // Kubernetes lower-cases only the first letter of the Go field name UID.
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.uID: Forbidden: cannot be "
                "set");
  REQUIRE_ERROR(errs,
                "spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.finalizers: Forbidden: "
                "cannot be set");
  CHECK(errs.size() == 3);
  tmpl = ClaimTemplate();
  tmpl["metadata"]["labels"] = {{"bad key!", "v"}};
  errs = ValidateEphemeral(EphemeralVolume(tmpl));
  CHECK(testing::MessagesFor(errs, "spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.labels")
            .size() == 1);
}

TEST_CASE("an ephemeral volume's claim name must be a valid claim name") {
  json pod = ValidPod();
  pod["metadata"]["name"] = std::string(250, 'a');
  pod["spec"]["volumes"] = {EphemeralVolume(ClaimTemplate())};
  ApplyDefaults("", "Pod", pod);
  REQUIRE_ERROR(ValidateCreate("", "Pod", pod),
                "spec.volumes[0].name: Invalid value: \"scratch\": PVC name \"" +
                    std::string(250, 'a') + "-scratch\": must be no more than 253 characters");
  pod["metadata"]["name"] = std::string(245, 'a');
  REQUIRE_NO_ERRORS(ValidateCreate("", "Pod", pod));
}
