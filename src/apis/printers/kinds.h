// The printers of each kind, one function per kind returning its immutable TablePrinter.
// Defined in the file of the kind's group or family; dispatched by printers.cc.
// Internal to skiff_apis_printers.
#pragma once

#include "skiff/apis/printers.h"

namespace skiff::apis::printers {

// core/v1: pods (pod.cc)
const TablePrinter& PodPrinter();
// core/v1: services and endpoints (service.cc)
const TablePrinter& ServicePrinter();
const TablePrinter& EndpointsPrinter();
// core/v1: nodes (node.cc)
const TablePrinter& NodePrinter();
// core/v1 and events.k8s.io/v1 events (event.cc)
const TablePrinter& CoreEventPrinter();
const TablePrinter& EventsV1EventPrinter();
// core/v1: namespaces, config, accounts, templates, quotas (core_misc.cc)
const TablePrinter& NamespacePrinter();
const TablePrinter& ConfigMapPrinter();
const TablePrinter& SecretPrinter();
const TablePrinter& ServiceAccountPrinter();
const TablePrinter& PodTemplatePrinter();
const TablePrinter& ResourceQuotaPrinter();
// core/v1 volumes and storage.k8s.io (storage.cc)
const TablePrinter& PersistentVolumePrinter();
const TablePrinter& PersistentVolumeClaimPrinter();
const TablePrinter& StorageClassPrinter();
// apps/v1 and core/v1 replication controllers (apps.cc)
const TablePrinter& DeploymentPrinter();
const TablePrinter& ReplicaSetPrinter();
const TablePrinter& StatefulSetPrinter();
const TablePrinter& DaemonSetPrinter();
const TablePrinter& ControllerRevisionPrinter();
const TablePrinter& ReplicationControllerPrinter();
// batch/v1 (batch.cc)
const TablePrinter& JobPrinter();
const TablePrinter& CronJobPrinter();
// autoscaling/v1, v2 (autoscaling.cc)
const TablePrinter& HorizontalPodAutoscalerPrinter();
// rbac.authorization.k8s.io/v1 (rbac.cc)
const TablePrinter& RoleBindingPrinter();
const TablePrinter& ClusterRoleBindingPrinter();
// coordination, discovery, policy, scheduling, node (cluster.cc)
const TablePrinter& LeasePrinter();
const TablePrinter& EndpointSlicePrinter();
const TablePrinter& PodDisruptionBudgetPrinter();
const TablePrinter& PriorityClassPrinter();
const TablePrinter& RuntimeClassPrinter();
// networking.k8s.io and admissionregistration.k8s.io (networking.cc)
const TablePrinter& IngressPrinter();
const TablePrinter& IngressClassPrinter();
const TablePrinter& NetworkPolicyPrinter();
const TablePrinter& MutatingWebhookConfigurationPrinter();
const TablePrinter& ValidatingWebhookConfigurationPrinter();

}  // namespace skiff::apis::printers
