// What exec and attach session tests share: an ExecOutput that records what a session sent
// its client, and the /dev/pts mount a bundle needs for terminals.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/pod_io.h"

namespace skiff::node::testing {

// What a session sent to its client. Catch2 is not thread-safe: nothing here asserts.
// `accept` false: every output write answers that the client is gone.
class RecordingOutput : public api::ExecOutput {
 public:
  explicit RecordingOutput(bool accept = true) : accept_(accept) {}
  bool Stdout(std::string_view data) override { return Add(&out_, data); }
  bool Stderr(std::string_view data) override { return Add(&err_, data); }
  void Finish(int exit_code, const std::string& error) override {
    std::lock_guard lock(mu_);
    ++finishes_;
    exit_code_ = exit_code;
    error_ = error;
    cv_.notify_all();
  }
  bool WaitFinish(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return finishes_ > 0; });
  }
  // Waits until stdout (or stderr, with `err`) holds `text`.
  bool WaitOut(const std::string& text, bool err = false,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout,
                        [&] { return (err ? err_ : out_).find(text) != std::string::npos; });
  }
  std::string out() { return Get(out_); }
  std::string err() { return Get(err_); }
  std::string error() { return Get(error_); }
  int exit_code() {
    std::lock_guard lock(mu_);
    return exit_code_;
  }
  int finishes() {
    std::lock_guard lock(mu_);
    return finishes_;
  }

 private:
  bool Add(std::string* s, std::string_view data) {
    std::lock_guard lock(mu_);
    s->append(data);
    cv_.notify_all();
    return accept_;
  }
  std::string Get(const std::string& s) {
    std::lock_guard lock(mu_);
    return s;
  }
  const bool accept_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string out_, err_, error_;
  int exit_code_ = -1;
  int finishes_ = 0;
};

// Adds the /dev/pts mount a container needs to get a terminal to its config.json.
inline void MountDevPts(nlohmann::json& config) {
  config["mounts"].push_back(
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}});
}

}  // namespace skiff::node::testing
