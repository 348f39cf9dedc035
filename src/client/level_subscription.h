// Client::Subscribe (level-triggered) built on a watch: `changed` once at the start and after
// every batch of a watch from "now"; when that watch ends, a fresh resourceVersion is read,
// `changed` runs (whatever happened meanwhile is covered, since consumers re-read), and the
// watch starts again. Failures are retried with exponential backoff (a watch that delivered
// a batch or lasted 10 s resets it; an expired start is retried at once). Internal to
// skiff_remote_client; independent of the transport.
//
// `changed` never runs concurrently with itself (it runs on the subscription's thread or on
// the current watch's, never both at once) nor after the Subscription is destroyed; destroying
// it stops at once and waits for a running `changed`, unless destroyed from inside `changed`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "skiff/client/client.h"

namespace skiff::client {

struct LevelSubscriptionDeps {
  // The current resourceVersion of the watched collection (a cheap list).
  std::function<Result<std::string>()> current_resource_version;
  // Client::Watch of the collection from `resource_version`.
  std::function<Result<std::unique_ptr<Subscription>>(
      const std::string& resource_version, std::function<void(std::vector<WatchEvent>&)> events,
      std::function<void(Status)> closed)>
      watch;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(10)};
};

// Starts the subscription's thread. `first_resource_version` is where the first watch starts
// (the caller has just read it); the first `changed` runs on the new thread.
Result<std::unique_ptr<Subscription>> StartLevelSubscription(LevelSubscriptionDeps deps,
                                                             std::string first_resource_version,
                                                             std::function<void()> changed);

}  // namespace skiff::client
