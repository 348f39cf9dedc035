// Per-kind field selectors: which labels each kind accepts (and the error it gives), and
// matching against realistic objects, including the requests kubectl really sends.
#include <catch2/catch.hpp>

#include "skiff/apis/selector.h"
#include "test_util.h"

using nlohmann::json;
using selector_test::QueryUnescape;
using skiff::apis::CheckFieldSelectorSupported;
using skiff::apis::ConvertFieldSelector;
using skiff::apis::FieldRequirement;
using skiff::apis::FieldSelectorExactName;
using skiff::apis::MatchesFields;
using skiff::apis::ParseFieldSelector;
using skiff::apis::ParseLabelSelector;
using skiff::apis::SelectableFields;
using skiff::apis::SupportedFieldLabels;

namespace {

// The 400 message for a selector on group/kind, or "<ok>".
std::string Check(std::string_view group, std::string_view kind, std::string_view selector) {
  auto s = ParseFieldSelector(selector);
  REQUIRE(s.ok());
  skiff::Status st = CheckFieldSelectorSupported(group, kind, *s);
  if (st.ok()) return "<ok>";
  CHECK(st.code() == skiff::Code::kInvalidArgument);
  return st.message();
}

bool Match(std::string_view group, std::string_view kind, std::string_view selector,
           const json& obj) {
  auto s = ParseFieldSelector(selector);
  REQUIRE(s.ok());
  REQUIRE(CheckFieldSelectorSupported(group, kind, *s).ok());
  return MatchesFields(*s, group, kind, obj);
}

const json kPod = json::parse(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web-5d8c7-abcde", "namespace": "default",
               "uid": "2242e723-a622-4c79-a7d4-f2a1d9f5eaa8",
               "labels": {"app": "web", "pod-template-hash": "5d8c7"}},
  "spec": {"nodeName": "edge-1", "restartPolicy": "Always", "schedulerName": "default-scheduler",
           "serviceAccountName": "default", "serviceAccount": "default",
           "containers": [{"name": "web", "image": "nginx:1.27"}]},
  "status": {"phase": "Running", "podIP": "10.42.0.7", "podIPs": [{"ip": "10.42.0.7"}],
             "hostIP": "192.168.1.20"}
})");

const json kPodEvent = json::parse(R"({
  "apiVersion": "v1", "kind": "Event",
  "metadata": {"name": "web-5d8c7-abcde.17f3c2b1a0d4e5f6", "namespace": "default"},
  "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-5d8c7-abcde",
                     "uid": "2242e723-a622-4c79-a7d4-f2a1d9f5eaa8", "apiVersion": "v1",
                     "resourceVersion": "1012", "fieldPath": "spec.containers{web}"},
  "reason": "Pulled", "message": "Container image \"nginx:1.27\" already present on machine",
  "source": {"component": "kubelet", "host": "edge-1"},
  "firstTimestamp": "2024-05-01T10:00:00Z", "lastTimestamp": "2024-05-01T10:00:00Z",
  "count": 1, "type": "Normal", "eventTime": null,
  "reportingComponent": "kubelet", "reportingInstance": "edge-1"
})");

}  // namespace

