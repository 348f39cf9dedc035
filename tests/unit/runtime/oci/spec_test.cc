// BuildOciSpec end to end on a table of pod specs: the exact process, capabilities,
// namespaces, mounts and resources runc receives.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::runtime;
using namespace skiff::runtime::testing;
using Strings = std::vector<std::string>;

namespace {

struct Fixture {
  TempDir root;
  Fixture() { MakeUserFiles(root.path()); }

  ContainerSpecInput Input(const json& pod, size_t index = 0) {
    ContainerSpecInput in;
    in.pod = &pod;
    in.container = &pod["spec"]["containers"][index];
    in.image.entrypoint = {"/bin/entry"};
    in.image.cmd = {"serve", "--port=80"};
    in.image.env = {"PATH=/usr/bin:/bin", "IMAGE_VAR=1"};
    in.image.working_dir = "/srv";
    in.rootfs = root.path();
    in.netns_path = "/run/netns/pod-1";
    in.ipc_ns_path = "/run/skiff/ns/pod-1/ipc";
    in.uts_ns_path = "/run/skiff/ns/pod-1/uts";
    in.hostname = "web";
    in.runtime_info = Info();
    return in;
  }
};

json Spec(const skiff::Result<json>& r) {
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

Strings Destinations(const json& spec) {
  Strings out;
  for (const auto& m : spec["mounts"]) out.push_back(m["destination"].get<std::string>());
  return out;
}

const json& MountAt(const json& spec, const std::string& destination) {
  for (const auto& m : spec["mounts"]) {
    if (m["destination"] == destination) return m;
  }
  static const json kNone;
  return kNone;
}

const Strings kDefaultCaps = {
    "CAP_CHOWN",      "CAP_DAC_OVERRIDE", "CAP_FOWNER",      "CAP_FSETID",           "CAP_KILL",
    "CAP_SETGID",     "CAP_SETUID",       "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
    "CAP_SYS_CHROOT", "CAP_MKNOD",        "CAP_AUDIT_WRITE", "CAP_SETFCAP"};

}  // namespace

TEST_CASE("A plain container gets containerd's defaults") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer()}));
  json spec = Spec(BuildOciSpec(f.Input(pod)));
  CHECK(spec["ociVersion"] == "1.0.2-dev");
  CHECK(spec["hostname"] == "web");
  CHECK(spec["root"] == json{{"path", f.root.path()}, {"readonly", false}});
  const json& p = spec["process"];
  CHECK(p["terminal"] == false);
  CHECK(p["args"] == Strings{"/bin/entry", "serve", "--port=80"});
  CHECK(p["env"] == Strings{"PATH=/usr/bin:/bin", "HOSTNAME=web", "IMAGE_VAR=1"});
  CHECK(p["cwd"] == "/srv");
  CHECK(p["user"] == json{{"uid", 0}, {"gid", 0}, {"additionalGids", {0, 50}}});
  CHECK(p["capabilities"]["bounding"] == kDefaultCaps);
  CHECK(p["capabilities"]["effective"] == kDefaultCaps);
  CHECK(p["capabilities"]["permitted"] == kDefaultCaps);
  CHECK_FALSE(p["capabilities"].contains("inheritable"));
  CHECK_FALSE(p["capabilities"].contains("ambient"));
  CHECK_FALSE(p.contains("noNewPrivileges"));
  CHECK_FALSE(p.contains("rlimits"));
  CHECK_FALSE(p.contains("apparmorProfile"));
  CHECK(p["oomScoreAdj"] == 1000);  // BestEffort
  const json& linux = spec["linux"];
  CHECK(linux["namespaces"] == json::array({{{"type", "pid"}},
                                            {{"type", "ipc"}, {"path", "/run/skiff/ns/pod-1/ipc"}},
                                            {{"type", "uts"}, {"path", "/run/skiff/ns/pod-1/uts"}},
                                            {{"type", "mount"}},
                                            {{"type", "network"}, {"path", "/run/netns/pod-1"}}}));
  CHECK(linux["maskedPaths"] == Strings{"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list",
                                        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                        "/sys/firmware", "/sys/devices/virtual/powercap"});
  CHECK(linux["readonlyPaths"] ==
        Strings{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  CHECK(linux["resources"] == json{{"devices", {{{"allow", false}, {"access", "rwm"}}}},
                                   {"cpu", {{"shares", 2}, {"period", 100000}}}});
  CHECK_FALSE(linux.contains("cgroupsPath"));
  CHECK_FALSE(linux.contains("seccomp"));
  CHECK_FALSE(linux.contains("sysctl"));
  CHECK_FALSE(linux.contains("devices"));
  CHECK(Destinations(spec) ==
        Strings{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"});
  CHECK(MountAt(spec, "/sys")["options"] == Strings{"nosuid", "noexec", "nodev", "ro"});
  CHECK(MountAt(spec, "/dev/shm") ==
        json{{"destination", "/dev/shm"},
             {"type", "tmpfs"},
             {"source", "shm"},
             {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}});
  CHECK(spec["annotations"] == json{{"io.kubernetes.cri.container-type", "container"},
                                    {"io.kubernetes.cri.container-name", "app"},
                                    {"io.kubernetes.cri.sandbox-name", "web"},
                                    {"io.kubernetes.cri.sandbox-namespace", "default"},
                                    {"io.kubernetes.cri.sandbox-uid", "0b5e-uid"},
                                    {"io.kubernetes.cri.image-name", "busybox:1.35"}});
}

TEST_CASE("command and args combine with ENTRYPOINT and CMD by Kubernetes' rules") {
  Fixture f;
  struct Row {
    json container;
    std::vector<std::string> entrypoint, cmd;
    Strings want;
  };
  std::vector<Row> rows = {
      {json::object(), {"/ep"}, {"c1"}, {"/ep", "c1"}},
      {{{"command", {"/bin/sh"}}}, {"/ep"}, {"c1"}, {"/bin/sh"}},  // command drops CMD
      {{{"args", {"a1", "a2"}}}, {"/ep"}, {"c1"}, {"/ep", "a1", "a2"}},
      {{{"command", {"/bin/sh", "-c"}}, {"args", {"echo hi"}}},
       {"/ep"},
       {"c1"},
       {"/bin/sh", "-c", "echo hi"}},
      {json::object(), {}, {"/bin/cmd", "x"}, {"/bin/cmd", "x"}},
      {json::object(), {""}, {"/bin/cmd"}, {"/bin/cmd"}},  // ENTRYPOINT [""] means none
      {{{"args", {"only"}}}, {}, {"c1"}, {"only"}},
      {{{"command", {"echo", "$(GREETING)", "$$(GREETING)", "$(UNSET)"}},
        {"env", {{{"name", "GREETING"}, {"value", "hello"}}}}},
       {"/ep"},
       {"c1"},
       {"echo", "hello", "$(GREETING)", "$(UNSET)"}},
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    json pod = MakePod(json::array({MakeContainer(rows[i].container)}));
    auto in = f.Input(pod);
    in.image.entrypoint = rows[i].entrypoint;
    in.image.cmd = rows[i].cmd;
    CHECK(Spec(BuildOciSpec(in))["process"]["args"] == rows[i].want);
  }
  json pod = MakePod(json::array({MakeContainer()}));
  auto in = f.Input(pod);
  in.image.entrypoint = {};
  in.image.cmd = {};
  auto r = BuildOciSpec(in);
  CHECK(r.status().message() == "no command specified");
  CHECK(IsCreateContainerError(r.status()));
}

TEST_CASE("Capabilities follow add, drop, ALL and privileged") {
  Fixture f;
  auto caps = [&](json sc) {
    json pod = MakePod(json::array({MakeContainer({{"securityContext", sc}})}));
    return Spec(BuildOciSpec(f.Input(pod)))["process"]["capabilities"]["bounding"].get<Strings>();
  };
  CHECK(caps({{"capabilities", {{"add", {"NET_ADMIN", "sys_time"}}, {"drop", {"MKNOD"}}}}}) ==
        Strings{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN",
                "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_SYS_TIME", "CAP_AUDIT_WRITE", "CAP_SETFCAP"});
  CHECK(caps({{"capabilities", {{"drop", {"ALL"}}}}}).empty());
  CHECK(caps({{"capabilities", {{"drop", {"all"}}, {"add", {"NET_BIND_SERVICE", "CAP_KILL"}}}}}) ==
        Strings{"CAP_KILL", "CAP_NET_BIND_SERVICE"});
  auto all = caps({{"capabilities", {{"add", {"ALL"}}, {"drop", {"SYS_ADMIN"}}}}});
  CHECK(all.size() == 40);
  CHECK(std::find(all.begin(), all.end(), "CAP_SYS_ADMIN") == all.end());
  CHECK(caps({{"privileged", true}, {"capabilities", {{"drop", {"ALL"}}}}}).size() == 41);
}

TEST_CASE("Privileged containers get host devices and no masks") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer({{"securityContext", {{"privileged", true}}}})}));
  json spec = Spec(BuildOciSpec(f.Input(pod)));
  const json& linux = spec["linux"];
  CHECK(linux["maskedPaths"] == json::array());
  CHECK(linux["readonlyPaths"] == json::array());
  CHECK(linux["resources"]["devices"] == json::array({{{"allow", true}, {"access", "rwm"}}}));
  bool has_null = false;
  for (const auto& d : linux["devices"]) {
    if (d["path"] == "/dev/null") {
      has_null = true;
      CHECK(d["type"] == "c");
      CHECK(d["major"] == 1);
      CHECK(d["minor"] == 3);
    }
    CHECK(d["path"] != "/dev/console");
  }
  CHECK(has_null);
  CHECK(MountAt(spec, "/sys")["options"] == Strings{"nosuid", "noexec", "nodev"});
  CHECK(MountAt(spec, "/sys/fs/cgroup")["options"] ==
        Strings{"nosuid", "noexec", "nodev", "relatime"});
}

