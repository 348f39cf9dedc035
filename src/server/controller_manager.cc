#include "controller_manager.h"

#include "controllers/cronjob_controller.h"
#include "controllers/daemonset_controller.h"
#include "controllers/deployment_controller.h"
#include "controllers/endpoints_controller.h"
#include "controllers/endpointslice_controller.h"
#include "controllers/endpointslice_mirroring_controller.h"
#include "controllers/ephemeral_volume_controller.h"
#include "controllers/garbage_collector.h"
#include "controllers/job_controller.h"
#include "controllers/node_lifecycle_controller.h"
#include "controllers/persistent_volume_controller.h"
#include "controllers/pod_gc_controller.h"
#include "controllers/pv_protection_controller.h"
#include "controllers/pvc_protection_controller.h"
#include "controllers/replicaset_controller.h"
#include "controllers/service_lb_controller.h"
#include "controllers/statefulset_controller.h"
#include "controllers/taint_eviction_controller.h"
#include "controllers/ttl_after_finished_controller.h"

namespace skiff::server {

using namespace controllers;

namespace {

template <class O>
O Small(O o, int workers = 2) {
  o.workers = workers;
  return o;
}

NodeLifecycleControllerOptions NodeLifecycle(const ControllerManagerOptions& options) {
  NodeLifecycleControllerOptions o;
  o.grace_period = options.node_monitor_grace_period;
  return o;
}

PersistentVolumeControllerOptions PersistentVolumes(const ControllerManagerOptions& options) {
  PersistentVolumeControllerOptions o;
  o.local_path_root = options.local_path_root;
  return o;
}

}  // namespace

struct ControllerManager::Impl {
  Impl(client::Client& c, client::SharedInformerFactory& f, const ControllerManagerOptions& o)
      : replicasets(c, f, Small(ReplicaSetControllerOptions{})),
        deployments(c, f, Small(DeploymentControllerOptions{})),
        statefulsets(c, f, Small(StatefulSetControllerOptions{}, 1)),
        daemonsets(c, f, Small(DaemonSetControllerOptions{}, 1)),
        jobs(c, f, Small(JobControllerOptions{})),
        ttl(c, f, Small(TtlAfterFinishedOptions{}, 1)),
        cronjobs(c, f, Small(CronJobControllerOptions{}, 1)),
        garbage(c, GarbageCollectedResources(), Small(GarbageCollectorOptions{})),
        node_lifecycle(c, f, NodeLifecycle(o)),
        taint_eviction(c, f),
        pod_gc(c, f),
        service_lb(c, f),
        endpoints(c, f, Small(EndpointsControllerOptions{})),
        endpoint_slices(c, f, Small(EndpointSliceControllerOptions{})),
        endpoint_slice_mirroring(c, f, Small(EndpointSliceMirroringControllerOptions{}, 1)),
        pvc_protection(c, f, Small(PvcProtectionControllerOptions{}, 1)),
        pv_protection(c, f, Small(PvProtectionControllerOptions{}, 1)),
        ephemeral_volumes(c, f, Small(EphemeralVolumeControllerOptions{}, 1)),
        persistent_volumes(c, f, PersistentVolumes(o)) {}

  void Start() {
    replicasets.Start();
    deployments.Start();
    statefulsets.Start();
    daemonsets.Start();
    jobs.Start();
    ttl.Start();
    cronjobs.Start();
    garbage.Start();
    node_lifecycle.Start();
    taint_eviction.Start();
    pod_gc.Start();
    service_lb.Start();
    endpoints.Start();
    endpoint_slices.Start();
    endpoint_slice_mirroring.Start();
    pvc_protection.Start();
    pv_protection.Start();
    ephemeral_volumes.Start();
    persistent_volumes.Start();
  }

  void Stop() {
    persistent_volumes.Stop();
    ephemeral_volumes.Stop();
    pv_protection.Stop();
    pvc_protection.Stop();
    endpoint_slice_mirroring.Stop();
    endpoint_slices.Stop();
    endpoints.Stop();
    service_lb.Stop();
    pod_gc.Stop();
    taint_eviction.Stop();
    node_lifecycle.Stop();
    garbage.Stop();
    cronjobs.Stop();
    ttl.Stop();
    jobs.Stop();
    daemonsets.Stop();
    statefulsets.Stop();
    deployments.Stop();
    replicasets.Stop();
  }

  ReplicaSetController replicasets;
  DeploymentController deployments;
  StatefulSetController statefulsets;
  DaemonSetController daemonsets;
  JobController jobs;
  TtlAfterFinishedController ttl;
  CronJobController cronjobs;
  GarbageCollector garbage;
  NodeLifecycleController node_lifecycle;
  TaintEvictionController taint_eviction;
  PodGcController pod_gc;
  ServiceLbController service_lb;
  EndpointsController endpoints;
  EndpointSliceController endpoint_slices;
  EndpointSliceMirroringController endpoint_slice_mirroring;
  PvcProtectionController pvc_protection;
  PvProtectionController pv_protection;
  EphemeralVolumeController ephemeral_volumes;
  PersistentVolumeController persistent_volumes;
};

ControllerManager::ControllerManager(client::Client& client,
                                     client::SharedInformerFactory& informers,
                                     const ControllerManagerOptions& options)
    : impl_(std::make_unique<Impl>(client, informers, options)) {}

ControllerManager::~ControllerManager() { Stop(); }

void ControllerManager::Start() { impl_->Start(); }

void ControllerManager::Stop() {
  if (impl_) impl_->Stop();
}

}  // namespace skiff::server
