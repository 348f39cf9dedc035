// The Deployment controller's arithmetic: the pod-template hash, maxSurge/maxUnavailable,
// proportions, revisions and revision-history, conditions.
#include "controllers/deployment_util.h"

#include <catch2/catch.hpp>

namespace skiff::controllers::deployment {
namespace {

RsPtr Rs(const std::string& name, int replicas, json annotations = json::object(),
         const std::string& created = "2026-01-01T00:00:00Z") {
  return std::make_shared<const json>(json{{"metadata",
                                            {{"name", name},
                                             {"uid", "u-" + name},
                                             {"creationTimestamp", created},
                                             {"annotations", std::move(annotations)}}},
                                           {"spec", {{"replicas", replicas}}}});
}

json RollingDeployment(int replicas, json surge, json unavailable) {
  return {{"metadata", {{"name", "web"}, {"generation", 1}}},
          {"spec",
           {{"replicas", replicas},
            {"strategy",
             {{"type", "RollingUpdate"},
              {"rollingUpdate", {{"maxSurge", surge}, {"maxUnavailable", unavailable}}}}}}}};
}

TEST_CASE("the pod-template hash is FNV-1a 32 rendered in Kubernetes' safe alphabet") {
  CHECK(Fnv1a32("") == 2166136261u);
  CHECK(Fnv1a32("a") == 0xe40c292cu);
  CHECK(Fnv1a32("foobar") == 0xbf9cf968u);
  // Decimal digits map to 4 5 6 7 8 9 b c d f: the look of every pod-template-hash.
  CHECK(SafeEncodeString("0123456789") == "456789bcdf");
  CHECK(SafeEncodeString("2166136261") == "65bb57b6b5");

  const json tmpl = {{"metadata", {{"labels", {{"app", "web"}}}}},
                     {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx"}}}}}}};
  const std::string h = ComputeHash(tmpl, std::nullopt);
  CHECK(h == SafeEncodeString(std::to_string(Fnv1a32(tmpl.dump()))));
  // Empty members and nulls do not change it (Go's nil and empty are the same).
  json same = tmpl;
  same["metadata"]["annotations"] = json::object();
  same["spec"]["volumes"] = json::array();
  same["spec"]["nodeName"] = nullptr;
  CHECK(ComputeHash(same, std::nullopt) == h);
  json changed = tmpl;
  changed["spec"]["containers"][0]["image"] = "nginx:2";
  CHECK(ComputeHash(changed, std::nullopt) != h);
  // A collision count is hashed in as 8 little-endian bytes.
  const char one[8] = {1, 0, 0, 0, 0, 0, 0, 0};
  CHECK(ComputeHash(tmpl, 1) ==
        SafeEncodeString(std::to_string(Fnv1a32(std::string_view(one, 8), Fnv1a32(tmpl.dump())))));
  CHECK(ComputeHash(tmpl, 1) != h);
  CHECK(ComputeHash(tmpl, 0) != h);

  json labelled = tmpl;
  labelled["metadata"]["labels"]["pod-template-hash"] = h;
  CHECK(EqualIgnoreHash(labelled, tmpl));
  CHECK_FALSE(EqualIgnoreHash(changed, tmpl));
}

TEST_CASE("maxSurge rounds up and maxUnavailable down and both zero allow one unavailable") {
  auto f = [](json s, json u, int32_t desired) {
    auto r = ResolveFenceposts(s, u, desired);
    REQUIRE(r.ok());
    return std::pair<int32_t, int32_t>{r->surge, r->unavailable};
  };
  CHECK(f("25%", "25%", 4) == std::pair<int32_t, int32_t>{1, 1});
  CHECK(f("25%", "25%", 3) == std::pair<int32_t, int32_t>{1, 0});
  CHECK(f("25%", "25%", 10) == std::pair<int32_t, int32_t>{3, 2});
  CHECK(f(0, "1%", 2) == std::pair<int32_t, int32_t>{0, 1});
  CHECK(f(3, 2, 10) == std::pair<int32_t, int32_t>{3, 2});
  auto bad = ResolveFenceposts("25", 0, 4);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "invalid value for IntOrString: invalid type: string is not a percentage");

  CHECK(MaxSurge(RollingDeployment(10, "25%", "25%")) == 3);
  CHECK(MaxUnavailable(RollingDeployment(10, "25%", "25%")) == 2);
  CHECK(MaxUnavailable(RollingDeployment(2, 0, 5)) == 2);  // never more than replicas
  CHECK(MaxUnavailable(RollingDeployment(0, 1, 1)) == 0);
  json recreate = {{"spec", {{"replicas", 3}, {"strategy", {{"type", "Recreate"}}}}}};
  CHECK(MaxSurge(recreate) == 0);
  CHECK(MaxUnavailable(recreate) == 0);
}

TEST_CASE("the new ReplicaSet grows within the surge and never past the desired count") {
  const json d = RollingDeployment(10, 3, 2);
  const RsPtr old_rs = Rs("old", 10);
  const RsPtr new_rs = Rs("new", 0);
  CHECK(*NewRSNewReplicas(d, {old_rs, new_rs}, *new_rs) == 3);
  CHECK(*NewRSNewReplicas(d, {Rs("old", 8), Rs("new", 3)}, *Rs("new", 3)) == 5);
  CHECK(*NewRSNewReplicas(d, {Rs("old", 12), Rs("new", 1)}, *Rs("new", 1)) == 1);  // at 13
  CHECK(*NewRSNewReplicas(d, {Rs("old", 0), Rs("new", 9)}, *Rs("new", 9)) == 10);
  json recreate = {{"spec", {{"replicas", 4}, {"strategy", {{"type", "Recreate"}}}}}};
  CHECK(*NewRSNewReplicas(recreate, {}, *new_rs) == 4);
}

TEST_CASE("a scaling share follows the max-replicas annotation") {
  const json d = RollingDeployment(15, 3, 2);  // 18 allowed
  const json at13 = {{"deployment.kubernetes.io/max-replicas", "13"}};
  CHECK(GetProportion(Rs("a", 8, at13), d, 5, 0) == 3);  // round(8*18/13) - 8
  CHECK(GetProportion(Rs("b", 5, at13), d, 5, 3) == 2);  // round(5*18/13) - 5, 2 left
  CHECK(GetProportion(Rs("b", 5, at13), d, 5, 4) == 1);  // capped by what is left
  CHECK(GetProportion(Rs("c", 0, at13), d, 5, 0) == 0);  // never from zero
  json status_only = d;
  status_only["status"]["replicas"] = 13;  // no annotation: the Deployment's current size
  CHECK(GetProportion(Rs("a", 8), status_only, 5, 0) == 3);
  json to_zero = RollingDeployment(0, 3, 2);
  CHECK(GetProportion(Rs("a", 8, at13), to_zero, -13, 0) == -8);
}

TEST_CASE("revisions only go up and a ReplicaSet rolled back to keeps its former revisions") {
  const json d = {{"metadata",
                   {{"annotations",
                     {{"deployment.kubernetes.io/revision", "7"},
                      {"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                      {"kubernetes.io/change-cause", "kubectl set image"}}}}},
                  {"spec", {{"replicas", 2}, {"strategy", {{"type", "Recreate"}}}}}};
  json rs = *Rs("web-1", 0, {{"deployment.kubernetes.io/revision", "1"}});
  CHECK(SetNewReplicaSetAnnotations(d, rs, "3", true));
  CHECK(rs["metadata"]["annotations"] == json{{"deployment.kubernetes.io/revision", "3"},
                                              {"deployment.kubernetes.io/revision-history", "1"},
                                              {"kubernetes.io/change-cause", "kubectl set image"}});
  CHECK(SetNewReplicaSetAnnotations(d, rs, "5", true));
  CHECK(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1,3");
  CHECK_FALSE(SetNewReplicaSetAnnotations(d, rs, "4", true));  // never lowered
  CHECK(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "5");

  json fresh = *Rs("web-2", 0, json::object());
  CHECK(SetNewReplicaSetAnnotations(d, fresh, "1", false));
  CHECK(fresh["metadata"]["annotations"] ==
        json{{"deployment.kubernetes.io/revision", "1"},
             {"deployment.kubernetes.io/desired-replicas", "2"},
             {"deployment.kubernetes.io/max-replicas", "2"},
             {"kubernetes.io/change-cause", "kubectl set image"}});

  CHECK(MaxRevision({Rs("a", 0, {{"deployment.kubernetes.io/revision", "4"}}),
                     Rs("b", 0, {{"deployment.kubernetes.io/revision", "x"}}), Rs("c", 0)}) == 4);
  RsList by_revision = {Rs("a", 0, {{"deployment.kubernetes.io/revision", "4"}}),
                        Rs("b", 0, {{"deployment.kubernetes.io/revision", "2"}}),
                        Rs("c", 0, {{"deployment.kubernetes.io/revision", "3"}})};
  SortByRevision(by_revision);
  CHECK((*by_revision[0])["metadata"]["name"] == "b");
  CHECK((*by_revision[2])["metadata"]["name"] == "a");
}

TEST_CASE("conditions keep their transition time while their status stays") {
  using std::chrono::seconds;
  TimePoint t0{};
  json status = json::object();
  SetCondition(status, NewCondition("Progressing", "True", "NewReplicaSetCreated", "a", t0));
  SetCondition(status, NewCondition("Available", "False", "MinimumReplicasUnavailable", "b", t0));
  // Same status and reason: nothing changes (not even lastUpdateTime).
  SetCondition(status,
               NewCondition("Progressing", "True", "NewReplicaSetCreated", "c", t0 + seconds(5)));
  CHECK((*GetCondition(status, "Progressing"))["message"] == "a");
  // Same status, new reason: moved to the end, transition kept.
  SetCondition(status,
               NewCondition("Progressing", "True", "NewReplicaSetAvailable", "d", t0 + seconds(9)));
  CHECK(status["conditions"][1]["type"] == "Progressing");
  CHECK(status["conditions"][1]["lastTransitionTime"] == "1970-01-01T00:00:00Z");
  CHECK(status["conditions"][1]["lastUpdateTime"] == "1970-01-01T00:00:09Z");
  RemoveCondition(status, "Progressing");
  RemoveCondition(status, "Available");
  CHECK_FALSE(status.contains("conditions"));
}

}  // namespace
}  // namespace skiff::controllers::deployment
