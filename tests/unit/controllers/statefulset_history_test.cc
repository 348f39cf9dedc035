// ControllerRevisions: the history helpers, and the StatefulSet's revisions, rolling update,
// partition, OnDelete and status through the controller against a real store.
#include <catch2/catch.hpp>

#include "controllers/controller_history.h"
#include "controllers/statefulset_revisions.h"
#include "unit/controllers/statefulset_fixture.h"

namespace skiff::controllers {
namespace {

using testing::Ok;
using testing::StatefulSetCluster;
using testing::WebSet;
using Names = std::vector<std::string>;

json Revision(const std::string& name, int64_t number, const std::string& created) {
  return {{"metadata", {{"name", name}, {"creationTimestamp", created}}},
          {"data", {{"n", number}}},
          {"revision", number}};
}

// The ControllerRevisions of "default", as (name, revision), by revision.
std::vector<std::pair<std::string, int64_t>> Revisions(StatefulSetCluster& c) {
  std::vector<std::pair<std::string, int64_t>> out;
  const json list = Ok(c.client->List(client::ControllerRevisions(), "default", {}));
  for (const json& r : list["items"]) out.emplace_back(r["metadata"]["name"], r["revision"]);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second < b.second; });
  return out;
}

void SetImage(StatefulSetCluster& c, const std::string& image) {
  c.PatchSet(
      {{"spec",
        {{"template", {{"spec", {{"containers", {{{"name", "nginx"}, {"image", image}}}}}}}}}}});
}

std::string RevisionOf(StatefulSetCluster& c, const std::string& pod) {
  return c.GetPod(pod)["metadata"]["labels"]["controller-revision-hash"];
}

TEST_CASE("revision hashes are FNV-1 32 of the data, safe-encoded") {
  CHECK(history::Fnv1_32("") == 2166136261u);
  CHECK(history::Fnv1_32("a") == 0x050c5d7eu);
  CHECK(history::Fnv1_32("foobar") == 0x31f0b262u);
  CHECK(history::SafeEncodeString("123") == "567");
  // fnv1("{\"spec\":1}" + "0") = 4263425737.
  CHECK(history::HashControllerRevision(json{{"spec", 1}}, 0) == "6c6d4757f9");
  CHECK(history::HashControllerRevision(json{{"spec", 1}}, 1) !=
        history::HashControllerRevision(json{{"spec", 1}}, 0));
  CHECK(history::ControllerRevisionName("web", "abc") == "web-abc");
  CHECK(history::ControllerRevisionName(std::string(300, 'x'), "abc").size() == 227);
}

TEST_CASE("revisions sort by number, then age, then name, and compare by data") {
  history::RevisionList list = {
      std::make_shared<const json>(Revision("c", 2, "2024-01-01T00:00:00Z")),
      std::make_shared<const json>(Revision("b", 1, "2024-01-02T00:00:00Z")),
      std::make_shared<const json>(Revision("a", 1, "2024-01-02T00:00:00Z")),
      std::make_shared<const json>(Revision("d", 1, "2024-01-01T00:00:00Z"))};
  history::SortControllerRevisions(list);
  Names order;
  for (const auto& r : list) order.push_back((*r)["metadata"]["name"]);
  CHECK(order == Names{"d", "a", "b", "c"});
  CHECK(history::NextRevision(list) == 3);
  CHECK(history::NextRevision({}) == 1);
  const json same_data = Revision("x", 7, "");
  CHECK(history::FindEqualRevisions(list, Revision("y", 2, "")).size() == 1);
  CHECK(history::EqualRevision(&same_data, list.back().get()) == false);
  CHECK(history::EqualRevision(nullptr, nullptr));
}

TEST_CASE("the history creates, finds again, renumbers, lists and deletes revisions") {
  StatefulSetCluster c;
  const json set = c.CreateSet(WebSet(1));
  json other = WebSet(1);
  other["metadata"]["name"] = "db";
  const json db = c.CreateSet(other);
  c.StartInformers();
  history::ControllerHistory h(*c.client);
  const json data = {{"spec", {{"template", {{"x", 1}}}}}};
  const json labels = {{"app", "nginx"}};
  int32_t collisions = 0;
  const json rev = history::NewControllerRevision(set, StatefulSetKind(), labels, data, 1, 0);
  const json made = Ok(h.Create(set, rev, &collisions));
  CHECK(made["metadata"]["name"] == "web-" + history::HashControllerRevision(data, 0));
  CHECK(made["metadata"]["labels"]["controller.kubernetes.io/hash"] ==
        history::HashControllerRevision(data, 0));
  CHECK(made["revision"] == 1);
  // Created again (a stale cache): the existing one comes back, no collision.
  CHECK(Ok(h.Create(set, rev, &collisions))["metadata"]["uid"] == made["metadata"]["uid"]);
  CHECK(collisions == 0);
  CHECK(Ok(h.UpdateRevisionNumber(made, 7))["revision"] == 7);

  // Listed: the set's own and orphans matching the selector, not another owner's.
  Ok(c.client->Create(client::ControllerRevisions(), "default",
                      {{"metadata", {{"name", "orphan"}, {"labels", labels}}},
                       {"data", json::object()},
                       {"revision", 1}}));
  Ok(c.client->Create(
      client::ControllerRevisions(), "default",
      history::NewControllerRevision(db, StatefulSetKind(), labels, json{{"db", 1}}, 1, 0)));
  c.Settle();
  auto selector = apis::ParseLabelSelector("app=nginx");
  REQUIRE(selector.ok());
  Names listed;
  for (const auto& r : history::ListControllerRevisions(
           c.informers.For(client::ControllerRevisions()), set, *selector)) {
    listed.push_back((*r)["metadata"]["name"]);
  }
  std::sort(listed.begin(), listed.end());
  CHECK(listed == Names{"orphan", made["metadata"]["name"].get<std::string>()});
  REQUIRE(h.Delete(made).ok());
  REQUIRE(h.Delete(made).ok());  // already gone
  CHECK_FALSE(c.client
                  ->Get(client::ControllerRevisions(), "default",
                        made["metadata"]["name"].get<std::string>())
                  .ok());
}

