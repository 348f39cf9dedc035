#include "request_info.h"

#include <vector>

namespace skiff::api {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

}  // namespace

bool ParseBool(const std::string& s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

bool QueryBool(const HttpRequest& request, const std::string& name) {
  bool v = false;
  return request.HasQuery(name) && ParseBool(request.Query(name), &v) && v;
}

RequestInfo ParseRequestInfo(const HttpRequest& request) {
  RequestInfo info;
  std::string method = request.method;
  for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  info.verb = method;
  std::vector<std::string> parts = SplitPath(request.path);
  size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    info.version = parts[1];
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return info;
  }
  if (i >= parts.size()) return info;  // /api/v1, /apis/apps/v1: discovery

  bool legacy_watch = false;
  if (parts[i] == "watch") {
    legacy_watch = true;
    ++i;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
  if (rest.empty()) return info;
  if (rest[0] == "namespaces" && rest.size() > 1) {
    info.ns = rest[1];
    if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") {
      rest.erase(rest.begin(), rest.begin() + 2);
    }
  }
  info.is_resource = true;
  info.resource = rest[0];
  if (rest.size() > 1) info.name = rest[1];
  if (rest.size() > 2) info.subresource = rest[2];
  if (rest.size() > 3) {
    info.is_resource = false;  // deeper paths are not resources (proxy is not served)
    return info;
  }
  // A namespace addressed as /namespaces/{name}: its name is the namespace itself.
  if (info.resource == "namespaces") {
    info.name = info.ns;
    info.ns.clear();
    if (rest.size() > 2) info.subresource = rest[2];
  }

  if (method == "get" || method == "head") {
    if (legacy_watch || QueryBool(request, "watch")) {
      info.verb = "watch";
    } else {
      info.verb = info.name.empty() ? "list" : "get";
    }
  } else if (method == "post") {
    info.verb = "create";
  } else if (method == "put") {
    info.verb = "update";
  } else if (method == "patch") {
    info.verb = "patch";
  } else if (method == "delete") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  }
  return info;
}

}  // namespace skiff::api
