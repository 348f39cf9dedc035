// events/event_recorder.h against a real store through the LocalClient: repeats fold into one
// Event, the source is the recorder's, cluster-scoped objects' events go to "default".
#include "events/event_recorder.h"

#include <catch2/catch.hpp>
#include <thread>

#include "../api/store_api.h"
#include "client/local_client.h"

using nlohmann::json;
using skiff::testing::Ok;

namespace {

json EventsIn(skiff::client::Client& c, const std::string& ns) {
  auto list = c.List(skiff::client::Events(), ns, {});
  REQUIRE(list.ok());
  return (*list)["items"];
}

}  // namespace

TEST_CASE("EventRecorder folds repeats into one Event with a growing count", "[events]") {
  skiff::testing::StoreApi api;
  skiff::client::LocalClient client(*api.res);
  const json pod = Ok(api.res->Create(
      *api.reg.Find("", "v1", "pods"), "default",
      {{"metadata", {{"name", "web"}}},
       {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}},
      {}, nullptr));
  skiff::events::EventRecorder rec(client, {"default-scheduler", ""});
  rec.Record(pod, "", "Warning", "FailedScheduling", "0/1 nodes are available: 1 Too many pods.");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // timestamps have seconds
  rec.Record(pod, "", "Warning", "FailedScheduling", "0/1 nodes are available: 1 Too many pods.");
  rec.Record(pod, "", "Normal", "Scheduled", "Successfully assigned default/web to n1");

  json items = EventsIn(client, "default");
  REQUIRE(items.size() == 2);
  const json& failed = items[0]["reason"] == "FailedScheduling" ? items[0] : items[1];
  const json& scheduled = items[0]["reason"] == "Scheduled" ? items[0] : items[1];
  CHECK(failed["count"] == 2);
  CHECK(failed["type"] == "Warning");
  CHECK(failed["firstTimestamp"] != failed["lastTimestamp"]);
  CHECK(failed["source"] == json{{"component", "default-scheduler"}});
  CHECK(failed["reportingComponent"] == "default-scheduler");
  CHECK(failed["involvedObject"]["kind"] == "Pod");
  CHECK(failed["involvedObject"]["namespace"] == "default");
  CHECK(failed["involvedObject"]["uid"] == pod["metadata"]["uid"]);
  CHECK(scheduled["count"] == 1);
  CHECK(scheduled["message"] == "Successfully assigned default/web to n1");
}

TEST_CASE("EventRecorder puts events of cluster-scoped objects in default", "[events]") {
  skiff::testing::StoreApi api;
  skiff::client::LocalClient client(*api.res);
  const json node = Ok(api.res->Create(*api.reg.Find("", "v1", "nodes"), "",
                                       {{"metadata", {{"name", "n1"}}}}, {}, nullptr));
  skiff::events::EventRecorder rec(client, {"kubelet", "n1"});
  rec.Record(node, "", "Normal", "NodeReady", "Node n1 status is now: NodeReady");
  json items = EventsIn(client, "default");
  REQUIRE(items.size() == 1);
  CHECK(items[0]["involvedObject"]["kind"] == "Node");
  CHECK_FALSE(items[0]["involvedObject"].contains("namespace"));
  CHECK(items[0]["source"] == json{{"component", "kubelet"}, {"host", "n1"}});
  CHECK(items[0]["reportingInstance"] == "n1");
}
