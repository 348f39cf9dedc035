#include "controllers/gc_resources.h"

#include <algorithm>
#include <set>
#include <utility>

namespace skiff::controllers {

using nlohmann::json;

namespace {

// Kubernetes' garbagecollector.DefaultIgnoredResources().
bool Ignored(const apis::ResourceType& t) {
  return t.resource == "events" && (t.group.empty() || t.group == "events.k8s.io");
}

bool Followable(const apis::ResourceType& t) {
  return t.HasVerb("get") && t.HasVerb("list") && t.HasVerb("watch") && t.HasVerb("delete");
}

}  // namespace

std::vector<GcResource> GarbageCollectedResources(const apis::Registry& registry) {
  std::vector<GcResource> out;
  std::set<std::pair<std::string, std::string>> seen;  // group, resource
  // Preferred versions first, so the first version met for a group/resource is the one kept.
  for (const apis::GroupVersions& gv : registry.groups()) {
    for (const std::string& version : gv.versions) {
      for (const apis::ResourceType* t : registry.InGroupVersion(gv.group, version)) {
        if (Ignored(*t) || !Followable(*t)) continue;
        if (!seen.insert({t->group, t->resource}).second) continue;
        out.push_back(
            {{t->group, t->version, t->resource}, t->kind, t->api_version(), t->namespaced});
      }
    }
  }
  // Back into the registry's order (stable and easy to read in logs).
  auto position = [&](const GcResource& r) {
    const auto& all = registry.all();
    return std::find_if(all.begin(), all.end(),
                        [&](const apis::ResourceType& t) {
                          return t.group == r.resource.group && t.version == r.resource.version &&
                                 t.resource == r.resource.resource;
                        }) -
           all.begin();
  };
  std::stable_sort(out.begin(), out.end(), [&](const GcResource& a, const GcResource& b) {
    return position(a) < position(b);
  });
  return out;
}

GcResourceMap::GcResourceMap(std::vector<GcResource> resources)
    : resources_(std::move(resources)) {}

const GcResource* GcResourceMap::Find(const std::string& api_version,
                                      const std::string& kind) const {
  const std::string group = GroupOf(api_version);
  for (const GcResource& r : resources_) {
    if (r.kind == kind && r.resource.group == group) return &r;
  }
  return nullptr;
}

std::string GroupOf(const std::string& api_version) {
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? std::string() : api_version.substr(0, slash);
}

void KeepGcMetadata(json& obj) {
  if (!obj.is_object()) return;
  json out = json::object();
  for (const char* field : {"apiVersion", "kind"}) {
    auto it = obj.find(field);
    if (it != obj.end()) out[field] = std::move(*it);
  }
  auto meta = obj.find("metadata");
  if (meta != obj.end() && meta->is_object()) {
    json kept = json::object();
    for (const char* field : {"uid", "name", "namespace", "ownerReferences", "finalizers",
                              "deletionTimestamp", "resourceVersion"}) {
      auto it = meta->find(field);
      if (it != meta->end()) kept[field] = std::move(*it);
    }
    out["metadata"] = std::move(kept);
  }
  obj = std::move(out);
}

}  // namespace skiff::controllers
