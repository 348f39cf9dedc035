// Strict decoding of realistic bodies against the built-in schema.
#include "skiff/apis/strict.h"

#include <catch2/catch.hpp>

namespace skiff::apis {
namespace {

using nlohmann::json;

const TypeDef& Kind(const char* group, const char* kind) {
  const TypeDef* t = BuiltinSchema().KindType(group, "v1", kind);
  REQUIRE(t != nullptr);
  return *t;
}

json Deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                 "creationTimestamp": null, "generation": 3,
                 "managedFields": [{"manager": "kubectl", "operation": "Update",
                                    "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}},
                                    "time": "2024-01-02T03:04:05Z"}]},
    "spec": {
      "replicas": 3,
      "selector": {"matchLabels": {"app": "web"},
                   "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
      "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
      "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {
          "containers": [{
            "name": "nginx", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
            "args": ["-g", "daemon off;"],
            "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
            "env": [{"name": "A", "value": "1"},
                    {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
            "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10},
            "readinessProbe": {"tcpSocket": {"port": 80}},
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            "securityContext": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}
          }],
          "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
                      {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}}],
          "nodeSelector": {"kubernetes.io/os": "linux"},
          "tolerations": [{"key": "k", "operator": "Exists", "tolerationSeconds": 30}],
          "terminationGracePeriodSeconds": 30
        }
      }
    },
    "status": {"replicas": 3, "conditions": [{"type": "Available", "status": "True",
               "lastUpdateTime": "2024-01-02T03:04:05Z"}]}
  })");
}

TEST_CASE("a valid deployment has no strict decoding problems") {
  CHECK(CheckStrict(Kind("apps", "Deployment"), Deployment()).empty());
}

TEST_CASE("unknown fields are reported with their JSON paths") {
  json d = Deployment();
  d["spec"]["replicass"] = 3;
  d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always";
  d["metadata"]["labelz"] = json::object();
  FieldErrors errs = CheckStrict(Kind("apps", "Deployment"), d);
  REQUIRE(errs.size() == 3);
  CHECK(errs[0].field == "metadata.labelz");
  CHECK(errs[1].field == "spec.replicass");
  CHECK(errs[2].field == "spec.template.spec.containers[0].imagePullPolicyy");
  for (const FieldError& e : errs) CHECK(IsUnknownField(e));
  CHECK_FALSE(HasTypeErrors(errs));
  CHECK(StrictProblemText(errs[1]) == "unknown field \"spec.replicass\"");
  CHECK(StrictDecodingErrorMessage(errs) ==
        "strict decoding error: unknown field \"metadata.labelz\", unknown field "
        "\"spec.replicass\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"");
  CHECK(DecodeFailureMessage("Deployment", "v1", {errs[1]}) ==
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: "
        "unknown field \"spec.replicass\"");
  // fieldValidation=Ignore does not look for unknown fields.
  CHECK(CheckTypes(Kind("apps", "Deployment"), d).empty());
}

TEST_CASE("values of the wrong JSON type are reported like Go's decoder") {
  json d = Deployment();
  d["spec"]["replicas"] = "3";
  FieldErrors errs = CheckTypes(Kind("apps", "Deployment"), d);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].reason == "FieldValueTypeInvalid");
  CHECK(errs[0].field == "spec.replicas");
  CHECK(errs[0].value == "3");
  CHECK(StrictProblemText(errs[0]) ==
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
        "int32");
  CHECK(HasTypeErrors(errs));

  // The Go path drops list indices, as kube-apiserver's message does.
  json e = Deployment();
  e["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = true;
  e["spec"]["bogus"] = 1;
  errs = CheckStrict(Kind("apps", "Deployment"), e);
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].field == "spec.bogus");
  CHECK(errs[1].field == "spec.template.spec.containers[0].env[0].value");
  // A type error wins over unknown fields: decoding stops at it.
  CHECK(DecodeFailureMessage("Deployment", "v1", errs) ==
        "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal "
        "bool into Go struct field EnvVar.spec.template.spec.containers.env.value of type string");
}

TEST_CASE("lists, maps and objects of the wrong shape name the Go type") {
  json d = Deployment();
  d["spec"]["template"]["spec"]["containers"][0]["args"] = "-g";
  d["spec"]["template"]["metadata"]["labels"]["app"] = 7;
  d["spec"]["selector"] = "app=web";
  FieldErrors errs = CheckStrict(Kind("apps", "Deployment"), d);
  REQUIRE(errs.size() == 3);
  CHECK(errs[0].field == "spec.selector");
  CHECK(errs[0].detail ==
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type "
        "v1.LabelSelector");
  CHECK(errs[1].field == "spec.template.metadata.labels[app]");
  CHECK(errs[1].detail ==
        "json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata."
        "labels of type string");
  CHECK(errs[2].field == "spec.template.spec.containers[0].args");
  CHECK(errs[2].detail ==
        "json: cannot unmarshal string into Go struct field Container.spec.template.spec."
        "containers.args of type []string");
}

