// The garbage collector's uid graph, driven directly: virtual owners, observation, deletion,
// foreground and orphan transitions, invalid cross-namespace references and virtual deletes.
#include "controllers/gc_graph.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace skiff::controllers {
namespace {

using nlohmann::json;

json Obj(const std::string& api_version, const std::string& kind, const std::string& ns,
         const std::string& name, const std::string& uid,
         const std::vector<json>& owner_refs = {}) {
  json o = {
      {"apiVersion", api_version}, {"kind", kind}, {"metadata", {{"name", name}, {"uid", uid}}}};
  if (!ns.empty()) o["metadata"]["namespace"] = ns;
  if (!owner_refs.empty()) o["metadata"]["ownerReferences"] = json(owner_refs);
  return o;
}

ObjectRef Id(const json& o) {
  return {o["apiVersion"], o["kind"], o["metadata"].value("namespace", ""), o["metadata"]["name"],
          o["metadata"]["uid"]};
}

json Ref(const std::string& kind, const std::string& name, const std::string& uid,
         bool block = true) {
  return {{"apiVersion", kind == "Node" ? "v1" : "apps/v1"},
          {"kind", kind},
          {"name", name},
          {"uid", uid},
          {"controller", true},
          {"blockOwnerDeletion", block}};
}

TEST_CASE("graph: virtual owners, observation, deletion and transitions") {
  AbsentOwnerCache absent;
  GcGraph g(absent, [](const std::string&, const std::string& kind) { return kind == "Node"; });
  const json pod = Obj("v1", "Pod", "default", "p", "pod-1",
                       {Ref("ReplicaSet", "rs", "rs-1"), Ref("Node", "n", "node-1", false)});
  GraphEffects fx = g.Observe(Id(pod), pod, nullptr);
  CHECK(fx.attempt_delete == std::vector<std::string>{"rs-1", "node-1"});
  CHECK(g.Size() == 3);
  auto rs_node = g.Node("rs-1");
  REQUIRE(rs_node);
  CHECK_FALSE(rs_node->observed);
  CHECK(rs_node->identity == ObjectRef{"apps/v1", "ReplicaSet", "default", "rs", "rs-1"});
  CHECK(g.Node("node-1")->identity.ns == "");  // a cluster-scoped kind

  const json rs = Obj("apps/v1", "ReplicaSet", "default", "rs", "rs-1");
  fx = g.Observe(Id(rs), rs, nullptr);
  CHECK(fx.attempt_delete.empty());
  CHECK(g.Node("rs-1")->observed);
  CHECK(g.Dependents("rs-1").size() == 1);
  CHECK(g.Dependents("rs-1", true).size() == 1);
  CHECK(g.Dependents("node-1", true).empty());  // blockOwnerDeletion: false

  // Foreground deletion starts: the dependents and the owner are looked at.
  json deleting = rs;
  deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  deleting["metadata"]["finalizers"] = {"foregroundDeletion"};
  fx = g.Observe(Id(rs), deleting, &rs);
  CHECK(fx.attempt_delete == std::vector<std::string>{"pod-1", "rs-1"});
  CHECK(g.Node("rs-1")->deleting_dependents);
  fx = g.Observe(Id(rs), deleting, &deleting);  // not a transition again
  CHECK(fx.attempt_delete.empty());

  // The pod goes: its owner waiting for it is looked at.
  fx = g.ObserveDelete(Id(pod));
  CHECK(fx.attempt_delete == std::vector<std::string>{"rs-1"});
  CHECK(g.Dependents("rs-1").empty());

  // The owner goes: remembered as absent only when it had dependents.
  fx = g.ObserveDelete(Id(rs));
  CHECK(fx.attempt_delete.empty());
  CHECK_FALSE(g.Node("rs-1"));
  CHECK_FALSE(absent.Has(Id(rs)));
}

TEST_CASE("graph: an orphan transition, and an owner's delete wakes its dependents") {
  AbsentOwnerCache absent;
  GcGraph g(absent);
  const json rs = Obj("apps/v1", "ReplicaSet", "default", "rs", "rs-1");
  const json pod = Obj("v1", "Pod", "default", "p", "pod-1", {Ref("ReplicaSet", "rs", "rs-1")});
  (void)g.Observe(Id(rs), rs, nullptr);
  (void)g.Observe(Id(pod), pod, nullptr);
  json orphaning = rs;
  orphaning["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  orphaning["metadata"]["finalizers"] = {"orphan"};
  GraphEffects fx = g.Observe(Id(rs), orphaning, &rs);
  CHECK(fx.attempt_orphan == std::vector<std::string>{"rs-1"});
  CHECK(fx.attempt_delete.empty());

  fx = g.ObserveDelete(Id(rs));
  CHECK(fx.attempt_delete == std::vector<std::string>{"pod-1"});
  CHECK(absent.Has(Id(rs)));
}

TEST_CASE("graph: a reference to an owner observed in another namespace is invalid") {
  AbsentOwnerCache absent;
  GcGraph g(absent);
  const json rs = Obj("apps/v1", "ReplicaSet", "default", "rs", "rs-1");
  const json stray = Obj("v1", "Pod", "other", "p", "pod-1", {Ref("ReplicaSet", "rs", "rs-1")});
  (void)g.Observe(Id(rs), rs, nullptr);
  GraphEffects fx = g.Observe(Id(stray), stray, nullptr);
  CHECK(fx.attempt_delete == std::vector<std::string>{"pod-1"});
  CHECK(g.IsInvalidOwner("pod-1", "rs-1"));
  CHECK(g.TakeUnreportedInvalidOwners("pod-1") == std::vector<std::string>{"rs-1"});
  CHECK(g.TakeUnreportedInvalidOwners("pod-1").empty());

  // The other order: the child first (a virtual owner in its namespace), then the owner.
  AbsentOwnerCache absent2;
  GcGraph g2(absent2);
  (void)g2.Observe(Id(stray), stray, nullptr);
  CHECK_FALSE(g2.IsInvalidOwner("pod-1", "rs-1"));
  fx = g2.Observe(Id(rs), rs, nullptr);
  CHECK(fx.attempt_delete == std::vector<std::string>{"pod-1"});
  CHECK(g2.IsInvalidOwner("pod-1", "rs-1"));
}

TEST_CASE("graph: a virtual delete keeps a virtual owner that other dependents name otherwise") {
  AbsentOwnerCache absent;
  GcGraph g(absent);
  const json a = Obj("v1", "Pod", "default", "a", "pod-a", {Ref("ReplicaSet", "rs", "rs-1")});
  const json b = Obj("v1", "Pod", "default", "b", "pod-b", {Ref("ReplicaSet", "alias", "rs-1")});
  (void)g.Observe(Id(a), a, nullptr);
  (void)g.Observe(Id(b), b, nullptr);
  const ObjectRef named_rs{"apps/v1", "ReplicaSet", "default", "rs", "rs-1"};
  REQUIRE(g.Node("rs-1")->identity == named_rs);

  GraphEffects fx = g.VirtualDelete(named_rs);
  CHECK(fx.attempt_delete == std::vector<std::string>{"pod-a", "rs-1"});
  CHECK(absent.Has(named_rs));
  auto kept = g.Node("rs-1");
  REQUIRE(kept);
  CHECK(kept->identity == ObjectRef{"apps/v1", "ReplicaSet", "default", "alias", "rs-1"});

  // Verified absent under both names: each dependent is looked at; the node stays while
  // something names it, and goes with the last of them.
  fx = g.VirtualDelete(kept->identity);
  CHECK(fx.attempt_delete == std::vector<std::string>{"pod-b"});
  CHECK(g.Node("rs-1"));
  (void)g.ObserveDelete(Id(a));
  CHECK(g.Node("rs-1"));
  (void)g.ObserveDelete(Id(b));
  CHECK_FALSE(g.Node("rs-1"));
  CHECK(g.Size() == 0);
}

}  // namespace
}  // namespace skiff::controllers