TEST_CASE("field labels: Pod accepts its selectable fields and the spec.host alias",
          "[selectors]") {
  CHECK(SupportedFieldLabels("", "Pod") ==
        std::vector<std::string>{
            "metadata.name", "metadata.namespace", "spec.host", "spec.hostNetwork", "spec.nodeName",
            "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "status.nominatedNodeName", "status.phase", "status.podIP", "status.podIPs"});
  CHECK(Check("", "Pod", "spec.nodeName=edge-1,status.phase!=Succeeded") == "<ok>");
  CHECK(Check("", "Pod", "spec.foo=bar") == "field label not supported: spec.foo");
  CHECK(Check("core", "Pod", "spec.foo=bar") == "field label not supported: spec.foo");
  // The first bad term in (sorted) order is reported.
  CHECK(Check("", "Pod", "spec.zzz=1,spec.aaa=2") == "field label not supported: spec.aaa");

  auto host = ParseFieldSelector("spec.host=edge-1");
  REQUIRE(host.ok());
  auto converted = ConvertFieldSelector("", "Pod", *host);
  REQUIRE(converted.ok());
  CHECK(converted->requirements() ==
        std::vector<FieldRequirement>{{"spec.nodeName", false, "edge-1"}});
}

TEST_CASE("field labels: each kind's own rejection message", "[selectors]") {
  CHECK(Check("", "Node", "spec.unschedulable=true") == "<ok>");
  CHECK(Check("", "Node", "metadata.namespace=default") ==
        "field label not supported: metadata.namespace");
  CHECK(Check("", "Namespace", "status.phase=Active") == "<ok>");
  CHECK(Check("", "Namespace", "name=default") == "field label not supported: name");
  CHECK(Check("", "Secret", "type=kubernetes.io/tls") == "<ok>");
  CHECK(Check("", "Service", "spec.clusterIP!=None,spec.type=NodePort") == "<ok>");
  CHECK(Check("", "Service", "spec.ports=80") == "field label not supported: spec.ports");
  CHECK(Check("", "ReplicationController", "status.replicas=0") == "<ok>");
  CHECK(Check("", "Event", "reportingComponent=kubelet,source=kubelet,type=Warning") == "<ok>");
  CHECK(Check("", "Event", "message=x") == "field label not supported: message");
  CHECK(Check("batch", "Job", "status.successful=1") == "<ok>");
  CHECK(Check("batch", "Job", "status.failed=1") ==
        "field label \"status.failed\" not supported for batchv1.Job");
  CHECK(Check("certificates.k8s.io", "CertificateSigningRequest",
              "spec.signerName=kubernetes.io/kube-apiserver-client-kubelet") == "<ok>");
  CHECK(Check("certificates.k8s.io", "CertificateSigningRequest", "metadata.namespace=x") ==
        "field label not supported: metadata.namespace");
}

TEST_CASE("field labels: kinds without a conversion accept only name and namespace",
          "[selectors]") {
  const std::string only =
      " is not a known field selector: only \"metadata.name\", "
      "\"metadata.namespace\"";
  CHECK(SupportedFieldLabels("", "ConfigMap") ==
        std::vector<std::string>{"metadata.name", "metadata.namespace"});
  CHECK(Check("", "ConfigMap", "metadata.name=cfg,metadata.namespace=default") == "<ok>");
  CHECK(Check("", "ConfigMap", "data.key=1") == "\"data.key\"" + only);
  // apps/v1 registers no conversion: ReplicaSet status.replicas is not selectable.
  CHECK(Check("apps", "ReplicaSet", "status.replicas=1") == "\"status.replicas\"" + only);
  CHECK(Check("apps", "Deployment", "metadata.name=web") == "<ok>");
  CHECK(Check("batch", "CronJob", "status.successful=1") == "\"status.successful\"" + only);
  CHECK(Check("example.com", "Widget", "spec.size=1") == "\"spec.size\"" + only);
  // Spaces are not trimmed, so " metadata.name " is an unknown field.
  CHECK(Check("", "ConfigMap", " metadata.name = x") == "\" metadata.name \"" + only);
}

TEST_CASE("field labels: events.k8s.io Event maps regarding.* onto the core fields",
          "[selectors]") {
  CHECK(Check("events.k8s.io", "Event", "involvedObject.name=x") ==
        "field label not supported: involvedObject.name");
  auto s = ParseFieldSelector("regarding.name=web-5d8c7-abcde,reportingController=kubelet");
  REQUIRE(s.ok());
  auto converted = ConvertFieldSelector("events.k8s.io", "Event", *s);
  REQUIRE(converted.ok());
  CHECK(converted->ToString() == "involvedObject.name=web-5d8c7-abcde,reportingComponent=kubelet");

  // The same Event in either JSON shape matches.
  json v1_shape = json::parse(R"({
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "web.1", "namespace": "default"},
    "regarding": {"kind": "Pod", "namespace": "default", "name": "web-5d8c7-abcde"},
    "reportingController": "kubelet", "reportingInstance": "edge-1",
    "reason": "Pulled", "type": "Normal", "note": "pulled"})");
  CHECK(MatchesFields(*s, "events.k8s.io", "Event", v1_shape));
  CHECK(MatchesFields(*s, "events.k8s.io", "Event", kPodEvent));
  CHECK(Match("events.k8s.io", "Event", "source=kubelet", v1_shape));  // falls back to reporting
}

