// gRPC probes: grpc.health.v1.Health/Check over plaintext HTTP/2 (prior knowledge), through
// libcurl, answered in kubelet's words (pkg/probe/grpc).
#include <curl/curl.h>

#include <cstring>
#include <memory>

#include "probe_actions.h"

namespace skiff::node {
namespace {

constexpr size_t kMaxResponse = 64 * 1024;

struct Answer {
  std::string body;
  std::string grpc_status;   // from the headers or the trailers
  std::string grpc_message;  // percent-encoded on the wire, decoded here
};

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

size_t OnHeader(char* data, size_t size, size_t n, void* userdata) {
  auto* answer = static_cast<Answer*>(userdata);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (name == "grpc-status") answer->grpc_status = value;
    if (name == "grpc-message") answer->grpc_message = PercentDecode(value);
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* userdata) {
  auto* answer = static_cast<Answer*>(userdata);
  if (answer->body.size() + size * n > kMaxResponse) return 0;
  answer->body.append(data, size * n);
  return size * n;
}

// grpc-go's names of the status codes (codes.Code.String()).
std::string CodeName(int code) {
  static const char* kNames[] = {"OK",        "Canceled",          "Unknown",           "InvalidArgument",
                                 "DeadlineExceeded", "NotFound",   "AlreadyExists",     "PermissionDenied",
                                 "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
                                 "Unimplemented", "Internal",      "Unavailable",       "DataLoss",
                                 "Unauthenticated"};
  if (code >= 0 && code < static_cast<int>(std::size(kNames))) return kNames[code];
  return "Code(" + std::to_string(code) + ")";
}

// Go's time.Duration text for whole seconds: 1s, 59s, 1m0s, 1h0m0s.
std::string GoSeconds(int64_t s) {
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m" +
         std::to_string(s % 60) + "s";
}

std::string GoDuration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return GoSeconds(d.count() / 1000);
  return std::to_string(d.count()) + "ms";
}

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// The length-prefixed message of a HealthCheckRequest { string service = 1; }.
std::string RequestFrame(const std::string& service) {
  std::string message;
  if (!service.empty()) {
    message.push_back(0x0A);
    AppendVarint(&message, service.size());
    message += service;
  }
  std::string frame(1, '\0');  // not compressed
  const uint32_t n = static_cast<uint32_t>(message.size());
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((n >> shift) & 0xFF));
  return frame + message;
}

// HealthCheckResponse { ServingStatus status = 1; } from one length-prefixed message;
// -1 when it is not one.
int ResponseStatus(const std::string& body) {
  if (body.size() < 5 || body[0] != 0) return -1;
  const uint32_t n = (static_cast<uint32_t>(static_cast<uint8_t>(body[1])) << 24) |
                     (static_cast<uint32_t>(static_cast<uint8_t>(body[2])) << 16) |
                     (static_cast<uint32_t>(static_cast<uint8_t>(body[3])) << 8) |
                     static_cast<uint32_t>(static_cast<uint8_t>(body[4]));
  if (body.size() < 5 + static_cast<size_t>(n)) return -1;
  int status = 0;  // proto3: an absent field is 0 (UNKNOWN)
  for (size_t i = 5; i < 5 + n;) {
    const uint8_t key = static_cast<uint8_t>(body[i++]);
    if ((key & 7) != 0) return -1;  // only varints are expected
    uint64_t v = 0;
    for (int shift = 0; i < 5 + n && shift < 64; shift += 7) {
      const uint8_t b = static_cast<uint8_t>(body[i++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) break;
    }
    if ((key >> 3) == 1) status = static_cast<int>(v);
  }
  return status;
}

std::string StatusName(int status) {
  switch (status) {
    case 0: return "UNKNOWN";
    case 1: return "SERVING";
    case 2: return "NOT_SERVING";
    case 3: return "SERVICE_UNKNOWN";
    default: return std::to_string(status);
  }
}

}  // namespace

ProbeOutcome RunGrpcHealthCheck(const std::string& host, int port, const std::string& service,
                                std::chrono::milliseconds timeout) {
  const std::string address = ProbeHostPort(host, port);
  const std::string url = "http://" + address + "/grpc.health.v1.Health/Check";
  const std::string connect_failed = "timeout: failed to connect service \"" + address +
                                     "\" within " + GoDuration(timeout) +
                                     ": context deadline exceeded";
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {false, "error: failed to connect service at \"" + address + "\": no client"};
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/grpc");
  headers = curl_slist_append(headers, "TE: trailers");
  headers = curl_slist_append(headers, (std::string("User-Agent: ") + kProbeUserAgent).c_str());
  headers = curl_slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
  const std::string request = RequestFrame(service);
  Answer answer;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &answer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
    return {false, connect_failed};
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    double connected = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &connected);
    if (connected <= 0) return {false, connect_failed};
    return {false, "timeout: health rpc did not complete within " + GoDuration(timeout)};
  }
  // A server may answer before it read the whole request and then reset the stream
  // (RST_STREAM NO_ERROR, as HTTP/2 allows; grpc servers do with a trailers-only answer):
  // once the grpc-status arrived, the answer is complete whatever curl says of the stream.
  if (rc != CURLE_OK && answer.grpc_status.empty()) {
    return {false, std::string("error: health rpc probe failed: ") + curl_easy_strerror(rc)};
  }
  long http = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
  if (answer.grpc_status.empty()) {
    return {false, "error: health rpc probe failed: rpc error: code = Unknown desc = the server "
                   "answered HTTP " + std::to_string(http) + " without a gRPC status"};
  }
  const int code = std::atoi(answer.grpc_status.c_str());
  if (code == 12) {
    return {false, "error: this server does not implement the grpc health protocol "
                   "(grpc.health.v1.Health): " + answer.grpc_message};
  }
  if (code == 4) return {false, "timeout: health rpc did not complete within " + GoDuration(timeout)};
  if (code != 0) {
    return {false, "error: health rpc probe failed: rpc error: code = " + CodeName(code) +
                       " desc = " + answer.grpc_message};
  }
  const int status = ResponseStatus(answer.body);
  if (status < 0) {
    return {false, "error: health rpc probe failed: rpc error: code = Internal desc = cannot "
                   "parse the response"};
  }
  if (status != 1) {
    return {false, "service unhealthy (responded with \"" + StatusName(status) + "\")"};
  }
  return {true, ""};
}

}  // namespace skiff::node
