#include "api_handler.h"

#include "codec.h"
#include "discovery.h"
#include "exec_request.h"
#include "exec_session.h"
#include "request_info.h"
#include "subresources.h"
#include "skiff/common/log.h"
#include "table.h"

namespace skiff::api {
namespace {

HttpResponse Text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

WriteOptions WriteOptionsFrom(const HttpRequest& r) {
  WriteOptions o;
  o.dry_run = r.Query("dryRun") == "All";
  o.field_manager = r.Query("fieldManager");
  o.field_validation = r.Query("fieldValidation");
  o.force = QueryBool(r, "force");
  o.user_agent = r.Header("user-agent");
  return o;
}

// dryRun takes "All" only (and may repeat); anything else is refused before any work.
std::optional<ApiError> CheckDryRun(const HttpRequest& r, const apis::ResourceType& rt) {
  auto [begin, end] = r.query.equal_range("dryRun");
  for (auto it = begin; it != end; ++it) {
    if (it->second != "All") {
      return Invalid(rt, "", {apis::FieldError::NotSupported("dryRun", it->second, {"All"})});
    }
  }
  return std::nullopt;
}

ListOptions ListOptionsFrom(const HttpRequest& r) {
  ListOptions o;
  o.label_selector = r.Query("labelSelector");
  o.field_selector = r.Query("fieldSelector");
  if (r.HasQuery("limit")) {
    try {
      o.limit = std::stoll(r.Query("limit"));
    } catch (...) {
      o.limit = 0;
    }
  }
  o.continue_token = r.Query("continue");
  o.resource_version = r.Query("resourceVersion");
  o.resource_version_match = r.Query("resourceVersionMatch");
  return o;
}

ApiResult<DeleteOptions> DeleteOptionsFrom(const HttpRequest& r) {
  DeleteOptions o;
  json body = json::object();
  if (!r.body.empty()) {
    auto decoded = DecodeBody(r);
    if (!decoded.ok()) return decoded.error();
    body = std::move(decoded).value();
    if (!body.is_object()) return BadRequest("DeleteOptions must be an object");
  }
  if (body.contains("gracePeriodSeconds") && body["gracePeriodSeconds"].is_number_integer()) {
    o.grace_period_seconds = body["gracePeriodSeconds"].get<int64_t>();
  }
  o.propagation_policy = body.value("propagationPolicy", "");
  if (body.contains("orphanDependents") && body["orphanDependents"].is_boolean()) {
    o.propagation_policy = body["orphanDependents"].get<bool>() ? "Orphan" : "Background";
  }
  if (body.contains("preconditions") && body["preconditions"].is_object()) {
    o.precondition_uid = body["preconditions"].value("uid", "");
    o.precondition_resource_version = body["preconditions"].value("resourceVersion", "");
  }
  if (body.contains("dryRun") && body["dryRun"].is_array()) {
    for (const json& d : body["dryRun"]) o.dry_run = o.dry_run || d == "All";
  }
  if (r.HasQuery("gracePeriodSeconds")) {
    try {
      o.grace_period_seconds = std::stoll(r.Query("gracePeriodSeconds"));
    } catch (...) {
      return BadRequest("invalid gracePeriodSeconds");
    }
  }
  if (r.HasQuery("propagationPolicy")) o.propagation_policy = r.Query("propagationPolicy");
  if (r.Query("dryRun") == "All") o.dry_run = true;
  if (!o.propagation_policy.empty() && o.propagation_policy != "Orphan" &&
      o.propagation_policy != "Background" && o.propagation_policy != "Foreground") {
    return BadRequest("propagationPolicy must be one of Orphan, Background, Foreground");
  }
  return o;
}

HttpResponse WithWarnings(HttpResponse r, const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) {
    r.headers.push_back({"Warning", "299 - " + json(w).dump()});
  }
  return r;
}

// The body of a successful DELETE: the object for kinds Kubernetes returns it for, otherwise
// a Success Status naming what went.
json DeletedBody(const apis::ResourceType& rt, const json& obj) {
  if (rt.group.empty() && (rt.resource == "pods" || rt.resource == "services")) return obj;
  json details = {{"name", GetString(obj, {"metadata", "name"})},
                  {"kind", rt.resource},
                  {"uid", GetString(obj, {"metadata", "uid"})}};
  if (!rt.group.empty()) details["group"] = rt.group;
  return {{"kind", "Status"},     {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Success"}, {"details", details}};
}

}  // namespace

std::optional<std::string> MastersOnly(const UserInfo& user, const RequestInfo&) {
  for (const std::string& g : user.groups) {
    if (g == "system:masters") return std::nullopt;
  }
  return std::string("only members of system:masters are authorized until RBAC is enforced");
}

ApiHandler::ApiHandler(Resources& resources, std::string server_address)
    : resources_(resources),
      server_address_(std::move(server_address)),
      watches_(resources),
      openapi_(resources.registry()) {}

ApiHandler::~ApiHandler() = default;

bool ApiHandler::AllowAnonymous(const std::string& path) {
  return path == "/livez" || path == "/readyz" || path == "/healthz" || path == "/version" ||
         path.rfind("/livez/", 0) == 0 || path.rfind("/readyz/", 0) == 0;
}

void ApiHandler::Handle(HttpRequest request, std::shared_ptr<Responder> responder) {
  const std::string& path = request.path;
  if (path == "/livez" || path == "/readyz" || path == "/healthz" ||
      path.rfind("/livez/", 0) == 0 || path.rfind("/readyz/", 0) == 0) {
    return responder->Send(Text(200, "ok"));
  }
  if (path == "/version") return responder->Send(JsonResponse(200, VersionInfo()));
  if (path == "/api" || path == "/api/") {
    return responder->Send(JsonResponse(200, CoreVersions(server_address_)));
  }
  if (path == "/apis" || path == "/apis/") {
    return responder->Send(JsonResponse(200, GroupList(resources_.registry())));
  }
  if (path == "/openapi/v3" || path == "/openapi/v3/") {
    return responder->Send(HttpResponse{200, "application/json", openapi_.Index(), {}});
  }
  if (path.rfind("/openapi/v3/", 0) == 0) {
    if (const std::string* doc = openapi_.GroupVersion(path.substr(12))) {
      return responder->Send(HttpResponse{200, "application/json", *doc, {}});
    }
  }
  if (path == "/openapi/v2" && request.method == "GET") {
    return responder->Send(ServeOpenApiV2(openapi_, request));
  }
  RequestInfo info = ParseRequestInfo(request);
  if (request.authenticated && authorizer_) {
    if (auto denied = authorizer_(request.user, info)) {
      std::string what = info.is_resource
                             ? "resource \"" + info.resource + "\" in API group \"" + info.group +
                                   "\"" + (info.ns.empty() ? "" : " in the namespace \"" + info.ns + "\"")
                             : "path \"" + request.path + "\"";
      return responder->Send(ErrorResponse(Forbidden("User \"" + request.user.name +
                                                     "\" cannot " + info.verb + " " + what + ": " +
                                                     *denied)));
    }
  }
  if (info.is_resource) return HandleResource(request, std::move(responder));
  if (!info.version.empty() && info.resource.empty()) {
    json list = ResourceList(resources_.registry(), info.group, info.version);
    if (!list.is_null()) return responder->Send(JsonResponse(200, list));
  }
  if (path.rfind("/apis/", 0) == 0 && info.version.empty()) {
    json group = Group(resources_.registry(), path.substr(6));
    if (!group.is_null()) return responder->Send(JsonResponse(200, group));
  }
  responder->Send(ErrorResponse(PageNotFound(path)));
}

void ApiHandler::HandleResource(const HttpRequest& request, std::shared_ptr<Responder> responder) {
  RequestInfo info = ParseRequestInfo(request);
  const apis::ResourceType* rtp =
      resources_.registry().Find(info.group, info.version, info.resource);
  if (!rtp) return responder->Send(ErrorResponse(PageNotFound(request.path)));
  const apis::ResourceType& rt = *rtp;
  if (rt.namespaced != !info.ns.empty() && !(rt.namespaced && info.name.empty() &&
                                             (info.verb == "list" || info.verb == "watch"))) {
    // Namespaced kinds live under /namespaces/{ns}/ (lists may span all namespaces);
    // cluster-scoped kinds never do.
    return responder->Send(ErrorResponse(PageNotFound(request.path)));
  }
  std::vector<std::string> warnings;
  auto send = [&](ApiResult<json> r, int ok_code) {
    if (!r.ok()) return responder->Send(ErrorResponse(r.error()));
    responder->Send(WithWarnings(JsonResponse(ok_code, *r), warnings));
  };
  const std::string& sub = info.subresource;
  if (!sub.empty() && !rt.HasSubresource(sub)) {
    return responder->Send(ErrorResponse(PageNotFound(request.path)));
  }
  if (sub == "log" && info.verb == "get" && pod_io_) {
    auto log_request = ParsePodLogRequest(resources_, info.ns, info.name, request);
    if (!log_request.ok()) return responder->Send(ErrorResponse(log_request.error()));
    return pod_io_->StreamLog(*log_request, std::move(responder));
  }
  if ((sub == "exec" || sub == "attach") && (request.method == "GET" || request.method == "POST")) {
    auto exec = ParsePodExecRequest(resources_, info.ns, info.name, request, sub == "attach");
    if (!exec.ok()) return responder->Send(ErrorResponse(exec.error()));
    return ServeExec(pod_io_, std::move(exec).value(), request, std::move(responder));
  }
  if (sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward") {
    return responder->Send(ErrorResponse(ServiceUnavailable(
        "pods/" + sub + " is served by the node agent, which is " + (pod_io_ ? "not able to serve it yet" : "not running on this server"))));
  }
  if (sub == "scale") {
    if (info.verb == "get") return send(GetScale(resources_, rt, info.ns, info.name), 200);
    if (info.verb == "patch") {
      return send(PatchScale(resources_, rt, info.ns, info.name, request.Header("content-type"),
                             request.body),
                  200);
    }
    if (info.verb == "update") {
      auto body = DecodeBody(request);
      if (!body.ok()) return responder->Send(ErrorResponse(body.error()));
      return send(UpdateScale(resources_, rt, info.ns, info.name, *body), 200);
    }
  }
  if (sub == "binding" && info.verb == "create") {
    auto body = DecodeBody(request);
    if (!body.ok()) return responder->Send(ErrorResponse(body.error()));
    return send(BindPod(resources_, info.ns, info.name, *body), 201);
  }
  if (rt.resource == "bindings" && info.verb == "create") {
    auto body = DecodeBody(request);
    if (!body.ok()) return responder->Send(ErrorResponse(body.error()));
    return send(BindPod(resources_, info.ns, GetString(*body, {"metadata", "name"}), *body), 201);
  }
  if (!sub.empty() && sub != "status" && sub != "finalize") {
    return responder->Send(ErrorResponse(MethodNotAllowed(
        "the subresource " + rt.resource + "/" + sub + " is not supported yet")));
  }

  const std::string& verb = info.verb;
  if (verb != "get" && verb != "list" && verb != "watch") {
    if (auto bad = CheckDryRun(request, rt)) return responder->Send(ErrorResponse(*bad));
  }
  if (verb == "get") {
    auto r = resources_.Get(rt, info.ns, info.name);
    if (r.ok() && WantsTable(request)) {
      json meta = {{"resourceVersion", GetString(*r, {"metadata", "resourceVersion"})}};
      return responder->Send(JsonResponse(200, ToTable(rt, json::array({*r}), meta)));
    }
    return send(std::move(r), 200);
  }
  if (verb == "list") {
    auto r = resources_.List(rt, info.ns, ListOptionsFrom(request));
    if (r.ok() && WantsTable(request)) {
      return responder->Send(JsonResponse(200, ToTable(rt, (*r)["items"], (*r)["metadata"])));
    }
    return send(std::move(r), 200);
  }
  if (verb == "watch") return watches_.Serve(rt, info.ns, request, std::move(responder));
  if (verb == "create") {
    auto body = DecodeBody(request);
    if (!body.ok()) return responder->Send(ErrorResponse(body.error()));
    return send(resources_.Create(rt, info.ns, std::move(body).value(), WriteOptionsFrom(request),
                                  &warnings),
                201);
  }
  if (verb == "update") {
    auto body = DecodeBody(request);
    if (!body.ok()) return responder->Send(ErrorResponse(body.error()));
    return send(resources_.Update(rt, info.ns, info.name, std::move(body).value(), sub,
                                  WriteOptionsFrom(request), &warnings),
                200);
  }
  if (verb == "patch") {
    return send(resources_.Patch(rt, info.ns, info.name, request.Header("content-type"),
                                 request.body, sub, WriteOptionsFrom(request), &warnings),
                200);
  }
  if (verb == "delete" || verb == "deletecollection") {
    auto options = DeleteOptionsFrom(request);
    if (!options.ok()) return responder->Send(ErrorResponse(options.error()));
    if (verb == "deletecollection") {
      return send(resources_.DeleteCollection(rt, info.ns, ListOptionsFrom(request), *options),
                  200);
    }
    auto r = resources_.Delete(rt, info.ns, info.name, *options);
    if (!r.ok()) return responder->Send(ErrorResponse(r.error()));
    // Still there (grace period, finalizers): 202 with the object; gone: 200.
    if (Find(*r, {"metadata", "deletionTimestamp"}) && !options->dry_run) {
      auto still = resources_.Get(rt, info.ns, info.name);
      if (still.ok()) return responder->Send(JsonResponse(202, *still));
    }
    return responder->Send(JsonResponse(200, DeletedBody(rt, *r)));
  }
  responder->Send(ErrorResponse(MethodNotAllowed("the server does not allow this method on the "
                                                 "requested resource")));
}

}  // namespace skiff::api
