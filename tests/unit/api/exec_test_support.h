// A real API server (HttpsServer + ApiHandler on a SQLite store) with pods in known states
// and a scripted node (FakePodIo), for the exec/attach tests.
#pragma once

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/api_handler.h"
#include "api/https_server.h"
#include "skiff/auth/pki.h"
#include "skiff/store/sqlite_store.h"
#include "support/temp_dir.h"

namespace skiff::testing {

using nlohmann::json;

// What the scripted node saw of one session.
struct FakeExecLog {
  std::mutex mu;  // guards everything below
  std::condition_variable cv;
  std::vector<api::PodExecRequest> requests;
  std::string stdin_data;
  bool stdin_closed = false;
  bool cancelled = false;
  bool output_refused = false;  // Stdout answered false: the client is gone
  std::vector<std::pair<int, int>> resizes;
};

// The node side: runs a few commands against the session's output on a thread of its own.
//   echo ARGS...        prints ARGS joined by spaces and a newline, exit 0
//   sh -c "exit N"      exit N
//   warn TEXT           TEXT on stderr, exit 1
//   cat                 copies stdin to stdout until it closes (or the client goes), exit 0
//   broken              Finish with an error (the process could not run)
//   refuse              Exec itself refuses (a 500 before the upgrade)
//   size                waits for a resize, prints "W H"
class FakePodIo final : public api::PodIo {
 public:
  explicit FakePodIo(FakeExecLog& log) : log_(log) {}
  ~FakePodIo() override {
    for (auto& t : threads_) t.join();
  }
  void StreamLog(const api::PodLogRequest&, std::shared_ptr<api::Responder> r) override {
    r->Send({503, "text/plain", "no logs", {}});
  }
  api::ApiResult<std::shared_ptr<api::ExecInput>> Exec(
      const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) override;

 private:
  class Input;
  FakeExecLog& log_;
  std::mutex mu_;  // guards threads_
  std::vector<std::thread> threads_;
};

class FakePodIo::Input final : public api::ExecInput {
 public:
  explicit Input(FakeExecLog& log) : log_(log) {}
  void Stdin(std::string_view data) override {
    std::lock_guard lock(log_.mu);
    log_.stdin_data.append(data);
    log_.cv.notify_all();
  }
  void StdinClosed() override {
    std::lock_guard lock(log_.mu);
    log_.stdin_closed = true;
    log_.cv.notify_all();
  }
  void Resize(int w, int h) override {
    std::lock_guard lock(log_.mu);
    log_.resizes.emplace_back(w, h);
    log_.cv.notify_all();
  }
  void Cancel() override {
    std::lock_guard lock(log_.mu);
    log_.cancelled = true;
    log_.cv.notify_all();
  }

 private:
  FakeExecLog& log_;
};

inline api::ApiResult<std::shared_ptr<api::ExecInput>> FakePodIo::Exec(
    const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) {
  {
    std::lock_guard lock(log_.mu);
    log_.requests.push_back(request);
  }
  const std::vector<std::string> cmd = request.command;
  if (!cmd.empty() && cmd[0] == "refuse") return api::InternalError("the shim refused");
  auto run = [this, cmd, output] {
    auto wait = [&](auto pred) {
      std::unique_lock lock(log_.mu);
      log_.cv.wait_for(lock, std::chrono::seconds(20), [&] { return pred() || log_.cancelled; });
    };
    if (cmd.size() >= 1 && cmd[0] == "echo") {
      std::string line;
      for (size_t i = 1; i < cmd.size(); ++i) line += (i > 1 ? " " : "") + cmd[i];
      output->Stdout(line + "\n");
      output->Finish(0, "");
    } else if (cmd.size() == 3 && cmd[0] == "sh" && cmd[2].rfind("exit ", 0) == 0) {
      output->Finish(std::stoi(cmd[2].substr(5)), "");
    } else if (cmd.size() == 2 && cmd[0] == "warn") {
      output->Stderr(cmd[1]);
      output->Finish(1, "");
    } else if (!cmd.empty() && cmd[0] == "cat") {
      size_t sent = 0;
      while (true) {
        std::string chunk;
        bool done;
        {
          std::unique_lock lock(log_.mu);
          log_.cv.wait_for(lock, std::chrono::seconds(20), [&] {
            return log_.stdin_data.size() > sent || log_.stdin_closed || log_.cancelled;
          });
          chunk = log_.stdin_data.substr(sent);
          sent = log_.stdin_data.size();
          done = log_.stdin_closed || log_.cancelled || chunk.empty();
        }
        if (!chunk.empty() && !output->Stdout(chunk)) {
          std::lock_guard lock(log_.mu);
          log_.output_refused = true;
          log_.cv.notify_all();
          break;
        }
        if (done) break;
      }
      output->Finish(0, "");
    } else if (!cmd.empty() && cmd[0] == "size") {
      wait([&] { return !log_.resizes.empty(); });
      std::string text;
      {
        std::lock_guard lock(log_.mu);
        if (!log_.resizes.empty()) {
          text = std::to_string(log_.resizes.back().first) + " " +
                 std::to_string(log_.resizes.back().second) + "\n";
        }
      }
      output->Stdout(text);
      output->Finish(0, "");
    } else {
      output->Finish(0, "no such command: " + (cmd.empty() ? std::string() : cmd[0]));
    }
  };
  std::lock_guard lock(mu_);
  threads_.emplace_back(run);
  return std::shared_ptr<api::ExecInput>(std::make_shared<Input>(log_));
}

// The server: pods "web" (one running container "app"), "two" (running "a" and "b", init
// "setup"), "unscheduled" (no node), "done" (Succeeded), "starting" (container waiting).
struct ExecServer {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<api::Resources> res;
  std::unique_ptr<api::ApiHandler> handler;
  std::unique_ptr<api::HttpsServer> server;
  auth::ServingMaterial pki;
  FakeExecLog log;
  std::unique_ptr<FakePodIo> pod_io;
  const apis::Registry& reg = apis::Registry::Builtin();

