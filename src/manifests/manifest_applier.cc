#include "manifests/manifest_applier.h"

#include <algorithm>
#include <tuple>

#include "skiff/apis/registry.h"

namespace skiff::manifests {
namespace {

using nlohmann::json;

// The resource of an apiVersion and kind, or nullptr.
const apis::ResourceType* TypeOf(const std::string& api_version, const std::string& kind) {
  const size_t slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  return apis::Registry::Builtin().FindKind(group, version, kind);
}

client::Resource ResourceOf(const apis::ResourceType& t) { return {t.group, t.version, t.resource}; }

AppliedRef RefOf(const json& obj, const apis::ResourceType* type) {
  AppliedRef r;
  r.api_version = obj.value("apiVersion", "");
  r.kind = obj.value("kind", "");
  r.name = obj["metadata"].value("name", "");
  if (type && type->namespaced) {
    r.ns = obj["metadata"].value("namespace", "");
    if (r.ns.empty()) r.ns = "default";
  }
  return r;
}

}  // namespace

std::string AppliedRef::ToString() const { return kind + " " + (ns.empty() ? name : ns + "/" + name); }

json AppliedRef::ToJson() const {
  json j = {{"apiVersion", api_version}, {"kind", kind}, {"name", name}};
  if (!ns.empty()) j["namespace"] = ns;
  return j;
}

AppliedRef AppliedRef::FromJson(const json& j) {
  return {j.value("apiVersion", ""), j.value("kind", ""), j.value("namespace", ""),
          j.value("name", "")};
}

bool AppliedRef::operator<(const AppliedRef& o) const {
  return std::tie(api_version, kind, ns, name) < std::tie(o.api_version, o.kind, o.ns, o.name);
}

bool AppliedRef::operator==(const AppliedRef& o) const {
  return std::tie(api_version, kind, ns, name) == std::tie(o.api_version, o.kind, o.ns, o.name);
}

std::string ManifestApplier::FieldManager(const std::string& file_name) {
  // Field managers are at most 128 characters.
  return ("skiff-manifest:" + file_name).substr(0, 128);
}

ApplyOutcome ManifestApplier::Apply(const std::string& file_name,
                                    const std::vector<ManifestObject>& objects,
                                    const std::vector<AppliedRef>& previous) {
  ApplyOutcome out;
  // Namespaces first, then the rest in file order.
  std::vector<const ManifestObject*> order;
  for (const ManifestObject& o : objects) {
    if (o.object.value("kind", "") == "Namespace") order.push_back(&o);
  }
  for (const ManifestObject& o : objects) {
    if (o.object.value("kind", "") != "Namespace") order.push_back(&o);
  }
  for (const ManifestObject* o : order) {
    const json& obj = o->object;
    const apis::ResourceType* type = TypeOf(obj.value("apiVersion", ""), obj.value("kind", ""));
    AppliedRef ref = RefOf(obj, type);
    if (!type) {
      out.failures.push_back({o->document, o->line, ref.ToString(),
                              "no kind \"" + ref.kind + "\" is registered for version \"" +
                                  ref.api_version + "\"",
                              false});
      continue;
    }
    json body = obj;
    if (type->namespaced) {
      body["metadata"]["namespace"] = ref.ns;
    } else {
      body["metadata"].erase("namespace");
    }
    auto applied = client_.Apply(ResourceOf(*type), ref.ns, body, FieldManager(file_name), true);
    if (!applied.ok()) {
      // A namespace that does not exist yet (another file makes it) is worth another try.
      const bool retry = applied.status().code() == Code::kNotFound ||
                         applied.status().code() == Code::kUnavailable ||
                         applied.status().code() == Code::kConflict;
      out.failures.push_back({o->document, o->line, ref.ToString(),
                              std::string(applied.status().message()), retry});
      continue;
    }
    out.applied.push_back(ref);
  }
  std::sort(out.applied.begin(), out.applied.end());
  out.applied.erase(std::unique(out.applied.begin(), out.applied.end()), out.applied.end());
  if (!out.failures.empty()) return out;
  std::vector<AppliedRef> gone;
  for (const AppliedRef& r : previous) {
    if (!std::binary_search(out.applied.begin(), out.applied.end(), r)) gone.push_back(r);
  }
  std::vector<AppliedRef> kept;
  for (auto& [ref, why] : Delete(gone)) {
    out.delete_errors.push_back(ref.ToString() + ": " + why);
    kept.push_back(ref);
  }
  for (const AppliedRef& r : gone) {
    if (std::find(kept.begin(), kept.end(), r) == kept.end()) out.deleted.push_back(r);
  }
  return out;
}

std::vector<std::pair<AppliedRef, std::string>> ManifestApplier::Delete(
    const std::vector<AppliedRef>& objects) {
  std::vector<std::pair<AppliedRef, std::string>> failed;
  // The other objects before the namespaces that hold them.
  std::vector<const AppliedRef*> order;
  for (const AppliedRef& r : objects) {
    if (r.kind != "Namespace") order.push_back(&r);
  }
  for (const AppliedRef& r : objects) {
    if (r.kind == "Namespace") order.push_back(&r);
  }
  for (const AppliedRef* r : order) {
    const apis::ResourceType* type = TypeOf(r->api_version, r->kind);
    if (!type) {
      failed.emplace_back(*r, "the kind is no longer served");
      continue;
    }
    client::Client::DeleteOptions options;
    options.propagation_policy = "Background";
    Status s = client_.Delete(ResourceOf(*type), r->ns, r->name, options);
    if (!s.ok() && s.code() != Code::kNotFound) failed.emplace_back(*r, std::string(s.message()));
  }
  return failed;
}

}  // namespace skiff::manifests
