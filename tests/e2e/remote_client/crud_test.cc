// RemoteClient against a real skiff server: kubeconfig, CRUD of ConfigMaps, Pods and Nodes,
// selectors, subresources, delete options, bearer tokens.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "client/kubeconfig.h"
#include "skiff_server.h"

using namespace skiff;
using namespace skiff::client;
using skiff::testing::NewNamespace;
using skiff::testing::SharedServer;

namespace {

json ConfigMap(const std::string& name, json labels = json::object(), json data = {{"k", "v"}}) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", std::move(labels)}}},
          {"data", std::move(data)}};
}

json PodObject(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
}

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  for (const json& item : list["items"]) names.push_back(item["metadata"]["name"]);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("LoadKubeconfig reads what the server writes and the client talks to it", "[e2e]") {
  auto& server = SharedServer();
  auto config = LoadKubeconfig(server.kubeconfig());
  REQUIRE(config.ok());
  CHECK(config->server == server.url());
  CHECK_THAT(config->ca_pem, Catch::StartsWith("-----BEGIN CERTIFICATE-----"));
  CHECK_THAT(config->client_cert_pem, Catch::StartsWith("-----BEGIN CERTIFICATE-----"));
  CHECK_THAT(config->client_key_pem, Catch::Contains("PRIVATE KEY-----"));
  CHECK(config->token.empty());

  auto c = RemoteClient::Create(*config);
  REQUIRE(c.ok());
  Client& client = **c;
  auto ns = client.Get(Namespaces(), "", "default");
  INFO(ns.status().ToString());
  REQUIRE(ns.ok());
  CHECK((*ns)["kind"] == "Namespace");
  CHECK((*ns)["metadata"]["name"] == "default");
  CHECK_FALSE((*ns)["metadata"]["resourceVersion"].get<std::string>().empty());
}

TEST_CASE("ConfigMaps: create, get, list with selectors, update, merge patch", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "cm");

  auto a = client.Create(ConfigMaps(), ns, ConfigMap("a", {{"app", "web"}, {"tier", "front"}}));
  REQUIRE(a.ok());
  CHECK((*a)["metadata"]["namespace"] == ns);
  CHECK_FALSE((*a)["metadata"]["uid"].get<std::string>().empty());
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("b", {{"app", "web"}, {"tier", "back"}})).ok());
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("c", {{"app", "db"}})).ok());

  auto got = client.Get(ConfigMaps(), ns, "a");
  REQUIRE(got.ok());
  CHECK((*got)["data"] == json{{"k", "v"}});
  CHECK((*got)["metadata"]["resourceVersion"] == (*a)["metadata"]["resourceVersion"]);

  auto all = client.List(ConfigMaps(), ns, {});
  REQUIRE(all.ok());
  CHECK((*all)["kind"] == "ConfigMapList");
  CHECK_FALSE((*all)["metadata"]["resourceVersion"].get<std::string>().empty());
  // kube-root-ca.crt may be published into new namespaces; count only ours.
  std::vector<std::string> names = Names(*all);
  std::erase(names, "kube-root-ca.crt");
  CHECK(names == std::vector<std::string>{"a", "b", "c"});

  auto web = client.List(ConfigMaps(), ns, {"app=web", ""});
  REQUIRE(web.ok());
  CHECK(Names(*web) == std::vector<std::string>{"a", "b"});
  auto set_based = client.List(ConfigMaps(), ns, {"app in (web, db),tier!=front", ""});
  REQUIRE(set_based.ok());
  CHECK(Names(*set_based) == std::vector<std::string>{"b", "c"});
  auto by_field = client.List(ConfigMaps(), ns, {"", "metadata.name=c"});
  REQUIRE(by_field.ok());
  CHECK(Names(*by_field) == std::vector<std::string>{"c"});
  auto both = client.List(ConfigMaps(), ns, {"app=web", "metadata.name!=a"});
  REQUIRE(both.ok());
  CHECK(Names(*both) == std::vector<std::string>{"b"});
  // Every namespace: ns "".
  auto everywhere = client.List(ConfigMaps(), "", {"app=db", "metadata.namespace=" + ns});
  REQUIRE(everywhere.ok());
  CHECK(Names(*everywhere) == std::vector<std::string>{"c"});

  json changed = *got;
  changed["data"]["k"] = "v2";
  auto updated = client.Update(ConfigMaps(), ns, changed);
  REQUIRE(updated.ok());
  CHECK((*updated)["data"]["k"] == "v2");
  CHECK((*updated)["metadata"]["resourceVersion"] != (*got)["metadata"]["resourceVersion"]);

  auto patched = client.MergePatch(
      ConfigMaps(), ns, "a",
      {{"data", {{"k", nullptr}, {"new", "x"}}}, {"metadata", {{"labels", {{"tier", nullptr}}}}}});
  REQUIRE(patched.ok());
  CHECK((*patched)["data"] == json{{"new", "x"}});
  CHECK((*patched)["metadata"]["labels"] == json{{"app", "web"}});
  CHECK(client.Get(ConfigMaps(), ns, "a")->at("data") == json{{"new", "x"}});
}

