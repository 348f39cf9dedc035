// core/v1 kinds other than Pod, and storage.k8s.io StorageClass.
#include <catch2/catch.hpp>

#include "printer_test_util.h"

using printers_test::ColumnNames;
using printers_test::json;
using printers_test::Meta;
using printers_test::Priorities;
using printers_test::Row;
using Names = std::vector<std::string>;

namespace {

json Service(const std::string& name, json spec, json status = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", Meta(name)},
          {"spec", spec},
          {"status", status}};
}

}  // namespace

TEST_CASE("Service columns and a ClusterIP service", "[printers][service]") {
  CHECK(ColumnNames("", "Service") ==
        Names{"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"});
  CHECK(Priorities("", "Service") == std::vector<int>{0, 0, 0, 0, 0, 0, 1});
  json dns = Service("kube-dns", {{"type", "ClusterIP"},
                                  {"clusterIP", "10.43.0.10"},
                                  {"clusterIPs", {"10.43.0.10"}},
                                  {"ports",
                                   {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                                    {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}}}},
                                  {"selector", {{"k8s-app", "kube-dns"}}}});
  CHECK(Row("", "Service", dns) == json({"kube-dns", "ClusterIP", "10.43.0.10", "<none>",
                                         "53/UDP,53/TCP", "120m", "k8s-app=kube-dns"}));
}

TEST_CASE("Service ports with node ports, and external IPs", "[printers][service]") {
  json svc = Service("web", {{"type", "NodePort"},
                             {"clusterIPs", {"10.43.12.7"}},
                             {"externalIPs", json::array({"192.168.1.10", "192.168.1.11"})},
                             {"ports",
                              {{{"port", 80}, {"nodePort", 30080}, {"protocol", "TCP"}},
                               {{"port", 443}, {"protocol", "TCP"}}}},
                             {"selector", {{"app", "web"}, {"tier", "frontend"}}}});
  CHECK(Row("", "Service", svc) ==
        json({"web", "NodePort", "10.43.12.7", "192.168.1.10,192.168.1.11", "80:30080/TCP,443/TCP",
              "120m", "app=web,tier=frontend"}));
  // clusterIPs is derived from clusterIP when only the latter is stored.
  json legacy = Service("old", {{"type", "ClusterIP"}, {"clusterIP", "10.43.0.1"}});
  CHECK(Row("", "Service", legacy) ==
        json({"old", "ClusterIP", "10.43.0.1", "<none>", "<none>", "120m", "<none>"}));
  json headless = Service("db", {{"type", "ClusterIP"},
                                 {"clusterIPs", {"None"}},
                                 {"ports", {{{"port", 5432}, {"protocol", "TCP"}}}}});
  CHECK(Row("", "Service", headless)[2] == "None");
}

TEST_CASE("LoadBalancer and ExternalName services", "[printers][service]") {
  json lb = Service("lb", {{"type", "LoadBalancer"},
                           {"clusterIPs", {"10.43.5.5"}},
                           {"ports", {{{"port", 80}, {"nodePort", 31000}, {"protocol", "TCP"}}}}});
  CHECK(Row("", "Service", lb)[3] == "<pending>");
  lb["status"] = {{"loadBalancer",
                   {{"ingress",
                     {{{"hostname", "a-very-long-load-balancer.example.com"}},
                      {{"ip", "192.168.1.200"}},
                      {{"ip", "192.168.1.200"}}}}}}};
  // Sorted, de-duplicated, and never clipped: the server renders the wide form.
  CHECK(Row("", "Service", lb)[3] == "192.168.1.200,a-very-long-load-balancer.example.com");
  lb["spec"]["externalIPs"] = {"1.2.3.4"};
  CHECK(Row("", "Service", lb)[3] == "192.168.1.200,a-very-long-load-balancer.example.com,1.2.3.4");

  json ext = Service("db", {{"type", "ExternalName"}, {"externalName", "db.example.com"}});
  CHECK(Row("", "Service", ext) ==
        json({"db", "ExternalName", "<none>", "db.example.com", "<none>", "120m", "<none>"}));
}