TEST_CASE("Security context flags: no new privileges, read-only root, unmasked proc") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer({{"securityContext",
                                                  {{"allowPrivilegeEscalation", false},
                                                   {"readOnlyRootFilesystem", true},
                                                   {"procMount", "Unmasked"}}}})}));
  auto in = f.Input(pod);
  in.hosts_file = f.root.path() + "/hosts";
  WriteFile(in.hosts_file, "127.0.0.1 localhost\n");
  json spec = Spec(BuildOciSpec(in));
  CHECK(spec["process"]["noNewPrivileges"] == true);
  CHECK(spec["root"]["readonly"] == true);
  CHECK(spec["linux"]["maskedPaths"] == json::array());
  CHECK(MountAt(spec, "/etc/hosts")["options"] == Strings{"rbind", "rprivate", "ro"});
}

TEST_CASE("Host namespaces are omitted, shareProcessNamespace joins the given PID namespace") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer()}),
                     {{"hostNetwork", true}, {"hostPID", true}, {"hostIPC", true}});
  json spec = Spec(BuildOciSpec(f.Input(pod)));
  CHECK(spec["linux"]["namespaces"] == json::array({{{"type", "mount"}}}));
  CHECK_FALSE(spec.contains("hostname"));  // the node's UTS namespace
  CHECK(MountAt(spec, "/dev/shm")["source"] == "/dev/shm");

  json shared = MakePod(json::array({MakeContainer()}), {{"shareProcessNamespace", true}});
  auto in = f.Input(shared);
  in.pid_ns_path = "/proc/4242/ns/pid";
  in.netns_path = "";
  in.ipc_ns_path = "";
  in.uts_ns_path = "";
  CHECK(Spec(BuildOciSpec(in))["linux"]["namespaces"] ==
        json::array({{{"type", "pid"}, {"path", "/proc/4242/ns/pid"}},
                     {{"type", "ipc"}},
                     {{"type", "uts"}},
                     {{"type", "mount"}},
                     {{"type", "network"}}}));
}

