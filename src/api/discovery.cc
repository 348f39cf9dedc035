#include "discovery.h"

#include "skiff/cli/version.h"

namespace skiff::api {
namespace {

using nlohmann::json;

json GroupJson(const apis::GroupVersions& g) {
  json versions = json::array();
  for (const std::string& v : g.versions) {
    versions.push_back({{"groupVersion", g.group + "/" + v}, {"version", v}});
  }
  return {{"name", g.group}, {"versions", versions}, {"preferredVersion", versions[0]}};
}

// The kinds and verbs of the subresources, as kube-apiserver lists them.
json Subresource(const apis::ResourceType& rt, const std::string& sub) {
  json r = {{"name", rt.resource + "/" + sub},
            {"singularName", ""},
            {"namespaced", rt.namespaced},
            {"kind", rt.kind}};
  if (sub == "status") {
    r["verbs"] = {"get", "patch", "update"};
  } else if (sub == "scale") {
    r["group"] = "autoscaling";
    r["version"] = "v1";
    r["kind"] = "Scale";
    r["verbs"] = {"get", "patch", "update"};
  } else if (sub == "log") {
    r["verbs"] = {"get"};
  } else if (sub == "exec" || sub == "attach" || sub == "portforward") {
    r["kind"] = sub == "exec" ? "PodExecOptions"
                              : (sub == "attach" ? "PodAttachOptions" : "PodPortForwardOptions");
    r["verbs"] = {"create", "get"};
  } else if (sub == "binding") {
    r["kind"] = "Binding";
    r["verbs"] = {"create"};
  } else if (sub == "eviction") {
    r["group"] = "policy";
    r["version"] = "v1";
    r["kind"] = "Eviction";
    r["verbs"] = {"create"};
  } else if (sub == "finalize") {
    r["verbs"] = {"update"};
  } else if (sub == "token") {
    r["group"] = "authentication.k8s.io";
    r["version"] = "v1";
    r["kind"] = "TokenRequest";
    r["verbs"] = {"create"};
  } else if (sub == "ephemeralcontainers") {
    r["verbs"] = {"get", "patch", "update"};
  } else {
    r["verbs"] = {"get"};
  }
  return r;
}

}  // namespace

json CoreVersions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

json GroupList(const apis::Registry& registry) {
  json groups = json::array();
  for (const apis::GroupVersions& g : registry.groups()) {
    if (g.group.empty()) continue;
    groups.push_back(GroupJson(g));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

json Group(const apis::Registry& registry, const std::string& group) {
  for (const apis::GroupVersions& g : registry.groups()) {
    if (!g.group.empty() && g.group == group) {
      json j = GroupJson(g);
      j["kind"] = "APIGroup";
      j["apiVersion"] = "v1";
      return j;
    }
  }
  return nullptr;
}

json ResourceList(const apis::Registry& registry, const std::string& group,
                  const std::string& version) {
  auto types = registry.InGroupVersion(group, version);
  if (types.empty()) return nullptr;
  json resources = json::array();
  for (const apis::ResourceType* rt : types) {
    json r = {{"name", rt->resource},
              {"singularName", rt->singular},
              {"namespaced", rt->namespaced},
              {"kind", rt->kind},
              {"verbs", rt->verbs}};
    if (!rt->short_names.empty()) r["shortNames"] = rt->short_names;
    if (!rt->categories.empty()) r["categories"] = rt->categories;
    resources.push_back(std::move(r));
    for (const std::string& sub : rt->subresources) resources.push_back(Subresource(*rt, sub));
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version},
          {"resources", resources}};
}

json VersionInfo() {
  return {{"major", std::string(cli::KubernetesMajor())},
          {"minor", std::string(cli::KubernetesMinor())},
          {"gitVersion", "v" + std::string(cli::kKubernetesVersion) + "+skiff"},
          {"gitCommit", std::string(cli::SkiffVersion())},
          {"gitTreeState", "clean"},
          {"buildDate", "1970-01-01T00:00:00Z"},
          {"goVersion", "none (skiff is C++)"},
          {"compiler", "gcc"},
          {"platform", "linux/amd64"}};
}

}  // namespace skiff::api