TEST_CASE("Endpoints list up to three addresses", "[printers][service]") {
  CHECK(ColumnNames("", "Endpoints") == Names{"Name", "Endpoints", "Age"});
  json ep = {{"metadata", Meta("web")},
             {"subsets",
              {{{"addresses", {{{"ip", "10.42.0.5"}}, {{"ip", "10.42.0.6"}}}},
                {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}}}}};
  CHECK(Row("", "Endpoints", ep) == json({"web", "10.42.0.5:8080,10.42.0.6:8080", "120m"}));
  ep["subsets"][0]["ports"].push_back({{"port", 8443}});
  CHECK(Row("", "Endpoints", ep)[1] == "10.42.0.5:8080,10.42.0.6:8080,10.42.0.5:8443 + 1 more...");
  json v6 = {{"metadata", Meta("v6")},
             {"subsets", {{{"addresses", {{{"ip", "fd00::5"}}}}, {"ports", {{{"port", 80}}}}}}}};
  CHECK(Row("", "Endpoints", v6)[1] == "[fd00::5]:80");
  json headless = {{"metadata", Meta("h")},
                   {"subsets", {{{"addresses", {{{"ip", "10.42.0.9"}}}}}}}};
  CHECK(Row("", "Endpoints", headless)[1] == "10.42.0.9");
  json none = {{"metadata", Meta("none")}};
  CHECK(Row("", "Endpoints", none)[1] == "<none>");
}

TEST_CASE("Node status, roles and system info", "[printers][node]") {
  CHECK(ColumnNames("", "Node") == Names{"Name", "Status", "Roles", "Age", "Version", "Internal-IP",
                                         "External-IP", "OS-Image", "Kernel-Version",
                                         "Container-Runtime"});
  CHECK(Priorities("", "Node") == std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  json node = {{"metadata",
                {{"name", "edge-1"},
                 {"creationTimestamp", "2024-04-20T12:00:00Z"},
                 {"labels",
                  {{"kubernetes.io/hostname", "edge-1"},
                   {"node-role.kubernetes.io/master", "true"},
                   {"node-role.kubernetes.io/control-plane", ""},
                   {"node-role.kubernetes.io/", "ignored"}}}}},
               {"spec", {{"unschedulable", true}}},
               {"status",
                {{"conditions",
                  {{{"type", "MemoryPressure"}, {"status", "False"}},
                   {{"type", "Ready"}, {"status", "True"}}}},
                 {"addresses",
                  {{{"type", "Hostname"}, {"address", "edge-1"}},
                   {{"type", "InternalIP"}, {"address", "192.168.1.5"}}}},
                 {"nodeInfo",
                  {{"kubeletVersion", "v1.32.0+skiff"},
                   {"osImage", "Debian GNU/Linux 12 (bookworm)"},
                   {"kernelVersion", "6.1.0-18-arm64"},
                   {"containerRuntimeVersion", "containerd://1.7.0"}}}}}};
  CHECK(Row("", "Node", node) ==
        json({"edge-1", "Ready,SchedulingDisabled", "control-plane,master", "11d", "v1.32.0+skiff",
              "192.168.1.5", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-arm64",
              "containerd://1.7.0"}));

  json worker = {{"metadata", {{"name", "w"}, {"labels", {{"kubernetes.io/role", "worker"}}}}},
                 {"status", {{"conditions", {{{"type", "Ready"}, {"status", "Unknown"}}}}}}};
  CHECK(Row("", "Node", worker) == json({"w", "NotReady", "worker", "<unknown>", "", "<none>",
                                         "<none>", "<unknown>", "<unknown>", "<unknown>"}));
  json bare = {{"metadata", {{"name", "b"}}}};
  CHECK(Row("", "Node", bare)[1] == "Unknown");
  CHECK(Row("", "Node", bare)[2] == "<none>");
}

TEST_CASE("Core events: ages, object, source and count", "[printers][event]") {
  CHECK(ColumnNames("", "Event") == Names{"Last Seen", "Type", "Reason", "Object", "Subobject",
                                          "Source", "Message", "First Seen", "Count", "Name"});
  CHECK(Priorities("", "Event") == std::vector<int>{0, 0, 0, 0, 1, 1, 0, 1, 1, 1});
  CHECK(skiff::apis::PrinterFor("", "Event").columns[9].format == "name");
  json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", Meta("web-1.17c9a")},
             {"involvedObject",
              {{"kind", "Pod"}, {"name", "web-1"}, {"fieldPath", "spec.containers{app}"}}},
             {"reason", "BackOff"},
             {"message", "  Back-off restarting failed container\n"},
             {"source", {{"component", "kubelet"}, {"host", "edge-1"}}},
             {"firstTimestamp", "2024-05-01T11:00:00Z"},
             {"lastTimestamp", "2024-05-01T11:58:00Z"},
             {"count", 3},
             {"type", "Warning"}};
  CHECK(Row("", "Event", ev) ==
        json({"2m", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, edge-1",
              "Back-off restarting failed container", "60m", 3, "web-1.17c9a"}));

  // New-style events: eventTime, series, reporting controller and instance.
  json series = {{"metadata", Meta("s")},
                 {"involvedObject", {{"kind", "Node"}}},
                 {"type", "Normal"},
                 {"reason", "Starting"},
                 {"message", "Starting skiff"},
                 {"eventTime", "2024-05-01T11:59:00.123456Z"},
                 {"series", {{"count", 4}, {"lastObservedTime", "2024-05-01T11:59:50.000000Z"}}},
                 {"reportingComponent", "skiff-agent"},
                 {"reportingInstance", "edge-1"},
                 {"source", json::object()}};
  CHECK(Row("", "Event", series) == json({"10s", "Normal", "Starting", "node", "",
                                          "skiff-agent, edge-1", "Starting skiff", "59s", 4, "s"}));
  series.erase("series");
  json row = Row("", "Event", series);
  CHECK(row[0] == "59s");  // no lastTimestamp: the first one
  CHECK(row[8] == 1);      // singleton events carry no count
}

