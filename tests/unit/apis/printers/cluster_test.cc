// RBAC, coordination, discovery, policy, scheduling, node and networking kinds; the default
// table; the dispatch and the column JSON.
#include <catch2/catch.hpp>

#include "printer_test_util.h"

using printers_test::ColumnNames;
using printers_test::json;
using printers_test::Meta;
using printers_test::Priorities;
using printers_test::Row;
using Names = std::vector<std::string>;

TEST_CASE("RoleBinding and ClusterRoleBinding list their subjects when wide", "[printers][rbac]") {
  CHECK(ColumnNames("rbac.authorization.k8s.io", "RoleBinding") ==
        Names{"Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"});
  CHECK(Priorities("rbac.authorization.k8s.io", "ClusterRoleBinding") ==
        std::vector<int>{0, 0, 0, 1, 1, 1});
  CHECK(skiff::apis::PrinterFor("rbac.authorization.k8s.io", "ClusterRoleBinding")
            .columns[3]
            .description == "Users in the clusterRoleBinding");
  json rb = {
      {"metadata", Meta("read-pods")},
      {"roleRef",
       {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "pod-reader"}}},
      {"subjects",
       json::array({{{"kind", "User"}, {"name", "jane"}},
                    {{"kind", "Group"}, {"name", "devs"}},
                    {{"kind", "ServiceAccount"}, {"namespace", "kube-system"}, {"name", "default"}},
                    {{"kind", "User"}, {"name", "bob"}}})}};
  CHECK(Row("rbac.authorization.k8s.io", "RoleBinding", rb) ==
        json({"read-pods", "Role/pod-reader", "120m", "jane, bob", "devs", "kube-system/default"}));
  json crb = {{"metadata", Meta("cluster-admin", "")},
              {"roleRef", {{"kind", "ClusterRole"}, {"name", "cluster-admin"}}}};
  CHECK(Row("rbac.authorization.k8s.io", "ClusterRoleBinding", crb) ==
        json({"cluster-admin", "ClusterRole/cluster-admin", "120m", "", "", ""}));
}

TEST_CASE("Kinds without a printer get NAME and CREATED AT", "[printers][default]") {
  for (auto [group, kind] :
       {std::pair{"rbac.authorization.k8s.io", "Role"},
        std::pair{"rbac.authorization.k8s.io", "ClusterRole"}, std::pair{"", "LimitRange"},
        std::pair{"apiextensions.k8s.io", "CustomResourceDefinition"},
        std::pair{"example.com", "Widget"}}) {
    INFO(group << "/" << kind);
    CHECK_FALSE(skiff::apis::HasKindPrinter(group, kind));
    CHECK(&skiff::apis::PrinterFor(group, kind) == &skiff::apis::DefaultPrinter());
  }
  json expected_columns = json::parse(R"([
    {"name": "Name", "type": "string", "format": "name", "priority": 0,
     "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"},
    {"name": "Created At", "type": "date", "format": "", "priority": 0,
     "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}
  ])");
  CHECK(skiff::apis::ColumnDefinitionsJson(skiff::apis::DefaultPrinter()) == expected_columns);

  json role = {{"metadata", Meta("pod-reader")}, {"rules", json::array()}};
  CHECK(Row("rbac.authorization.k8s.io", "Role", role) ==
        json::array({"pod-reader", "2024-05-01T10:00:00Z"}));
  role["metadata"]["creationTimestamp"] = "2024-05-01T10:00:00.5+02:00";
  CHECK(Row("rbac.authorization.k8s.io", "Role", role) ==
        json::array({"pod-reader", "2024-05-01T08:00:00Z"}));
  CHECK(Row("", "LimitRange", {{"metadata", {{"name", "limits"}}}}) ==
        json::array({"limits", "0001-01-01T00:00:00Z"}));
}