TEST_CASE("pods: inline volume sources, quantities, int-or-strings and nulls") {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "ownerReferences": null},
    "spec": {
      "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", "sleep 1"],
                      "resources": {"limits": {"memory": 1073741824}},
                      "startupProbe": {"exec": {"command": ["true"]}, "failureThreshold": 30},
                      "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}],
      "volumes": [{"name": "h", "hostPath": {"path": "/var/log", "type": "Directory"}},
                  {"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "t",
                    "expirationSeconds": 3600}}]}},
                  {"name": "s", "secret": {"secretName": "x", "items": [{"key": "a", "path": "b"}]}}],
      "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
        {"nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]}]}}},
      "securityContext": null,
      "restartPolicy": "Never"
    },
    "status": {"phase": "Running", "podIPs": [{"ip": "10.42.0.5"}], "startTime": "2024-01-02T03:04:05Z",
               "containerStatuses": [{"name": "c", "ready": true, "restartCount": 0, "image": "busybox",
                 "imageID": "", "state": {"running": {"startedAt": "2024-01-02T03:04:06Z"}}}]}
  })");
  const TypeDef& podType = Kind("", "Pod");
  CHECK(CheckStrict(podType, pod).empty());

  pod["spec"]["volumes"][0]["hostPath"]["typo"] = "x";
  pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "lots";
  pod["spec"]["containers"][0]["resources"]["requests"] = {{"cpu", true}};
  pod["spec"]["containers"][0]["startupProbe"]["httpGet"] = {{"port", 8080.5}};
  FieldErrors errs = CheckStrict(podType, pod);
  REQUIRE(errs.size() == 4);
  CHECK(errs[0].field == "spec.containers[0].resources.limits[cpu]");
  CHECK(errs[0].detail ==
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  CHECK(errs[1].field == "spec.containers[0].resources.requests[cpu]");
  CHECK(errs[1].detail ==
        "json: cannot unmarshal bool into Go struct field ResourceRequirements.spec.containers."
        "resources.requests of type resource.Quantity");
  CHECK(errs[2].field == "spec.containers[0].startupProbe.httpGet.port");
  CHECK(errs[2].detail ==
        "json: cannot unmarshal number 8080.5 into Go struct field HTTPGetAction.spec.containers."
        "startupProbe.httpGet.port of type intstr.IntOrString");
  CHECK(errs[3].field == "spec.volumes[0].hostPath.typo");
  CHECK(IsUnknownField(errs[3]));
}

TEST_CASE("services: ports, int-or-string target ports and integer ranges") {
  json svc = json::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
    "spec": {"type": "NodePort", "selector": {"app": "web"}, "clusterIPs": ["10.43.0.7"],
             "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080},
                       {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"}],
             "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}}},
    "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4", "ports": [{"port": 80, "protocol": "TCP"}]}]}}
  })");
  const TypeDef& svcType = Kind("", "Service");
  CHECK(CheckStrict(svcType, svc).empty());

  svc["spec"]["ports"][1]["nodePort"] = 30000.5;
  svc["spec"]["ports"][0]["port"] = 4294967296LL;
  svc["spec"]["ports"][1]["portt"] = 1;
  FieldErrors errs = CheckStrict(svcType, svc);
  REQUIRE(errs.size() == 3);
  CHECK(errs[0].field == "spec.ports[0].port");
  CHECK(errs[0].detail ==
        "json: cannot unmarshal number 4294967296 into Go struct field ServicePort.spec.ports.port "
        "of type int32");
  CHECK(errs[1].field == "spec.ports[1].nodePort");
  CHECK(
      errs[1].detail ==
      "json: cannot unmarshal number 30000.5 into Go struct field ServicePort.spec.ports.nodePort "
      "of type int32");
  CHECK(errs[2].field == "spec.ports[1].portt");
  CHECK(errs[2].detail == "unknown field \"spec.ports[1].portt\"");
}

TEST_CASE("secret data must be base64 and raw JSON accepts anything") {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "s"}}},
                 {"type", "Opaque"},
                 {"data", {{"password", "cGFzcw=="}, {"empty", ""}}},
                 {"stringData", {{"user", "admin"}}}};
  const TypeDef& secretType = Kind("", "Secret");
  CHECK(CheckStrict(secretType, secret).empty());
  secret["data"]["password"] = "cGF*cw==";
  secret["data"]["short"] = "abc";
  FieldErrors errs = CheckStrict(secretType, secret);
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].field == "data[password]");
  CHECK(errs[0].detail == "illegal base64 data at input byte 3");
  CHECK(errs[1].field == "data[short]");
  CHECK(errs[1].detail == "illegal base64 data at input byte 0");
  CHECK(DecodeFailureMessage("Secret", "v1", errs) ==
        "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte "
        "3");

  json rev = {{"apiVersion", "apps/v1"},
              {"kind", "ControllerRevision"},
              {"metadata", {{"name", "r"}}},
              {"revision", 2},
              {"data", {{"spec", {{"anything", {1, "two", nullptr}}}}}}};
  CHECK(CheckStrict(Kind("apps", "ControllerRevision"), rev).empty());
}

TEST_CASE("a body that is not an object cannot be decoded at all") {
  FieldErrors errs = CheckStrict(Kind("", "ConfigMap"), json::array());
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].field.empty());
  CHECK(errs[0].detail == "json: cannot unmarshal array into Go value of type v1.ConfigMap");
}

}  // namespace
}  // namespace skiff::apis
