// VolumeBinding: kube-scheduler's PreFilter and Filter messages for a pod's claims, the plan
// PreBind carries out (pre-bind a static volume, or select the node for provisioning), and
// its place in Decide's FitError.
#include "scheduler/volume_binding.h"

#include <catch2/catch.hpp>
#include <map>

#include "scheduler/decide.h"
#include "sched_test_util.h"

using nlohmann::json;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using sched_test::Ptrs;
using skiff::scheduler::Decide;
using skiff::scheduler::DecideOptions;
using skiff::scheduler::FilterCode;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ObjectRef;
using skiff::scheduler::PodVolumes;
using skiff::scheduler::ScoreConfig;
using skiff::scheduler::VolumeListers;

namespace {

struct Cache {
  std::map<std::string, json> claims;  // by name (namespace default)
  std::map<std::string, json> volumes;
  std::map<std::string, json> classes;

  VolumeListers Listers() const {
    VolumeListers l;
    auto get = [](const std::map<std::string, json>& m, const std::string& name) -> ObjectRef {
      auto it = m.find(name);
      return it == m.end() ? nullptr : std::make_shared<const json>(it->second);
    };
    l.claim = [this, get](const std::string&, const std::string& name) { return get(claims, name); };
    l.volume = [this, get](const std::string& name) { return get(volumes, name); };
    l.storage_class = [this, get](const std::string& name) { return get(classes, name); };
    l.volumes = [this] {
      std::vector<ObjectRef> out;
      for (const auto& [name, v] : volumes) out.push_back(std::make_shared<const json>(v));
      return out;
    };
    return l;
  }
};

json Claim(const std::string& name, const std::string& cls, const std::string& size = "1Gi") {
  json c = {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
            {"spec",
             {{"accessModes", {"ReadWriteOnce"}},
              {"resources", {{"requests", {{"storage", size}}}}}}},
            {"status", {{"phase", "Pending"}}}};
  if (!cls.empty()) c["spec"]["storageClassName"] = cls;
  return c;
}

json Volume(const std::string& name, const std::string& cls, const std::string& node,
            const std::string& size = "1Gi") {
  json v = {{"apiVersion", "v1"},
            {"kind", "PersistentVolume"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"capacity", {{"storage", size}}},
              {"accessModes", {"ReadWriteOnce"}},
              {"storageClassName", cls},
              {"local", {{"path", "/mnt/" + name}}}}},
            {"status", {{"phase", "Available"}}}};
  if (!node.empty()) {
    v["spec"]["nodeAffinity"] = {
        {"required",
         {{"nodeSelectorTerms",
           {{{"matchExpressions",
              {{{"key", "kubernetes.io/hostname"}, {"operator", "In"}, {"values", {node}}}}}}}}}}};
  }
  return v;
}

json Class(const std::string& name, const std::string& provisioner, bool wait) {
  return {{"apiVersion", "storage.k8s.io/v1"},
          {"kind", "StorageClass"},
          {"metadata", {{"name", name}}},
          {"provisioner", provisioner},
          {"volumeBindingMode", wait ? "WaitForFirstConsumer" : "Immediate"}};
}

json WithClaims(json pod, std::initializer_list<std::string> claims) {
  for (const std::string& c : claims) {
    pod["spec"]["volumes"].push_back({{"name", "v-" + c}, {"persistentVolumeClaim", {{"claimName", c}}}});
  }
  return pod;
}

std::string PreFilterMessage(const PodVolumes& v) {
  REQUIRE(v.pre_filter_rejection());
  CHECK(v.pre_filter_rejection()->code == FilterCode::kUnschedulableAndUnresolvable);
  return v.pre_filter_rejection()->reasons.front();
}

}  // namespace

TEST_CASE("volume binding: a pod without claims is not checked", "[scheduler][volumes]") {
  Cache cache;
  PodVolumes v = PodVolumes::Build(Pod("p"), cache.Listers(), {});
  CHECK(v.skip());
  CHECK_FALSE(v.pre_filter_rejection());
}

