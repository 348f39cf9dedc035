#include "client/remote_client.h"

#include "client/api_paths.h"
#include "client/api_status.h"
#include "client/https_transport.h"
#include "client/level_subscription.h"
#include "client/watch_stream.h"

namespace skiff::client {
namespace {

constexpr char kMergePatch[] = "application/merge-patch+json";

// JSON text of a request body; kInvalidArgument for what JSON cannot carry (invalid UTF-8).
Result<std::string> Dump(const json& obj) {
  try {
    return obj.dump();
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("the object cannot be sent as JSON: ") + e.what());
  }
}

// One request whose 2xx answer is a JSON document.
Result<json> Call(HttpsTransport& t, const HttpRequest& request) {
  auto response = t.Do(request);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) {
    return StatusFromHttpResponse(response->status, response->body);
  }
  json doc = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InternalError(request.method + " " + request.target + ": the response is not JSON");
  }
  return doc;
}

Result<json> CallWithBody(HttpsTransport& t, std::string method, std::string target,
                          const json& body, std::string content_type = "") {
  auto text = Dump(body);
  if (!text.ok()) return text.status();
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(text).value();
  request.content_type = std::move(content_type);
  return Call(t, request);
}

// The collection's current resourceVersion, from a list of at most one item.
Result<std::string> CurrentResourceVersion(HttpsTransport& t, const Resource& r,
                                           const std::string& ns) {
  HttpRequest request;
  request.target = ResourcePath(r, ns) + "?limit=1";
  auto list = Call(t, request);
  if (!list.ok()) return list.status();
  auto meta = list->find("metadata");
  if (meta != list->end() && meta->is_object()) {
    auto rv = meta->find("resourceVersion");
    if (rv != meta->end() && rv->is_string() && !rv->get_ref<const std::string&>().empty()) {
      return rv->get<std::string>();
    }
  }
  return InternalError("GET " + request.target + ": the list has no resourceVersion");
}

Result<std::unique_ptr<Subscription>> StartWatch(
    const std::shared_ptr<HttpsTransport>& t, const Resource& r, const std::string& ns,
    const std::string& resource_version, std::function<void(std::vector<WatchEvent>&)> events,
    std::function<void(Status)> closed) {
  std::string rv = resource_version;
  if (rv.empty()) {
    auto now = CurrentResourceVersion(*t, r, ns);
    if (!now.ok()) return now.status();
    rv = std::move(now).value();
  }
  HttpRequest request;
  request.target =
      ResourcePath(r, ns) +
      QueryString({{"watch", "true"}, {"resourceVersion", rv}, {"allowWatchBookmarks", "true"}});
  return StartWatchStream(t, request, std::move(events), std::move(closed));
}

}  // namespace

Result<std::unique_ptr<RemoteClient>> RemoteClient::Create(RemoteClientConfig config) {
  if (Status s = ValidateRemoteClientConfig(config); !s.ok()) return s;
  return std::unique_ptr<RemoteClient>(
      new RemoteClient(std::make_shared<HttpsTransport>(std::move(config))));
}

RemoteClient::RemoteClient(std::shared_ptr<HttpsTransport> transport)
    : transport_(std::move(transport)) {}

RemoteClient::~RemoteClient() = default;

Result<json> RemoteClient::Get(const Resource& r, const std::string& ns, const std::string& name) {
  if (name.empty()) return InvalidArgumentError("resource name may not be empty");
  HttpRequest request;
  request.target = ResourcePath(r, ns, name);
  return Call(*transport_, request);
}

Result<json> RemoteClient::List(const Resource& r, const std::string& ns, const Selectors& s) {
  HttpRequest request;
  request.target =
      ResourcePath(r, ns) + QueryString({{"labelSelector", s.labels}, {"fieldSelector", s.fields}});
  return Call(*transport_, request);
}

