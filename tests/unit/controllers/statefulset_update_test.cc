// The StatefulSet's pure parts: pod identity, the claims' owner references under each
// retention policy, and the plan of one sync (rolling update, partition, maxUnavailable,
// OnDelete) on hand-made snapshots.
#include "controllers/statefulset_update.h"

#include <catch2/catch.hpp>

#include "unit/controllers/statefulset_fixture.h"

namespace skiff::controllers::statefulset {
namespace {

using controllers::testing::DataClaimTemplate;
using controllers::testing::WebSet;
using Names = std::vector<std::string>;

json ServedSet(json set) {
  set["metadata"]["namespace"] = "default";
  set["metadata"]["uid"] = "set-uid";
  set["metadata"]["generation"] = 4;
  set["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                   {"rollingUpdate", {{"partition", 0}}}};
  return set;
}

Revisions TwoRevisions(const json& set) {
  Revisions r;
  r.current_name = "web-old";
  r.update_name = "web-new";
  r.current_set = set;
  r.current_set["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.24";
  r.update_set = set;
  r.collision_count = 0;
  return r;
}

// A pod of the set at `revision`, Running and Ready long ago unless `ready` is false.
client::ObjectPtr PodAt(const json& set, int ordinal, const std::string& revision,
                        bool ready = true) {
  json pod = NewStatefulSetPod(set, ordinal, revision);
  pod["metadata"]["uid"] = "uid-" + std::to_string(ordinal);
  pod["metadata"]["resourceVersion"] = "1";
  pod["status"] = {{"phase", ready ? "Running" : "Pending"}};
  if (ready) {
    pod["status"]["conditions"] = {
        {{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2020-01-01T00:00:00Z"}}};
  }
  return std::make_shared<const json>(std::move(pod));
}

Names PodsOf(const std::vector<Step>& steps) {
  Names out;
  for (const Step& s : steps) out.push_back(s.pod["metadata"]["name"]);
  return out;
}

const ClaimLookup kNoClaims = [](const std::string&) { return client::ObjectPtr(); };

TEST_CASE("pod names parse into parent and ordinal as Kubernetes' expression does") {
  CHECK(ParentAndOrdinal("web-0") == std::pair<std::string, int>{"web", 0});
  CHECK(ParentAndOrdinal("my-web-12") == std::pair<std::string, int>{"my-web", 12});
  CHECK(ParentAndOrdinal("web-007") == std::pair<std::string, int>{"web", 7});
  CHECK(ParentAndOrdinal("web") == std::pair<std::string, int>{"", -1});
  CHECK(ParentAndOrdinal("web-") == std::pair<std::string, int>{"", -1});
  CHECK(ParentAndOrdinal("web-1a") == std::pair<std::string, int>{"", -1});
  CHECK(ParentAndOrdinal("web-99999999999") == std::pair<std::string, int>{"web", -1});
}

TEST_CASE("a new pod carries the set's identity, template and claims") {
  json set = ServedSet(WebSet(3));
  set["spec"]["volumeClaimTemplates"] = {DataClaimTemplate()};
  set["spec"]["template"]["spec"]["volumes"] = {{{"name", "config"}, {"emptyDir", json::object()}}};
  const json pod = NewStatefulSetPod(set, 2, "web-abc");
  CHECK(pod["metadata"]["name"] == "web-2");
  CHECK(pod["metadata"]["namespace"] == "default");
  CHECK(pod["metadata"]["labels"] == json{{"app", "nginx"},
                                          {"statefulset.kubernetes.io/pod-name", "web-2"},
                                          {"apps.kubernetes.io/pod-index", "2"},
                                          {"controller-revision-hash", "web-abc"}});
  CHECK(pod["spec"]["hostname"] == "web-2");
  CHECK(pod["spec"]["subdomain"] == "nginx");
  CHECK(pod["spec"]["volumes"] ==
        json{{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-web-2"}}}},
             {{"name", "config"}, {"emptyDir", json::object()}}});
  CHECK(pod["metadata"]["ownerReferences"][0]["uid"] == "set-uid");
  CHECK(IdentityMatches(set, pod));
  CHECK(StorageMatches(set, pod));

  const auto claims = ClaimsFor(set, 2);
  REQUIRE(claims.count("data") == 1);
  CHECK(claims.at("data")["metadata"]["name"] == "data-web-2");
  CHECK(claims.at("data")["metadata"]["labels"] == json{{"app", "nginx"}, {"tier", "storage"}});
}

TEST_CASE("claim owner references follow each retention policy") {
  json set = ServedSet(WebSet(2));
  set["spec"]["volumeClaimTemplates"] = {DataClaimTemplate()};
  json in_range = *PodAt(set, 1, "r");
  json scaled_down = *PodAt(set, 3, "r");
  const json claim = {{"metadata", {{"name", "data-web-1"}, {"resourceVersion", "5"}}}};
  auto kinds = [](const json& refs) {
    Names out;
    for (const json& r : refs)
      out.push_back(r["kind"].get<std::string>() + "/" + r["name"].get<std::string>());
    return out;
  };
  struct Case {
    const char* deleted;
    const char* scaled;
    Names in_range;
    Names scaled_down;
  };
  for (const Case& k :
       std::vector<Case>{{"Retain", "Retain", {}, {}},
                         {"Delete", "Retain", {"StatefulSet/web"}, {"StatefulSet/web"}},
                         {"Retain", "Delete", {}, {"Pod/web-3"}},
                         {"Delete", "Delete", {"StatefulSet/web"}, {"Pod/web-3"}}}) {
    set["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", k.deleted},
                                                           {"whenScaled", k.scaled}};
    INFO(k.deleted << "/" << k.scaled);
    CHECK(kinds(UpdatedClaimOwnerRefs(claim, set, in_range)) == k.in_range);
    CHECK(kinds(UpdatedClaimOwnerRefs(claim, set, scaled_down)) == k.scaled_down);
    json fixed = claim;
    fixed["metadata"]["ownerReferences"] = UpdatedClaimOwnerRefs(claim, set, in_range);
    CHECK(ClaimOwnerUpToDate(fixed, set, in_range));
    CHECK(ClaimOwnerUpToDate(claim, set, in_range) == k.in_range.empty());
  }
  // Another controller's claim is left alone.
  set["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Delete"},
                                                         {"whenScaled", "Retain"}};
  json foreign = claim;
  foreign["metadata"]["ownerReferences"] = {
      {{"apiVersion", "v1"}, {"kind", "Foo"}, {"name", "x"}, {"uid", "x"}, {"controller", true}}};
  CHECK(HasUnexpectedController(foreign, set, in_range));
  CHECK(ClaimOwnerUpToDate(foreign, set, in_range));
}

TEST_CASE("a rolling update deletes the highest pod at an old revision and waits for it") {
  const json set = ServedSet(WebSet(3));
  const Revisions revs = TwoRevisions(set);
  const auto now = Clock::now();
  std::vector<client::ObjectPtr> pods = {PodAt(set, 0, "web-old"), PodAt(set, 1, "web-old"),
                                         PodAt(set, 2, "web-old")};
  Plan plan = PlanSync(set, revs, pods, kNoClaims, now);
  CHECK(plan.replicas.empty());
  CHECK(plan.condemned.empty());
  CHECK(PodsOf(plan.updates) == Names{"web-2"});
  CHECK(plan.status == json{{"observedGeneration", 4},
                            {"replicas", 3},
                            {"readyReplicas", 3},
                            {"availableReplicas", 3},
                            {"currentReplicas", 3},
                            {"updatedReplicas", 0},
                            {"currentRevision", "web-old"},
                            {"updateRevision", "web-new"},
                            {"collisionCount", 0}});

  // web-2 came back at the new revision but is not ready: nothing more.
  pods[2] = PodAt(set, 2, "web-new", false);
  plan = PlanSync(set, revs, pods, kNoClaims, now);
  CHECK(plan.updates.empty());
  CHECK(plan.status["updatedReplicas"] == 1);
  pods[2] = PodAt(set, 2, "web-new");
  plan = PlanSync(set, revs, pods, kNoClaims, now);
  CHECK(PodsOf(plan.updates) == Names{"web-1"});
}

TEST_CASE("the partition keeps lower ordinals at the current revision") {
  json set = ServedSet(WebSet(3));
  set["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2;
  const Revisions revs = TwoRevisions(set);
  const auto now = Clock::now();
  std::vector<client::ObjectPtr> pods = {PodAt(set, 0, "web-old"), PodAt(set, 1, "web-old"),
                                         PodAt(set, 2, "web-new")};
  CHECK(PlanSync(set, revs, pods, kNoClaims, now).updates.empty());
  // A missing pod below the partition is made at the current revision, above it at the update.
  Plan plan = PlanSync(set, revs, {pods[0], pods[2]}, kNoClaims, now);
  REQUIRE(PodsOf(plan.replicas) == Names{"web-1"});
  CHECK(plan.replicas[0].kind == StepKind::kCreatePod);
  CHECK(plan.replicas[0].pod["metadata"]["labels"]["controller-revision-hash"] == "web-old");
  CHECK(plan.replicas[0].pod["spec"]["containers"][0]["image"] == "nginx:1.24");
  plan = PlanSync(set, revs, {pods[0], pods[1]}, kNoClaims, now);
  CHECK(plan.replicas[0].pod["metadata"]["labels"]["controller-revision-hash"] == "web-new");
  CHECK(plan.replicas[0].pod["spec"]["containers"][0]["image"] == "nginx:1.25");
}

TEST_CASE("maxUnavailable lets the update replace several pods at once") {
  json set = ServedSet(WebSet(4, "Parallel"));
  set["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = "50%";
  const Revisions revs = TwoRevisions(set);
  const auto now = Clock::now();
  std::vector<client::ObjectPtr> pods;
  for (int i = 0; i < 4; ++i) pods.push_back(PodAt(set, i, "web-old"));
  CHECK(PodsOf(PlanSync(set, revs, pods, kNoClaims, now).updates) == Names{"web-3", "web-2"});
  // One unavailable already: one more may go.
  pods[3] = PodAt(set, 3, "web-new", false);
  CHECK(PodsOf(PlanSync(set, revs, pods, kNoClaims, now).updates) == Names{"web-2"});
  set["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = 1;
  CHECK(PlanSync(set, revs, pods, kNoClaims, now).updates.empty());
}

TEST_CASE("OnDelete never deletes pods for an update") {
  json set = ServedSet(WebSet(2));
  set["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  const Revisions revs = TwoRevisions(set);
  const auto now = Clock::now();
  Plan plan =
      PlanSync(set, revs, {PodAt(set, 0, "web-old"), PodAt(set, 1, "web-old")}, kNoClaims, now);
  CHECK(plan.replicas.empty());
  CHECK(plan.updates.empty());
  // A pod the user deleted comes back at the update revision.
  plan = PlanSync(set, revs, {PodAt(set, 0, "web-old")}, kNoClaims, now);
  REQUIRE(plan.replicas.size() == 1);
  CHECK(plan.replicas[0].pod["metadata"]["labels"]["controller-revision-hash"] == "web-new");
}

TEST_CASE("a set being deleted only reports its status") {
  json set = ServedSet(WebSet(3));
  set["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  const Plan plan =
      PlanSync(set, TwoRevisions(set), {PodAt(set, 0, "web-old")}, kNoClaims, Clock::now());
  CHECK(plan.replicas.empty());
  CHECK(plan.updates.empty());
  CHECK(plan.status["replicas"] == 1);
}

TEST_CASE("a rolling update completes once every replica is updated and ready") {
  const json set = ServedSet(WebSet(2));
  json status = {
      {"replicas", 2},        {"readyReplicas", 2},           {"updatedReplicas", 2},
      {"currentReplicas", 0}, {"currentRevision", "web-old"}, {"updateRevision", "web-new"}};
  CompleteRollingUpdate(set, status);
  CHECK(status["currentRevision"] == "web-new");
  CHECK(status["currentReplicas"] == 2);
  json partial = {
      {"replicas", 2},        {"readyReplicas", 1},           {"updatedReplicas", 2},
      {"currentReplicas", 0}, {"currentRevision", "web-old"}, {"updateRevision", "web-new"}};
  CompleteRollingUpdate(set, partial);
  CHECK(partial["currentRevision"] == "web-old");
}

}  // namespace
}  // namespace skiff::controllers::statefulset