TEST_CASE("Lease, EndpointSlice, PodDisruptionBudget, PriorityClass, RuntimeClass",
          "[printers][cluster]") {
  CHECK(ColumnNames("coordination.k8s.io", "Lease") == Names{"Name", "Holder", "Age"});
  json lease = {{"metadata", Meta("edge-1", "kube-node-lease")},
                {"spec", {{"holderIdentity", "edge-1"}, {"leaseDurationSeconds", 40}}}};
  CHECK(Row("coordination.k8s.io", "Lease", lease) == json({"edge-1", "edge-1", "120m"}));
  lease["spec"].erase("holderIdentity");
  CHECK(Row("coordination.k8s.io", "Lease", lease)[1] == "");

  CHECK(ColumnNames("discovery.k8s.io", "EndpointSlice") ==
        Names{"Name", "AddressType", "Ports", "Endpoints", "Age"});
  json slice = {{"metadata", Meta("web-abc12")},
                {"addressType", "IPv4"},
                {"ports", json::array({{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}},
                                       {{"name", "https"}},
                                       json::object()})},
                {"endpoints", json::array({{{"addresses", {"10.42.0.5"}}},
                                           {{"addresses", {"10.42.0.6", "10.42.0.7", "10.42.0.8"}}},
                                           {{"addresses", {"10.42.0.9"}}}})}};
  CHECK(Row("discovery.k8s.io", "EndpointSlice", slice) ==
        json({"web-abc12", "IPv4", "80,https,*", "10.42.0.5,10.42.0.6,10.42.0.7 + 2 more...",
              "120m"}));
  json empty = {{"metadata", Meta("empty")}, {"addressType", "IPv6"}};
  CHECK(Row("discovery.k8s.io", "EndpointSlice", empty) ==
        json({"empty", "IPv6", "<unset>", "<unset>", "120m"}));

  CHECK(ColumnNames("policy", "PodDisruptionBudget") ==
        Names{"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"});
  json pdb = {{"metadata", Meta("web")},
              {"spec", {{"minAvailable", 2}, {"selector", {{"matchLabels", {{"app", "web"}}}}}}},
              {"status", {{"disruptionsAllowed", 1}}}};
  CHECK(Row("policy", "PodDisruptionBudget", pdb) == json({"web", "2", "N/A", 1, "120m"}));
  pdb["spec"] = {{"maxUnavailable", "25%"}};
  CHECK(Row("policy", "PodDisruptionBudget", pdb) == json({"web", "N/A", "25%", 1, "120m"}));

  CHECK(ColumnNames("scheduling.k8s.io", "PriorityClass") ==
        Names{"Name", "Value", "Global-Default", "Age", "PreemptionPolicy"});
  CHECK(Priorities("scheduling.k8s.io", "PriorityClass") == std::vector<int>{0, 0, 0, 0, 0});
  json pc = {{"metadata", Meta("high", "")},
             {"value", 1000000},
             {"globalDefault", true},
             {"preemptionPolicy", "PreemptLowerPriority"}};
  CHECK(Row("scheduling.k8s.io", "PriorityClass", pc) ==
        json({"high", 1000000, true, "120m", "PreemptLowerPriority"}));

  json rc = {{"metadata", Meta("kata", "")}, {"handler", "kata"}};
  CHECK(Row("node.k8s.io", "RuntimeClass", rc) == json({"kata", "kata", "120m"}));
}

TEST_CASE("Ingress, IngressClass, NetworkPolicy and webhook configurations",
          "[printers][networking]") {
  CHECK(ColumnNames("networking.k8s.io", "Ingress") ==
        Names{"Name", "Class", "Hosts", "Address", "Ports", "Age"});
  json ing = {
      {"metadata", Meta("main")},
      {"spec",
       {{"ingressClassName", "traefik"},
        {"tls", json::array({{{"hosts", {"a.example.com"}}}})},
        {"rules", json::array({{{"host", "a.example.com"}},
                               {{"host", "b.example.com"}},
                               json::object(),
                               {{"host", "c.example.com"}},
                               {{"host", "d.example.com"}}})}}},
      {"status", {{"loadBalancer", {{"ingress", json::array({{{"ip", "192.168.1.5"}}})}}}}}};
  CHECK(Row("networking.k8s.io", "Ingress", ing) ==
        json({"main", "traefik", "a.example.com,b.example.com,c.example.com + 2 more...",
              "192.168.1.5", "80, 443", "120m"}));
  json bare = {{"metadata", Meta("bare")}, {"spec", json::object()}};
  CHECK(Row("networking.k8s.io", "Ingress", bare) ==
        json({"bare", "<none>", "*", "", "80", "120m"}));

  json ic = {
      {"metadata", Meta("external-lb", "")},
      {"spec",
       {{"controller", "example.com/ingress-controller"},
        {"parameters",
         {{"apiGroup", "k8s.example.com"}, {"kind", "IngressParameters"}, {"name", "lb"}}}}}};
  CHECK(Row("networking.k8s.io", "IngressClass", ic) ==
        json({"external-lb", "example.com/ingress-controller",
              "IngressParameters.k8s.example.com/lb", "120m"}));

  json np = {{"metadata", Meta("deny")}, {"spec", {{"podSelector", json::object()}}}};
  CHECK(Row("networking.k8s.io", "NetworkPolicy", np) == json({"deny", "<none>", "120m"}));
  np["spec"]["podSelector"] = {{"matchLabels", {{"role", "db"}}}};
  CHECK(Row("networking.k8s.io", "NetworkPolicy", np)[1] == "role=db");

  json wh = {{"metadata", Meta("hooks", "")},
             {"webhooks", json::array({{{"name", "a.example.com"}}, {{"name", "b.example.com"}}})}};
  CHECK(Row("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", wh) ==
        json({"hooks", 2, "120m"}));
  CHECK(Row("admissionregistration.k8s.io", "MutatingWebhookConfiguration", wh) ==
        json({"hooks", 2, "120m"}));
}

