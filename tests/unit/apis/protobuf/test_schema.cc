#include "test_schema.h"

#include <string>
#include <utility>

namespace skiff::apis::testing {

namespace {

struct Builder {
  Schema* schema;

  static FieldDef Field(std::string name, int proto, ValueKind kind,
                        Container container = Container::kNone, const TypeDef* type = nullptr,
                        bool required = false) {
    FieldDef f;
    f.name = std::move(name);
    f.proto = proto;
    f.kind = kind;
    f.container = container;
    f.type = type;
    f.required = required;
    return f;
  }

  const TypeDef* Type(std::string name, std::vector<FieldDef> fields) {
    TypeDef t;
    t.name = std::move(name);
    t.fields = std::move(fields);
    return schema->AddType(std::move(t));
  }

  // A type that embeds `embedded` as protobuf field `proto` (`json:",inline"`): its fields are
  // copied in with proto 0 and the member recorded in `inlined`, as the schema parser does.
  const TypeDef* TypeWithInline(std::string name, std::vector<FieldDef> fields,
                                std::string inline_name, int proto, const TypeDef* embedded) {
    TypeDef t;
    t.name = std::move(name);
    t.fields = std::move(fields);
    for (FieldDef copy : embedded->fields) {
      copy.proto = 0;
      t.fields.push_back(std::move(copy));
    }
    t.inlined.push_back(TypeDef::Inline{std::move(inline_name), proto, embedded});
    return schema->AddType(std::move(t));
  }

