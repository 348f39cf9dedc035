// GET /openapi/v2: content negotiation and ETag handling as kube-apiserver's OpenAPI handler
// (k8s.io/kube-openapi pkg/handler) does them. Declared in openapi.h.
#include <algorithm>
#include <string_view>
#include <vector>

#include "openapi.h"

namespace skiff::api {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kProtobuf[] = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
constexpr char kProtobufDeprecated[] = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(Trim(s.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

struct Clause {
  std::string type, subtype;
  double q = 1;
};

// The Accept header's media ranges, most preferred first: by q, then specific before wildcard
// (goautoneg's order). Ranges with q=0 are not acceptable and left out.
std::vector<Clause> ParseAccept(std::string_view header) {
  std::vector<Clause> out;
  for (std::string_view part : Split(header.empty() ? "*/*" : header, ',')) {
    std::vector<std::string_view> fields = Split(part, ';');
    std::string_view range = fields[0];
    size_t slash = range.find('/');
    if (range.empty() || slash == std::string_view::npos) continue;
    Clause c{std::string(range.substr(0, slash)), std::string(range.substr(slash + 1))};
    for (size_t i = 1; i < fields.size(); ++i) {
      if (fields[i].substr(0, 2) == "q=") {
        try {
          c.q = std::stod(std::string(fields[i].substr(2)));
        } catch (...) {
          c.q = 0;
        }
      }
    }
    if (c.q > 0) out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const Clause& a, const Clause& b) {
    if (a.q != b.q) return a.q > b.q;
    return (a.type != "*") + (a.subtype != "*") > (b.type != "*") + (b.subtype != "*");
  });
  return out;
}

// The offered type the client prefers, or "" when it accepts none.
std::string Negotiate(std::string_view accept) {
  for (const Clause& c : ParseAccept(accept)) {
    for (const char* offer : {kJson, kProtobufDeprecated, kProtobuf}) {
      std::string_view o(offer);
      size_t slash = o.find('/');
      if ((c.type == "*" || c.type == o.substr(0, slash)) &&
          (c.subtype == "*" || c.subtype == o.substr(slash + 1))) {
        return offer;
      }
    }
  }
  return "";
}

// If-None-Match names the entity (weak comparison, as for GET), or is "*".
bool NoneMatchHits(std::string_view header, const std::string& quoted_etag) {
  if (header.empty()) return false;
  for (std::string_view tag : Split(header, ',')) {
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == quoted_etag) return true;
  }
  return false;
}

}  // namespace

HttpResponse ServeOpenApiV2(OpenApi& openapi, const HttpRequest& request) {
  std::string type = Negotiate(request.Header("accept"));
  if (type.empty()) {
    return HttpResponse{406,
                        "text/plain; charset=utf-8",
                        "none of the requested media types is offered; offered: " +
                            std::string(kJson) + ", " + kProtobuf,
                        {{"Vary", "Accept"}}};
  }
  const OpenApi::V2Document& doc = openapi.V2();
  const bool protobuf = type != kJson;
  if (protobuf && doc.protobuf.empty()) {
    return HttpResponse{503,
                        "text/plain; charset=utf-8",
                        "the OpenAPI v2 protobuf document is not available",
                        {{"Vary", "Accept"}}};
  }
  const std::string content_type = protobuf ? kProtobuf : kJson;
  const std::string etag = "\"" + doc.etag + "\"";
  std::vector<std::pair<std::string, std::string>> headers = {{"ETag", etag}, {"Vary", "Accept"}};
  if (NoneMatchHits(request.Header("if-none-match"), etag)) {
    return HttpResponse{304, content_type, "", std::move(headers)};
  }
  return HttpResponse{200, content_type, protobuf ? doc.protobuf : doc.json, std::move(headers)};
}

}  // namespace skiff::api
