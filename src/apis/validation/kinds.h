// The per-kind defaulting and validation functions and the dispatch table over them
// (kinds.cc). Metadata checks are generic (validation.cc); these functions check the rest.
#pragma once

#include <string_view>

#include "json_util.h"
#include "skiff/apis/validation.h"

namespace skiff::apis::internal {

using DefaultFn = void (*)(json& obj);
using PrepareUpdateFn = void (*)(json& obj, const json& old);
using ValidateFn = FieldErrors (*)(const json& obj);
using ValidateUpdateFn = FieldErrors (*)(const json& obj, const json& old);

struct KindInfo {
  std::string_view group;
  std::string_view kind;
  bool namespaced = true;
  NameValidator name = NameIsDNSSubdomain;
  DefaultFn defaults = nullptr;
  DefaultFn prepare_create = nullptr;
  PrepareUpdateFn prepare_update = nullptr;
  ValidateFn validate = nullptr;               // create (and update when no validate_update)
  ValidateUpdateFn validate_update = nullptr;  // update: the kind's rules incl. immutability
  ValidateUpdateFn validate_status = nullptr;  // status subresource writes
};

// nullptr for unknown kinds.
const KindInfo* FindKind(std::string_view group, std::string_view kind);

// --- core (core_defaults.cc, core_validation.cc, service_validation.cc, pod_validation.cc)
// (Pod validation itself is declared in pod_validation.h.)
void DefaultPodObject(json& pod);
void PreparePodCreate(json& pod);
void DefaultPodTemplate(json& obj);
FieldErrors ValidatePodTemplate(const json& obj);
void DefaultReplicationController(json& obj);
FieldErrors ValidateReplicationController(const json& obj);
void DefaultService(json& obj);
void PrepareServiceCreate(json& obj);
void PrepareServiceUpdate(json& obj, const json& old);
FieldErrors ValidateService(const json& obj);
FieldErrors ValidateServiceUpdate(const json& obj, const json& old);
void DefaultNamespace(json& obj);
void PrepareNamespaceCreate(json& obj);
void PrepareNamespaceUpdate(json& obj, const json& old);
FieldErrors ValidateNamespace(const json& obj);
FieldErrors ValidateNamespaceUpdate(const json& obj, const json& old);
FieldErrors ValidateNamespaceStatus(const json& obj, const json& old);
void DefaultSecret(json& obj);
FieldErrors ValidateSecret(const json& obj);
FieldErrors ValidateSecretUpdate(const json& obj, const json& old);
FieldErrors ValidateConfigMap(const json& obj);
FieldErrors ValidateConfigMapUpdate(const json& obj, const json& old);
void DefaultPVC(json& obj);
void PreparePVCCreate(json& obj);
FieldErrors ValidatePVC(const json& obj);
FieldErrors ValidatePVCUpdate(const json& obj, const json& old);
void DefaultPV(json& obj);
void PreparePVCreate(json& obj);
FieldErrors ValidatePV(const json& obj);
FieldErrors ValidatePVUpdate(const json& obj, const json& old);
void DefaultNode(json& obj);
FieldErrors ValidateNode(const json& obj);
FieldErrors ValidateNodeUpdate(const json& obj, const json& old);
void DefaultEndpoints(json& obj);
FieldErrors ValidateEndpoints(const json& obj);
FieldErrors ValidateCoreEvent(const json& obj);
FieldErrors ValidateServiceAccount(const json& obj);
void DefaultLimitRange(json& obj);
FieldErrors ValidateLimitRange(const json& obj);
void DefaultResourceQuota(json& obj);
FieldErrors ValidateResourceQuota(const json& obj);

// --- apps (apps_defaults.cc, apps_validation.cc)
void DefaultDeployment(json& obj);
void DefaultReplicaSet(json& obj);
void DefaultStatefulSet(json& obj);
void DefaultDaemonSet(json& obj);
void PrepareEmptyStatus(json& obj);
FieldErrors ValidateDeployment(const json& obj);
FieldErrors ValidateDeploymentUpdate(const json& obj, const json& old);
FieldErrors ValidateReplicaSet(const json& obj);
FieldErrors ValidateReplicaSetUpdate(const json& obj, const json& old);
FieldErrors ValidateStatefulSet(const json& obj);
FieldErrors ValidateStatefulSetUpdate(const json& obj, const json& old);
FieldErrors ValidateDaemonSet(const json& obj);
FieldErrors ValidateDaemonSetUpdate(const json& obj, const json& old);
FieldErrors ValidateDeploymentStatus(const json& obj, const json& old);
FieldErrors ValidateReplicaSetStatus(const json& obj, const json& old);
FieldErrors ValidateStatefulSetStatus(const json& obj, const json& old);
FieldErrors ValidateDaemonSetStatus(const json& obj, const json& old);
FieldErrors ValidateControllerRevision(const json& obj);
FieldErrors ValidateControllerRevisionUpdate(const json& obj, const json& old);

// --- batch (batch_defaults.cc, batch_validation.cc)
void DefaultJob(json& obj);
void PrepareJobCreate(json& obj);
FieldErrors ValidateJob(const json& obj);
FieldErrors ValidateJobUpdate(const json& obj, const json& old);
void DefaultCronJob(json& obj);
FieldErrors ValidateCronJob(const json& obj);
FieldErrors ValidateCronJobUpdate(const json& obj, const json& old);

// --- other groups (group_defaults.cc, group_validation.cc, rbac_validation.cc)
void DefaultHPA(json& obj);
FieldErrors ValidateHPA(const json& obj);
void DefaultStorageClass(json& obj);
FieldErrors ValidateStorageClass(const json& obj);
FieldErrors ValidateStorageClassUpdate(const json& obj, const json& old);
void DefaultEndpointSlice(json& obj);
FieldErrors ValidateEndpointSlice(const json& obj);
void DefaultNetworkPolicy(json& obj);
FieldErrors ValidateNetworkPolicy(const json& obj);
FieldErrors ValidateIngress(const json& obj);
FieldErrors ValidateIngressClass(const json& obj);
FieldErrors ValidatePDB(const json& obj);
void DefaultPriorityClass(json& obj);
FieldErrors ValidatePriorityClass(const json& obj);
FieldErrors ValidatePriorityClassUpdate(const json& obj, const json& old);
FieldErrors ValidateLease(const json& obj);
// events.k8s.io/v1 writes, checked on the stored (core v1) shape with Kubernetes' internal
// field names (ValidateEventCreate/ValidateEventUpdate for a non-core request version).
FieldErrors ValidateEventsEvent(const json& obj);
FieldErrors ValidateEventsEventUpdate(const json& obj, const json& old);
FieldErrors ValidateRole(const json& obj);
FieldErrors ValidateClusterRole(const json& obj);
void DefaultRoleBinding(json& obj);
FieldErrors ValidateRoleBinding(const json& obj);
FieldErrors ValidateRoleBindingUpdate(const json& obj, const json& old);
FieldErrors ValidateClusterRoleBinding(const json& obj);
FieldErrors ValidateClusterRoleBindingUpdate(const json& obj, const json& old);
FieldErrors ValidateRuntimeClass(const json& obj);

}  // namespace skiff::apis::internal
