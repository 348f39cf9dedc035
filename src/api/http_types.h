// What the HTTP server hands to request handlers, and how handlers answer.
//
// Threading: the server calls the handler on its worker pool; a handler may block briefly
// (store reads and writes) but must not wait for long events; it answers through the
// Responder, from any thread, exactly once: Send() a whole response or Stream() one.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
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

// One WebSocket message.
struct WebSocketMessage {
  std::string data;
  bool binary = true;
};

// A connection taken over by the WebSocket protocol (RFC 6455) after an upgrade request
// (pods/exec, pods/attach). Thread-safe; the blocking calls must not be made on the server's
// I/O threads (use a thread of your own or a node thread).
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  // Queues one message; never blocks. False once the connection is closed or closing.
  virtual bool Send(std::string data, bool binary) = 0;
  // Blocks until at most `bytes` are queued and not yet written (flow control for a producer
  // that must not outrun the client). False once the connection is closed.
  virtual bool WaitQueuedAtMost(size_t bytes) = 0;
  // Blocks for the client's next message; nullopt once the connection is closed (by either
  // side, or broken). Only one thread may receive at a time. Control frames (ping, pong,
  // close) are handled inside.
  virtual std::optional<WebSocketMessage> Receive() = 0;
  // Writes what is queued, then a close frame (normal closure); later Sends are dropped.
  virtual void Close() = 0;
};

class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(HttpResponse response) = 0;
  virtual std::shared_ptr<ResponseStream> Stream(int status, std::string content_type) = 0;
  // Answers a WebSocket upgrade request (Connection: Upgrade, Upgrade: websocket) with 101,
  // naming `protocol` in Sec-WebSocket-Protocol (omitted when empty), and hands over the
  // connection. Null when the request is not a WebSocket upgrade, the responder already
  // answered, or it cannot upgrade (then it has answered nothing: Send an error instead).
  // Messages may be sent at once; they go out after the handshake.
  virtual std::shared_ptr<WebSocket> UpgradeWebSocket(const std::string& protocol) {
    (void)protocol;
    return nullptr;
  }
};

// True when the request asks to switch to the WebSocket protocol.
bool IsWebSocketUpgrade(const HttpRequest& request);

using Handler = std::function<void(HttpRequest request, std::shared_ptr<Responder> responder)>;

// Percent-decoding of URL components ('+' stays '+' in paths, means ' ' in queries).
std::string PercentDecode(std::string_view in, bool plus_is_space);
// Splits "/path?query" into the decoded path and decoded query parameters.
void ParseTarget(const std::string& target, std::string* path,
                 std::multimap<std::string, std::string>* query);

}  // namespace skiff::api
