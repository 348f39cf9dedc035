// The API server's request handler: health, /version, discovery, OpenAPI and every resource
// verb, answered as kube-apiserver answers them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http_types.h"
#include "openapi.h"
#include "pod_io.h"
#include "request_info.h"
#include "resources.h"
#include "watch.h"

namespace skiff::api {

// Decides whether a user may perform a request; returns the reason for a denial, or nullopt
// to allow. The seam for RBAC: until it is enforced, members of system:masters may do
// everything and nobody else may do anything.
using Authorizer =
    std::function<std::optional<std::string>(const UserInfo& user, const RequestInfo& info)>;
std::optional<std::string> MastersOnly(const UserInfo& user, const RequestInfo& info);

class ApiHandler {
 public:
  // server_address: host:port advertised by /api.
  ApiHandler(Resources& resources, std::string server_address);
  ~ApiHandler();

  void Handle(HttpRequest request, std::shared_ptr<Responder> responder);

  void SetAuthorizer(Authorizer authorizer) { authorizer_ = std::move(authorizer); }
  // The node side of pods/log (and later exec, attach); null answers 503. Not owned; set
  // before serving and outliving the handler.
  void SetPodIo(PodIo* io) { pod_io_ = io; }

  // Paths reachable without credentials.
  static bool AllowAnonymous(const std::string& path);

 private:
  void HandleResource(const HttpRequest& request, std::shared_ptr<Responder> responder);

  Resources& resources_;
  std::string server_address_;
  WatchService watches_;
  OpenApi openapi_;
  Authorizer authorizer_ = MastersOnly;
  PodIo* pod_io_ = nullptr;
};

}  // namespace skiff::api
