// pods/exec and pods/attach end to end through the real HTTPS server: the checks answered
// before the upgrade, the WebSocket upgrade and the channel protocols, against a scripted
// node. A Beast WebSocket client plays the part of kubectl / the Python client.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdlib>
#include <fstream>

#include "api/exec_session.h"
#include "exec_test_support.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;
using skiff::testing::ExecServer;

namespace {

// A plain HTTPS request (no upgrade, or an upgrade the server refuses): status and body.
struct Plain {
  int status = 0;
  std::string body;
};

Plain Request(const ExecServer& s, const std::string& method, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), s.server->port()));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get,
                                       target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (auto& [k, v] : headers) req.set(k, v);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

// A WebSocket client session.
class Client {
 public:
  Client(const ExecServer& s, const std::string& target, const std::string& protocols)
      : ctx_(ssl::context::tls_client), ws_(ioc_, ctx_) {
    ctx_.set_verify_mode(ssl::verify_none);
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), s.server->port()));
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(20));
    ws_.next_layer().handshake(ssl::stream_base::client);
    ws_.set_option(websocket::stream_base::decorator([protocols](websocket::request_type& req) {
      if (!protocols.empty()) req.set(http::field::sec_websocket_protocol, protocols);
    }));
    websocket::response_type res;
    ws_.handshake(res, "127.0.0.1", target);
    protocol = std::string(res[http::field::sec_websocket_protocol]);
  }

  void Send(std::string data, bool binary = true) {
    ws_.binary(binary);
    ws_.write(net::buffer(data));
  }

  // The messages until the server closes: (channel, payload) for binary ones.
  std::vector<std::pair<int, std::string>> ReadAll() {
    std::vector<std::pair<int, std::string>> out;
    while (auto m = Next()) out.push_back(*m);
    return out;
  }
  std::optional<std::pair<int, std::string>> Next() {
    beast::flat_buffer buf;
    beast::error_code ec;
    ws_.read(buf, ec);
    if (ec) {
      closed_by_server = ec == websocket::error::closed;
      return std::nullopt;
    }
    std::string data = beast::buffers_to_string(buf.data());
    if (!ws_.got_binary()) return std::make_pair(-1, data);
    REQUIRE(!data.empty());
    return std::make_pair(static_cast<int>(static_cast<uint8_t>(data[0])), data.substr(1));
  }
  void Close() { ws_.close(websocket::close_code::normal); }

  std::string protocol;
  bool closed_by_server = false;

 private:
  net::io_context ioc_;
  ssl::context ctx_;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
};

const std::string kExec = "/api/v1/namespaces/default/pods/";

std::string Output(const std::vector<std::pair<int, std::string>>& messages, int channel) {
  std::string s;
  for (auto& [c, d] : messages) {
    if (c == channel) s += d;
  }
  return s;
}

json Message(const Plain& p) {
  INFO(p.body);
  return json::parse(p.body);
}

}  // namespace

TEST_CASE("exec requests are checked before the upgrade, with Kubernetes' errors", "[exec]") {
  ExecServer s;
  const std::vector<std::pair<std::string, std::string>> ws = {
      {"Connection", "Upgrade"},
      {"Upgrade", "websocket"},
      {"Sec-WebSocket-Version", "13"},
      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
      {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}};
  auto check = [&](const std::string& target, int code, const std::string& message) {
    Plain p = Request(s, "GET", kExec + target, ws);
    INFO(target << " -> " << p.body);
    CHECK(p.status == code);
    json j = Message(p);
    CHECK(j["kind"] == "Status");
    CHECK(j["message"] == message);
  };
  check("nope/exec?command=ls&stdout=true", 404, "pods \"nope\" not found");
  check("two/exec?command=ls&stdout=true", 400,
        "a container name must be specified for pod two, choose one of: [a b] or one of the init "
        "containers: [setup]");
  check("web/exec?command=ls&stdout=true&container=db", 400,
        "container db is not valid for pod web");
  check("unscheduled/exec?command=ls&stdout=true", 400,
        "pod unscheduled does not have a host assigned");
  check("done/exec?command=ls&stdout=true", 400,
        "cannot exec into a container in a completed pod; current phase is Succeeded");
  check("done/attach?stdout=true", 400,
        "cannot attach a container in a completed pod; current phase is Succeeded");
  check("starting/exec?command=ls&stdout=true", 400, "container not found (\"app\")");
  check("web/exec?command=ls", 400, "you must specify at least 1 of stdin, stdout, stderr");
  check("web/exec?command=ls&stderr=true&tty=true", 400,
        "you must specify at least 1 of stdin, stdout, stderr");
  check("web/exec?stdout=true", 400, "you must specify at least one command for the container");
  // Not an upgrade at all.
  Plain plain = Request(s, "GET", kExec + "web/exec?command=ls&stdout=true");
  CHECK(plain.status == 400);
  CHECK(Message(plain)["message"] == "Upgrade request required");
  // No offered protocol is spoken.
  auto v3 = ws;
  v3.back().second = "v3.channel.k8s.io";
  Plain bad = Request(s, "GET", kExec + "web/exec?command=ls&stdout=true", v3);
  CHECK(bad.status == 400);
  CHECK(Message(bad)["message"].get<std::string>().rfind(
            "requested protocol(s) are not supported: [v3.channel.k8s.io]", 0) == 0);
  // The node refuses: its error, before the upgrade.
  Plain refused = Request(s, "GET", kExec + "web/exec?command=refuse&stdout=true", ws);
  CHECK(refused.status == 500);
  CHECK(Message(refused)["message"] == "Internal error occurred: the shim refused");
}