TEST_CASE("Apply: server-side apply as a field manager, strict, with force", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "apply");
  auto made = client.Apply(ConfigMaps(), ns, ConfigMap("s", json::object(), {{"a", "1"}}),
                           "tool-one", false);
  REQUIRE(made.ok());
  CHECK((*made)["data"] == json{{"a", "1"}});
  CHECK((*made)["metadata"]["managedFields"][0]["manager"] == "tool-one");
  CHECK((*made)["metadata"]["managedFields"][0]["operation"] == "Apply");
  // Another manager setting the same field: a conflict, unless forced.
  auto conflict = client.Apply(ConfigMaps(), ns, ConfigMap("s", json::object(), {{"a", "2"}}),
                               "tool-two", false);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.status().code() == Code::kConflict);
  auto forced = client.Apply(ConfigMaps(), ns, ConfigMap("s", json::object(), {{"a", "2"}}),
                             "tool-two", true);
  REQUIRE(forced.ok());
  CHECK((*forced)["data"] == json{{"a", "2"}});
  // Strict: an unknown field is refused.
  json typo = ConfigMap("t");
  typo["dta"] = {{"x", "y"}};
  auto refused = client.Apply(ConfigMaps(), ns, typo, "tool-one", false);
  REQUIRE_FALSE(refused.ok());
  // (kube-apiserver's words and status, 500 included, for a field no schema declares)
  CHECK(std::string(refused.status().message()).find(".dta: field not declared in schema") !=
        std::string::npos);
}

TEST_CASE("Delete: preconditions, propagation policies, grace period", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "del");

  auto created = client.Create(ConfigMaps(), ns, ConfigMap("guarded"));
  REQUIRE(created.ok());
  const std::string uid = (*created)["metadata"]["uid"];
  Client::DeleteOptions wrong;
  wrong.precondition_uid = "00000000-0000-0000-0000-000000000000";
  Status s = client.Delete(ConfigMaps(), ns, "guarded", wrong);
  CHECK(s.code() == Code::kConflict);
  CHECK(s.message() ==
        "Operation cannot be fulfilled on configmaps \"guarded\": Precondition failed: UID in "
        "precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: " +
            uid);
  REQUIRE(client.Get(ConfigMaps(), ns, "guarded").ok());
  Client::DeleteOptions right;
  right.precondition_uid = uid;
  REQUIRE(client.Delete(ConfigMaps(), ns, "guarded", right).ok());
  CHECK(client.Get(ConfigMaps(), ns, "guarded").status().code() == Code::kNotFound);

  // Foreground and Orphan leave the object with their finalizer (no garbage collector runs in
  // this server); Background deletes it at once.
  for (const auto& [policy, finalizer] : std::vector<std::pair<std::string, std::string>>{
           {"Foreground", "foregroundDeletion"}, {"Orphan", "orphan"}}) {
    INFO(policy);
    const std::string name = policy == "Foreground" ? "fg" : "orphan";
    REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap(name)).ok());
    Client::DeleteOptions o;
    o.propagation_policy = policy;
    REQUIRE(client.Delete(ConfigMaps(), ns, name, o).ok());
    auto left = client.Get(ConfigMaps(), ns, name);
    REQUIRE(left.ok());
    CHECK((*left)["metadata"]["finalizers"] == json::array({finalizer}));
    CHECK((*left)["metadata"].contains("deletionTimestamp"));
    REQUIRE(
        client.MergePatch(ConfigMaps(), ns, name, {{"metadata", {{"finalizers", nullptr}}}}).ok());
    CHECK(client.Get(ConfigMaps(), ns, name).status().code() == Code::kNotFound);
  }
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("bg")).ok());
  Client::DeleteOptions bg;
  bg.propagation_policy = "Background";
  bg.grace_period_seconds = 0;
  REQUIRE(client.Delete(ConfigMaps(), ns, "bg", bg).ok());
  CHECK(client.Get(ConfigMaps(), ns, "bg").status().code() == Code::kNotFound);

  Client::DeleteOptions bogus;
  bogus.propagation_policy = "Sideways";
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("bogus")).ok());
  Status bad = client.Delete(ConfigMaps(), ns, "bogus", bogus);
  CHECK(bad.code() == Code::kInvalidArgument);
}

