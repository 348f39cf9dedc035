// The objects every cluster starts with: the default, kube-system, kube-public and
// kube-node-lease namespaces, and the `kubernetes` Service (with its Endpoints) in default that
// points at the API server. Idempotent: existing objects are left as they are.
#pragma once

#include <string>

#include "api/resources.h"
#include "skiff/cli/options.h"

namespace skiff::server {

// The node's primary address: --node-ip, else the first non-loopback IPv4 address, else
// 127.0.0.1.
std::string NodeAddress(const cli::ServerOptions& options);

Status EnsureBootstrapObjects(api::Resources& resources, const cli::ServerOptions& options);

}  // namespace skiff::server
