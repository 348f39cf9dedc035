// The network actions of container probes and lifecycle hooks, as kubelet runs them: an HTTP
// GET (success: a status from 200 to 399, redirects followed), a TCP connect and a gRPC health
// check (grpc.health.v1.Health/Check over plaintext HTTP/2), each bounded by a timeout. Failure messages use kubelet's wording ("HTTP probe failed with statuscode:
// 500", Go's "dial tcp 10.42.0.5:8080: connect: connection refused"). Thread-safe: every
// call is independent.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pod_record.h"

namespace skiff::node {

struct ProbeOutcome {
  bool success = false;
  std::string message;  // why it failed (or a warning), "" on a plain success
  int http_status = 0;  // the HTTP status an httpGet got (0: no answer)
};

struct HttpGetAction {
  std::string scheme = "HTTP";  // HTTP or HTTPS (certificates are not verified, as kubelet)
  std::string host;             // an IP address or name
  int port = 0;
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // "Host" here sets the Host header
};

// Runs argv in a running container within the timeout (exec probes and lifecycle hooks):
// success when it exits 0; the message is its output, or `command "..." timed out`.
using ContainerExec = std::function<ProbeOutcome(const PodRecord& record, const ContainerRecord& c,
                                                 const std::vector<std::string>& argv,
                                                 std::chrono::milliseconds timeout)>;

// Kubernetes' probes identify themselves so (kube-probe/<major>.<minor>).
inline constexpr char kProbeUserAgent[] = "kube-probe/1.32";

// "host:port", "[v6]:port".
std::string ProbeHostPort(const std::string& host, int port);

ProbeOutcome RunHttpGet(const HttpGetAction& action, std::chrono::milliseconds timeout);
ProbeOutcome RunTcpConnect(const std::string& host, int port, std::chrono::milliseconds timeout);
// A gRPC probe: Check(service) on host:port. Success only on an OK answer with status
// SERVING. Messages are kubelet's: `service unhealthy (responded with "NOT_SERVING")`,
// `timeout: failed to connect service "10.42.0.5:9090" within 1s: context deadline
// exceeded`, `error: this server does not implement the grpc health protocol
// (grpc.health.v1.Health): ...`, `error: health rpc probe failed: rpc error: code = NotFound
// desc = unknown service`, `timeout: health rpc did not complete within 1s`.
ProbeOutcome RunGrpcHealthCheck(const std::string& host, int port, const std::string& service,
                                std::chrono::milliseconds timeout);

// A probe's or hook's port: a number, or the name of one of the container's ports.
// nullopt when the name matches no port (or the number is out of range).
std::optional<int> ResolvePort(const nlohmann::json& port, const nlohmann::json& container);

// The HttpGetAction of a probe's or hook's httpGet object; `default_host` when it has none.
// nullopt (with *error set) when its port cannot be resolved.
std::optional<HttpGetAction> HttpGetFrom(const nlohmann::json& http_get,
                                         const nlohmann::json& container,
                                         const std::string& default_host, std::string* error);

}  // namespace skiff::node
