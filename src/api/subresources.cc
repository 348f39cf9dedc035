#include "subresources.h"

#include "skiff/apis/patch.h"
#include "skiff/apis/selector.h"

namespace skiff::api {
namespace {

json ScaleOf(const json& obj) {
  std::string selector;
  if (const json* sel = Find(obj, {"spec", "selector"})) {
    auto s = apis::LabelSelectorFromJson(*sel);
    if (s.ok()) selector = s->ToString();
  }
  json meta = {{"name", GetString(obj, {"metadata", "name"})},
               {"namespace", GetString(obj, {"metadata", "namespace"})},
               {"uid", GetString(obj, {"metadata", "uid"})},
               {"resourceVersion", GetString(obj, {"metadata", "resourceVersion"})},
               {"creationTimestamp", GetString(obj, {"metadata", "creationTimestamp"})}};
  const json* status_replicas = Find(obj, {"status", "replicas"});
  return {{"apiVersion", "autoscaling/v1"},
          {"kind", "Scale"},
          {"metadata", meta},
          {"spec", {{"replicas", obj["spec"].value("replicas", int64_t{1})}}},
          {"status",
           {{"replicas", status_replicas && status_replicas->is_number_integer()
                             ? status_replicas->get<int64_t>()
                             : int64_t{0}},
            {"selector", selector}}}};
}

ApiResult<json> SetReplicas(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                            const std::string& name, const json& scale) {
  const json* replicas = Find(scale, {"spec", "replicas"});
  if (!replicas || !replicas->is_number_integer()) {
    return Invalid(rt, name, {apis::FieldError::Required("spec.replicas")});
  }
  const int64_t n = replicas->get<int64_t>();
  if (n < 0) {
    return Invalid(rt, name,
                   {apis::FieldError::Invalid("spec.replicas", n,
                                              "must be greater than or equal to 0")});
  }
  const std::string precondition = GetString(scale, {"metadata", "resourceVersion"});
  auto updated = res.GuaranteedUpdate(rt, ns, name, "", [&](json obj) -> ApiResult<json> {
    if (!precondition.empty() && precondition != GetString(obj, {"metadata", "resourceVersion"})) {
      return Conflict(rt, name,
                      "the object has been modified; please apply your changes to the latest "
                      "version and try again");
    }
    obj["spec"]["replicas"] = n;
    return obj;
  });
  if (!updated.ok()) return updated.error();
  return ScaleOf(*updated);
}

}  // namespace

ApiResult<json> GetScale(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                         const std::string& name) {
  auto obj = res.Get(rt, ns, name);
  if (!obj.ok()) return obj.error();
  return ScaleOf(*obj);
}

ApiResult<json> UpdateScale(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                            const std::string& name, const json& scale) {
  return SetReplicas(res, rt, ns, name, scale);
}

ApiResult<json> PatchScale(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                           const std::string& name, const std::string& content_type,
                           const std::string& body) {
  auto type = apis::PatchTypeFromContentType(content_type);
  if (!type) {
    return ApiError{415, "UnsupportedMediaType",
                    std::string(apis::kUnsupportedPatchMediaTypeMessage), nullptr};
  }
  auto patch = apis::ParsePatchBody(*type, body);
  if (!patch.ok()) return BadRequest(patch.status().message());
  auto current = GetScale(res, rt, ns, name);
  if (!current.ok()) return current.error();
  const apis::TypeDef* scale_type = apis::BuiltinSchema().KindType("autoscaling", "v1", "Scale");
  auto patched = apis::ApplyPatch(*type, *current, *patch, scale_type);
  if (!patched.ok()) return BadRequest(patched.status().message());
  return SetReplicas(res, rt, ns, name, *patched);
}

namespace {

// PodScheduled=True, with a new lastTransitionTime when it was not True before.
void SetPodScheduled(json& pod) {
  json& conditions = pod["status"]["conditions"];
  if (!conditions.is_array()) conditions = json::array();
  for (json& c : conditions) {
    if (c.value("type", "") != "PodScheduled") continue;
    if (c.value("status", "") != "True") {
      c = {{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr},
           {"lastTransitionTime", NowRfc3339()}};
    }
    return;
  }
  conditions.push_back({{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr},
                        {"lastTransitionTime", NowRfc3339()}});
}

}  // namespace

ApiResult<json> BindPod(Resources& res, const std::string& ns, const std::string& pod_name,
                        const json& binding) {
  const apis::ResourceType& pods = *res.registry().Find("", "v1", "pods");
  const std::string node = GetString(binding, {"target", "name"});
  const std::string kind = GetString(binding, {"target", "kind"}, "Node");
  if (node.empty()) {
    return Invalid(pods, pod_name, {apis::FieldError::Required("target.name")});
  }
  if (kind != "Node") {
    return Invalid(pods, pod_name,
                   {apis::FieldError::NotSupported("target.kind", kind, {"Node"})});
  }
  apis::ResourceType binding_rt = pods;  // conflicts name "pods/binding", as Kubernetes does
  binding_rt.resource = "pods/binding";
  auto bound = res.GuaranteedUpdate(pods, ns, pod_name, "binding", [&](json pod) -> ApiResult<json> {
    if (Find(pod, {"metadata", "deletionTimestamp"})) {
      return Conflict(binding_rt, pod_name, "pod " + pod_name + " is being deleted, cannot be assigned to a host");
    }
    const std::string current = GetString(pod, {"spec", "nodeName"});
    if (!current.empty()) {
      return Conflict(binding_rt, pod_name,
                      "pod " + pod_name + " is already assigned to node \"" + current + "\"");
    }
    pod["spec"]["nodeName"] = node;
    // As kube-apiserver: the binding's annotations go onto the pod, and the pod is scheduled.
    if (const json* notes = Find(binding, {"metadata", "annotations"}); notes && notes->is_object()) {
      for (const auto& [k, v] : notes->items()) pod["metadata"]["annotations"][k] = v;
    }
    SetPodScheduled(pod);
    return pod;
  });
  if (!bound.ok()) return bound.error();
  return json{{"kind", "Status"},
              {"apiVersion", "v1"},
              {"metadata", json::object()},
              {"status", "Success"},
              {"code", 201}};
}

}  // namespace skiff::api
