// The Client over HTTPS: what `skiff agent` on another machine uses to reach a skiff (or any
// Kubernetes) API server, so informers, controllers and the node agent run unchanged there.
//
// Requests: the Kubernetes REST paths (api_paths.h) with JSON bodies; Update is a PUT (of the
// object or its "status"), MergePatch a PATCH with application/merge-patch+json, Delete a
// DELETE with a v1 DeleteOptions body, CreateSubresource a POST to {name}/{subresource}
// (whichever subresources the server takes: pods/binding; others get the server's answer).
// A namespace "" leaves the namespaces part out of the path: cluster-scoped resources, or every
// namespace of a namespaced resource (List, Watch, Subscribe).
//
// Errors: the server's Status mapped as client/api_status.h says (the codes LocalClient gives
// for the same API errors; 401 and 403 are kInternal, as in LocalClient), its message kept;
// transport failures (server down, connection refused or broken, TLS verification failure,
// timeouts) are kUnavailable.
//
// Watch: a streaming GET (watch=true, allowWatchBookmarks=true) on a thread of its own per
// watch; a `resource_version` of "" first reads the current one (a List with limit=1). Watch
// returns once the server has answered: an HTTP error (unknown resource, malformed
// resourceVersion) is Watch's own error. A resource_version that is already compacted is NOT
// an error of Watch(): the server answers 200 with an ERROR event (410), so Watch returns OK
// and `closed(kGone)` follows at once. Bookmarks are not delivered. See watch_stream.h.
//
// Subscribe: lists (limit=1) before returning (its errors are Subscribe's), then a
// level-triggered loop of watches as level_subscription.h says.
//
// Thread-safe: any number of threads may call it at once. Connections are kept alive and
// reused. Subscriptions hold what they need, so they may outlive the client (each should still
// be destroyed to stop its thread).
#pragma once

#include <memory>

#include "client/remote_client_config.h"
#include "skiff/client/client.h"

namespace skiff::client {

class HttpsTransport;

class RemoteClient : public Client {
 public:
  // kInvalidArgument when `config` fails ValidateRemoteClientConfig. Nothing is sent yet.
  static Result<std::unique_ptr<RemoteClient>> Create(RemoteClientConfig config);
  ~RemoteClient() override;

  Result<json> Get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<json> List(const Resource& r, const std::string& ns, const Selectors& s) override;
  Result<json> Create(const Resource& r, const std::string& ns, const json& obj) override;
  Result<json> Update(const Resource& r, const std::string& ns, const json& obj,
                      const std::string& subresource) override;
  Result<json> MergePatch(const Resource& r, const std::string& ns, const std::string& name,
                          const json& patch, const std::string& subresource) override;
  Result<json> Apply(const Resource& r, const std::string& ns, const json& obj,
                     const std::string& field_manager, bool force) override;
  Result<json> CreateSubresource(const Resource& r, const std::string& ns, const std::string& name,
                                 const std::string& subresource, const json& obj) override;
  Status Delete(const Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& options) override;
  Result<std::unique_ptr<Subscription>> Subscribe(const Resource& r, const std::string& ns,
                                                  std::function<void()> changed) override;
  Result<std::unique_ptr<Subscription>> Watch(const Resource& r, const std::string& ns,
                                              const std::string& resource_version,
                                              std::function<void(std::vector<WatchEvent>&)> events,
                                              std::function<void(Status)> closed) override;

 private:
  explicit RemoteClient(std::shared_ptr<HttpsTransport> transport);

  std::shared_ptr<HttpsTransport> transport_;
};

}  // namespace skiff::client
