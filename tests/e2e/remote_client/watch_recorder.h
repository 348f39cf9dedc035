// Collects what a Client::Watch delivers, for assertions on the test's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "skiff/client/client.h"

namespace skiff::testing {

class WatchRecorder {
 public:
  struct Seen {
    client::WatchEvent::Type type;
    std::string name;
    std::string rv;
    client::json object;
  };

  std::function<void(std::vector<client::WatchEvent>&)> Events() {
    return [this](std::vector<client::WatchEvent>& batch) {
      std::lock_guard lock(mu_);
      batches_.push_back(batch.size());
      for (auto& e : batch) {
        events_.push_back({e.type, e.object["metadata"].value("name", ""),
                           e.object["metadata"].value("resourceVersion", ""), std::move(e.object)});
      }
      if (closed_) events_after_close_ = true;
      cv_.notify_all();
    };
  }
  std::function<void(Status)> Closed() {
    return [this](Status s) {
      std::lock_guard lock(mu_);
      ++closed_count_;
      closed_ = std::move(s);
      cv_.notify_all();
    };
  }

  bool WaitForEvents(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::optional<Status> WaitForClosed(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return closed_.has_value(); });
    return closed_;
  }

  std::vector<Seen> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<size_t> batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }
  size_t event_count() const {
    std::lock_guard lock(mu_);
    return events_.size();
  }
  int closed_count() const {
    std::lock_guard lock(mu_);
    return closed_count_;
  }
  bool events_after_close() const {
    std::lock_guard lock(mu_);
    return events_after_close_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Seen> events_;
  std::vector<size_t> batches_;
  std::optional<Status> closed_;
  int closed_count_ = 0;
  bool events_after_close_ = false;
};

}  // namespace skiff::testing