TEST_CASE("Resources: shares, quota, memory, pids and oomScoreAdj by QoS") {
  Fixture f;
  auto build = [&](json resources, json pod_extra = json::object(), int64_t pids = 0) {
    json pod = MakePod(json::array({MakeContainer({{"resources", resources}})}), pod_extra);
    auto in = f.Input(pod);
    in.pids_limit = pids;
    in.cgroups_path = "/skiff/pod-uid/app";
    return Spec(BuildOciSpec(in));
  };
  json guaranteed = build({{"requests", {{"cpu", "500m"}, {"memory", "256Mi"}}},
                           {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}},
                          json::object(), 64);
  CHECK(guaranteed["linux"]["resources"] ==
        json{{"devices", {{{"allow", false}, {"access", "rwm"}}}},
             {"cpu", {{"shares", 512}, {"period", 100000}, {"quota", 50000}}},
             {"memory", {{"limit", 268435456}}},
             {"pids", {{"limit", 64}}}});
  CHECK(guaranteed["linux"]["cgroupsPath"] == "/skiff/pod-uid/app");
  CHECK(guaranteed["process"]["oomScoreAdj"] == -997);

  // Burstable: 1000 - 1000*1Gi/4Gi = 750; shares from the request, no limit no quota.
  json burstable = build({{"requests", {{"cpu", "100m"}, {"memory", "1Gi"}}}});
  CHECK(burstable["linux"]["resources"]["cpu"] == json{{"shares", 102}, {"period", 100000}});
  CHECK(burstable["process"]["oomScoreAdj"] == 750);
  CHECK(build({{"requests", {{"memory", "4Gi"}}}})["process"]["oomScoreAdj"] == 3);
  CHECK(build({{"requests", {{"cpu", "1m"}}}})["process"]["oomScoreAdj"] == 999);
  CHECK(build({{"requests", {{"cpu", "1m"}}}})["linux"]["resources"]["cpu"]["shares"] == 2);
  // A limit without a request: shares from the limit; a tiny limit gets the minimum quota.
  CHECK(build({{"limits", {{"cpu", "5m"}}}})["linux"]["resources"]["cpu"] ==
        json{{"shares", 5}, {"period", 100000}, {"quota", 1000}});
  CHECK(build(json::object(),
              {{"priorityClassName", "system-node-critical"}})["process"]["oomScoreAdj"] == -997);
  CHECK(build(json::object(), json::object())["process"]["oomScoreAdj"] == 1000);

  // An agent without CAP_SYS_RESOURCE cannot go below its own score: runc would fail.
  json pod = MakePod(json::array({MakeContainer(
      {{"resources", {{"requests", {{"cpu", "500m"}, {"memory", "256Mi"}}},
                      {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}}}})}));
  auto in = f.Input(pod);
  in.runtime_info.min_oom_score_adj = 0;
  CHECK(Spec(BuildOciSpec(in))["process"]["oomScoreAdj"] == 0);
}

