// Keeps ClusterRecords current from shared informers: v1 Services, discovery.k8s.io/v1
// EndpointSlices and v1 Namespaces.
//
// Informer handlers only enqueue keys ("s/<ns>/<name>" for a service, from the service itself
// or from a slice's kubernetes.io/service-name label, "n/<name>" for a namespace); one worker
// thread takes a key, reads the service and its slices from the informer caches, and rebuilds
// that service's records alone (ClusterRecords::UpsertService / RemoveService). A burst of
// changes to one service collapses into one rebuild.
//
// The records answer SERVFAIL instead of NXDOMAIN until the three informers have synced and
// every key of their first lists was applied (CoreDNS does the same before its caches sync).
//
// Thread-safety: Start and Stop from the owner's thread; HasSynced from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "net/dns/cluster_records.h"
#include "skiff/client/informer.h"
#include "skiff/common/work_queue.h"

namespace skiff::net::dns {

class ClusterDnsSource {
 public:
  // Registers handlers on the factory's services, endpointslices and namespaces informers
  // (creating them if needed) and an index of slices by service on the endpointslices one.
  // `informers` and `records` must outlive this object. The factory's owner starts it.
  ClusterDnsSource(client::SharedInformerFactory& informers, ClusterRecords& records);
  ~ClusterDnsSource();  // Stop()
  ClusterDnsSource(const ClusterDnsSource&) = delete;
  ClusterDnsSource& operator=(const ClusterDnsSource&) = delete;

  // Starts the worker. Only the first call does anything.
  void Start();
  // Removes the handlers and joins the worker. Idempotent.
  void Stop();
  // True once the records reflect the informers' first lists.
  bool HasSynced() const;

 private:
  void Run();
  void Apply(const std::string& key);
  void EnqueueService(const client::ObjectPtr& obj);
  void EnqueueSlice(const client::ObjectPtr& obj);

  client::Informer& services_;
  client::Informer& slices_;
  client::Informer& namespaces_;
  ClusterRecords& records_;
  WorkQueue queue_;
  client::HandlerId service_handler_ = 0, slice_handler_ = 0, namespace_handler_ = 0;
  std::atomic<bool> synced_{false};
  std::atomic<bool> stopping_{false};  // tells the sync waiter to give up
  bool started_ = false;
  bool stopped_ = false;
  std::thread worker_;
  std::thread sync_waiter_;
};

}  // namespace skiff::net::dns