Result<json> RemoteClient::Create(const Resource& r, const std::string& ns, const json& obj) {
  return CallWithBody(*transport_, "POST", ResourcePath(r, ns), obj);
}

Result<json> RemoteClient::Update(const Resource& r, const std::string& ns, const json& obj,
                                  const std::string& subresource) {
  std::string name;
  if (auto meta = obj.find("metadata"); meta != obj.end() && meta->is_object()) {
    name = meta->value("name", std::string());
  }
  if (name.empty()) return InvalidArgumentError("metadata.name: Required value: name is required");
  return CallWithBody(*transport_, "PUT", ResourcePath(r, ns, name, subresource), obj);
}

Result<json> RemoteClient::Apply(const Resource& r, const std::string& ns, const json& obj,
                                 const std::string& field_manager, bool force) {
  const std::string name =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"].value("name", "")
                                                              : "";
  if (name.empty()) return InvalidArgumentError("an applied object needs metadata.name");
  // JSON is YAML: the apply patch goes as it is.
  return CallWithBody(*transport_, "PATCH",
                      ResourcePath(r, ns, name) + "?fieldValidation=Strict&fieldManager=" +
                          PercentEncode(field_manager) + (force ? "&force=true" : ""),
                      obj, "application/apply-patch+yaml");
}

Result<json> RemoteClient::MergePatch(const Resource& r, const std::string& ns,
                                      const std::string& name, const json& patch,
                                      const std::string& subresource) {
  if (name.empty()) return InvalidArgumentError("resource name may not be empty");
  return CallWithBody(*transport_, "PATCH", ResourcePath(r, ns, name, subresource), patch,
                      kMergePatch);
}

Result<json> RemoteClient::CreateSubresource(const Resource& r, const std::string& ns,
                                             const std::string& name,
                                             const std::string& subresource, const json& obj) {
  if (name.empty() || subresource.empty()) {
    return InvalidArgumentError("a subresource POST needs a name and a subresource");
  }
  return CallWithBody(*transport_, "POST", ResourcePath(r, ns, name, subresource), obj);
}

Status RemoteClient::Delete(const Resource& r, const std::string& ns, const std::string& name,
                            const DeleteOptions& options) {
  if (name.empty()) return InvalidArgumentError("resource name may not be empty");
  json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.precondition_uid.empty()) {
    body["preconditions"] = {{"uid", options.precondition_uid}};
  }
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  auto result = CallWithBody(*transport_, "DELETE", ResourcePath(r, ns, name), body);
  return result.ok() ? Status::Ok() : result.status();
}

Result<std::unique_ptr<Subscription>> RemoteClient::Subscribe(const Resource& r,
                                                              const std::string& ns,
                                                              std::function<void()> changed) {
  auto first = CurrentResourceVersion(*transport_, r, ns);
  if (!first.ok()) return first.status();
  LevelSubscriptionDeps deps;
  // The subscription may outlive this client: it holds the transport, not `this`.
  deps.current_resource_version = [t = transport_, r, ns] {
    return CurrentResourceVersion(*t, r, ns);
  };
  deps.watch = [t = transport_, r, ns](const std::string& rv,
                                       std::function<void(std::vector<WatchEvent>&)> events,
                                       std::function<void(Status)> closed) {
    return StartWatch(t, r, ns, rv, std::move(events), std::move(closed));
  };
  deps.initial_backoff = transport_->config().resubscribe_initial_backoff;
  deps.max_backoff = transport_->config().resubscribe_max_backoff;
  return StartLevelSubscription(std::move(deps), std::move(first).value(), std::move(changed));
}

Result<std::unique_ptr<Subscription>> RemoteClient::Watch(
    const Resource& r, const std::string& ns, const std::string& resource_version,
    std::function<void(std::vector<WatchEvent>&)> events, std::function<void(Status)> closed) {
  return StartWatch(transport_, r, ns, resource_version, std::move(events), std::move(closed));
}

}  // namespace skiff::client
