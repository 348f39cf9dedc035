// A real `skiff server` for RemoteClient's end-to-end tests: API only (no agent, scheduler or
// controllers), on 127.0.0.1 (by default) and a free port, in a fresh data directory; its log goes
// to a file
// (<dir>/server.log) so a chatty server never blocks on a full pipe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/remote_client.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace skiff::testing {

class SkiffServer {
 public:
  // Starts it (throws std::runtime_error with the log's tail when it does not come up).
  explicit SkiffServer(std::vector<std::string> extra_args = {},
                       std::string bind_address = "127.0.0.1");
  ~SkiffServer();
  SkiffServer(const SkiffServer&) = delete;
  SkiffServer& operator=(const SkiffServer&) = delete;

  // Starts it again on the same port and data directory (after Kill).
  void Start();
  // SIGKILL, and waits for it to be gone.
  void Kill();

  int port() const { return port_; }
  std::string data_dir() const { return dir_ / "data"; }
  std::string kubeconfig() const { return dir_ / "kubeconfig.yaml"; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  // The admin bearer token the server wrote (<data-dir>/server/token).
  std::string token() const;
  std::string log() const;

  // The kubeconfig's settings (REQUIREd to load) with test-friendly retry delays.
  client::RemoteClientConfig Config() const;
  // A client from Config() (REQUIREd to work).
  std::unique_ptr<client::RemoteClient> NewClient() const;

 private:
  TempDir dir_;
  std::vector<std::string> extra_args_;
  std::string bind_address_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

// One server shared by the tests of this process that need nothing special of it.
SkiffServer& SharedServer();

// A fresh namespace on `c` for one test ("rc-<tag>-<n>").
std::string NewNamespace(client::Client& c, const std::string& tag);

// Polls `pred` every 10 ms for up to `timeout`; true once it holds.
template <class Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace skiff::testing

#include <thread>

template <class Pred>
bool skiff::testing::Eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
