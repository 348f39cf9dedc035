// Hand-built TypeDefs for the patch tests: the Kubernetes types (with their real patch
// metadata: +patchStrategy / +patchMergeKey) that kubectl and the Python client patch, and
// strategicpatch's own MergeItem test type so its upstream test cases can be replayed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "skiff/apis/schema.h"

namespace skiff::apis::testing {

inline FieldDef Scalar(std::string name, ValueKind kind = ValueKind::kString) {
  FieldDef f;
  f.name = std::move(name);
  f.kind = kind;
  return f;
}

inline FieldDef Object(std::string name, const TypeDef* type) {
  FieldDef f;
  f.name = std::move(name);
  f.kind = ValueKind::kObject;
  f.type = type;
  return f;
}

inline FieldDef StringMap(std::string name) {
  FieldDef f = Scalar(std::move(name));
  f.container = Container::kMap;
  return f;
}

// A list without patch strategy (replaced by strategic merge patch).
inline FieldDef AtomicList(std::string name, const TypeDef* type,
                           ValueKind kind = ValueKind::kObject) {
  FieldDef f;
  f.name = std::move(name);
  f.container = Container::kArray;
  f.kind = type ? ValueKind::kObject : kind;
  f.type = type;
  f.list_type = "atomic";
  return f;
}

// patchStrategy:"merge" patchMergeKey:<key> (key "" for lists of scalars).
inline FieldDef MergeList(std::string name, const TypeDef* type, std::string merge_key,
                          ValueKind kind = ValueKind::kObject) {
  FieldDef f;
  f.name = std::move(name);
  f.container = Container::kArray;
  f.kind = type ? ValueKind::kObject : kind;
  f.type = type;
  f.merge_key = merge_key;
  f.strategy_merge = true;
  f.list_type = merge_key.empty() ? "set" : "map";
  if (!merge_key.empty()) f.list_map_keys = {merge_key};
  return f;
}

inline const TypeDef* Add(Schema& s, std::string name, std::vector<FieldDef> fields) {
  TypeDef t;
  t.name = std::move(name);
  t.fields = std::move(fields);
  return s.AddType(std::move(t));
}

struct TestTypes {
  Schema schema;
  const TypeDef* object_meta = nullptr;
  const TypeDef* pod = nullptr;
  const TypeDef* pod_spec = nullptr;
  const TypeDef* deployment = nullptr;
  const TypeDef* service = nullptr;
  const TypeDef* merge_item = nullptr;  // strategicpatch's MergeItem
};

inline std::unique_ptr<TestTypes> BuildTestTypes() {
  auto t = std::make_unique<TestTypes>();
  Schema& s = t->schema;
  using VK = ValueKind;

  const TypeDef* owner_ref =
      Add(s, "meta.v1.OwnerReference",
          {Scalar("apiVersion"), Scalar("kind"), Scalar("name"), Scalar("uid"),
           Scalar("controller", VK::kBool), Scalar("blockOwnerDeletion", VK::kBool)});
  t->object_meta =
      Add(s, "meta.v1.ObjectMeta",
          {Scalar("name"), Scalar("namespace"), Scalar("uid"), Scalar("resourceVersion"),
           Scalar("generation", VK::kInt64), Scalar("creationTimestamp", VK::kTime),
           StringMap("labels"), StringMap("annotations"), MergeList("finalizers", nullptr, ""),
           MergeList("ownerReferences", owner_ref, "uid")});
  const TypeDef* meta = t->object_meta;

  const TypeDef* port = Add(s, "core.v1.ContainerPort",
                            {Scalar("name"), Scalar("containerPort", VK::kInt32),
                             Scalar("protocol"), Scalar("hostPort", VK::kInt32)});
  const TypeDef* env = Add(s, "core.v1.EnvVar", {Scalar("name"), Scalar("value")});
  FieldDef limits = Scalar("limits", VK::kQuantity);
  limits.container = Container::kMap;
  FieldDef requests = Scalar("requests", VK::kQuantity);
  requests.container = Container::kMap;
  const TypeDef* resources = Add(s, "core.v1.ResourceRequirements", {limits, requests});
  const TypeDef* mount = Add(s, "core.v1.VolumeMount",
                             {Scalar("name"), Scalar("mountPath"), Scalar("readOnly", VK::kBool)});
  const TypeDef* container =
      Add(s, "core.v1.Container",
          {Scalar("name"), Scalar("image"), Scalar("imagePullPolicy"),
           AtomicList("command", nullptr, VK::kString), AtomicList("args", nullptr, VK::kString),
           MergeList("ports", port, "containerPort"), MergeList("env", env, "name"),
           Object("resources", resources), MergeList("volumeMounts", mount, "mountPath")});
  const TypeDef* empty_dir = Add(s, "core.v1.EmptyDirVolumeSource",
                                 {Scalar("medium"), Scalar("sizeLimit", VK::kQuantity)});
  const TypeDef* config_map =
      Add(s, "core.v1.ConfigMapVolumeSource", {Scalar("name"), Scalar("defaultMode", VK::kInt32)});
  const TypeDef* host_path =
      Add(s, "core.v1.HostPathVolumeSource", {Scalar("path"), Scalar("type")});
  const TypeDef* volume = Add(s, "core.v1.Volume",
                              {Scalar("name"), Object("emptyDir", empty_dir),
                               Object("configMap", config_map), Object("hostPath", host_path)});
  const TypeDef* toleration = Add(s, "core.v1.Toleration",
                                  {Scalar("key"), Scalar("operator"), Scalar("value"),
                                   Scalar("effect"), Scalar("tolerationSeconds", VK::kInt64)});
  FieldDef volumes = MergeList("volumes", volume, "name");
  volumes.strategy_retain_keys = true;
  t->pod_spec = Add(
      s, "core.v1.PodSpec",
      {MergeList("containers", container, "name"), MergeList("initContainers", container, "name"),
       volumes, AtomicList("tolerations", toleration), StringMap("nodeSelector"),
       Scalar("restartPolicy"), Scalar("serviceAccountName"),
       Scalar("terminationGracePeriodSeconds", VK::kInt64)});
  const TypeDef* condition =
      Add(s, "core.v1.PodCondition", {Scalar("type"), Scalar("status"), Scalar("reason")});
  const TypeDef* pod_status =
      Add(s, "core.v1.PodStatus", {Scalar("phase"), MergeList("conditions", condition, "type")});
  t->pod = Add(s, "core.v1.Pod",
               {Scalar("apiVersion"), Scalar("kind"), Object("metadata", meta),
                Object("spec", t->pod_spec), Object("status", pod_status)});

  const TypeDef* template_spec =
      Add(s, "core.v1.PodTemplateSpec", {Object("metadata", meta), Object("spec", t->pod_spec)});
  const TypeDef* requirement =
      Add(s, "meta.v1.LabelSelectorRequirement",
          {Scalar("key"), Scalar("operator"), AtomicList("values", nullptr, VK::kString)});
  const TypeDef* selector =
      Add(s, "meta.v1.LabelSelector",
          {StringMap("matchLabels"), AtomicList("matchExpressions", requirement)});
  const TypeDef* rolling =
      Add(s, "apps.v1.RollingUpdateDeployment",
          {Scalar("maxSurge", VK::kIntOrString), Scalar("maxUnavailable", VK::kIntOrString)});
  const TypeDef* strategy =
      Add(s, "apps.v1.DeploymentStrategy", {Scalar("type"), Object("rollingUpdate", rolling)});
  FieldDef strategy_field = Object("strategy", strategy);
  strategy_field.strategy_retain_keys = true;
  const TypeDef* deployment_spec =
      Add(s, "apps.v1.DeploymentSpec",
          {Scalar("replicas", VK::kInt32), Object("selector", selector),
           Object("template", template_spec), strategy_field,
           Scalar("revisionHistoryLimit", VK::kInt32)});
  const TypeDef* deployment_condition =
      Add(s, "apps.v1.DeploymentCondition", {Scalar("type"), Scalar("status"), Scalar("reason")});
  const TypeDef* deployment_status =
      Add(s, "apps.v1.DeploymentStatus",
          {Scalar("replicas", VK::kInt32), Scalar("observedGeneration", VK::kInt64),
           MergeList("conditions", deployment_condition, "type")});
  t->deployment = Add(s, "apps.v1.Deployment",
                      {Scalar("apiVersion"), Scalar("kind"), Object("metadata", meta),
                       Object("spec", deployment_spec), Object("status", deployment_status)});

  const TypeDef* service_port =
      Add(s, "core.v1.ServicePort",
          {Scalar("name"), Scalar("protocol"), Scalar("port", VK::kInt32),
           Scalar("targetPort", VK::kIntOrString), Scalar("nodePort", VK::kInt32)});
  const TypeDef* service_spec = Add(s, "core.v1.ServiceSpec",
                                    {MergeList("ports", service_port, "port"),
                                     StringMap("selector"), Scalar("type"), Scalar("clusterIP")});
  t->service = Add(s, "core.v1.Service",
                   {Scalar("apiVersion"), Scalar("kind"), Object("metadata", meta),
                    Object("spec", service_spec)});

  // strategicpatch's test type: MergeItem (recursive) and RetainKeysMergeItem.
  TypeDef* item = s.AddType(TypeDef{"test.MergeItem", {}, "", "", "", ""});
  const TypeDef* retain_item =
      Add(s, "test.RetainKeysMergeItem",
          {Scalar("name"), Scalar("value"), Scalar("other"), StringMap("simpleMap"),
           MergeList("mergingIntList", nullptr, "", VK::kInt64),
           MergeList("mergingList", item, "name"), AtomicList("nonMergingList", item)});
  FieldDef retain_list = MergeList("retainKeysMergingList", item, "name");
  retain_list.strategy_retain_keys = true;
  FieldDef retain_map = Object("retainKeysMap", retain_item);
  retain_map.strategy_retain_keys = true;
  FieldDef replacing = Scalar("replacingItem", VK::kRawJSON);
  item->fields = {Scalar("name"),
                  Scalar("value"),
                  Scalar("other"),
                  MergeList("mergingList", item, "name"),
                  AtomicList("nonMergingList", item),
                  MergeList("mergingIntList", nullptr, "", VK::kInt64),
                  AtomicList("nonMergingIntList", nullptr, VK::kInt64),
                  Object("mergeItemPtr", item),
                  StringMap("simpleMap"),
                  replacing,
                  retain_map,
                  retain_list};
  t->merge_item = item;
  return t;
}

// The types, built once per test binary (read-only afterwards).
inline const TestTypes& Types() {
  static const std::unique_ptr<TestTypes> types = BuildTestTypes();
  return *types;
}

}  // namespace skiff::apis::testing
