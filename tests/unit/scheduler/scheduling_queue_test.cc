// scheduler/scheduling_queue.h: priority order, unschedulable pods parked until the cluster
// changes, status-only updates ignored, changes during an attempt not lost, backoff.
#include "scheduler/scheduling_queue.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

using nlohmann::json;
using skiff::scheduler::QueueOptions;
using skiff::scheduler::SchedulingQueue;
using namespace std::chrono_literals;

namespace {

skiff::client::ObjectPtr Pod(const std::string& uid, int64_t priority = 0,
                             const std::string& phase = "Pending") {
  return std::make_shared<const json>(
      json{{"metadata", {{"uid", uid}, {"name", uid}, {"namespace", "default"}}},
           {"spec", {{"priority", priority}}},
           {"status", {{"phase", phase}}}});
}

std::string UidOf(const skiff::scheduler::QueuedPod& q) {
  return (*q.pod)["metadata"]["uid"].get<std::string>();
}

}  // namespace

TEST_CASE("SchedulingQueue hands out higher priority first, then in order queued", "[sched_queue]") {
  SchedulingQueue q;
  q.AddOrUpdate(Pod("a", 0));
  q.AddOrUpdate(Pod("b", 10));
  q.AddOrUpdate(Pod("c", 0));
  q.AddOrUpdate(Pod("a", 0));  // an update keeps a's place
  CHECK(UidOf(*q.Pop()) == "b");
  CHECK(UidOf(*q.Pop()) == "a");
  CHECK(UidOf(*q.Pop()) == "c");
  CHECK(q.ActiveCount() == 0);
}

TEST_CASE("SchedulingQueue parks unschedulable pods until the cluster changes", "[sched_queue]") {
  SchedulingQueue q;
  q.AddOrUpdate(Pod("a"));
  auto a = *q.Pop();
  CHECK(a.attempts == 1);
  q.AddUnschedulable(a);
  CHECK(q.UnschedulableCount() == 1);
  // Our own status write (PodScheduled=False) changes nothing that could make it fit.
  auto with_status = std::make_shared<json>(*Pod("a"));
  (*with_status)["status"]["conditions"] = json::array({{{"type", "PodScheduled"}}});
  q.AddOrUpdate(with_status);
  CHECK(q.UnschedulableCount() == 1);
  CHECK(q.ActiveCount() == 0);
  q.MoveAllToActive();
  CHECK(q.ActiveCount() == 1);
  auto again = *q.Pop();
  CHECK(again.attempts == 2);
  CHECK((*again.pod)["status"].contains("conditions"));  // the latest object is handed out
  // A spec change brings a parked pod back at once.
  q.AddUnschedulable(again);
  auto changed = std::make_shared<json>(*Pod("a"));
  (*changed)["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  q.AddOrUpdate(changed);
  CHECK(q.ActiveCount() == 1);
}

TEST_CASE("SchedulingQueue does not lose a change made during an attempt", "[sched_queue]") {
  SchedulingQueue q;
  q.AddOrUpdate(Pod("a"));
  q.AddOrUpdate(Pod("b"));
  auto a = *q.Pop();
  q.MoveAllToActive();  // e.g. a node was added while `a` was being decided
  q.AddUnschedulable(a);
  CHECK(q.UnschedulableCount() == 0);
  CHECK(q.ActiveCount() == 2);

  auto b = *q.Pop();
  auto c = *q.Pop();
  CHECK(UidOf(b) == "b");
  CHECK(UidOf(c) == "a");
  auto labelled = std::make_shared<json>(*Pod("b"));
  (*labelled)["metadata"]["labels"] = {{"app", "web"}};
  q.AddOrUpdate(labelled);  // b changes while being tried
  q.AddUnschedulable(b);
  CHECK(q.ActiveCount() == 1);
  q.Delete("a");  // deleted while being tried: gone for good
  q.AddUnschedulable(c);
  CHECK(q.ActiveCount() == 1);
  CHECK(q.UnschedulableCount() == 0);
}

TEST_CASE("SchedulingQueue retries failed attempts after a growing backoff", "[sched_queue]") {
  QueueOptions o;
  o.initial_backoff = 50ms;
  o.max_backoff = 200ms;
  SchedulingQueue q(o);
  q.AddOrUpdate(Pod("a"));
  auto a = *q.Pop();
  const auto start = std::chrono::steady_clock::now();
  q.AddBackoff(a);
  CHECK(q.BackoffCount() == 1);
  auto again = *q.Pop();  // blocks until the backoff ends
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
  CHECK(again.attempts == 2);
  q.AddBackoff(again);
  const auto second = std::chrono::steady_clock::now();
  auto third = *q.Pop();
  CHECK(std::chrono::steady_clock::now() - second >= 100ms);  // doubled
  CHECK(third.attempts == 3);
  q.Close();
  CHECK_FALSE(q.Pop().has_value());
}