TEST_CASE("SPDY exec and attach get a 400 naming what works", "[exec]") {
  ExecServer s;
  Plain p = Request(s, "POST", kExec + "web/exec?command=ls&stdout=true&stderr=true",
                    {{"Connection", "Upgrade"},
                     {"Upgrade", "SPDY/3.1"},
                     {"X-Stream-Protocol-Version", "v4.channel.k8s.io"}});
  CHECK(p.status == 400);
  json j = Message(p);
  CHECK(j["reason"] == "BadRequest");
  CHECK(j["message"] == skiff::api::kSpdyNotSupportedMessage);
  CHECK(j["message"].get<std::string>().find("kubectl 1.30 or newer") != std::string::npos);
  // The checks still come first.
  Plain missing = Request(s, "POST", kExec + "nope/exec?command=ls&stdout=true",
                          {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}});
  CHECK(missing.status == 404);
}

TEST_CASE("without a node agent exec is a 503 after the checks", "[exec]") {
  ExecServer s(/*with_pod_io=*/false);
  Plain p = Request(s, "GET", kExec + "web/exec?command=ls&stdout=true",
                    {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}});
  CHECK(p.status == 503);
  CHECK(Message(p)["message"] ==
        "pods/exec is served by the node agent, which is not running on this server");
  CHECK(Request(s, "GET", kExec + "web/exec?stdout=true").status == 400);
}

TEST_CASE("v5 exec streams stdout and ends with a Success Status", "[exec]") {
  ExecServer s;
  Client c(s, kExec + "web/exec?command=echo&command=hello&command=world&stdout=true&stderr=true",
           "v5.channel.k8s.io, v4.channel.k8s.io, channel.k8s.io");
  CHECK(c.protocol == "v5.channel.k8s.io");
  auto messages = c.ReadAll();
  CHECK(c.closed_by_server);
  REQUIRE(messages.size() == 3);
  CHECK(messages[0] == std::make_pair(1, std::string()));  // kubelet's opening message
  CHECK(messages[1] == std::make_pair(1, std::string("hello world\n")));
  CHECK(messages[2] == std::make_pair(3, std::string(R"({"metadata":{},"status":"Success"})")));
  std::lock_guard lock(s.log.mu);
  REQUIRE(s.log.requests.size() == 1);
  const auto& r = s.log.requests[0];
  CHECK(r.container == "app");
  CHECK(r.command == std::vector<std::string>{"echo", "hello", "world"});
  CHECK(r.stdout);
  CHECK(r.stderr);
  CHECK_FALSE(r.stdin);
  CHECK_FALSE(r.tty);
  CHECK_FALSE(r.attach);
}

TEST_CASE("a non-zero exit code comes back as NonZeroExitCode on v4", "[exec]") {
  ExecServer s;
  Client c(s, kExec + "web/exec?command=sh&command=-c&command=exit%203&stdout=true&stderr=true",
           "v4.channel.k8s.io");
  CHECK(c.protocol == "v4.channel.k8s.io");
  auto messages = c.ReadAll();
  json status = json::parse(Output(messages, 3));
  CHECK(status["status"] == "Failure");
  CHECK(status["reason"] == "NonZeroExitCode");
  CHECK(status["details"]["causes"][0] == json{{"reason", "ExitCode"}, {"message", "3"}});
}

TEST_CASE("stderr goes on channel 2, and not at all with a terminal", "[exec]") {
  ExecServer s;
  {
    Client c(s, kExec + "web/exec?command=warn&command=careful&stdout=true&stderr=true",
             "v4.channel.k8s.io");
    auto messages = c.ReadAll();
    CHECK(Output(messages, 2) == "careful");
    CHECK(json::parse(Output(messages, 3))["reason"] == "NonZeroExitCode");
  }
  {
    Client c(s, kExec + "web/exec?command=warn&command=careful&stdout=true&stderr=true&tty=true",
             "v4.channel.k8s.io");
    auto messages = c.ReadAll();
    CHECK(Output(messages, 2).empty());
  }
}

