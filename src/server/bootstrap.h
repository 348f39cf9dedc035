// The objects every cluster starts with: the default, kube-system, kube-public and
// kube-node-lease namespaces, the system PriorityClasses, the default StorageClass local-path
// (DefaultLocalPathStorageClass), the `kubernetes` Service (with its Endpoints and
// EndpointSlice) in default that points at the API server, and, where the node agent runs,
// the `kube-dns` Service in kube-system at --cluster-dns whose endpoint is the embedded DNS
// server on the pod bridge's gateway. Idempotent: existing objects are left as they are (an
// operator's changes to local-path stay; a deleted one comes back at the next start, as k3s's).
#pragma once

#include <string>

#include "api/resources.h"
#include "skiff/cli/options.h"

namespace skiff::server {

// The node's primary address: --node-ip, else the first non-loopback IPv4 address, else
// 127.0.0.1.
std::string NodeAddress(const cli::ServerOptions& options);

// This node's pod range: the first /24 (IPv6: /64) of the cluster CIDR.
std::string FirstNodeCidr(const std::string& cluster_cidr);

// Where the cluster DNS listens: the first address of this node's pod range (the bridge's
// gateway), "" when the cluster CIDR does not parse.
std::string ClusterDnsListenAddress(const cli::ServerOptions& options);

// The StorageClass local-path: provisioner skiff.io/local-path, reclaimPolicy Delete,
// volumeBindingMode WaitForFirstConsumer, allowVolumeExpansion true, annotated
// storageclass.kubernetes.io/is-default-class "true".
api::json DefaultLocalPathStorageClass();

Status EnsureBootstrapObjects(api::Resources& resources, const cli::ServerOptions& options);
Status EnsureClusterDnsService(api::Resources& resources, const cli::ServerOptions& options);

}  // namespace skiff::server
