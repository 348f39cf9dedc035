// The in-process Client: every call goes through api::Resources, so controllers and the node
// agent get exactly the semantics (defaulting, validation, concurrency, lifecycle) a remote
// client gets over HTTPS, without the network. Thread-safe.
#pragma once

#include "api/resources.h"
#include "skiff/client/client.h"

namespace skiff::client {

// Maps an API failure to the Status the Client contract promises; the message is the API's.
Status StatusFromApiError(const api::ApiError& error);

class LocalClient : public Client {
 public:
  explicit LocalClient(api::Resources& resources) : resources_(resources) {}

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
  Result<const apis::ResourceType*> Find(const Resource& r) const;

  api::Resources& resources_;
};

}  // namespace skiff::client
