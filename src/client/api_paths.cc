#include "client/api_paths.h"

namespace skiff::client {

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string ResourcePath(const Resource& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string path = r.group.empty()
                         ? "/api/" + PercentEncode(r.version)
                         : "/apis/" + PercentEncode(r.group) + "/" + PercentEncode(r.version);
  if (!ns.empty()) path += "/namespaces/" + PercentEncode(ns);
  path += "/" + PercentEncode(r.resource);
  if (!name.empty()) {
    path += "/" + PercentEncode(name);
    if (!subresource.empty()) path += "/" + PercentEncode(subresource);
  }
  return path;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    out += out.empty() ? '?' : '&';
    out += PercentEncode(key) + "=" + PercentEncode(value);
  }
  return out;
}

}  // namespace skiff::client