TEST_CASE("Sysctls come from the pod security context with slashes converted") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer()}),
                     {{"securityContext",
                       {{"sysctls",
                         {{{"name", "net.ipv4.ip_unprivileged_port_start"}, {"value", "0"}},
                          {{"name", "net/ipv4/conf/eth0.100/forwarding"}, {"value", "1"}}}}}}});
  CHECK(Spec(BuildOciSpec(f.Input(pod)))["linux"]["sysctl"] ==
        json{{"net.ipv4.ip_unprivileged_port_start", "0"},
             {"net.ipv4.conf.eth0/100.forwarding", "1"}});
}

TEST_CASE("Config errors and runtime errors are told apart") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer(
      {{"env",
        {{{"name", "X"},
          {"valueFrom", {{"configMapKeyRef", {{"name", "cm1"}, {"key", "k"}}}}}}}}})}));
  auto in = f.Input(pod);
  in.lookup = MapLookup({});
  auto r = BuildOciSpec(in);
  CHECK(r.status().message() == "configmap \"cm1\" not found");
  CHECK_FALSE(IsCreateContainerError(r.status()));
  json unknown = MakePod(json::array({MakeContainer()}));
  auto in2 = f.Input(unknown);
  in2.image.user = "ghost";
  auto r2 = BuildOciSpec(in2);
  CHECK(r2.status().message() == "unable to find user ghost: no matching entries in passwd file");
  CHECK(IsCreateContainerError(r2.status()));
  ContainerSpecInput empty;
  CHECK(BuildOciSpec(empty).status().code() == skiff::Code::kInvalidArgument);
}
