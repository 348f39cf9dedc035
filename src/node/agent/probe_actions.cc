#include "probe_actions.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "skiff/common/unique_fd.h"

namespace skiff::node {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 10 * 1024;

size_t Discard(char*, size_t size, size_t n, void* userdata) {
  auto* kept = static_cast<size_t*>(userdata);
  *kept += size * n;
  return *kept > kMaxBody ? 0 : size * n;  // a long body is cut off, not an error below
}

// Go's wording for a failed dial, from errno.
std::string DialError(const std::string& address, int err) {
  switch (err) {
    case ECONNREFUSED: return "dial tcp " + address + ": connect: connection refused";
    case ETIMEDOUT: return "dial tcp " + address + ": i/o timeout";
    case EHOSTUNREACH: return "dial tcp " + address + ": connect: no route to host";
    case ENETUNREACH: return "dial tcp " + address + ": connect: network is unreachable";
    default: return "dial tcp " + address + ": connect: " + std::strerror(err);
  }
}

}  // namespace

std::string ProbeHostPort(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ProbeOutcome RunTcpConnect(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const std::string address = ProbeHostPort(host, port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    return {false, "dial tcp " + address + ": lookup " + host + ": no such host"};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  UniqueFd fd(::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return {false, DialError(address, errno)};
  if (::connect(fd.get(), found->ai_addr, found->ai_addrlen) == 0) return {true, ""};
  if (errno != EINPROGRESS) return {false, DialError(address, errno)};
  pollfd p{fd.get(), POLLOUT, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready == 0) return {false, DialError(address, ETIMEDOUT)};
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (ready < 0 || err != 0) return {false, DialError(address, err ? err : errno)};
  return {true, ""};
}

ProbeOutcome RunHttpGet(const HttpGetAction& action, std::chrono::milliseconds timeout) {
  std::string scheme = action.scheme == "HTTPS" ? "https" : "http";
  std::string path = action.path.empty() ? "/" : action.path;
  if (path[0] != '/') path = "/" + path;
  const std::string url = scheme + "://" + ProbeHostPort(action.host, action.port) + path;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {false, "Get \"" + url + "\": cannot create an HTTP client"};
  curl_slist* headers = nullptr;
  bool has_agent = false, has_accept = false;
  for (const auto& [name, value] : action.headers) {
    if (strcasecmp(name.c_str(), "User-Agent") == 0) has_agent = true;
    if (strcasecmp(name.c_str(), "Accept") == 0) has_accept = true;
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  if (!has_agent) headers = curl_slist_append(headers, (std::string("User-Agent: ") + kProbeUserAgent).c_str());
  if (!has_accept) headers = curl_slist_append(headers, "Accept: */*");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  size_t body = 0;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && code != 0)) {
    const std::string address = ProbeHostPort(action.host, action.port);
    std::string why;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      why = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
    } else if (rc == CURLE_COULDNT_CONNECT) {
      long os_errno = 0;
      curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
      why = DialError(address, os_errno ? static_cast<int>(os_errno) : ECONNREFUSED);
    } else {
      why = curl_easy_strerror(rc);
    }
    return {false, "Get \"" + url + "\": " + why};
  }
  if (code >= 200 && code < 400) return {true, "", static_cast<int>(code)};
  return {false, "HTTP probe failed with statuscode: " + std::to_string(code), static_cast<int>(code)};
}

std::optional<int> ResolvePort(const json& port, const json& container) {
  if (port.is_number_integer()) {
    const int p = port.get<int>();
    return p > 0 && p < 65536 ? std::optional<int>(p) : std::nullopt;
  }
  if (!port.is_string()) return std::nullopt;
  const std::string name = port.get<std::string>();
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    return ResolvePort(json(std::stoi(name)), container);
  }
  if (container.contains("ports") && container["ports"].is_array()) {
    for (const json& p : container["ports"]) {
      if (p.value("name", "") == name && p.contains("containerPort")) {
        return ResolvePort(p["containerPort"], json::object());
      }
    }
  }
  return std::nullopt;
}

std::optional<HttpGetAction> HttpGetFrom(const json& http_get, const json& container,
                                         const std::string& default_host, std::string* error) {
  HttpGetAction a;
  a.scheme = http_get.value("scheme", "HTTP");
  a.host = http_get.value("host", "");
  if (a.host.empty()) a.host = default_host;
  a.path = http_get.value("path", "/");
  std::optional<int> port = ResolvePort(http_get.contains("port") ? http_get["port"] : json(), container);
  if (!port) {
    *error = "unable to resolve port " +
             (http_get.contains("port") ? http_get["port"].dump() : std::string("(none)"));
    return std::nullopt;
  }
  a.port = *port;
  if (http_get.contains("httpHeaders") && http_get["httpHeaders"].is_array()) {
    for (const json& h : http_get["httpHeaders"]) {
      a.headers.emplace_back(h.value("name", ""), h.value("value", ""));
    }
  }
  return a;
}

}  // namespace skiff::node
