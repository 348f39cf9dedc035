#include "openapi_builder.h"

#include <cctype>
#include <string_view>
#include <vector>

namespace skiff::api::openapi {
namespace {

using nlohmann::json;

// Query parameters. All but dryRun and fieldValidation are shared by reference; those two are
// spelled out in each operation, as kube-apiserver does.
struct ParamDef {
  const char* name;
  const char* type;
  const char* description;
};
constexpr ParamDef kParams[] = {
    {"allowWatchBookmarks", "boolean",
     "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."},
    {"continue", "string",
     "The continue option should be set when retrieving more results from the server."},
    {"dryRun", "string",
     "When present, indicates that modifications should not be persisted. Valid values are: - "
     "All: all dry run stages will be processed"},
    {"fieldManager", "string",
     "fieldManager is a name associated with the actor or entity that is making these changes."},
    {"fieldSelector", "string",
     "A selector to restrict the list of returned objects by their fields."},
    {"fieldValidation", "string",
     "fieldValidation instructs the server on how to handle objects in the request "
     "(POST/PUT/PATCH) containing unknown or duplicate fields: Ignore, Warn or Strict."},
    {"force", "boolean",
     "Force is going to \"force\" Apply requests. It must be unset for non-apply patches."},
    {"gracePeriodSeconds", "integer",
     "The duration in seconds before the object should be deleted."},
    {"labelSelector", "string",
     "A selector to restrict the list of returned objects by their labels."},
    {"limit", "integer", "limit is a maximum number of responses to return for a list call."},
    {"orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy."},
    {"pretty", "string", "If 'true', then the output is pretty printed."},
    {"propagationPolicy", "string",
     "Whether and how garbage collection will be performed: Orphan, Background or Foreground."},
    {"resourceVersion", "string",
     "resourceVersion sets a constraint on what resource versions a request may be served "
     "from."},
    {"resourceVersionMatch", "string",
     "resourceVersionMatch determines how resourceVersion is applied to list calls."},
    {"sendInitialEvents", "boolean",
     "sendInitialEvents=true may be set together with watch=true to begin the watch stream "
     "with synthetic events of the current state."},
    {"timeoutSeconds", "integer", "Timeout for the list/watch call."},
    {"watch", "boolean",
     "Watch for changes to the described resources and return them as a stream of add, update, "
     "and remove notifications."},
};

enum class Params { kNone, kList, kWrite, kPatch, kDelete, kDeleteCollection };
enum class Body { kNone, kObject, kPatch, kDelete };
enum class Returns { kObject, kList, kStatus, kDeleted };

std::vector<const char*> ParamNames(Params p) {
  switch (p) {
    case Params::kNone:
      return {};
    case Params::kList:
      return {"allowWatchBookmarks",
              "continue",
              "fieldSelector",
              "labelSelector",
              "limit",
              "resourceVersion",
              "resourceVersionMatch",
              "sendInitialEvents",
              "timeoutSeconds",
              "watch"};
    case Params::kWrite:
      return {"dryRun", "fieldManager", "fieldValidation"};
    case Params::kPatch:
      return {"dryRun", "fieldManager", "fieldValidation", "force"};
    case Params::kDelete:
      return {"dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"};
    case Params::kDeleteCollection:
      return {"continue",          "dryRun",
              "fieldSelector",     "gracePeriodSeconds",
              "labelSelector",     "limit",
              "orphanDependents",  "propagationPolicy",
              "resourceVersion",   "resourceVersionMatch",
              "sendInitialEvents", "timeoutSeconds"};
  }
  return {};
}

// An operation kube-apiserver serves when the resource has `verb` ("" for subresources, which
// serve get, put and patch).
struct OpTemplate {
  const char* verb;
  const char* method;       // get put post delete patch
  const char* action;       // x-kubernetes-action
  const char* id_verb;      // the operation id's first word
  const char* description;  // its start; the rest names the kind (and the subresource)
  Params params;
  Body body;
  const char* codes;  // response codes, space-separated
  Returns returns;
};

constexpr OpTemplate kCollectionOps[] = {
    {"list", "get", "list", "list", "list or watch objects of kind ", Params::kList, Body::kNone,
     "200", Returns::kList},
    {"create", "post", "post", "create", "create a ", Params::kWrite, Body::kObject, "200 201 202",
     Returns::kObject},
    {"deletecollection", "delete", "deletecollection", "delete", "delete collection of ",
     Params::kDeleteCollection, Body::kDelete, "200", Returns::kStatus},
};
constexpr OpTemplate kItemOps[] = {
    {"get", "get", "get", "read", "read ", Params::kNone, Body::kNone, "200", Returns::kObject},
    {"update", "put", "put", "replace", "replace ", Params::kWrite, Body::kObject, "200 201",
     Returns::kObject},
    {"patch", "patch", "patch", "patch", "partially update ", Params::kPatch, Body::kPatch,
     "200 201", Returns::kObject},
    {"delete", "delete", "delete", "delete", "delete a ", Params::kDelete, Body::kDelete, "200 202",
     Returns::kDeleted},
};
constexpr OpTemplate kAllNamespacesList = kCollectionOps[0];

json ParamObject(const std::string& name, const std::string& in, const std::string& type,
                 const std::string& description, bool required, const Dialect& d) {
  json p = {{"name", name}, {"in", in}, {"description", description}};
  if (required) p["required"] = true;
  if (d.v2) {
    p["type"] = type;
    p["uniqueItems"] = true;
  } else {
    p["schema"] = {{"type", type}, {"uniqueItems", true}};
  }
  return p;
}

json QueryParam(const std::string& name, const Dialect& d) {
  for (const ParamDef& p : kParams) {
    if (name == p.name) return ParamObject(p.name, "query", p.type, p.description, false, d);
  }
  return json::object();
}

// "apps" -> "AppsV1", "" -> "CoreV1", "rbac.authorization.k8s.io" -> "RbacAuthorizationV1", as
// kube-apiserver's operation ids spell a group version.
std::string GroupVersionId(const std::string& group, const std::string& version) {
  std::string g = group.empty() ? "core" : group;
  if (g.size() > 7 && g.compare(g.size() - 7, 7, ".k8s.io") == 0) g.resize(g.size() - 7);
  std::string out;
  bool upper = true;
  for (char c : g + "." + version) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

constexpr const char* kPatchTypes[] = {
    "application/json-patch+json", "application/merge-patch+json",
    "application/strategic-merge-patch+json", "application/apply-patch+yaml"};

}  // namespace

struct DocumentBuilder::Op {
  const OpTemplate* t;
  std::string id;
  std::string description;
  std::string response;  // definition name
};

void DocumentBuilder::AddResource(const apis::ResourceType& rt, const apis::TypeDef& kind) {
  Collect(&kind);
  const std::string gv = GroupVersionId(rt.group, rt.version);
  const std::string scope = rt.namespaced ? "Namespaced" : "";
  const std::string root =
      rt.group.empty() ? "/api/" + rt.version : "/apis/" + rt.group + "/" + rt.version;
  const std::string base = root + (rt.namespaced ? "/namespaces/{namespace}/" : "/") + rt.resource;
  const json gvk = Gvk(rt.group, rt.version, rt.kind);
  // skiff answers a DELETE of a pod or service with the object, of others with a Status.
  const bool deletes_return_object =
      rt.group.empty() && (rt.resource == "pods" || rt.resource == "services");
  auto response = [&](Returns r) {
    switch (r) {
      case Returns::kObject:
        return SchemaName(kind.name);
      case Returns::kList:
        return ListDefinition(kind);
      case Returns::kStatus:
        return Meta("Status");
      case Returns::kDeleted:
        return deletes_return_object ? SchemaName(kind.name) : Meta("Status");
    }
    return std::string();
  };

  std::vector<Op> ops;
  for (const OpTemplate& t : kCollectionOps) {
    if (!rt.HasVerb(t.verb)) continue;
    std::string infix = std::string_view(t.action) == "deletecollection" ? "Collection" : "";
    ops.push_back({&t, t.id_verb + gv + infix + scope + rt.kind, t.description + rt.kind,
                   response(t.returns)});
  }
  AddPath(base, rt, gvk, ops);

  ops.clear();
  for (const OpTemplate& t : kItemOps) {
    if (!rt.HasVerb(t.verb)) continue;
    bool named = t.body != Body::kDelete;
    ops.push_back({&t, t.id_verb + gv + scope + rt.kind,
                   t.description + std::string(named ? "the specified " : "") + rt.kind,
                   response(t.returns)});
  }
  AddPath(base + "/{name}", rt, gvk, ops);

  const apis::TypeDef* scale = schema_.KindType("autoscaling", "v1", "Scale");
  for (const char* sub : {"status", "scale"}) {
    if (!rt.HasSubresource(sub) || (std::string_view(sub) == "scale" && !scale)) continue;
    const bool is_scale = std::string_view(sub) == "scale";
    if (is_scale) Collect(scale);
    const std::string schema = is_scale ? SchemaName(scale->name) : SchemaName(kind.name);
    const std::string word = is_scale ? "Scale" : "Status";
    ops.clear();
    for (const OpTemplate& t : kItemOps) {
      if (t.body == Body::kDelete) continue;
      ops.push_back({&t, t.id_verb + gv + scope + rt.kind + word,
                     t.description + std::string(sub) + " of the specified " + rt.kind, schema});
    }
    AddPath(base + "/{name}/" + sub, rt, is_scale ? Gvk("autoscaling", "v1", "Scale") : gvk, ops);
  }

  if (rt.namespaced && rt.HasVerb("list")) {
    const OpTemplate& t = kAllNamespacesList;
    ops = {{&t, t.id_verb + gv + rt.kind + "ForAllNamespaces", t.description + rt.kind,
            ListDefinition(kind)}};
    AddPath(root + "/" + rt.resource, rt, gvk, ops);
  }
}

json DocumentBuilder::TakePaths() { return std::move(paths_); }

json DocumentBuilder::TakeDefinitions() {
  json defs = SpecialDefinitions(d_);
  for (const std::string& name : stand_ins_) defs[name] = {{"type", "object"}};
  for (const apis::TypeDef* t : types_) defs[SchemaName(t->name)] = TypeSchema(*t, d_);
  return defs;
}

json DocumentBuilder::TakeParameters() {
  json params = json::object();
  for (const std::string& name : shared_) {
    if (name == "namespace") {
      params[name] =
          ParamObject("namespace", "path", "string",
                      "object name and auth scope, such as for teams and projects", true, d_);
    } else if (name == "body-patch") {
      params[name] = {{"in", "body"},
                      {"name", "body"},
                      {"required", true},
                      {"schema", RefTo(kPatchDefinition, d_)}};
    } else if (name == "body-delete") {
      params[name] = {{"in", "body"},
                      {"name", "body"},
                      {"schema", RefTo(SchemaName("meta.v1.DeleteOptions"), d_)}};
    } else {
      params[name] = QueryParam(name, d_);
    }
  }
  return params;
}

void DocumentBuilder::Collect(const apis::TypeDef* t) {
  if (!t || !types_.insert(t).second) return;
  for (const apis::FieldDef& f : t->fields) Collect(f.type);
}

// The name of a meta.v1 definition, collected (or, when the schema lacks the type, defined as
// any object, so that no reference dangles).
std::string DocumentBuilder::Meta(const std::string& name) {
  const std::string definition = SchemaName("meta.v1." + name);
  if (const apis::TypeDef* t = schema_.Type("meta.v1." + name)) {
    Collect(t);
  } else {
    stand_ins_.insert(definition);
  }
  return definition;
}

// The <Kind>List definition, made from the kind (the schema lists no list kinds).
std::string DocumentBuilder::ListDefinition(const apis::TypeDef& kind) {
  const std::string name = SchemaName(kind.name + "List");
  for (const apis::TypeDef& l : lists_) {
    if (l.name == kind.name + "List") return name;
  }
  const apis::TypeDef* list_meta = schema_.Type("meta.v1.ListMeta");
  lists_.push_back(ListType(kind, list_meta));
  Collect(&lists_.back());
  return name;
}

json DocumentBuilder::Param(const std::string& name) {
  if (name == "dryRun" || name == "fieldValidation") return QueryParam(name, d_);
  shared_.insert(name);
  return {{"$ref", d_.param_prefix + name}};
}

void DocumentBuilder::AddPath(const std::string& path, const apis::ResourceType& rt,
                              const json& gvk, const std::vector<Op>& ops) {
  if (ops.empty()) return;
  json params = json::array();
  if (path.find("{name}") != std::string::npos) {
    params.push_back(ParamObject("name", "path", "string", "name of the " + rt.kind, true, d_));
  }
  if (path.find("{namespace}") != std::string::npos) params.push_back(Param("namespace"));
  params.push_back(Param("pretty"));
  json item = {{"parameters", std::move(params)}};
  for (const Op& op : ops) item[op.t->method] = Operation(op, gvk);
  paths_[path] = std::move(item);
}

json DocumentBuilder::Operation(const Op& op, const json& gvk) {
  json o = {{"operationId", op.id},
            {"description", op.description},
            {"x-kubernetes-action", op.t->action},
            {"x-kubernetes-group-version-kind", gvk}};
  json params = json::array();
  if (op.t->body != Body::kNone) {
    if (!d_.v2) {
      o["requestBody"] = RequestBody(op);
    } else if (op.t->body == Body::kObject) {
      params.push_back({{"in", "body"},
                        {"name", "body"},
                        {"required", true},
                        {"schema", RefTo(op.response, d_)}});
    } else if (op.t->body == Body::kPatch) {
      params.push_back(Param("body-patch"));
    } else {
      Meta("DeleteOptions");
      params.push_back(Param("body-delete"));
    }
  }
  for (const char* p : ParamNames(op.t->params)) params.push_back(Param(p));
  if (!params.empty()) o["parameters"] = std::move(params);
  if (op.t->body == Body::kPatch && d_.v2) o["consumes"] = kPatchTypes;
  json responses = json::object();
  for (std::string_view codes = op.t->codes; !codes.empty();) {
    std::string code(codes.substr(0, 3));
    codes.remove_prefix(std::min<size_t>(codes.size(), 4));
    const char* text = code == "200" ? "OK" : code == "201" ? "Created" : "Accepted";
    json schema = RefTo(op.response, d_);
    responses[code] = d_.v2 ? json{{"description", text}, {"schema", std::move(schema)}}
                            : json{{"description", text},
                                   {"content", {{"application/json", {{"schema", schema}}}}}};
  }
  o["responses"] = std::move(responses);
  return o;
}

json DocumentBuilder::RequestBody(const Op& op) {
  json content = json::object();
  if (op.t->body == Body::kPatch) {
    for (const char* t : kPatchTypes) content[t] = {{"schema", RefTo(kPatchDefinition, d_)}};
    return {{"content", std::move(content)}, {"required", true}};
  }
  const bool object = op.t->body == Body::kObject;
  content["*/*"] = {{"schema", RefTo(object ? op.response : Meta("DeleteOptions"), d_)}};
  json body = {{"content", std::move(content)}};
  if (object) body["required"] = true;
  return body;
}

}  // namespace skiff::api::openapi
