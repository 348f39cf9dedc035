#include "http_types.h"

#include <cctype>

namespace skiff::api {

std::string HttpRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// True when the comma-separated header value lists `token` (case-insensitive).
bool HeaderHasToken(const std::string& value, std::string_view token) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    size_t b = start, e = end;
    while (b < e && (value[b] == ' ' || value[b] == '\t')) ++b;
    while (e > b && (value[e - 1] == ' ' || value[e - 1] == '\t')) --e;
    if (e - b == token.size()) {
      bool same = true;
      for (size_t i = 0; i < token.size() && same; ++i) {
        same = std::tolower(static_cast<unsigned char>(value[b + i])) ==
               std::tolower(static_cast<unsigned char>(token[i]));
      }
      if (same) return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

bool IsWebSocketUpgrade(const HttpRequest& request) {
  return request.method == "GET" && HeaderHasToken(request.Header("connection"), "upgrade") &&
         HeaderHasToken(request.Header("upgrade"), "websocket");
}

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void ParseTarget(const std::string& target, std::string* path,
                 std::multimap<std::string, std::string>* query) {
  size_t q = target.find('?');
  *path = PercentDecode(std::string_view(target).substr(0, q), false);
  if (q == std::string::npos) return;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key = PercentDecode(pair.substr(0, eq), true);
      std::string value =
          eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
      query->emplace(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
}

}  // namespace skiff::api