TEST_CASE("volume binding: PreFilter rejections name the claim", "[scheduler][volumes]") {
  Cache cache;
  json pod = WithClaims(Pod("p"), {"data"});
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "persistentvolumeclaim \"data\" not found");

  cache.claims["data"] = Claim("data", "");
  cache.claims["data"]["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "persistentvolumeclaim \"data\" is being deleted");

  cache.claims["data"] = Claim("data", "");
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "pod has unbound immediate PersistentVolumeClaims");

  cache.claims["data"] = Claim("data", "fast");
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "storageclass.storage.k8s.io \"fast\" not found");

  cache.classes["fast"] = Class("fast", "example.com/x", false);
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "pod has unbound immediate PersistentVolumeClaims");
}

TEST_CASE("volume binding: a bound volume's node affinity decides the node", "[scheduler][volumes]") {
  Cache cache;
  cache.claims["data"] = Claim("data", "local-path");
  cache.claims["data"]["spec"]["volumeName"] = "pv-a";
  cache.volumes["pv-a"] = Volume("pv-a", "local-path", "a");
  json pod = WithClaims(Pod("p"), {"data"});
  PodVolumes v = PodVolumes::Build(pod, cache.Listers(), {});
  REQUIRE_FALSE(v.pre_filter_rejection());
  NodeInfo a = MakeNodeInfo(Node("a")), b = MakeNodeInfo(Node("b"));
  CHECK(v.Filter(a).ok());
  auto rejected = v.Filter(b);
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.reasons.front() == "node(s) had volume node affinity conflict");
  CHECK(v.Plan(a).empty());

  // Decide says it as kube-scheduler does.
  auto d = Decide(pod, Ptrs({b}), ScoreConfig{}, [&] {
    DecideOptions o;
    o.volumes = &v;
    return o;
  }());
  REQUIRE(d.fit_error);
  CHECK(d.fit_error->Error() ==
        "0/1 nodes are available: 1 node(s) had volume node affinity conflict. preemption: 0/1 "
        "nodes are available: 1 Preemption is not helpful for scheduling.");

  cache.volumes.erase("pv-a");
  PodVolumes missing = PodVolumes::Build(pod, cache.Listers(), {});
  CHECK(missing.Filter(a).reasons.front() ==
        "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)");
}

TEST_CASE("volume binding: a waiting claim is provisioned on the chosen node", "[scheduler][volumes]") {
  Cache cache;
  cache.classes["local-path"] = Class("local-path", "skiff.io/local-path", true);
  cache.claims["data"] = Claim("data", "local-path");
  json pod = WithClaims(Pod("p"), {"data"});
  PodVolumes v = PodVolumes::Build(pod, cache.Listers(), {});
  REQUIRE_FALSE(v.pre_filter_rejection());
  NodeInfo a = MakeNodeInfo(Node("a"));
  CHECK(v.Filter(a).ok());
  auto plan = v.Plan(a);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].claim_name == "data");
  CHECK(plan[0].claim_uid == "uid-data");
  CHECK(plan[0].volume.empty());

  // Once a node is selected for it, only that node will do.
  cache.claims["data"]["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] = "b";
  PodVolumes selected = PodVolumes::Build(pod, cache.Listers(), {});
  CHECK(selected.Filter(a).reasons.front() ==
        "node(s) didn't find available persistent volumes to bind");
  CHECK(selected.Filter(MakeNodeInfo(Node("b"))).ok());
}

