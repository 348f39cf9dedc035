// What the HTTP server hands to request handlers, and how handlers answer.
//
// Threading: the server calls the handler on its worker pool; a handler may block briefly
// (store reads and writes) but must not wait for long events; it answers through the
// Responder, from any thread, exactly once: Send() a whole response or Stream() one.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "skiff/auth/user.h"

namespace skiff::api {

using auth::UserInfo;

struct HttpRequest {
  std::string method;                           // "GET", ...
  std::string target;                           // as sent: "/api/v1/pods?limit=500"
  std::string path;                             // percent-decoded path: "/api/v1/pods"
  std::multimap<std::string, std::string> query;  // percent-decoded
  std::map<std::string, std::string> headers;   // names lower-case
  std::string body;
  bool authenticated = false;
  UserInfo user;

  // The first value of a query parameter, or "" when absent.
  std::string Query(const std::string& name) const;
  bool HasQuery(const std::string& name) const { return query.count(name) > 0; }
  std::string Header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A response written in pieces with chunked encoding (watch streams, followed logs).
// Thread-safe. Writes are queued; pending() tells how much is not yet on the wire so a
// producer can stop feeding a slow client.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual void Write(std::string chunk) = 0;
  // Ends the response (last chunk) once everything queued is written.
  virtual void Close() = 0;
  // True once the client went away or Close was called.
  virtual bool closed() const = 0;
  virtual size_t pending() const = 0;
  // Runs `fn` once when the stream ends for any reason (immediately if it already has).
  virtual void OnClose(std::function<void()> fn) = 0;
};

class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(HttpResponse response) = 0;
  virtual std::shared_ptr<ResponseStream> Stream(int status, std::string content_type) = 0;
};

using Handler = std::function<void(HttpRequest request, std::shared_ptr<Responder> responder)>;

// Percent-decoding of URL components ('+' stays '+' in paths, means ' ' in queries).
std::string PercentDecode(std::string_view in, bool plus_is_space);
// Splits "/path?query" into the decoded path and decoded query parameters.
void ParseTarget(const std::string& target, std::string* path,
                 std::multimap<std::string, std::string>* query);

}  // namespace skiff::api