  const TypeDef* Kind(std::string name, std::string group, std::string version, std::string kind,
                      std::vector<FieldDef> fields) {
    TypeDef t;
    t.name = std::move(name);
    t.group = std::move(group);
    t.version = std::move(version);
    t.kind = std::move(kind);
    t.fields = std::move(fields);
    return schema->AddType(std::move(t));
  }
};

constexpr auto S = ValueKind::kString;
constexpr auto I32 = ValueKind::kInt32;
constexpr auto I64 = ValueKind::kInt64;
constexpr auto B = ValueKind::kBool;
constexpr auto O = ValueKind::kObject;
constexpr auto None = Container::kNone;
constexpr auto Arr = Container::kArray;
constexpr auto Map = Container::kMap;

}  // namespace

std::unique_ptr<Schema> KubernetesSubsetSchema() {
  auto schema = std::make_unique<Schema>();
  Builder b{schema.get()};
  using F = FieldDef;
  auto f = [](std::string name, int proto, ValueKind kind, Container c = None,
              const TypeDef* type = nullptr, bool required = false) -> F {
    return Builder::Field(std::move(name), proto, kind, c, type, required);
  };
  auto req = [&](std::string name, int proto, ValueKind kind) {
    return f(std::move(name), proto, kind, None, nullptr, true);
  };

  // meta/v1
  const TypeDef* owner_ref =
      b.Type("meta.v1.OwnerReference",
             {req("kind", 1, S), req("name", 3, S), req("uid", 4, S), req("apiVersion", 5, S),
              f("controller", 6, B), f("blockOwnerDeletion", 7, B)});
  const TypeDef* meta =
      b.Type("meta.v1.ObjectMeta",
             {f("name", 1, S), f("generateName", 2, S), f("namespace", 3, S), f("selfLink", 4, S),
              f("uid", 5, S), f("resourceVersion", 6, S), f("generation", 7, I64),
              f("creationTimestamp", 8, ValueKind::kTime),
              f("deletionTimestamp", 9, ValueKind::kTime), f("deletionGracePeriodSeconds", 10, I64),
              f("labels", 11, S, Map), f("annotations", 12, S, Map),
              f("ownerReferences", 13, O, Arr, owner_ref), f("finalizers", 14, S, Arr)});
  const TypeDef* requirement =
      b.Type("meta.v1.LabelSelectorRequirement",
             {req("key", 1, S), req("operator", 2, S), f("values", 3, S, Arr)});
  const TypeDef* selector =
      b.Type("meta.v1.LabelSelector",
             {f("matchLabels", 1, S, Map), f("matchExpressions", 2, O, Arr, requirement)});
  const TypeDef* condition = b.Type(
      "meta.v1.Condition", {req("type", 1, S), req("status", 2, S), f("observedGeneration", 3, I64),
                            f("lastTransitionTime", 4, ValueKind::kTime, None, nullptr, true),
                            req("reason", 5, S), req("message", 6, S)});

  // core/v1: Namespace, Secret, ConfigMap
  const TypeDef* ns_spec = b.Type("core.v1.NamespaceSpec", {f("finalizers", 1, S, Arr)});
  const TypeDef* ns_status = b.Type("core.v1.NamespaceStatus", {f("phase", 1, S)});
  b.Kind("core.v1.Namespace", "", "v1", "Namespace",
         {f("metadata", 1, O, None, meta), f("spec", 2, O, None, ns_spec),
          f("status", 3, O, None, ns_status)});
  b.Kind("core.v1.Secret", "", "v1", "Secret",
         {f("metadata", 1, O, None, meta), f("data", 2, ValueKind::kBytes, Map), f("type", 3, S),
          f("stringData", 4, S, Map), f("immutable", 5, B)});
  b.Kind("core.v1.ConfigMap", "", "v1", "ConfigMap",
         {f("metadata", 1, O, None, meta), f("data", 2, S, Map),
          f("binaryData", 3, ValueKind::kBytes, Map), f("immutable", 4, B)});

  // core/v1: the pod template
  const TypeDef* port = b.Type("core.v1.ContainerPort", {f("name", 1, S), f("hostPort", 2, I32),
                                                         req("containerPort", 3, I32),
                                                         f("protocol", 4, S), f("hostIP", 5, S)});
  const TypeDef* resources = b.Type(
      "core.v1.ResourceRequirements",
      {f("limits", 1, ValueKind::kQuantity, Map), f("requests", 2, ValueKind::kQuantity, Map)});
  const TypeDef* env = b.Type("core.v1.EnvVar", {req("name", 1, S), f("value", 2, S)});
  const TypeDef* container =
      b.Type("core.v1.Container",
             {req("name", 1, S), f("image", 2, S), f("command", 3, S, Arr), f("args", 4, S, Arr),
              f("workingDir", 5, S), f("ports", 6, O, Arr, port), f("env", 7, O, Arr, env),
              f("resources", 8, O, None, resources), f("terminationMessagePath", 13, S),
              f("imagePullPolicy", 14, S), f("stdin", 16, B), f("stdinOnce", 17, B),
              f("tty", 18, B), f("terminationMessagePolicy", 20, S), f("restartPolicy", 24, S)});
  const TypeDef* pod_spec =
      b.Type("core.v1.PodSpec",
             {f("containers", 2, O, Arr, container, true), f("restartPolicy", 3, S),
              f("terminationGracePeriodSeconds", 4, I64), f("activeDeadlineSeconds", 5, I64),
              f("dnsPolicy", 6, S), f("nodeSelector", 7, S, Map), f("serviceAccountName", 8, S),
              f("serviceAccount", 9, S), f("nodeName", 10, S), f("hostNetwork", 11, B),
              f("hostPID", 12, B), f("hostIPC", 13, B), f("hostname", 16, S), f("subdomain", 17, S),
              f("schedulerName", 19, S), f("automountServiceAccountToken", 21, B),
              f("priorityClassName", 24, S), f("priority", 25, I32)});
  const TypeDef* template_spec =
      b.Type("core.v1.PodTemplateSpec",
             {f("metadata", 1, O, None, meta), f("spec", 2, O, None, pod_spec)});

  // apps/v1: Deployment
  const TypeDef* rolling = b.Type(
      "apps.v1.RollingUpdateDeployment",
      {f("maxUnavailable", 1, ValueKind::kIntOrString), f("maxSurge", 2, ValueKind::kIntOrString)});
  const TypeDef* strategy = b.Type("apps.v1.DeploymentStrategy",
                                   {f("type", 1, S), f("rollingUpdate", 2, O, None, rolling)});
  const TypeDef* deploy_spec =
      b.Type("apps.v1.DeploymentSpec",
             {f("replicas", 1, I32), f("selector", 2, O, None, selector, true),
              f("template", 3, O, None, template_spec, true), f("strategy", 4, O, None, strategy),
              f("minReadySeconds", 5, I32), f("revisionHistoryLimit", 6, I32), f("paused", 7, B),
              f("progressDeadlineSeconds", 9, I32)});
  const TypeDef* deploy_status =
      b.Type("apps.v1.DeploymentStatus",
             {f("observedGeneration", 1, I64), f("replicas", 2, I32), f("updatedReplicas", 3, I32),
              f("availableReplicas", 4, I32), f("unavailableReplicas", 5, I32),
              f("readyReplicas", 7, I32), f("collisionCount", 8, I32)});
  b.Kind("apps.v1.Deployment", "apps", "v1", "Deployment",
         {f("metadata", 1, O, None, meta), f("spec", 2, O, None, deploy_spec),
          f("status", 3, O, None, deploy_status)});

  // core/v1: Service
  const TypeDef* service_port =
      b.Type("core.v1.ServicePort", {f("name", 1, S), f("protocol", 2, S), req("port", 3, I32),
                                     f("targetPort", 4, ValueKind::kIntOrString),
                                     f("nodePort", 5, I32), f("appProtocol", 6, S)});
  const TypeDef* service_spec =
      b.Type("core.v1.ServiceSpec",
             {f("ports", 1, O, Arr, service_port), f("selector", 2, S, Map), f("clusterIP", 3, S),
              f("type", 4, S), f("externalIPs", 5, S, Arr), f("sessionAffinity", 7, S),
              f("loadBalancerIP", 8, S), f("loadBalancerSourceRanges", 9, S, Arr),
              f("externalName", 10, S), f("externalTrafficPolicy", 11, S),
              f("healthCheckNodePort", 12, I32), f("publishNotReadyAddresses", 13, B)});
  const TypeDef* lb_ingress =
      b.Type("core.v1.LoadBalancerIngress", {f("ip", 1, S), f("hostname", 2, S)});
  const TypeDef* lb_status =
      b.Type("core.v1.LoadBalancerStatus", {f("ingress", 1, O, Arr, lb_ingress)});
  const TypeDef* service_status =
      b.Type("core.v1.ServiceStatus",
             {f("loadBalancer", 1, O, None, lb_status), f("conditions", 2, O, Arr, condition)});
  b.Kind("core.v1.Service", "", "v1", "Service",
         {f("metadata", 1, O, None, meta), f("spec", 2, O, None, service_spec),
          f("status", 3, O, None, service_status)});

  // scheduling.k8s.io/v1: PriorityClass
  b.Kind("scheduling.v1.PriorityClass", "scheduling.k8s.io", "v1", "PriorityClass",
         {f("metadata", 1, O, None, meta), req("value", 2, I32), f("globalDefault", 3, B),
          f("description", 4, S), f("preemptionPolicy", 5, S)});

  // policy/v1: PodDisruptionBudget
  const TypeDef* pdb_spec = b.Type(
      "policy.v1.PodDisruptionBudgetSpec",
      {f("minAvailable", 1, ValueKind::kIntOrString), f("selector", 2, O, None, selector),
       f("maxUnavailable", 3, ValueKind::kIntOrString), f("unhealthyPodEvictionPolicy", 4, S)});
  const TypeDef* pdb_status =
      b.Type("policy.v1.PodDisruptionBudgetStatus",
             {f("observedGeneration", 1, I64), f("disruptedPods", 2, ValueKind::kTime, Map),
              req("disruptionsAllowed", 3, I32), req("currentHealthy", 4, I32),
              req("desiredHealthy", 5, I32), req("expectedPods", 6, I32),
              f("conditions", 7, O, Arr, condition)});
  b.Kind("policy.v1.PodDisruptionBudget", "policy", "v1", "PodDisruptionBudget",
         {f("metadata", 1, O, None, meta), f("spec", 2, O, None, pdb_spec),
          f("status", 3, O, None, pdb_status)});

  // networking.k8s.io/v1: Ingress (a rule embeds IngressRuleValue inline)
  const TypeDef* backend_port =
      b.Type("networking.v1.ServiceBackendPort", {f("name", 1, S), f("number", 2, I32)});
  const TypeDef* service_backend = b.Type("networking.v1.IngressServiceBackend",
                                          {req("name", 1, S), f("port", 2, O, None, backend_port)});
  const TypeDef* typed_ref = b.Type("core.v1.TypedLocalObjectReference",
                                    {f("apiGroup", 1, S), req("kind", 2, S), req("name", 3, S)});
  const TypeDef* ingress_backend =
      b.Type("networking.v1.IngressBackend",
             {f("resource", 3, O, None, typed_ref), f("service", 4, O, None, service_backend)});
  const TypeDef* http_path =
      b.Type("networking.v1.HTTPIngressPath",
             {f("path", 1, S), f("backend", 2, O, None, ingress_backend, true),
              f("pathType", 3, S, None, nullptr, true)});
  const TypeDef* http_rule =
      b.Type("networking.v1.HTTPIngressRuleValue", {f("paths", 1, O, Arr, http_path, true)});
  const TypeDef* rule_value =
      b.Type("networking.v1.IngressRuleValue", {f("http", 1, O, None, http_rule)});
  const TypeDef* ingress_rule = b.TypeWithInline("networking.v1.IngressRule", {f("host", 1, S)},
                                                 "ingressRuleValue", 2, rule_value);
  const TypeDef* ingress_tls =
      b.Type("networking.v1.IngressTLS", {f("hosts", 1, S, Arr), f("secretName", 2, S)});
  const TypeDef* ingress_spec =
      b.Type("networking.v1.IngressSpec",
             {f("defaultBackend", 1, O, None, ingress_backend), f("tls", 2, O, Arr, ingress_tls),
              f("rules", 3, O, Arr, ingress_rule), f("ingressClassName", 4, S)});
  const TypeDef* ingress_lb_ingress =
      b.Type("networking.v1.IngressLoadBalancerIngress", {f("ip", 1, S), f("hostname", 2, S)});
  const TypeDef* ingress_lb = b.Type("networking.v1.IngressLoadBalancerStatus",
                                     {f("ingress", 1, O, Arr, ingress_lb_ingress)});
  const TypeDef* ingress_status =
      b.Type("networking.v1.IngressStatus", {f("loadBalancer", 1, O, None, ingress_lb)});
  b.Kind("networking.v1.Ingress", "networking.k8s.io", "v1", "Ingress",
         {f("metadata", 1, O, None, meta), f("spec", 2, O, None, ingress_spec),
          f("status", 3, O, None, ingress_status)});

  // authentication.k8s.io/v1: TokenRequest (the serviceaccounts/token subresource)
  const TypeDef* bound_ref =
      b.Type("authentication.v1.BoundObjectReference",
             {f("kind", 1, S), f("apiVersion", 2, S), f("name", 3, S), f("uid", 4, S)});
  const TypeDef* token_spec =
      b.Type("authentication.v1.TokenRequestSpec",
             {f("audiences", 1, S, Arr, nullptr, true), f("boundObjectRef", 3, O, None, bound_ref),
              f("expirationSeconds", 4, I64)});
  const TypeDef* token_status = b.Type(
      "authentication.v1.TokenRequestStatus",
      {req("token", 1, S), f("expirationTimestamp", 2, ValueKind::kTime, None, nullptr, true)});
  b.Kind("authentication.v1.TokenRequest", "authentication.k8s.io", "v1", "TokenRequest",
         {f("metadata", 1, O, None, meta), f("spec", 2, O, None, token_spec),
          f("status", 3, O, None, token_status)});
  return schema;
}

std::unique_ptr<Schema> SyntheticSchema() {
  auto schema = std::make_unique<Schema>();
  Builder b{schema.get()};
  // The type refers to itself, so add it first and fill in its fields after.
  TypeDef sample;
  sample.name = "test.v1.Sample";
  sample.group = "test.example";
  sample.version = "v1";
  sample.kind = "Sample";
  TypeDef* t = schema->AddType(sample);
  t->fields = {
      Builder::Field("name", 1, S, None, nullptr, true),
      Builder::Field("count", 2, I32),
      Builder::Field("big", 3, I64),
      Builder::Field("flag", 4, B),
      Builder::Field("ratio", 5, ValueKind::kFloat64),
      Builder::Field("blob", 6, ValueKind::kBytes),
      Builder::Field("quantity", 7, ValueKind::kQuantity),
      Builder::Field("port", 8, ValueKind::kIntOrString),
      Builder::Field("when", 9, ValueKind::kTime),
      Builder::Field("micro", 10, ValueKind::kMicroTime),
      Builder::Field("timeout", 11, ValueKind::kDuration),
      Builder::Field("raw", 12, ValueKind::kRawJSON),
      Builder::Field("child", 13, O, None, t),
      Builder::Field("items", 14, S, Arr),
      Builder::Field("numbers", 15, I32, Arr),
      Builder::Field("children", 16, O, Arr, t),
      Builder::Field("labels", 17, S, Map),
      Builder::Field("limits", 18, ValueKind::kQuantity, Map),
      Builder::Field("byChild", 19, O, Map, t),
      Builder::Field("blobs", 20, ValueKind::kBytes, Map),
      Builder::Field("optionalText", 21, S),
      Builder::Field("zeroCount", 22, I32, None, nullptr, true),
  };
  b.Kind("test.v1.Broken", "test.example", "v1", "Broken",
         {Builder::Field("child", 1, O, None, nullptr)});
  const TypeDef* source =
      b.Type("test.v1.Source", {Builder::Field("path", 1, S), Builder::Field("mode", 2, I32)});
  const TypeDef* wrapper = b.TypeWithInline(
      "test.v1.Wrapper", {Builder::Field("name", 1, S), Builder::Field("mode2", 3, I32)}, "source",
      2, source);
  b.Kind("test.v1.Holder", "test.example", "v1", "Holder",
         {Builder::Field("wrapped", 1, O, Arr, wrapper)});
  return schema;
}

}  // namespace skiff::apis::testing