TEST_CASE("field labels: a Pod's selectable fields", "[selectors]") {
  CHECK(SelectableFields("", "Pod", kPod) ==
        std::map<std::string, std::string>{{"metadata.name", "web-5d8c7-abcde"},
                                           {"metadata.namespace", "default"},
                                           {"spec.hostNetwork", "false"},
                                           {"spec.nodeName", "edge-1"},
                                           {"spec.restartPolicy", "Always"},
                                           {"spec.schedulerName", "default-scheduler"},
                                           {"spec.serviceAccountName", "default"},
                                           {"status.nominatedNodeName", ""},
                                           {"status.phase", "Running"},
                                           {"status.podIP", "10.42.0.7"}});
  CHECK(Match("", "Pod", "spec.nodeName=edge-1", kPod));
  CHECK(Match("", "Pod", "spec.host=edge-1", kPod));
  CHECK_FALSE(Match("", "Pod", "spec.nodeName!=edge-1", kPod));
  // kubelet and scheduler style: not finished.
  CHECK(Match("", "Pod", "status.phase!=Succeeded,status.phase!=Failed", kPod));
  CHECK(Match("", "Pod", "spec.hostNetwork=false,status.podIP=10.42.0.7", kPod));
  // status.podIPs is accepted but never part of the field set, as in Kubernetes.
  CHECK_FALSE(Match("", "Pod", "status.podIPs=10.42.0.7", kPod));
  CHECK(Match("", "Pod", "status.podIPs=", kPod));
  CHECK(Match("", "Pod", "metadata.name=web-5d8c7-abcde,metadata.namespace=default", kPod));
  CHECK_FALSE(Match("", "Pod", "metadata.namespace=kube-system", kPod));
}

TEST_CASE("field labels: Pod fields from sparse and legacy JSON", "[selectors]") {
  json pending = json::parse(R"({"metadata": {"name": "p", "namespace": "default"},
      "spec": {"serviceAccount": "builder", "hostNetwork": true},
      "status": {"podIPs": [{"ip": "fd00::7"}, {"ip": "10.42.0.9"}]}})");
  CHECK(Match("", "Pod", "spec.nodeName=", pending));  // unscheduled
  CHECK(Match("", "Pod", "spec.serviceAccountName=builder", pending));
  CHECK(Match("", "Pod", "spec.hostNetwork=true", pending));
  CHECK(Match("", "Pod", "status.podIP=fd00::7", pending));
  CHECK(Match("", "Pod", "status.phase=", pending));
}

TEST_CASE("field labels: kubectl describe pod's event query", "[selectors]") {
  // The query string kubectl sends (from the recorded request sequence), URL-decoded the way
  // the HTTP layer will decode it.
  std::string raw =
      "involvedObject.name%3Dweb-5d8c7-abcde%2CinvolvedObject.namespace%3Ddefault%2C"
      "involvedObject.uid%3D2242e723-a622-4c79-a7d4-f2a1d9f5eaa8";
  std::string decoded = QueryUnescape(raw);
  CHECK(decoded ==
        "involvedObject.name=web-5d8c7-abcde,involvedObject.namespace=default,"
        "involvedObject.uid=2242e723-a622-4c79-a7d4-f2a1d9f5eaa8");
  auto s = ParseFieldSelector(decoded);
  REQUIRE(s.ok());
  REQUIRE(CheckFieldSelectorSupported("", "Event", *s).ok());
  CHECK(MatchesFields(*s, "", "Event", kPodEvent));

  json other_uid = kPodEvent;
  other_uid["involvedObject"]["uid"] = "1ffc578c-ddcb-4889-85d0-71c516a390da";
  CHECK_FALSE(MatchesFields(*s, "", "Event", other_uid));
  json other_pod = kPodEvent;
  other_pod["involvedObject"]["name"] = "web-5d8c7-zzzzz";
  CHECK_FALSE(MatchesFields(*s, "", "Event", other_pod));

  // Older kubectl leaves the uid out.
  auto no_uid = ParseFieldSelector(
      QueryUnescape("involvedObject.name%3Dweb-5d8c7-abcde%2CinvolvedObject.namespace%3Ddefault"));
  REQUIRE(no_uid.ok());
  CHECK(MatchesFields(*no_uid, "", "Event", other_uid));
}

TEST_CASE("field labels: Event source and reportingComponent", "[selectors]") {
  CHECK(Match("", "Event", "source=kubelet,reportingComponent=kubelet,reason=Pulled", kPodEvent));
  CHECK(Match("", "Event", "involvedObject.fieldPath=spec.containers{web}", kPodEvent));
  CHECK(Match("", "Event", "type!=Warning", kPodEvent));
  json scheduler_event = kPodEvent;
  scheduler_event.erase("source");
  scheduler_event["reportingComponent"] = "default-scheduler";
  CHECK(Match("", "Event", "source=default-scheduler", scheduler_event));
}