TEST_CASE("volume binding: a static volume on the node is pre-bound and taken once",
          "[scheduler][volumes]") {
  Cache cache;
  cache.classes["manual"] = Class("manual", "kubernetes.io/no-provisioner", true);
  cache.claims["one"] = Claim("one", "manual");
  cache.claims["two"] = Claim("two", "manual");
  cache.volumes["pv-big"] = Volume("pv-big", "manual", "a", "10Gi");
  cache.volumes["pv-small"] = Volume("pv-small", "manual", "a", "1Gi");
  cache.volumes["pv-b"] = Volume("pv-b", "manual", "b", "1Gi");
  NodeInfo a = MakeNodeInfo(Node("a")), c = MakeNodeInfo(Node("c"));

  PodVolumes v = PodVolumes::Build(WithClaims(Pod("p"), {"one", "two"}), cache.Listers(), {});
  REQUIRE(v.Filter(a).ok());
  auto plan = v.Plan(a);
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].volume == "pv-small");  // the smallest that fits first
  CHECK(plan[1].volume == "pv-big");
  // No volume on node c, and nothing can provision one.
  CHECK(v.Filter(c).reasons.front() == "node(s) didn't find available persistent volumes to bind");

  // Volumes assumed by an earlier decision are taken.
  PodVolumes later = PodVolumes::Build(WithClaims(Pod("q"), {"one"}), cache.Listers(), {"pv-small"});
  REQUIRE(later.Filter(a).ok());
  CHECK(later.Plan(a).at(0).volume == "pv-big");
  PodVolumes none =
      PodVolumes::Build(WithClaims(Pod("q"), {"one"}), cache.Listers(), {"pv-small", "pv-big"});
  CHECK_FALSE(none.Filter(a).ok());
}

TEST_CASE("volume binding: an ephemeral volume's claim is the pod's own", "[scheduler][volumes]") {
  Cache cache;
  cache.classes["local-path"] = Class("local-path", "skiff.io/local-path", true);
  json pod = Pod("web");
  pod["spec"]["volumes"] = {{{"name", "scratch"},
                             {"ephemeral",
                              {{"volumeClaimTemplate",
                                {{"spec",
                                  {{"accessModes", {"ReadWriteOnce"}},
                                   {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}}};
  // Right after the pod was created the controller has not made the claim yet.
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "waiting for ephemeral volume controller to create the persistentvolumeclaim "
        "\"web-scratch\"");

  // A claim of that name that the pod does not control is not used.
  cache.claims["web-scratch"] = Claim("web-scratch", "local-path");
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "PVC default/web-scratch was not created for pod default/web (pod is not owner)");
  cache.claims["web-scratch"]["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                                                 {"kind", "Pod"},
                                                                 {"name", "web"},
                                                                 {"uid", "uid-other"},
                                                                 {"controller", true}}};
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "PVC default/web-scratch was not created for pod default/web (pod is not owner)");

  // Being deleted is said first, as kube-scheduler does.
  cache.claims["web-scratch"]["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  CHECK(PreFilterMessage(PodVolumes::Build(pod, cache.Listers(), {})) ==
        "persistentvolumeclaim \"web-scratch\" is being deleted");

  // The pod's own claim is then a claim like any other: provisioned on the chosen node.
  cache.claims["web-scratch"]["metadata"].erase("deletionTimestamp");
  cache.claims["web-scratch"]["metadata"]["ownerReferences"][0]["uid"] = "uid-web";
  PodVolumes v = PodVolumes::Build(pod, cache.Listers(), {});
  REQUIRE_FALSE(v.pre_filter_rejection());
  CHECK_FALSE(v.skip());
  CHECK(v.claims() == std::vector<std::pair<std::string, std::string>>{{"default", "web-scratch"}});
  NodeInfo a = MakeNodeInfo(Node("a"));
  CHECK(v.Filter(a).ok());
  auto plan = v.Plan(a);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].claim_name == "web-scratch");
  CHECK(plan[0].claim_uid == "uid-web-scratch");
  CHECK(plan[0].volume.empty());

  // Decide reports the PreFilter rejection as kube-scheduler does.
  cache.claims.erase("web-scratch");
  PodVolumes waiting = PodVolumes::Build(pod, cache.Listers(), {});
  auto d = Decide(pod, Ptrs({a}), ScoreConfig{}, [&] {
    DecideOptions o;
    o.volumes = &waiting;
    return o;
  }());
  REQUIRE(d.fit_error);
  CHECK(d.fit_error->Error() ==
        "0/1 nodes are available: waiting for ephemeral volume controller to create the "
        "persistentvolumeclaim \"web-scratch\". preemption: 0/1 nodes are available: 1 "
        "Preemption is not helpful for scheduling.");
}