  explicit ExecServer(bool with_pod_io = true) {
    store::SqliteStoreOptions o;
    o.path = dir / "state.db";
    o.compact_interval = std::chrono::milliseconds(0);
    auto s = store::OpenSqliteStore(o);
    REQUIRE(s.ok());
    store = std::move(s).value();
    res = std::make_unique<api::Resources>(*store, reg);
    Must(res->Create(*reg.Find("", "v1", "namespaces"), "", {{"metadata", {{"name", "default"}}}},
                     {}, nullptr));
    AddPod("web", {"app"}, {}, "node1", "Running", true);
    AddPod("two", {"a", "b"}, {"setup"}, "node1", "Running", true);
    AddPod("unscheduled", {"app"}, {}, "", "Pending", false);
    AddPod("done", {"app"}, {}, "node1", "Succeeded", false);
    AddPod("starting", {"app"}, {}, "node1", "Pending", false);

    auth::PkiOptions p;
    p.tls_dir = dir / "tls";
    auto m = auth::EnsurePki(p);
    REQUIRE(m.ok());
    pki = *m;
    handler = std::make_unique<api::ApiHandler>(*res, "127.0.0.1:0");
    if (with_pod_io) {
      pod_io = std::make_unique<FakePodIo>(log);
      handler->SetPodIo(pod_io.get());
    }
    api::HttpsServerOptions h;
    h.bind_address = "127.0.0.1";
    h.port = 0;
    h.cert_pem = pki.serving.cert_pem;
    h.key_pem = pki.serving.key_pem;
    h.authenticate = [](X509*, const std::string&) -> std::optional<auth::UserInfo> {
      auth::UserInfo u;
      u.name = "admin";
      u.groups = {"system:masters"};
      return u;
    };
    auto started =
        api::HttpsServer::Start(h, [this](api::HttpRequest req, std::shared_ptr<api::Responder> r) {
          handler->Handle(std::move(req), std::move(r));
        });
    REQUIRE(started.ok());
    server = std::move(started).value();
  }
  ~ExecServer() {
    server.reset();  // stops the sessions before the node side goes
    pod_io.reset();
  }

  template <class T>
  static T Must(api::ApiResult<T> r) {
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return std::move(r).value();
  }

  void AddPod(const std::string& name, const std::vector<std::string>& containers,
              const std::vector<std::string>& inits, const std::string& node,
              const std::string& phase, bool running) {
    const apis::ResourceType& pods = *reg.Find("", "v1", "pods");
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec", {{"containers", json::array()}}}};
    json statuses = json::array();
    for (const auto& c : containers) {
      pod["spec"]["containers"].push_back({{"name", c}, {"image", "busybox"}});
      json state = running ? json{{"running", {{"startedAt", "2024-01-01T00:00:00Z"}}}}
                           : json{{"waiting", {{"reason", "ContainerCreating"}}}};
      statuses.push_back({{"name", c},
                          {"image", "busybox"},
                          {"imageID", ""},
                          {"ready", running},
                          {"restartCount", 0},
                          {"state", state}});
    }
    for (const auto& c : inits) {
      pod["spec"]["initContainers"].push_back({{"name", c}, {"image", "busybox"}});
    }
    if (!node.empty()) pod["spec"]["nodeName"] = node;
    json created = Must(res->Create(pods, "default", pod, {}, nullptr));
    created["status"] = {{"phase", phase}, {"containerStatuses", statuses}};
    Must(res->Update(pods, "default", name, created, "status", {}, nullptr));
  }

  std::string Url() const { return "https://127.0.0.1:" + std::to_string(server->port()); }
};

}  // namespace skiff::testing