TEST_CASE("events.k8s.io events use the same printer", "[printers][event]") {
  CHECK(ColumnNames("events.k8s.io", "Event") == ColumnNames("", "Event"));
  json ev = {{"apiVersion", "events.k8s.io/v1"},
             {"kind", "Event"},
             {"metadata", Meta("web.1")},
             {"eventTime", "2024-05-01T11:59:00.000000Z"},
             {"reportingController", "default-scheduler"},
             {"action", "Binding"},
             {"reason", "Scheduled"},
             {"regarding", {{"kind", "Pod"}, {"name", "web"}}},
             {"note", "Successfully assigned default/web to edge-1"},
             {"type", "Normal"}};
  CHECK(Row("events.k8s.io", "Event", ev) ==
        json({"60s", "Normal", "Scheduled", "pod/web", "", "default-scheduler",
              "Successfully assigned default/web to edge-1", "60s", 1, "web.1"}));
  ev["deprecatedCount"] = 5;
  ev["deprecatedFirstTimestamp"] = "2024-05-01T09:00:00Z";
  ev["deprecatedLastTimestamp"] = "2024-05-01T11:30:00Z";
  ev["deprecatedSource"] = {{"component", "kubelet"}, {"host", "edge-1"}};
  CHECK(Row("events.k8s.io", "Event", ev) ==
        json({"30m", "Normal", "Scheduled", "pod/web", "", "kubelet, edge-1",
              "Successfully assigned default/web to edge-1", "3h", 5, "web.1"}));
}