TEST_CASE("v5 stdin reaches the process and the close signal ends it", "[exec]") {
  ExecServer s;
  Client c(s, kExec + "two/exec?container=b&command=cat&stdin=true&stdout=true&stderr=true",
           "v5.channel.k8s.io");
  REQUIRE(c.Next() == std::make_pair(1, std::string()));
  c.Send(
      std::string("\x00"
                  "abc\n",
                  5));
  REQUIRE(c.Next() == std::make_pair(1, std::string("abc\n")));
  c.Send(
      std::string("\x00"
                  "def",
                  4));
  REQUIRE(c.Next() == std::make_pair(1, std::string("def")));
  c.Send(std::string("\xff\x00", 2));  // stdin closed
  auto rest = c.ReadAll();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].first == 3);
  CHECK(json::parse(rest[0].second)["status"] == "Success");
  std::lock_guard lock(s.log.mu);
  CHECK(s.log.stdin_data == "abc\ndef");
  CHECK(s.log.stdin_closed);
  CHECK_FALSE(s.log.cancelled);
  CHECK(s.log.requests.at(0).container == "b");
}

TEST_CASE("a client that goes away ends the session", "[exec]") {
  ExecServer s;
  {
    Client c(s, kExec + "web/exec?command=cat&stdin=true&stdout=true", "v4.channel.k8s.io");
    REQUIRE(c.Next() == std::make_pair(1, std::string()));
    c.Send(
        std::string("\x00"
                    "x",
                    2));
    REQUIRE(c.Next() == std::make_pair(1, std::string("x")));
    c.Close();
  }
  // The node learns it either way: Cancel, or its output refused (then it finishes itself).
  std::unique_lock lock(s.log.mu);
  CHECK(s.log.cv.wait_for(lock, std::chrono::seconds(10),
                          [&] { return s.log.cancelled || s.log.output_refused; }));
  CHECK_FALSE(s.log.stdin_closed);
}

TEST_CASE("the session is cancelled when the client leaves while the process is quiet", "[exec]") {
  ExecServer s;
  {
    Client c(s, kExec + "web/exec?command=cat&stdin=true&stdout=true", "v5.channel.k8s.io");
    REQUIRE(c.Next() == std::make_pair(1, std::string()));
    c.Close();
  }
  std::unique_lock lock(s.log.mu);
  CHECK(s.log.cv.wait_for(lock, std::chrono::seconds(10), [&] { return s.log.cancelled; }));
  CHECK_FALSE(s.log.output_refused);
}

TEST_CASE("tty resize messages reach the node", "[exec]") {
  ExecServer s;
  Client c(s, kExec + "web/exec?command=size&stdin=true&stdout=true&tty=true", "v5.channel.k8s.io");
  REQUIRE(c.Next() == std::make_pair(1, std::string()));
  c.Send(std::string("\x04") + R"({"Width":132,"Height":43})");
  auto rest = c.ReadAll();
  CHECK(Output(rest, 1) == "132 43\n");
  std::lock_guard lock(s.log.mu);
  CHECK(s.log.requests.at(0).tty);
  CHECK_FALSE(s.log.requests.at(0).stderr);
}

TEST_CASE("base64 channels and the pre-v4 error text", "[exec]") {
  ExecServer s;
  {
    Client c(s, kExec + "web/exec?command=echo&command=hi&stdout=true", "v4.base64.channel.k8s.io");
    CHECK(c.protocol == "v4.base64.channel.k8s.io");
    auto messages = c.ReadAll();
    REQUIRE(messages.size() == 3);
    CHECK(messages[0] == std::make_pair(-1, std::string("1")));
    CHECK(messages[1] == std::make_pair(-1, std::string("1aGkK")));  // "hi\n"
    CHECK(messages[2].second.rfind("3", 0) == 0);
  }
  {
    Client c(s, kExec + "web/exec?command=sh&command=-c&command=exit%202&stdout=true",
             "channel.k8s.io");
    auto messages = c.ReadAll();
    CHECK(Output(messages, 3) ==
          "command terminated with non-zero exit code: error executing command [sh -c exit 2], "
          "exit code 2");
  }
  {
    Client c(s, kExec + "web/exec?command=echo&command=hi&stdout=true", "");
    CHECK(c.protocol.empty());  // no offer: channel.k8s.io, answered without a name
    auto messages = c.ReadAll();
    CHECK(Output(messages, 1) == "hi\n");
    CHECK(Output(messages, 3).empty());  // success says nothing before v4
  }
}