TEST_CASE("the set's template is recorded as a ControllerRevision named after its hash") {
  StatefulSetCluster c;
  const json created = c.CreateSet(WebSet(1));
  c.StartInformers();
  c.Sync();
  c.Sync();  // the status counts web-0 from the second pass on
  const auto revs = Revisions(c);
  REQUIRE(revs.size() == 1);
  const std::string hash = history::HashControllerRevision(statefulset::RevisionData(created), 0);
  CHECK(revs[0] == std::pair<std::string, int64_t>{"web-" + hash, 1});
  const json cr = Ok(c.client->Get(client::ControllerRevisions(), "default", "web-" + hash));
  CHECK(cr["metadata"]["labels"] ==
        json{{"app", "nginx"}, {"controller.kubernetes.io/hash", hash}});
  CHECK(cr["metadata"]["ownerReferences"][0]["uid"] == created["metadata"]["uid"]);
  CHECK(cr["data"]["spec"]["template"]["$patch"] == "replace");
  CHECK(cr["data"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25");
  const json status = c.Set()["status"];
  CHECK(status["currentRevision"] == "web-" + hash);
  CHECK(status["updateRevision"] == "web-" + hash);
  CHECK(status["collisionCount"] == 0);
  CHECK(status["observedGeneration"] == created["metadata"]["generation"]);
  CHECK(status["replicas"] == 1);
  CHECK(status["readyReplicas"] == 0);
  CHECK(status["availableReplicas"] == 0);
  CHECK(status["currentReplicas"] == 1);
  CHECK(status["updatedReplicas"] == 1);
}

TEST_CASE("a name taken by other data raises the collision count") {
  StatefulSetCluster c;
  const json created = c.CreateSet(WebSet(1));
  const json data = statefulset::RevisionData(created);
  const std::string taken = "web-" + history::HashControllerRevision(data, 0);
  Ok(c.client->Create(client::ControllerRevisions(), "default",
                      {{"metadata", {{"name", taken}, {"labels", {{"app", "other"}}}}},
                       {"data", {{"something", "else"}}},
                       {"revision", 1}}));
  c.StartInformers();
  c.Sync();
  const json status = c.Set()["status"];
  CHECK(status["collisionCount"] == 1);
  CHECK(status["updateRevision"] == "web-" + history::HashControllerRevision(data, 1));
  CHECK(RevisionOf(c, "web-0") == status["updateRevision"]);
}

TEST_CASE("a rolling update replaces pods from the highest ordinal down, one at a time") {
  StatefulSetCluster c;
  c.CreateSet(WebSet(3));
  c.StartInformers();
  for (const char* p : {"web-0", "web-1", "web-2"}) {
    c.Sync();
    c.Ready(p);
  }
  c.Sync();
  const std::string old_rev = c.Set()["status"]["currentRevision"];

  SetImage(c, "nginx:1.26");
  c.Sync();  // a new revision; web-2 goes
  const json set = c.Set();
  const std::string new_rev = set["status"]["updateRevision"];
  CHECK(new_rev != old_rev);
  CHECK(set["status"]["currentRevision"] == old_rev);
  CHECK(set["status"]["currentReplicas"] == 2);
  CHECK(set["status"]["updatedReplicas"] == 0);
  CHECK(Revisions(c).size() == 2);
  CHECK(c.PodNames() == Names{"web-0", "web-1"});

  c.Sync();  // web-2 again, at the new revision
  CHECK(RevisionOf(c, "web-2") == new_rev);
  CHECK(c.GetPod("web-2")["spec"]["containers"][0]["image"] == "nginx:1.26");
  c.Sync();  // waits for web-2
  CHECK(c.PodNames() == Names{"web-0", "web-1", "web-2"});
  CHECK(RevisionOf(c, "web-1") == old_rev);
  c.Ready("web-2");
  c.Sync();  // web-1 goes
  CHECK(c.PodNames() == Names{"web-0", "web-2"});
  c.Sync();
  c.Ready("web-1");
  c.Sync();  // web-0 goes
  CHECK(c.PodNames() == Names{"web-1", "web-2"});
  c.Sync();
  c.Ready("web-0");
  c.Sync();
  for (const char* p : {"web-0", "web-1", "web-2"}) CHECK(RevisionOf(c, p) == new_rev);
  const json status = c.Set()["status"];
  CHECK(status["currentRevision"] == new_rev);
  CHECK(status["updateRevision"] == new_rev);
  CHECK(status["currentReplicas"] == 3);
  CHECK(status["updatedReplicas"] == 3);
  CHECK(status["readyReplicas"] == 3);
  CHECK(c.Events("SuccessfulDelete") == Names{"delete Pod web-2 in StatefulSet web successful",
                                              "delete Pod web-1 in StatefulSet web successful",
                                              "delete Pod web-0 in StatefulSet web successful"});
}

TEST_CASE("a partition updates only the ordinals at or above it") {
  StatefulSetCluster c;
  json spec = WebSet(3, "Parallel");
  spec["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                    {"rollingUpdate", {{"partition", 2}}}};
  c.CreateSet(spec);
  c.StartInformers();
  c.Sync();
  for (const char* p : {"web-0", "web-1", "web-2"}) c.Ready(p);
  c.Sync();
  const std::string old_rev = c.Set()["status"]["currentRevision"];
  SetImage(c, "nginx:1.26");
  c.Sync();
  c.Sync();
  c.Ready("web-2");
  c.Sync();
  const json status = c.Set()["status"];
  const std::string new_rev = status["updateRevision"];
  CHECK(RevisionOf(c, "web-2") == new_rev);
  CHECK(RevisionOf(c, "web-1") == old_rev);
  CHECK(RevisionOf(c, "web-0") == old_rev);
  CHECK(status["currentRevision"] == old_rev);
  CHECK(status["currentReplicas"] == 2);
  CHECK(status["updatedReplicas"] == 1);
  // Deleted below the partition, a pod comes back at the current revision.
  c.DeletePod("default", "web-0");
  c.Sync();
  CHECK(RevisionOf(c, "web-0") == old_rev);
  CHECK(c.GetPod("web-0")["spec"]["containers"][0]["image"] == "nginx:1.25");
  // Lowering the partition rolls on.
  c.Ready("web-0");
  c.PatchSet({{"spec", {{"updateStrategy", {{"rollingUpdate", {{"partition", 0}}}}}}}});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-2"});
}

TEST_CASE("OnDelete replaces a pod only when the user deletes it") {
  StatefulSetCluster c;
  json spec = WebSet(2, "Parallel");
  spec["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  c.CreateSet(spec);
  c.StartInformers();
  c.Sync();
  for (const char* p : {"web-0", "web-1"}) c.Ready(p);
  c.Sync();
  const std::string old_rev = c.Set()["status"]["currentRevision"];
  SetImage(c, "nginx:1.26");
  c.Sync();
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  const std::string new_rev = c.Set()["status"]["updateRevision"];
  CHECK(new_rev != old_rev);
  CHECK(RevisionOf(c, "web-1") == old_rev);
  c.DeletePod("default", "web-1");
  c.Sync();
  c.Sync();
  CHECK(RevisionOf(c, "web-1") == new_rev);
  CHECK(RevisionOf(c, "web-0") == old_rev);
  const json status = c.Set()["status"];
  CHECK(status["updatedReplicas"] == 1);
  CHECK(status["currentReplicas"] == 1);
}

TEST_CASE("rolling back reuses the old revision with the next number, old ones are pruned") {
  StatefulSetCluster c;
  json spec = WebSet(0);
  spec["spec"]["revisionHistoryLimit"] = 1;
  c.CreateSet(spec);
  c.StartInformers();
  c.Sync();
  const std::string first = c.Set()["status"]["updateRevision"];
  SetImage(c, "nginx:1.26");
  c.Sync();
  SetImage(c, "nginx:1.25");  // back to the first template
  c.Sync();
  auto revs = Revisions(c);
  REQUIRE(revs.size() == 2);
  CHECK(revs[1] == std::pair<std::string, int64_t>{first, 3});
  CHECK(c.Set()["status"]["updateRevision"] == first);

  SetImage(c, "nginx:1.27");
  c.Sync();
  SetImage(c, "nginx:1.28");
  c.Sync();
  // The revision that was current until this sync finished the update goes on the next.
  CHECK(Revisions(c).size() == 3);
  c.Sync();
  revs = Revisions(c);
  REQUIRE(revs.size() == 2);  // the live one and one more (revisionHistoryLimit 1)
  CHECK(revs[0].second == 4);
  CHECK(revs[1].second == 5);
  CHECK(c.Set()["status"]["updateRevision"] == revs[1].first);
}

}  // namespace
}  // namespace skiff::controllers