TEST_CASE("Pods: status update, binding subresource, graceful delete", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "pod");

  auto pod = client.Create(Pods(), ns, PodObject("web-0"));
  INFO(pod.status().ToString());
  REQUIRE(pod.ok());
  CHECK((*pod)["status"]["phase"] == "Pending");
  CHECK_FALSE((*pod)["spec"].contains("nodeName"));

  // Status through the status subresource: a spec change in the same PUT is ignored.
  json with_status = *pod;
  with_status["status"]["message"] = "waiting for a node";
  with_status["spec"]["activeDeadlineSeconds"] = 30;
  auto updated = client.Update(Pods(), ns, with_status, "status");
  INFO(updated.status().ToString());
  REQUIRE(updated.ok());
  CHECK((*updated)["status"]["message"] == "waiting for a node");
  CHECK_FALSE((*updated)["spec"].contains("activeDeadlineSeconds"));
  auto patched =
      client.MergePatch(Pods(), ns, "web-0", {{"status", {{"reason", "Testing"}}}}, "status");
  REQUIRE(patched.ok());
  CHECK((*patched)["status"]["reason"] == "Testing");
  CHECK((*patched)["status"]["message"] == "waiting for a node");

  json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", "web-0"}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "edge-7"}}}};
  auto bound = client.CreateSubresource(Pods(), ns, "web-0", "binding", binding);
  INFO(bound.status().ToString());
  REQUIRE(bound.ok());
  CHECK((*bound)["kind"] == "Status");
  CHECK((*bound)["status"] == "Success");
  auto after = client.Get(Pods(), ns, "web-0");
  REQUIRE(after.ok());
  CHECK((*after)["spec"]["nodeName"] == "edge-7");
  bool scheduled = false;
  for (const json& cond : (*after)["status"]["conditions"]) {
    if (cond["type"] == "PodScheduled") scheduled = cond["status"] == "True";
  }
  CHECK(scheduled);
  auto again = client.CreateSubresource(Pods(), ns, "web-0", "binding", binding);
  CHECK(again.status().code() == Code::kConflict);
  CHECK(again.status().message() ==
        "Operation cannot be fulfilled on pods/binding \"web-0\": pod web-0 is already assigned "
        "to node \"edge-7\"");

  // A bound pod is deleted gracefully: it stays, marked, until its kubelet confirms.
  Client::DeleteOptions graceful;
  graceful.grace_period_seconds = 30;
  REQUIRE(client.Delete(Pods(), ns, "web-0", graceful).ok());
  auto terminating = client.Get(Pods(), ns, "web-0");
  REQUIRE(terminating.ok());
  CHECK((*terminating)["metadata"]["deletionGracePeriodSeconds"] == 30);
  CHECK((*terminating)["metadata"].contains("deletionTimestamp"));
  Client::DeleteOptions now;
  now.grace_period_seconds = 0;
  REQUIRE(client.Delete(Pods(), ns, "web-0", now).ok());
  CHECK(client.Get(Pods(), ns, "web-0").status().code() == Code::kNotFound);
}