TEST_CASE("field labels: other kinds read their fields from JSON", "[selectors]") {
  json node = json::parse(R"({"metadata": {"name": "edge-1"}, "spec": {"unschedulable": true}})");
  CHECK(Match("", "Node", "spec.unschedulable=true", node));
  CHECK(Match("", "Node", "spec.unschedulable=false", json{{"metadata", {{"name", "edge-2"}}}}));
  CHECK(Match("", "Node", "metadata.name=edge-1", node));

  json ns = json::parse(R"({"metadata": {"name": "default"}, "status": {"phase": "Active"}})");
  CHECK(Match("", "Namespace", "status.phase=Active", ns));
  CHECK_FALSE(Match("", "Namespace", "status.phase=Terminating", ns));

  json secret = json::parse(R"({"metadata": {"name": "tok", "namespace": "default"},
      "type": "kubernetes.io/service-account-token"})");
  CHECK(Match("", "Secret", "type=kubernetes.io/service-account-token", secret));

  json headless = json::parse(R"({"metadata": {"name": "db", "namespace": "default"},
      "spec": {"clusterIP": "None", "type": "ClusterIP"}})");
  json web = json::parse(R"({"metadata": {"name": "web", "namespace": "default"},
      "spec": {"clusterIP": "10.43.0.15", "type": "NodePort"}})");
  CHECK_FALSE(Match("", "Service", "spec.clusterIP!=None", headless));
  CHECK(Match("", "Service", "spec.clusterIP!=None", web));
  CHECK(Match("", "Service", "spec.type=NodePort", web));

  CHECK(Match("", "ReplicationController", "status.replicas=0",
              json{{"metadata", {{"name", "rc"}}}}));
  CHECK(Match("", "ReplicationController", "status.replicas=3",
              json::parse(R"({"metadata": {"name": "rc"}, "status": {"replicas": 3}})")));

  json job = json::parse(R"({"metadata": {"name": "pi", "namespace": "default"},
      "status": {"succeeded": 1, "active": 0}})");
  CHECK(Match("batch", "Job", "status.successful=1", job));
  CHECK(Match("batch", "Job", "status.successful=0", json{{"metadata", {{"name", "new"}}}}));

  json csr = json::parse(R"({"metadata": {"name": "node-csr-1"},
      "spec": {"signerName": "kubernetes.io/kube-apiserver-client-kubelet"}})");
  CHECK(Match("certificates.k8s.io", "CertificateSigningRequest",
              "spec.signerName=kubernetes.io/kube-apiserver-client-kubelet", csr));
}

TEST_CASE("field labels: watch by name (kubectl rollout status, get -w NAME)", "[selectors]") {
  json deployment = json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web", "namespace": "default"}})");
  auto s = ParseFieldSelector(QueryUnescape("metadata.name%3Dweb"));
  REQUIRE(s.ok());
  REQUIRE(CheckFieldSelectorSupported("apps", "Deployment", *s).ok());
  CHECK(FieldSelectorExactName(*s) == std::optional<std::string>("web"));
  CHECK(MatchesFields(*s, "apps", "Deployment", deployment));
  json other = deployment;
  other["metadata"]["name"] = "api";
  CHECK_FALSE(MatchesFields(*s, "apps", "Deployment", other));

  // Cluster-scoped kinds without a conversion: an empty namespace matches, any other does not.
  json pv = json::parse(R"({"metadata": {"name": "pv-1"}})");
  CHECK(Match("", "PersistentVolume", "metadata.namespace=", pv));
  CHECK_FALSE(Match("", "PersistentVolume", "metadata.namespace=default", pv));
}

TEST_CASE("label selectors from decoded query strings", "[selectors]") {
  // kubectl get pods -l app=web
  auto simple = ParseLabelSelector(QueryUnescape("app%3Dweb"));
  REQUIRE(simple.ok());
  CHECK(simple->MatchesObject(kPod));
  // kubectl get pods -l 'tier in (a,b),!canary': url.Values.Encode writes spaces as '+'.
  std::string decoded = QueryUnescape("tier+in+%28a%2Cb%29%2C%21canary");
  CHECK(decoded == "tier in (a,b),!canary");
  auto set = ParseLabelSelector(decoded);
  REQUIRE(set.ok());
  CHECK(set->ToString() == "!canary,tier in (a,b)");
  CHECK(set->Matches(json{{"tier", "a"}}));
  CHECK_FALSE(set->Matches(json{{"tier", "a"}, {"canary", "true"}}));
}