TEST_CASE("Namespace, ConfigMap, Secret, ServiceAccount", "[printers][core]") {
  CHECK(ColumnNames("", "Namespace") == Names{"Name", "Status", "Age"});
  CHECK(Row("", "Namespace",
            {{"metadata", Meta("kube-system", "")}, {"status", {{"phase", "Active"}}}}) ==
        json({"kube-system", "Active", "120m"}));

  CHECK(ColumnNames("", "ConfigMap") == Names{"Name", "Data", "Age"});
  json cm = {{"metadata", Meta("cfg")},
             {"data", {{"a", "1"}, {"b", "2"}}},
             {"binaryData", {{"c", "AAE="}}}};
  CHECK(Row("", "ConfigMap", cm) == json({"cfg", 3, "120m"}));
  CHECK(Row("", "ConfigMap", {{"metadata", Meta("empty")}}) == json({"empty", 0, "120m"}));

  CHECK(ColumnNames("", "Secret") == Names{"Name", "Type", "Data", "Age"});
  json secret = {{"metadata", Meta("tls")},
                 {"type", "kubernetes.io/tls"},
                 {"data", {{"tls.crt", "Y2VydA=="}, {"tls.key", "a2V5"}}}};
  CHECK(Row("", "Secret", secret) == json({"tls", "kubernetes.io/tls", 2, "120m"}));

  CHECK(ColumnNames("", "ServiceAccount") == Names{"Name", "Secrets", "Age"});
  CHECK(Row("", "ServiceAccount", {{"metadata", Meta("default")}}) == json({"default", 0, "120m"}));
  CHECK(Row("", "ServiceAccount",
            {{"metadata", Meta("builder")}, {"secrets", {{{"name", "builder-token"}}}}}) ==
        json({"builder", 1, "120m"}));
}

TEST_CASE("PodTemplate and ResourceQuota", "[printers][core]") {
  CHECK(ColumnNames("", "PodTemplate") == Names{"Name", "Containers", "Images", "Pod Labels"});
  json pt = {{"metadata", Meta("tmpl")},
             {"template",
              {{"metadata", {{"labels", {{"tier", "fe"}, {"app", "web"}}}}},
               {"spec",
                {{"containers",
                  {{{"name", "web"}, {"image", "nginx:1.25"}},
                   {{"name", "log"}, {"image", "fluent-bit:3"}}}}}}}}};
  CHECK(Row("", "PodTemplate", pt) ==
        json({"tmpl", "web,log", "nginx:1.25,fluent-bit:3", "app=web,tier=fe"}));

  CHECK(ColumnNames("", "ResourceQuota") == Names{"Name", "Request", "Limit", "Age"});
  json rq = {{"metadata", Meta("quota")},
             {"spec", {{"hard", {{"pods", "10"}}}}},
             {"status",
              {{"hard",
                {{"pods", "10"},
                 {"requests.cpu", "2"},
                 {"requests.memory", "1Gi"},
                 {"limits.cpu", "4"},
                 {"limits.memory", "2Gi"},
                 {"count/deployments.apps", "5"}}},
               {"used",
                {{"pods", "3"},
                 {"requests.cpu", "500m"},
                 {"requests.memory", "512Mi"},
                 {"limits.cpu", "1"},
                 {"limits.memory", "1024Mi"}}}}}};
  CHECK(Row("", "ResourceQuota", rq) ==
        json({"quota",
              "count/deployments.apps: 0/5, pods: 3/10, requests.cpu: 500m/2, "
              "requests.memory: 512Mi/1Gi",
              "limits.cpu: 1/4, limits.memory: 1Gi/2Gi", "120m"}));
  CHECK(Row("", "ResourceQuota", {{"metadata", Meta("new")}}) == json({"new", "", "", "120m"}));
}

