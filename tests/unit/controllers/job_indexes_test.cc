// Completion indexes of Indexed Jobs: the status.completedIndexes text and pending indexes.
#include "controllers/job_indexes.h"

#include <catch2/catch.hpp>

#include "controllers/job_backoff.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE("completed indexes are written as Kubernetes writes them") {
  CHECK(FormatIndexIntervals({}) == "");
  CHECK(FormatIndexIntervals(WithIndexes({}, {0, 1, 2, 4})) == "0-2,4");
  CHECK(FormatIndexIntervals(WithIndexes({}, {1, 3, 4, 5, 7})) == "1,3-5,7");
  CHECK(FormatIndexIntervals(WithIndexes({}, {3, 4})) == "3,4");  // a run of two: no dash
  CHECK(FormatIndexIntervals(WithIndexes({{0, 2}}, {3, 6})) == "0-3,6");
  CHECK(FormatIndexIntervals(WithIndexes({{5, 5}}, {1, 2})) == "1,2,5");
}

TEST_CASE("completed indexes are read back, clipped to completions, skipping garbage") {
  CHECK(ParseIndexIntervals("0-2,4", 10) == IndexIntervals{{0, 2}, {4, 4}});
  CHECK(ParseIndexIntervals("3,4", 10) == IndexIntervals{{3, 4}});  // adjacent pieces merge
  CHECK(ParseIndexIntervals("0-7,9", 5) == IndexIntervals{{0, 4}});
  CHECK(ParseIndexIntervals("x,2", 5) == IndexIntervals{{2, 2}});
  CHECK(ParseIndexIntervals("", 5).empty());
  const IndexIntervals iv = ParseIndexIntervals("1,3-5,7", 10);
  CHECK(CountIndexes(iv) == 5);
  CHECK(HasIndex(iv, 4));
  CHECK_FALSE(HasIndex(iv, 2));
  CHECK_FALSE(HasIndex(iv, 8));
}

TEST_CASE("pending indexes skip the succeeded and the active ones") {
  CHECK(FirstPendingIndexes({}, {}, 2, 5) == std::vector<int>{0, 1});
  CHECK(FirstPendingIndexes({1}, {{0, 0}}, 2, 5) == std::vector<int>{2, 3});
  CHECK(FirstPendingIndexes({kUnknownCompletionIndex, 4}, {{1, 2}}, 5, 5) ==
        std::vector<int>{0, 3});
  CHECK(FirstPendingIndexes({}, {{0, 4}}, 3, 5).empty());
  json pod = {{"metadata", {{"annotations", {{kJobCompletionIndexAnnotation, "7"}}}}}};
  CHECK(CompletionIndexOf(pod) == 7);
  pod["metadata"]["annotations"][kJobCompletionIndexAnnotation] = "-1";
  CHECK(CompletionIndexOf(pod) == kUnknownCompletionIndex);
  CHECK(CompletionIndexOf(json::object()) == kUnknownCompletionIndex);
  CHECK(IndexedPodGenerateName("work", 3) == "work-3-");
  CHECK(IndexedPodGenerateName(std::string(60, 'a'), 12) == std::string(54, 'a') + "-12-");
}

TEST_CASE("replacements of failed pods wait 10s doubling per consecutive failure, capped") {
  const auto now = JobClock::now();
  BackoffRecord r{"default/j", 0, std::nullopt};
  CHECK(RemainingBackoff(r, now, 10s, 6min) == 0ms);
  r.failures_after_last_success = 1;
  r.last_failure = now - 4s;
  CHECK(RemainingBackoff(r, now, 10s, 6min) == 6s);
  r.failures_after_last_success = 3;  // 40 s
  CHECK(RemainingBackoff(r, now, 10s, 6min) == 36s);
  r.failures_after_last_success = 12;  // capped
  CHECK(RemainingBackoff(r, now, 10s, 6min) == 6min - 4s);
  r.last_failure = now - 7min;
  CHECK(RemainingBackoff(r, now, 10s, 6min) == 0ms);

  // Finish times: the containers' termination, then Ready=False, then creation.
  json pod = {{"metadata", {{"creationTimestamp", "2026-01-01T00:00:00Z"}}},
              {"status",
               {{"containerStatuses",
                 {{{"state", {{"terminated", {{"finishedAt", "2026-01-01T00:05:00Z"}}}}}},
                  {{"state", {{"terminated", {{"finishedAt", "2026-01-01T00:07:00Z"}}}}}}}}}}};
  CHECK(JobClock::to_time_t(PodFinishedTime(pod)) == 1767225600 + 7 * 60);
  pod["status"]["containerStatuses"][1]["state"] = {{"running", json::object()}};
  CHECK(JobClock::to_time_t(PodFinishedTime(pod)) == 1767225600);

  BackoffStore store;
  auto failed = std::make_shared<const json>(pod);
  BackoffRecord rec = store.NewRecord("default/j", {}, {failed, failed});
  CHECK(rec.failures_after_last_success == 2);
  store.Update(rec);
  CHECK(store.NewRecord("default/j", {}, {failed}).failures_after_last_success == 3);
  json later = pod;
  later["metadata"]["creationTimestamp"] = "2026-01-01T01:00:00Z";
  // A success after the failures resets the count.
  CHECK(store.NewRecord("default/j", {std::make_shared<const json>(later)}, {failed})
            .failures_after_last_success == 0);
}

}  // namespace
}  // namespace skiff::controllers