TEST_CASE("Every printer fills every column, even for malformed objects", "[printers]") {
  const std::pair<const char*, const char*> kinds[] = {
      {"", "Pod"},
      {"", "Service"},
      {"", "Endpoints"},
      {"", "Node"},
      {"", "Event"},
      {"", "Namespace"},
      {"", "ConfigMap"},
      {"", "Secret"},
      {"", "ServiceAccount"},
      {"", "PodTemplate"},
      {"", "ResourceQuota"},
      {"", "PersistentVolume"},
      {"", "PersistentVolumeClaim"},
      {"", "ReplicationController"},
      {"apps", "Deployment"},
      {"apps", "ReplicaSet"},
      {"apps", "StatefulSet"},
      {"apps", "DaemonSet"},
      {"apps", "ControllerRevision"},
      {"batch", "Job"},
      {"batch", "CronJob"},
      {"autoscaling", "HorizontalPodAutoscaler"},
      {"coordination.k8s.io", "Lease"},
      {"discovery.k8s.io", "EndpointSlice"},
      {"events.k8s.io", "Event"},
      {"storage.k8s.io", "StorageClass"},
      {"rbac.authorization.k8s.io", "RoleBinding"},
      {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
      {"policy", "PodDisruptionBudget"},
      {"scheduling.k8s.io", "PriorityClass"},
      {"node.k8s.io", "RuntimeClass"},
      {"networking.k8s.io", "Ingress"},
      {"networking.k8s.io", "IngressClass"},
      {"networking.k8s.io", "NetworkPolicy"},
      {"admissionregistration.k8s.io", "MutatingWebhookConfiguration"},
      {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration"},
  };
  const json objects[] = {
      json::object(),
      json(nullptr),
      json::parse(R"({"metadata": [], "spec": 3, "status": "x", "data": 1, "subsets": {},
                      "webhooks": "no", "roleRef": [], "subjects": [1, null]})"),
      json::parse(R"({"metadata": {"name": 5, "creationTimestamp": 12,
                      "labels": {"node-role.kubernetes.io/x": 1}},
                      "spec": {"ports": [{"port": "http"}], "metrics": [{"type": "Resource"}],
                               "selector": {"matchExpressions": [{"operator": "In"}]},
                               "containers": [{"name": 1}], "template": null},
                      "status": {"conditions": [null, 4], "hard": {"cpu": {}}}})"),
  };
  for (auto [group, kind] : kinds) {
    INFO(group << "/" << kind);
    CHECK(skiff::apis::HasKindPrinter(group, kind));
    const auto& printer = skiff::apis::PrinterFor(group, kind);
    REQUIRE(printer.cells != nullptr);
    CHECK(printer.columns.front().name == (std::string(kind) == "Event" ? "Last Seen" : "Name"));
    for (const json& obj : objects) {
      INFO(obj.dump());
      CHECK(printer.cells(obj, printers_test::Now()).size() == printer.columns.size());
    }
    json columns = skiff::apis::ColumnDefinitionsJson(printer);
    REQUIRE(columns.size() == printer.columns.size());
    for (const json& c : columns) {
      CHECK(c.size() == 5);  // name, type, format, description, priority: always present
      CHECK((c["type"] == "string" || c["type"] == "integer" || c["type"] == "boolean"));
    }
  }
}
