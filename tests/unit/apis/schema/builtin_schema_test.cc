// The built-in schema data: it parses, every reference resolves, every served kind is there,
// and spot checks against Kubernetes 1.32's protobuf numbers and patch metadata.
#include <catch2/catch.hpp>
#include <set>

#include "skiff/apis/schema.h"

namespace skiff::apis {
namespace {

const FieldDef& F(std::string_view type, std::string_view field) {
  const TypeDef* t = BuiltinSchema().Type(type);
  INFO(type);
  REQUIRE(t != nullptr);
  const FieldDef* f = t->Field(field);
  INFO(field);
  REQUIRE(f != nullptr);
  return *f;
}

TEST_CASE("the embedded schema files parse") {
  std::vector<SchemaSource> files = BuiltinSchemaSources();
  std::set<std::string> names;
  for (const SchemaSource& f : files) names.insert(f.name);
  CHECK(names == std::set<std::string>{"apps_v1.schema", "autoscaling_v1.schema",
                                       "autoscaling_v2.schema", "batch_v1.schema",
                                       "coordination_v1.schema", "core_v1.schema",
                                       "discovery_v1.schema", "events_v1.schema", "meta_v1.schema",
                                       "policy_v1.schema", "rbac_v1.schema", "scheduling_v1.schema",
                                       "storage_v1.schema"});
  auto parsed = Schema::ParseFiles(files);
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  CHECK((*parsed)->types().size() == BuiltinSchema().types().size());
  CHECK(BuiltinSchema().types().size() > 250);
}

TEST_CASE("every referenced type of the built-in schema resolves into it") {
  const Schema& s = BuiltinSchema();
  size_t refs = 0;
  for (const auto& [name, t] : s.types()) {
    for (const FieldDef& f : t->fields) {
      if (f.kind != ValueKind::kObject) {
        CHECK(f.type == nullptr);
        continue;
      }
      INFO(name << "." << f.name);
      REQUIRE(f.type != nullptr);
      CHECK(s.Type(f.type->name) == f.type);
      ++refs;
    }
    for (const TypeDef::Inline& in : t->inlined) CHECK(s.Type(in.type->name) == in.type);
  }
  CHECK(refs > 400);
}

TEST_CASE("every served kind has its top-level type") {
  struct K {
    const char *group, *version, *kind, *type;
  };
  const K kinds[] = {
      {"", "v1", "Namespace", "core.v1.Namespace"},
      {"", "v1", "Pod", "core.v1.Pod"},
      {"", "v1", "Binding", "core.v1.Binding"},
      {"", "v1", "Service", "core.v1.Service"},
      {"", "v1", "Endpoints", "core.v1.Endpoints"},
      {"", "v1", "ConfigMap", "core.v1.ConfigMap"},
      {"", "v1", "Secret", "core.v1.Secret"},
      {"", "v1", "ServiceAccount", "core.v1.ServiceAccount"},
      {"", "v1", "Node", "core.v1.Node"},
      {"", "v1", "Event", "core.v1.Event"},
      {"", "v1", "PersistentVolume", "core.v1.PersistentVolume"},
      {"", "v1", "PersistentVolumeClaim", "core.v1.PersistentVolumeClaim"},
      {"", "v1", "ResourceQuota", "core.v1.ResourceQuota"},
      {"", "v1", "LimitRange", "core.v1.LimitRange"},
      {"", "v1", "PodTemplate", "core.v1.PodTemplate"},
      {"apps", "v1", "Deployment", "apps.v1.Deployment"},
      {"apps", "v1", "ReplicaSet", "apps.v1.ReplicaSet"},
      {"apps", "v1", "StatefulSet", "apps.v1.StatefulSet"},
      {"apps", "v1", "DaemonSet", "apps.v1.DaemonSet"},
      {"apps", "v1", "ControllerRevision", "apps.v1.ControllerRevision"},
      {"autoscaling", "v1", "Scale", "autoscaling.v1.Scale"},
      {"autoscaling", "v1", "HorizontalPodAutoscaler", "autoscaling.v1.HorizontalPodAutoscaler"},
      {"autoscaling", "v2", "HorizontalPodAutoscaler", "autoscaling.v2.HorizontalPodAutoscaler"},
      {"batch", "v1", "Job", "batch.v1.Job"},
      {"batch", "v1", "CronJob", "batch.v1.CronJob"},
      {"coordination.k8s.io", "v1", "Lease", "coordination.v1.Lease"},
      {"discovery.k8s.io", "v1", "EndpointSlice", "discovery.v1.EndpointSlice"},
      {"events.k8s.io", "v1", "Event", "events.v1.Event"},
      {"storage.k8s.io", "v1", "StorageClass", "storage.v1.StorageClass"},
      {"rbac.authorization.k8s.io", "v1", "Role", "rbac.v1.Role"},
      {"rbac.authorization.k8s.io", "v1", "RoleBinding", "rbac.v1.RoleBinding"},
      {"rbac.authorization.k8s.io", "v1", "ClusterRole", "rbac.v1.ClusterRole"},
      {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "rbac.v1.ClusterRoleBinding"},
      {"policy", "v1", "PodDisruptionBudget", "policy.v1.PodDisruptionBudget"},
      {"policy", "v1", "Eviction", "policy.v1.Eviction"},
      {"scheduling.k8s.io", "v1", "PriorityClass", "scheduling.v1.PriorityClass"},
  };
  for (const K& k : kinds) {
    INFO(k.type);
    const TypeDef* t = BuiltinSchema().KindType(k.group, k.version, k.kind);
    REQUIRE(t != nullptr);
    CHECK(t->name == k.type);
    CHECK(t->Field("apiVersion")->kind == ValueKind::kString);
    CHECK(t->Field("apiVersion")->proto == 0);
    CHECK(t->Field("kind")->proto == 0);
    const FieldDef* meta = t->Field("metadata");
    REQUIRE(meta != nullptr);
    CHECK(meta->proto == 1);
    CHECK(meta->type == BuiltinSchema().Type("meta.v1.ObjectMeta"));
  }
  // meta.v1 Status and DeleteOptions are kinds of the meta.k8s.io group.
  CHECK(BuiltinSchema().KindType("meta.k8s.io", "v1", "Status")->Field("metadata")->type ==
        BuiltinSchema().Type("meta.v1.ListMeta"));
  CHECK(BuiltinSchema().KindType("meta.k8s.io", "v1", "DeleteOptions") != nullptr);
}

TEST_CASE("pod spec protobuf numbers and patch metadata match Kubernetes") {
  const FieldDef& containers = F("core.v1.PodSpec", "containers");
  CHECK(containers.proto == 2);
  CHECK(containers.container == Container::kArray);
  CHECK(containers.type->name == "core.v1.Container");
  CHECK(containers.required);
  CHECK(containers.merge_key == "name");
  CHECK(containers.strategy_merge);
  CHECK_FALSE(containers.strategy_retain_keys);
  CHECK(containers.list_type == "map");
  CHECK(containers.list_map_keys == std::vector<std::string>{"name"});

  const FieldDef& volumes = F("core.v1.PodSpec", "volumes");
  CHECK(volumes.proto == 1);
  CHECK(volumes.strategy_merge);
  CHECK(volumes.strategy_retain_keys);
  CHECK(volumes.merge_key == "name");

  CHECK(F("core.v1.PodSpec", "initContainers").proto == 20);
  CHECK(F("core.v1.PodSpec", "ephemeralContainers").proto == 34);
  CHECK(F("core.v1.PodSpec", "nodeSelector").container == Container::kMap);
  CHECK(F("core.v1.PodSpec", "tolerations").list_type == "atomic");
  CHECK(F("core.v1.PodSpec", "topologySpreadConstraints").list_map_keys ==
        std::vector<std::string>{"topologyKey", "whenUnsatisfiable"});
  CHECK(F("core.v1.PodSpec", "schedulingGates").proto == 38);
  CHECK(F("core.v1.PodSpec", "resourceClaims").strategy_retain_keys);
  CHECK(F("core.v1.PodSpec", "overhead").kind == ValueKind::kQuantity);

  const FieldDef& ports = F("core.v1.Container", "ports");
  CHECK(ports.proto == 6);
  CHECK(ports.merge_key == "containerPort");
  CHECK(ports.list_map_keys == std::vector<std::string>{"containerPort", "protocol"});
  CHECK(F("core.v1.Container", "env").merge_key == "name");
  CHECK(F("core.v1.Container", "volumeMounts").merge_key == "mountPath");
  CHECK(F("core.v1.Container", "imagePullPolicy").proto == 14);
  CHECK(F("core.v1.Container", "name").required);
  CHECK(F("core.v1.ResourceRequirements", "limits").container == Container::kMap);
  CHECK(F("core.v1.ResourceRequirements", "limits").kind == ValueKind::kQuantity);
  CHECK(F("core.v1.HTTPGetAction", "port").kind == ValueKind::kIntOrString);
  CHECK(F("core.v1.PodStatus", "podIPs").merge_key == "ip");
  CHECK(F("core.v1.PodStatus", "startTime").kind == ValueKind::kTime);
  CHECK(F("core.v1.PodCondition", "type").required);
}

TEST_CASE("object metadata numbers and owner references match Kubernetes") {
  CHECK(F("meta.v1.ObjectMeta", "name").proto == 1);
  CHECK(F("meta.v1.ObjectMeta", "labels").proto == 11);
  CHECK(F("meta.v1.ObjectMeta", "labels").container == Container::kMap);
  CHECK(F("meta.v1.ObjectMeta", "annotations").proto == 12);
  const FieldDef& owners = F("meta.v1.ObjectMeta", "ownerReferences");
  CHECK(owners.proto == 13);
  CHECK(owners.merge_key == "uid");
  CHECK(owners.strategy_merge);
  CHECK(F("meta.v1.ObjectMeta", "finalizers").strategy_merge);
  CHECK(F("meta.v1.ObjectMeta", "managedFields").proto == 17);
  CHECK(F("meta.v1.ObjectMeta", "creationTimestamp").kind == ValueKind::kTime);
  CHECK(F("meta.v1.ManagedFieldsEntry", "fieldsV1").kind == ValueKind::kRawJSON);
  CHECK(F("meta.v1.OwnerReference", "uid").proto == 4);
  CHECK(F("meta.v1.OwnerReference", "uid").required);
  CHECK(F("meta.v1.LabelSelector", "matchExpressions").proto == 2);
  CHECK(F("meta.v1.DeleteOptions", "propagationPolicy").proto == 4);
  CHECK(F("meta.v1.Status", "code").kind == ValueKind::kInt32);
  CHECK(F("meta.v1.Condition", "lastTransitionTime").proto == 4);
}

TEST_CASE("workload, service and secret spot checks match Kubernetes") {
  CHECK(F("apps.v1.DeploymentSpec", "replicas").proto == 1);
  CHECK(F("apps.v1.DeploymentSpec", "replicas").kind == ValueKind::kInt32);
  CHECK(F("apps.v1.DeploymentSpec", "template").proto == 3);
  CHECK(F("apps.v1.DeploymentSpec", "template").type->name == "core.v1.PodTemplateSpec");
  CHECK(F("apps.v1.DeploymentSpec", "strategy").strategy_retain_keys);
  CHECK(F("apps.v1.DeploymentStatus", "conditions").merge_key == "type");
  CHECK(F("apps.v1.RollingUpdateDeployment", "maxSurge").kind == ValueKind::kIntOrString);
  CHECK(F("apps.v1.ControllerRevision", "data").kind == ValueKind::kRawJSON);

  const FieldDef& sp = F("core.v1.ServiceSpec", "ports");
  CHECK(sp.proto == 1);
  CHECK(sp.merge_key == "port");
  CHECK(sp.list_type == "map");
  CHECK(sp.list_map_keys == std::vector<std::string>{"port", "protocol"});
  CHECK(F("core.v1.ServicePort", "targetPort").kind == ValueKind::kIntOrString);
  CHECK(F("core.v1.ServicePort", "port").required);

  const FieldDef& data = F("core.v1.Secret", "data");
  CHECK(data.proto == 2);
  CHECK(data.container == Container::kMap);
  CHECK(data.kind == ValueKind::kBytes);
  CHECK(F("core.v1.Secret", "stringData").kind == ValueKind::kString);
  CHECK(F("core.v1.ConfigMap", "binaryData").kind == ValueKind::kBytes);

  CHECK(F("policy.v1.PodDisruptionBudgetSpec", "selector").strategy_replace);
  CHECK(F("policy.v1.Eviction", "deleteOptions").type->name == "meta.v1.DeleteOptions");
  CHECK(F("coordination.v1.LeaseSpec", "renewTime").kind == ValueKind::kMicroTime);
  CHECK(F("core.v1.Event", "eventTime").kind == ValueKind::kMicroTime);
  CHECK(F("core.v1.Event", "involvedObject").required);
  CHECK(F("autoscaling.v1.ScaleStatus", "replicas").required);
  CHECK(F("batch.v1.JobStatus", "conditions").list_type == "atomic");
  CHECK(F("discovery.v1.Endpoint", "addresses").list_type == "set");
  CHECK(F("rbac.v1.PolicyRule", "verbs").required);
  // Node status: every NodeSystemInfo string is required (the Python client insists).
  const TypeDef* info = BuiltinSchema().Type("core.v1.NodeSystemInfo");
  int required_strings = 0;
  for (const FieldDef& f : info->fields)
    required_strings += f.required && f.kind == ValueKind::kString;
  CHECK(required_strings == 10);
  CHECK(F("core.v1.NodeStatus", "addresses").merge_key == "type");
  CHECK(F("core.v1.DaemonEndpoint", "Port").proto == 1);  // the JSON name really is "Port"
}

TEST_CASE("embedded Go structs are inline members of the built-in types") {
  const TypeDef* volume = BuiltinSchema().Type("core.v1.Volume");
  REQUIRE(volume->InlineByProto(2) != nullptr);
  CHECK(volume->InlineByProto(2)->type->name == "core.v1.VolumeSource");
  CHECK(volume->Field("hostPath")->type->name == "core.v1.HostPathVolumeSource");
  CHECK(volume->Field("hostPath")->proto == 0);
  CHECK(F("core.v1.VolumeSource", "hostPath").proto == 1);
  CHECK(F("core.v1.VolumeSource", "projected").proto == 26);
  CHECK(F("core.v1.VolumeSource", "image").proto == 30);

  CHECK(BuiltinSchema().Type("core.v1.Probe")->InlineByProto(1)->type->name ==
        "core.v1.ProbeHandler");
  CHECK(F("core.v1.Probe", "httpGet").type->name == "core.v1.HTTPGetAction");
  CHECK(BuiltinSchema().Type("core.v1.PersistentVolumeSpec")->InlineByProto(2)->type->name ==
        "core.v1.PersistentVolumeSource");
  CHECK(F("core.v1.PersistentVolumeSpec", "csi").type->name == "core.v1.CSIPersistentVolumeSource");
  CHECK(BuiltinSchema().Type("core.v1.EphemeralContainer")->InlineByProto(1)->type->name ==
        "core.v1.EphemeralContainerCommon");
  CHECK(F("core.v1.EphemeralContainer", "image").kind == ValueKind::kString);
  CHECK(F("core.v1.EphemeralContainer", "targetContainerName").proto == 2);
  CHECK(F("core.v1.SecretKeySelector", "name").kind == ValueKind::kString);
  CHECK(F("core.v1.SecretKeySelector", "key").proto == 2);
}

}  // namespace
}  // namespace skiff::apis