// The node may finish before the connection is upgraded: the exit status is then queued with
// kubelet's opening message and the close request right behind them, and must still arrive
// before the close frame, whatever the protocol (a race that needs many tries to show).
TEST_CASE("a fast-exiting command never loses its exit status", "[exec]") {
  ExecServer s;
  const std::string text =
      "command terminated with non-zero exit code: error executing command [sh -c exit 3], "
      "exit code 3";
  for (int i = 0; i < 25; ++i) {
    for (const std::string protocol :
         {"channel.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io"}) {
      INFO("try " << i << " with " << protocol);
      Client c(s, kExec + "web/exec?command=sh&command=-c&command=exit%203&stdout=true", protocol);
      auto messages = c.ReadAll();
      REQUIRE(c.closed_by_server);
      if (protocol == "channel.k8s.io") {
        REQUIRE(Output(messages, 3) == text);
      } else {
        std::string payload = Output(messages, 3);
        REQUIRE_FALSE(payload.empty());
        REQUIRE(json::parse(payload)["message"] == text);
      }
    }
  }
}

TEST_CASE("attach carries no command and an error Finish is an InternalError", "[exec]") {
  ExecServer s;
  Client c(s, kExec + "web/attach?stdout=true&stderr=true", "v5.channel.k8s.io");
  auto messages = c.ReadAll();
  json status = json::parse(Output(messages, 3));
  CHECK(status["reason"] == "InternalError");
  CHECK(status["message"] == "Internal error occurred: no such command: ");
  std::lock_guard lock(s.log.mu);
  CHECK(s.log.requests.at(0).attach);
  CHECK(s.log.requests.at(0).command.empty());
}

namespace {

struct Run {
  int rc = -1;
  std::string out, err;
};

// Runs a kubectl binary against the test server (stdin from `input`).
Run Kubectl(const ExecServer& s, const std::string& binary, const std::string& args,
            const std::string& input = "") {
  const std::string dir = s.dir.path();
  std::ofstream(dir + "/kubeconfig") << "apiVersion: v1\nkind: Config\nclusters:\n- name: t\n"
                                        "  cluster:\n    server: "
                                     << s.Url()
                                     << "\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n"
                                        "  user:\n    token: test\ncontexts:\n- name: c\n"
                                        "  context: {cluster: t, user: u, namespace: default}\n"
                                        "current-context: c\n";
  std::ofstream(dir + "/stdin") << input;
  const std::string cmd = "HOME=" + dir + " timeout 60 " + binary + " --kubeconfig " + dir +
                          "/kubeconfig --cache-dir " + dir + "/cache " + args + " <" + dir +
                          "/stdin >" + dir + "/out 2>" + dir + "/err";
  int status = std::system(cmd.c_str());
  Run r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  r.out = slurp(dir + "/out");
  r.err = slurp(dir + "/err");
  return r;
}

const char kKubectlDir[] = "/usr/lib/google-cloud-sdk/bin/";

}  // namespace

TEST_CASE("real kubectl exec over WebSocket, and 1.29's SPDY gets the message", "[exec][kubectl]") {
  const std::string k131 = std::string(kKubectlDir) + "kubectl.1.31";
  const std::string k129 = std::string(kKubectlDir) + "kubectl.1.29";
  if (access(k131.c_str(), X_OK) != 0 || access(k129.c_str(), X_OK) != 0) {
    WARN("kubectl 1.31/1.29 not installed: skipped");
    return;
  }
  ExecServer s;
  Run r = Kubectl(s, k131, "exec web -- echo hello world");
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(r.out == "hello world\n");

  r = Kubectl(s, k131, "exec web -- sh -c 'exit 3'");
  CHECK(r.rc == 3);

  r = Kubectl(s, k131, "exec web -- warn careful");
  CHECK(r.rc == 1);
  CHECK(r.err.find("careful") != std::string::npos);

  // stdin, closed at its end through v5's close signal.
  r = Kubectl(s, k131, "exec -i two -c a -- cat", "one\ntwo\n");
  CHECK(r.rc == 0);
  CHECK(r.out == "one\ntwo\n");

  r = Kubectl(s, k131, "exec two -c db -- ls");
  CHECK(r.rc == 1);
  CHECK(r.err.find("container db is not valid for pod two") != std::string::npos);

  r = Kubectl(s, k129, "exec web -- echo hi");
  INFO(r.err);
  CHECK(r.rc == 1);
  CHECK(r.err.find(skiff::api::kSpdyNotSupportedMessage) != std::string::npos);
}
