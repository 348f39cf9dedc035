// Which printer prints which kind, and the default table of kinds without one.
#include "skiff/apis/printers.h"

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis {
namespace {

using printers::json;

struct Entry {
  std::string_view group;
  std::string_view kind;
  const TablePrinter& (*printer)();
};

// Every kind Kubernetes 1.32's pkg/printers/internalversion prints that skiff may serve. Kinds
// absent here (Role, ClusterRole, LimitRange, CustomResourceDefinition, ...) use the default
// table, as kube-apiserver does.
constexpr Entry kPrinters[] = {
    {"", "Pod", &printers::PodPrinter},
    {"", "Service", &printers::ServicePrinter},
    {"", "Endpoints", &printers::EndpointsPrinter},
    {"", "Node", &printers::NodePrinter},
    {"", "Event", &printers::CoreEventPrinter},
    {"", "Namespace", &printers::NamespacePrinter},
    {"", "ConfigMap", &printers::ConfigMapPrinter},
    {"", "Secret", &printers::SecretPrinter},
    {"", "ServiceAccount", &printers::ServiceAccountPrinter},
    {"", "PodTemplate", &printers::PodTemplatePrinter},
    {"", "ResourceQuota", &printers::ResourceQuotaPrinter},
    {"", "PersistentVolume", &printers::PersistentVolumePrinter},
    {"", "PersistentVolumeClaim", &printers::PersistentVolumeClaimPrinter},
    {"", "ReplicationController", &printers::ReplicationControllerPrinter},
    {"apps", "Deployment", &printers::DeploymentPrinter},
    {"apps", "ReplicaSet", &printers::ReplicaSetPrinter},
    {"apps", "StatefulSet", &printers::StatefulSetPrinter},
    {"apps", "DaemonSet", &printers::DaemonSetPrinter},
    {"apps", "ControllerRevision", &printers::ControllerRevisionPrinter},
    {"batch", "Job", &printers::JobPrinter},
    {"batch", "CronJob", &printers::CronJobPrinter},
    {"autoscaling", "HorizontalPodAutoscaler", &printers::HorizontalPodAutoscalerPrinter},
    {"coordination.k8s.io", "Lease", &printers::LeasePrinter},
    {"discovery.k8s.io", "EndpointSlice", &printers::EndpointSlicePrinter},
    {"events.k8s.io", "Event", &printers::EventsV1EventPrinter},
    {"storage.k8s.io", "StorageClass", &printers::StorageClassPrinter},
    {"rbac.authorization.k8s.io", "RoleBinding", &printers::RoleBindingPrinter},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", &printers::ClusterRoleBindingPrinter},
    {"policy", "PodDisruptionBudget", &printers::PodDisruptionBudgetPrinter},
    {"scheduling.k8s.io", "PriorityClass", &printers::PriorityClassPrinter},
    {"node.k8s.io", "RuntimeClass", &printers::RuntimeClassPrinter},
    {"networking.k8s.io", "Ingress", &printers::IngressPrinter},
    {"networking.k8s.io", "IngressClass", &printers::IngressClassPrinter},
    {"networking.k8s.io", "NetworkPolicy", &printers::NetworkPolicyPrinter},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration",
     &printers::MutatingWebhookConfigurationPrinter},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
     &printers::ValidatingWebhookConfigurationPrinter},
};

const Entry* FindEntry(std::string_view group, std::string_view kind) {
  for (const Entry& e : kPrinters) {
    if (e.group == group && e.kind == kind) return &e;
  }
  return nullptr;
}

std::vector<json> DefaultCells(const json& obj, TableClock::time_point) {
  const json* ts = printers::Find(obj, {"metadata", "creationTimestamp"});
  auto t = ts ? printers::ParseTimestamp(*ts) : std::nullopt;
  return {printers::Str(obj, {"metadata", "name"}),
          printers::FormatRFC3339(t.value_or(printers::Timestamp{-62135596800, 0}))};
}

}  // namespace

const TablePrinter& DefaultPrinter() {
  static const TablePrinter kPrinter{
      {printers::NameColumn(),
       printers::Column("Created At", "date", printers::desc::kMetaCreationTimestamp)},
      &printers::Guarded<DefaultCells>};
  return kPrinter;
}

const TablePrinter& PrinterFor(std::string_view group, std::string_view kind) {
  const Entry* e = FindEntry(group, kind);
  return e ? e->printer() : DefaultPrinter();
}

bool HasKindPrinter(std::string_view group, std::string_view kind) {
  return FindEntry(group, kind) != nullptr;
}

nlohmann::json ColumnDefinitionsJson(const TablePrinter& printer) {
  try {
    json out = json::array();
    for (const TableColumn& c : printer.columns) {
      out.push_back({{"name", c.name},
                     {"type", c.type},
                     {"format", c.format},
                     {"description", c.description},
                     {"priority", c.priority}});
    }
    return out;
  } catch (...) {
    return json();  // allocation failure
  }
}

}  // namespace skiff::apis
