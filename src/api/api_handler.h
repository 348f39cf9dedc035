// The API server's request handler: health, /version, discovery, OpenAPI and every resource
// verb, answered as kube-apiserver answers them.
#pragma once

#include <memory>
#include <string>

#include "http_types.h"
#include "openapi.h"
#include "resources.h"
#include "watch.h"

namespace skiff::api {

class ApiHandler {
 public:
  // server_address: host:port advertised by /api.
  ApiHandler(Resources& resources, std::string server_address);
  ~ApiHandler();

  void Handle(HttpRequest request, std::shared_ptr<Responder> responder);

  // Paths reachable without credentials.
  static bool AllowAnonymous(const std::string& path);

 private:
  void HandleResource(const HttpRequest& request, std::shared_ptr<Responder> responder);

  Resources& resources_;
  std::string server_address_;
  WatchService watches_;
  OpenApi openapi_;
};

}  // namespace skiff::api