TEST_CASE("Nodes are cluster-scoped: create, list, status, delete", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string name = "rc-node-" + std::to_string(getpid());
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", name}, {"labels", {{"rc-test", name}}}}}};
  auto created = client.Create(Nodes(), "", node);
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  CHECK_FALSE((*created)["metadata"].contains("namespace"));
  auto listed = client.List(Nodes(), "", {"rc-test=" + name, ""});
  REQUIRE(listed.ok());
  CHECK(Names(*listed) == std::vector<std::string>{name});
  auto status = client.MergePatch(
      Nodes(), "", name,
      {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}, {"reason", "Test"}}}}}}},
      "status");
  INFO(status.status().ToString());
  REQUIRE(status.ok());
  CHECK((*status)["status"]["conditions"][0]["reason"] == "Test");
  REQUIRE(client.Delete(Nodes(), "", name, {}).ok());
  CHECK(client.Get(Nodes(), "", name).status().code() == Code::kNotFound);
}

TEST_CASE("Bearer token authentication with the server's admin token", "[e2e]") {
  auto& server = SharedServer();
  RemoteClientConfig config = server.Config();
  config.client_cert_pem.clear();
  config.client_key_pem.clear();
  config.token = server.token();
  REQUIRE_FALSE(config.token.empty());
  auto c = RemoteClient::Create(config);
  REQUIRE(c.ok());
  Client& client = **c;
  const std::string ns = NewNamespace(client, "token");
  auto created = client.Create(ConfigMaps(), ns, ConfigMap("by-token"));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  // The server names the field manager after the User-Agent ("skiff/v0.1.0").
  CHECK((*created)["metadata"]["managedFields"][0]["manager"] == "skiff");
  CHECK(client.Get(ConfigMaps(), ns, "by-token").ok());
}

TEST_CASE("Many threads share one client", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "par");
  constexpr int kThreads = 8, kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!client.Create(ConfigMaps(), ns, ConfigMap(name)).ok()) ++failures;
        if (!client.Get(ConfigMaps(), ns, name).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  auto list = client.List(ConfigMaps(), ns, {"", "metadata.name=t7-24"});
  REQUIRE(list.ok());
  CHECK(Names(*list) == std::vector<std::string>{"t7-24"});
  auto all = client.List(ConfigMaps(), ns, {});
  REQUIRE(all.ok());
  std::vector<std::string> names = Names(*all);
  std::erase(names, "kube-root-ca.crt");
  CHECK(names.size() == kThreads * kEach);
}

namespace {

// The local ports of the live client-side TCP connections to 127.0.0.1:`port`, from
// /proc/net/tcp (connections already closed may or may not be listed, so only open ones count).
std::set<std::string> ClientPortsTo(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  char remote[32];
  std::snprintf(remote, sizeof remote, "0100007F:%04X", port);
  std::set<std::string> ports;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, rem, state;
    fields >> slot >> local >> rem >> state;
    if (rem == remote && state == "01") ports.insert(local);  // 01: ESTABLISHED
  }
  return ports;
}

}  // namespace

TEST_CASE("Connections are kept alive and reused", "[e2e]") {
  skiff::testing::SkiffServer server;
  auto c = server.NewClient();
  Client& client = *c;
  // Sequential requests: one connection, the same one every time (a new connection would show
  // a new local port).
  std::set<std::string> seen;
  for (int i = 0; i < 30; ++i) {
    REQUIRE(client.Get(Namespaces(), "", "default").ok());
    std::set<std::string> now = ClientPortsTo(server.port());
    CHECK(now.size() == 1);
    seen.insert(now.begin(), now.end());
  }
  CHECK(seen.size() == 1);
  // Concurrent callers get a few more connections, all kept for later.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) failures += !client.Get(Namespaces(), "", "default").ok();
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  const std::set<std::string> pooled = ClientPortsTo(server.port());
  CHECK(pooled.size() >= 1);
  CHECK(pooled.size() <= 4);
  for (int i = 0; i < 10; ++i) REQUIRE(client.Get(Namespaces(), "", "default").ok());
  CHECK(ClientPortsTo(server.port()) == pooled);  // reused, none replaced
}
