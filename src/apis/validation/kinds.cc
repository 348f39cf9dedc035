// The dispatch table: which functions default and validate each built-in kind.
#include "kinds.h"

#include <array>

#include "pod_validation.h"

namespace skiff::apis::internal {
namespace {

// Initial statuses the strategies set on create, as the v1 types serialize them.
void StatusReplicas(json& obj) {
  if (obj.is_object()) obj["status"] = {{"replicas", 0}};
}
void StatusStatefulSet(json& obj) {
  if (obj.is_object()) obj["status"] = {{"replicas", 0}, {"availableReplicas", 0}};
}
void StatusDaemonSet(json& obj) {
  if (obj.is_object()) {
    obj["status"] = {{"currentNumberScheduled", 0},
                     {"numberMisscheduled", 0},
                     {"desiredNumberScheduled", 0},
                     {"numberReady", 0}};
  }
}
// HPAs are stored as autoscaling/v2; the v1 form is for a caller that prepares a v1 object.
void StatusHPA(json& obj) {
  if (!obj.is_object()) return;
  if (Str(obj, "apiVersion") == "autoscaling/v1") {
    obj["status"] = {{"currentReplicas", 0}, {"desiredReplicas", 0}};
  } else {
    obj["status"] = {{"currentMetrics", nullptr}, {"desiredReplicas", 0}};
  }
}
void StatusPDB(json& obj) {
  if (obj.is_object()) {
    obj["status"] = {{"disruptionsAllowed", 0},
                     {"currentHealthy", 0},
                     {"desiredHealthy", 0},
                     {"expectedPods", 0}};
  }
}
void StatusLoadBalancer(json& obj) {
  if (obj.is_object()) obj["status"] = {{"loadBalancer", json::object()}};
}

constexpr NameValidator kSubdomain = NameIsDNSSubdomain;
constexpr NameValidator kLabel = NameIsDNSLabel;
constexpr NameValidator kSegment = NameIsPathSegment;

// {group, kind, namespaced, name, defaults, prepare_create, prepare_update, validate,
//  validate_update, validate_status}
const KindInfo kKinds[] = {
    // core
    {"", "Pod", true, kSubdomain, DefaultPodObject, PreparePodCreate, nullptr, ValidatePod,
     ValidatePodUpdate, ValidatePodStatusUpdate},
    {"", "PodTemplate", true, kSubdomain, DefaultPodTemplate, nullptr, nullptr, ValidatePodTemplate,
     nullptr, nullptr},
    {"", "ReplicationController", true, kSubdomain, DefaultReplicationController, StatusReplicas,
     nullptr, ValidateReplicationController, nullptr, nullptr},
    {"", "Service", true, NameIsDNS1035Label, DefaultService, PrepareServiceCreate,
     PrepareServiceUpdate, ValidateService, ValidateServiceUpdate, nullptr},
    {"", "Namespace", false, kLabel, DefaultNamespace, PrepareNamespaceCreate,
     PrepareNamespaceUpdate, ValidateNamespace, ValidateNamespaceUpdate, ValidateNamespaceStatus},
    {"", "Secret", true, kSubdomain, DefaultSecret, nullptr, nullptr, ValidateSecret,
     ValidateSecretUpdate, nullptr},
    {"", "ConfigMap", true, kSubdomain, nullptr, nullptr, nullptr, ValidateConfigMap,
     ValidateConfigMapUpdate, nullptr},
    {"", "PersistentVolumeClaim", true, kSubdomain, DefaultPVC, PreparePVCCreate, nullptr,
     ValidatePVC, ValidatePVCUpdate, nullptr},
    {"", "PersistentVolume", false, kSubdomain, DefaultPV, PreparePVCreate, nullptr, ValidatePV,
     ValidatePVUpdate, nullptr},
    {"", "Node", false, kSubdomain, DefaultNode, nullptr, nullptr, ValidateNode, ValidateNodeUpdate,
     nullptr},
    {"", "Endpoints", true, kSubdomain, DefaultEndpoints, nullptr, nullptr, ValidateEndpoints,
     nullptr, nullptr},
    {"", "Event", true, kSubdomain, nullptr, nullptr, nullptr, ValidateCoreEvent, nullptr, nullptr},
    {"", "ServiceAccount", true, kSubdomain, nullptr, nullptr, nullptr, ValidateServiceAccount,
     nullptr, nullptr},
    {"", "LimitRange", true, kSubdomain, DefaultLimitRange, nullptr, nullptr, ValidateLimitRange,
     nullptr, nullptr},
    {"", "ResourceQuota", true, kSubdomain, DefaultResourceQuota, PrepareEmptyStatus, nullptr,
     ValidateResourceQuota, nullptr, nullptr},
    {"", "ComponentStatus", false, kSubdomain},
    // apps
    {"apps", "Deployment", true, kSubdomain, DefaultDeployment, PrepareEmptyStatus, nullptr,
     ValidateDeployment, ValidateDeploymentUpdate, ValidateDeploymentStatus},
    {"apps", "ReplicaSet", true, kSubdomain, DefaultReplicaSet, StatusReplicas, nullptr,
     ValidateReplicaSet, ValidateReplicaSetUpdate, ValidateReplicaSetStatus},
    {"apps", "StatefulSet", true, kLabel, DefaultStatefulSet, StatusStatefulSet, nullptr,
     ValidateStatefulSet, ValidateStatefulSetUpdate, ValidateStatefulSetStatus},
    {"apps", "DaemonSet", true, kSubdomain, DefaultDaemonSet, StatusDaemonSet, nullptr,
     ValidateDaemonSet, ValidateDaemonSetUpdate, ValidateDaemonSetStatus},
    {"apps", "ControllerRevision", true, kSubdomain, nullptr, nullptr, nullptr,
     ValidateControllerRevision, ValidateControllerRevisionUpdate, nullptr},
    // batch
    {"batch", "Job", true, kSubdomain, DefaultJob, PrepareJobCreate, nullptr, ValidateJob,
     ValidateJobUpdate, nullptr},
    {"batch", "CronJob", true, kSubdomain, DefaultCronJob, PrepareEmptyStatus, nullptr,
     ValidateCronJob, ValidateCronJobUpdate, nullptr},
    // autoscaling
    {"autoscaling", "HorizontalPodAutoscaler", true, kSubdomain, DefaultHPA, StatusHPA, nullptr,
     ValidateHPA, nullptr, nullptr},
    // networking, discovery, policy
    {"networking.k8s.io", "Ingress", true, kSubdomain, nullptr, StatusLoadBalancer, nullptr,
     ValidateIngress, nullptr, nullptr},
    {"networking.k8s.io", "IngressClass", false, kSubdomain, nullptr, nullptr, nullptr,
     ValidateIngressClass, nullptr, nullptr},
    {"networking.k8s.io", "NetworkPolicy", true, kSubdomain, DefaultNetworkPolicy, nullptr, nullptr,
     ValidateNetworkPolicy, nullptr, nullptr},
    {"discovery.k8s.io", "EndpointSlice", true, kSubdomain, DefaultEndpointSlice, nullptr, nullptr,
     ValidateEndpointSlice, nullptr, nullptr},
    {"policy", "PodDisruptionBudget", true, kSubdomain, nullptr, StatusPDB, nullptr, ValidatePDB,
     nullptr, nullptr},
    // storage, scheduling, node, coordination, events
    {"storage.k8s.io", "StorageClass", false, kSubdomain, DefaultStorageClass, nullptr, nullptr,
     ValidateStorageClass, ValidateStorageClassUpdate, nullptr},
    {"storage.k8s.io", "CSIDriver", false, kSubdomain},
    {"storage.k8s.io", "CSINode", false, kSubdomain},
    {"storage.k8s.io", "VolumeAttachment", false, kSubdomain},
    {"storage.k8s.io", "CSIStorageCapacity", true, kSubdomain},
    {"scheduling.k8s.io", "PriorityClass", false, kSubdomain, DefaultPriorityClass, nullptr,
     nullptr, ValidatePriorityClass, ValidatePriorityClassUpdate, nullptr},
    {"node.k8s.io", "RuntimeClass", false, kSubdomain, nullptr, nullptr, nullptr,
     ValidateRuntimeClass, nullptr, nullptr},
    {"coordination.k8s.io", "Lease", true, kSubdomain, nullptr, nullptr, nullptr, ValidateLease,
     nullptr, nullptr},
    // Stored as core Events: validated in the core shape with the events.k8s.io rules.
    {"events.k8s.io", "Event", true, kSubdomain, nullptr, nullptr, nullptr, ValidateEventsEvent,
     ValidateEventsEventUpdate, nullptr},
    // rbac
    {"rbac.authorization.k8s.io", "Role", true, kSegment, nullptr, nullptr, nullptr, ValidateRole,
     nullptr, nullptr},
    {"rbac.authorization.k8s.io", "ClusterRole", false, kSegment, nullptr, nullptr, nullptr,
     ValidateClusterRole, nullptr, nullptr},
    {"rbac.authorization.k8s.io", "RoleBinding", true, kSegment, DefaultRoleBinding, nullptr,
     nullptr, ValidateRoleBinding, ValidateRoleBindingUpdate, nullptr},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", false, kSegment, DefaultRoleBinding,
     nullptr, nullptr, ValidateClusterRoleBinding, ValidateClusterRoleBindingUpdate, nullptr},
    // cluster-scoped kinds checked for metadata only
    {"certificates.k8s.io", "CertificateSigningRequest", false, kSubdomain},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration", false, kSubdomain},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration", false, kSubdomain},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy", false, kSubdomain},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", false, kSubdomain},
    {"apiextensions.k8s.io", "CustomResourceDefinition", false, kSubdomain},
    {"apiregistration.k8s.io", "APIService", false, kSegment},
    {"flowcontrol.apiserver.k8s.io", "FlowSchema", false, kSubdomain},
    {"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", false, kSubdomain},
};

}  // namespace

const KindInfo* FindKind(std::string_view group, std::string_view kind) {
  for (const auto& k : kKinds) {
    if (k.group == group && k.kind == kind) return &k;
  }
  return nullptr;
}

}  // namespace skiff::apis::internal
