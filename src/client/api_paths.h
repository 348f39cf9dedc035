// The Kubernetes REST paths and query strings RemoteClient requests. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/client/client.h"

namespace skiff::client {

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~),
// so the result is safe as a path segment or a query key or value ("a=b,c!=d" ->
// "a%3Db%2Cc%21%3Dd", ' ' -> "%20").
std::string PercentEncode(std::string_view text);

// The path of a collection, an object or an object's subresource:
//   core:   /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
//   groups: /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
// ns "" leaves the namespaces part out (a cluster-scoped resource, or every namespace of a
// namespaced one); subresource is used only with a name. Segments are percent-encoded.
std::string ResourcePath(const Resource& r, const std::string& ns, const std::string& name = "",
                         const std::string& subresource = "");

// "?k1=v1&k2=v2" with keys and values percent-encoded, pairs with an empty value left out;
// "" when nothing is left.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace skiff::client