TEST_CASE("PersistentVolume and PersistentVolumeClaim", "[printers][storage]") {
  CHECK(ColumnNames("", "PersistentVolume") ==
        Names{"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim",
              "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode"});
  CHECK(Priorities("", "PersistentVolume") == std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  json pv = {{"metadata", Meta("pv-data", "")},
             {"spec",
              {{"capacity", {{"storage", "10240Mi"}}},
               {"accessModes", {"ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"}},
               {"persistentVolumeReclaimPolicy", "Retain"},
               {"claimRef", {{"namespace", "default"}, {"name", "data"}}},
               {"storageClassName", "local-path"},
               {"volumeMode", "Filesystem"},
               {"hostPath", {{"path", "/var/lib/data"}}}}},
             {"status", {{"phase", "Bound"}}}};
  CHECK(Row("", "PersistentVolume", pv) ==
        json({"pv-data", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "local-path",
              "<unset>", "", "120m", "Filesystem"}));
  pv["metadata"]["deletionTimestamp"] = "2024-05-01T11:00:00Z";
  pv["metadata"]["annotations"] = {{"volume.beta.kubernetes.io/storage-class", "legacy"}};
  pv["spec"].erase("claimRef");
  json row = Row("", "PersistentVolume", pv);
  CHECK(row[4] == "Terminating");
  CHECK(row[5] == "");
  CHECK(row[6] == "legacy");

  CHECK(ColumnNames("", "PersistentVolumeClaim") ==
        Names{"Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
              "VolumeAttributesClass", "Age", "VolumeMode"});
  json pvc = {{"metadata", Meta("data")},
              {"spec",
               {{"accessModes", {"ReadWriteOnce"}},
                {"resources", {{"requests", {{"storage", "1Gi"}}}}},
                {"storageClassName", "local-path"},
                {"volumeMode", "Filesystem"},
                {"volumeName", "pv-data"}}},
              {"status",
               {{"phase", "Bound"},
                {"accessModes", {"ReadWriteOnce"}},
                {"capacity", {{"storage", "1024Mi"}}}}}};
  CHECK(Row("", "PersistentVolumeClaim", pvc) ==
        json({"data", "Bound", "pv-data", "1Gi", "RWO", "local-path", "<unset>", "120m",
              "Filesystem"}));
  json pending = pvc;
  pending["spec"].erase("volumeName");
  pending["spec"]["volumeAttributesClassName"] = "gold";
  pending["status"] = {{"phase", "Pending"}};
  CHECK(Row("", "PersistentVolumeClaim", pending) ==
        json({"data", "Pending", "", "", "", "local-path", "gold", "120m", "Filesystem"}));
}

TEST_CASE("StorageClass marks the default class", "[printers][storage]") {
  CHECK(ColumnNames("storage.k8s.io", "StorageClass") == Names{"Name", "Provisioner",
                                                               "ReclaimPolicy", "VolumeBindingMode",
                                                               "AllowVolumeExpansion", "Age"});
  json sc = {{"apiVersion", "storage.k8s.io/v1"},
             {"kind", "StorageClass"},
             {"metadata",
              {{"name", "local-path"},
               {"creationTimestamp", "2024-05-01T10:00:00Z"},
               {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}},
             {"provisioner", "rancher.io/local-path"},
             {"reclaimPolicy", "Delete"},
             {"volumeBindingMode", "WaitForFirstConsumer"}};
  CHECK(Row("storage.k8s.io", "StorageClass", sc) ==
        json({"local-path (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer",
              false, "120m"}));
  json beta = {{"metadata",
                {{"name", "old"},
                 {"annotations", {{"storageclass.beta.kubernetes.io/is-default-class", "true"}}}}},
               {"provisioner", "x"}};
  CHECK(Row("storage.k8s.io", "StorageClass", beta)[0] == "old (default)");
  json plain = {{"metadata", Meta("fast", "")},
                {"provisioner", "example.com/csi"},
                {"allowVolumeExpansion", true}};
  CHECK(Row("storage.k8s.io", "StorageClass", plain) ==
        json({"fast", "example.com/csi", "Delete", "Immediate", true, "120m"}));
  plain["metadata"]["annotations"] = {{"storageclass.kubernetes.io/is-default-class", "false"}};
  CHECK(Row("storage.k8s.io", "StorageClass", plain)[0] == "fast");
}
