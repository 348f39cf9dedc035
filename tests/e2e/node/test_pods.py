"""Pods run as real containers: node registration, status, logs, env, volumes, limits, init
containers, failures, deletion leaving nothing behind -- read with kubectl and the Python
client."""

import datetime
import ipaddress
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from kubernetes import client, config

from conftest import (EVICTION_HARD_MIB, IMAGE, OCI_IMAGE, delete_all_and_expect_nothing_left,
                      free_port, unique, wait_for)

NETWORK = ("skte2e1", "10.231.0.0/16", "10.232.0.0/16")


def busybox(name, command, **extra):
    c = {"name": name, "image": IMAGE, "command": ["sh", "-c", command]}
    c.update(extra)
    return c


def pod(name, *containers, **spec):
    s = {"containers": list(containers)}
    s.update(spec)
    return {"metadata": {"name": name}, "spec": s}


def container_status(p, name, init=False):
    field = "initContainerStatuses" if init else "containerStatuses"
    for s in p.get("status", {}).get(field, []):
        if s["name"] == name:
            return s
    return None


def logs(node, ns, name, *args):
    return node.kubectl_ok("logs", "-n", ns, name, *args).out


def test_node_registers_with_capacity_info_conditions_and_lease(node):
    n = node.get(f"/api/v1/nodes/{node.node_name}").json()
    st = n["status"]
    assert int(st["capacity"]["cpu"]) == os.cpu_count()
    assert st["capacity"]["pods"] == "110"
    assert st["capacity"]["memory"].endswith("Ki")
    for key in ("cpu", "memory", "pods", "ephemeral-storage"):
        assert key in st["allocatable"], st["allocatable"]
    info = st["nodeInfo"]
    assert set(info) >= {"machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
                         "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion",
                         "operatingSystem", "architecture"}
    assert info["containerRuntimeVersion"].startswith("skiff://")
    assert "skiff" in info["kubeletVersion"]
    assert info["kernelVersion"] == os.uname().release
    conds = {c["type"]: c for c in st["conditions"]}
    assert conds["Ready"]["status"] == "True" and conds["Ready"]["reason"] == "KubeletReady"
    for t in ("MemoryPressure", "PIDPressure"):
        assert conds[t]["status"] == "False", conds[t]
    # The server runs with --eviction-hard nodefs.available<512Mi (and memory.available<100Mi):
    # both are held back from allocatable, and the disk's free space on the data dir's file
    # system decides DiskPressure.
    vfs = os.statvfs(node.data_dir)
    held_back = EVICTION_HARD_MIB << 20
    assert int(st["allocatable"]["ephemeral-storage"]) == vfs.f_blocks * vfs.f_frsize - held_back
    assert int(st["allocatable"]["memory"][:-2]) == int(st["capacity"]["memory"][:-2]) - 102400
    pressure = vfs.f_bavail * vfs.f_frsize < held_back
    assert conds["DiskPressure"]["status"] == ("True" if pressure else "False"), conds["DiskPressure"]
    assert {a["type"] for a in st["addresses"]} >= {"InternalIP", "Hostname"}
    assert n["spec"]["podCIDR"] == "10.231.0.0/24"
    # One masquerade rule for every pod of the node, instead of per-pod iptables chains.
    table = subprocess.run(["nft", "list", "table", "ip", "skiff-skte2e1"], capture_output=True,
                           text=True).stdout
    assert ("ip saddr 10.231.0.0/24 ip daddr != 10.231.0.0/16 ip daddr != 224.0.0.0/4 "
            "masquerade") in table, table
    lease = node.get(f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"
                     f"{node.node_name}").json()
    assert lease["spec"]["holderIdentity"] == node.node_name
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    out = node.kubectl_ok("get", "nodes").out
    assert node.node_name in out and "Ready" in out


def test_pod_runs_and_reports_status_ip_and_events(node):
    name = unique("run")
    node.create_pod("default", pod(name, busybox("main", "echo started; exec sleep 3600")))
    p = node.wait_phase("default", name, "Running")
    st = p["status"]
    ip = ipaddress.ip_address(st["podIP"])
    assert ip in ipaddress.ip_network("10.231.0.0/24")
    assert st["podIPs"] == [{"ip": st["podIP"]}]
    assert st["hostIP"]
    assert st["startTime"]
    conds = {c["type"]: c["status"] for c in st["conditions"]}
    assert conds == {"PodReadyToStartContainers": "True", "Initialized": "True", "Ready": "True",
                     "ContainersReady": "True", "PodScheduled": "True"}
    cs = container_status(p, "main")
    assert cs["ready"] is True and cs["started"] is True and cs["restartCount"] == 0
    assert "running" in cs["state"]
    assert cs["containerID"].startswith("containerd://")
    assert cs["image"] == IMAGE
    assert "sha256:" in cs["imageID"]
    out = node.kubectl_ok("get", "pod", name, "-o", "wide").out
    assert "Running" in out and "1/1" in out and st["podIP"] in out and node.node_name in out
    reasons = wait_for(lambda: {e["reason"] for e in node.events_for("default", name)} >=
                       {"Pulled", "Created", "Started"} and
                       {e["reason"] for e in node.events_for("default", name)},
                       what="events")
    assert "Started" in reasons
    # The host reaches the pod over the bridge.
    ping = subprocess.run(["busybox", "ping", "-c", "1", "-W", "2", st["podIP"]], capture_output=True)
    assert ping.returncode == 0, ping
    node.delete_pod_and_wait("default", name)


def test_pod_without_a_node_is_scheduled_here_and_runs(node):
    name = unique("sched")
    p = pod(name, busybox("main", "exec sleep 3600"))
    p.update({"apiVersion": "v1", "kind": "Pod"})
    node.create("/api/v1/namespaces/default/pods", p)  # no spec.nodeName: the scheduler's
    running = node.wait_phase("default", name, "Running")
    assert running["spec"]["nodeName"] == node.node_name
    scheduled = wait_for(lambda: [e for e in node.events_for("default", name)
                                  if e["reason"] == "Scheduled"], what="Scheduled event")
    assert scheduled[0]["message"] == f"Successfully assigned default/{name} to {node.node_name}"
    assert scheduled[0]["source"]["component"] == "default-scheduler"
    node.delete_pod_and_wait("default", name)


def test_images_from_oci_and_docker_archives_in_the_airgap_dir(node):
    name = unique("oci")
    node.create_pod("default", pod(name, {"name": "main", "image": OCI_IMAGE,
                                          "imagePullPolicy": "Never",
                                          "command": ["sh", "-c", "echo from-oci; sleep 3600"]}))
    p = node.wait_phase("default", name, "Running")
    assert container_status(p, "main")["image"] == OCI_IMAGE
    wait_for(lambda: logs(node, "default", name) == "from-oci\n", what="log")
    msgs = [e["message"] for e in node.events_for("default", name) if e["reason"] == "Pulled"]
    assert msgs == [f'Container image "{OCI_IMAGE}" already present on machine'], msgs
    node.delete_pod_and_wait("default", name)


def test_logs_follow_tail_timestamps_and_python_client(node):
    name = unique("logs")
    node.create_pod("default", pod(name, busybox(
        "main", "for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; sleep 3600")))
    node.wait_phase("default", name, "Running")
    wait_for(lambda: "oops" in logs(node, "default", name), what="log lines")
    out = logs(node, "default", name)
    assert out == "line 1\nline 2\nline 3\nline 4\nline 5\noops\n"
    assert logs(node, "default", name, "--tail", "2") == "line 5\noops\n"
    stamped = logs(node, "default", name, "--timestamps").splitlines()
    assert len(stamped) == 6 and stamped[0].split(" ", 1)[1] == "line 1"
    assert stamped[0][:4].isdigit() and "T" in stamped[0].split(" ")[0]
    assert logs(node, "default", name, "--limit-bytes", "8") == "line 1\nl"
    config.load_kube_config(config_file=str(node.kubeconfig))
    v1 = client.CoreV1Api()
    text = v1.read_namespaced_pod_log(name, "default", tail_lines=1)
    assert text == "oops\n"
    # -f keeps the stream open and sees new lines; it ends when the container does.
    name2 = unique("follow")
    node.create_pod("default", pod(name2, busybox(
        "main", "echo first; sleep 2; echo second; sleep 1"), ), )
    node.wait_pod("default", name2, lambda p: p.get("status", {}).get("phase") in
                  ("Running", "Succeeded"))
    proc = node.kubectl("1.32").popen("logs", "-f", name2)
    out, _ = proc.communicate(timeout=60)
    assert out.decode() == "first\nsecond\n"
    node.delete_pod_and_wait("default", name)


def test_env_from_configmap_secret_and_downward_api(node):
    ns = "default"
    cm = unique("cm")
    node.create_configmap(ns, cm, {"greeting": "hello", "COLOR": "blue"})
    sec = unique("sec")
    node.create(f"/api/v1/namespaces/{ns}/secrets",
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": sec},
                 "data": {"password": "czNjcjN0"}})  # s3cr3t
    name = unique("env")
    c = busybox("main", "env | sort; sleep 3600")
    c["env"] = [
        {"name": "PLAIN", "value": "v1"},
        {"name": "EXPANDED", "value": "$(PLAIN)-x"},
        {"name": "FROM_CM", "valueFrom": {"configMapKeyRef": {"name": cm, "key": "greeting"}}},
        {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": sec, "key": "password"}}},
        {"name": "MY_POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "MY_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "MY_NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
    ]
    c["envFrom"] = [{"configMapRef": {"name": cm}, "prefix": "CM_"}]
    node.create_pod(ns, pod(name, c))
    p = node.wait_phase(ns, name, "Running")
    out = wait_for(lambda: "MY_NODE" in logs(node, ns, name) and logs(node, ns, name))
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert env["PLAIN"] == "v1"
    assert env["EXPANDED"] == "v1-x"
    assert env["FROM_CM"] == "hello"
    assert env["FROM_SECRET"] == "s3cr3t"
    assert env["MY_POD"] == name
    assert env["MY_IP"] == p["status"]["podIP"]
    assert env["MY_NODE"] == node.node_name
    assert env["CM_greeting"] == "hello" and env["CM_COLOR"] == "blue"
    assert env["HOSTNAME"] == name
    node.delete_pod_and_wait(ns, name)


def test_volumes_configmap_secret_emptydir_downward_and_managed_files(node):
    ns = "default"
    cm = unique("vol-cm")
    node.create_configmap(ns, cm, {"app.conf": "port=8080\n"})
    sec = unique("vol-sec")
    node.create(f"/api/v1/namespaces/{ns}/secrets",
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": sec},
                 "data": {"token": "YWJj"}})  # abc
    name = unique("vols")
    script = ("cat /etc/config/app.conf; cat /etc/secret/token; echo; "
              "cat /etc/podinfo/labels; echo; echo data > /cache/x; cat /cache/x; "
              "cat /etc/hosts; cat /etc/resolv.conf; sleep 3600")
    c = busybox("main", script, volumeMounts=[
        {"name": "config", "mountPath": "/etc/config"},
        {"name": "secret", "mountPath": "/etc/secret"},
        {"name": "podinfo", "mountPath": "/etc/podinfo"},
        {"name": "cache", "mountPath": "/cache"}])
    spec = pod(name, c, volumes=[
        {"name": "config", "configMap": {"name": cm}},
        {"name": "secret", "secret": {"secretName": sec}},
        {"name": "podinfo", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        {"name": "cache", "emptyDir": {}}],
        hostAliases=[{"ip": "10.1.2.3", "hostnames": ["foo.local", "bar.local"]}])
    spec["metadata"]["labels"] = {"app": "vols"}
    node.create_pod(ns, spec)
    node.wait_phase(ns, name, "Running")
    out = wait_for(lambda: "nameserver" in logs(node, ns, name) and logs(node, ns, name))
    assert "port=8080" in out
    assert "abc" in out
    assert 'app="vols"' in out
    assert "data" in out
    assert "# Kubernetes-managed hosts file." in out
    assert "10.1.2.3\tfoo.local\tbar.local" in out
    assert "nameserver 10.232.0.10" in out
    assert "search default.svc.cluster.local svc.cluster.local cluster.local" in out
    # ConfigMap volumes follow updates.
    r = node.patch(f"/api/v1/namespaces/{ns}/configmaps/{cm}",
                   {"data": {"app.conf": "port=9090\n"}}, "application/merge-patch+json")
    assert r.status == 200, r
    uid = node.pod(ns, name)["metadata"]["uid"]
    conf = Path(node.data_dir) / "agent" / "pods" / uid / "volumes"
    wait_for(lambda: any("port=9090" in p.read_text() for p in conf.rglob("app.conf")
                         if p.is_file()), timeout=90, what="configmap volume update")
    node.delete_pod_and_wait(ns, name)


def test_resource_limits_reach_the_cgroup(node):
    name = unique("limits")
    c = busybox("main", "sleep 3600", resources={"limits": {"memory": "64Mi", "cpu": "250m"},
                                                 "requests": {"memory": "32Mi", "cpu": "100m"}})
    node.create_pod("default", pod(name, c))
    p = node.wait_phase("default", name, "Running")
    uid = p["metadata"]["uid"]
    cid = container_status(p, "main")["containerID"].split("//")[1]
    base = f"/skiff/pod{uid}/{cid}"
    mem = Path(f"/sys/fs/cgroup/memory{base}/memory.limit_in_bytes").read_text().strip()
    assert int(mem) == 64 * 1024 * 1024
    quota = Path(f"/sys/fs/cgroup/cpu{base}/cpu.cfs_quota_us").read_text().strip()
    period = Path(f"/sys/fs/cgroup/cpu{base}/cpu.cfs_period_us").read_text().strip()
    assert int(quota) * 4 == int(period)
    shares = Path(f"/sys/fs/cgroup/cpu{base}/cpu.shares").read_text().strip()
    assert int(shares) == 102
    node.delete_pod_and_wait("default", name)


def test_a_guaranteed_pod_runs_with_the_lowest_oom_score_skiff_may_give(node):
    """kubelet's -997 for Guaranteed pods needs CAP_SYS_RESOURCE, which some VMs' and LXC's
    root lacks: skiff then gives no lower than its own score, and the pod still starts."""
    name = unique("guaranteed")
    both = {"memory": "64Mi", "cpu": "100m"}
    node.create_pod("default", pod(name, busybox("main", "sleep 3600",
                                                 resources={"limits": both, "requests": both})))
    p = node.wait_phase("default", name, "Running")
    assert p["status"]["qosClass"] == "Guaranteed"
    assert container_status(p, "main")["restartCount"] == 0
    caps = int(next(line.split()[1] for line in Path("/proc/self/status").read_text().splitlines()
                    if line.startswith("CapEff:")), 16)
    want = -997 if caps & (1 << 24) else int(Path(f"/proc/{node.proc.pid}/oom_score_adj")
                                              .read_text())
    score = node.kubectl_ok("exec", "-n", "default", name, "--", "cat",
                            "/proc/1/oom_score_adj").out.strip()
    assert int(score) == max(want, -997)
    node.delete_pod_and_wait("default", name)


def test_init_containers_run_in_order_before_app_containers(node):
    name = unique("init")
    spec = pod(name, busybox("app", "cat /work/order; sleep 3600",
                             volumeMounts=[{"name": "work", "mountPath": "/work"}]),
               initContainers=[
                   busybox("first", "echo first >> /work/order",
                           volumeMounts=[{"name": "work", "mountPath": "/work"}]),
                   busybox("second", "sleep 1; echo second >> /work/order",
                           volumeMounts=[{"name": "work", "mountPath": "/work"}])],
               volumes=[{"name": "work", "emptyDir": {}}])
    node.create_pod("default", spec)
    p = node.wait_phase("default", name, "Running")
    for init in ("first", "second"):
        s = container_status(p, init, init=True)
        assert s["state"]["terminated"]["exitCode"] == 0
        assert s["state"]["terminated"]["reason"] == "Completed"
    wait_for(lambda: logs(node, "default", name, "-c", "app") == "first\nsecond\n",
             what="init output")
    node.delete_pod_and_wait("default", name)


def test_host_port_reaches_the_container(node):
    name = unique("hostport")
    port = free_port()
    c = busybox("web", "mkdir -p /www && echo served-by-pod > /www/index.html && "
                "exec httpd -f -p 8080 -h /www",
                ports=[{"containerPort": 8080, "hostPort": port, "protocol": "TCP"}])
    node.create_pod("default", pod(name, c))
    p = node.wait_phase("default", name, "Running")
    body = wait_for(lambda: subprocess.run(
        ["curl", "-sf", "--max-time", "2", f"http://127.0.0.1:{port}/index.html"],
        capture_output=True, text=True).stdout, timeout=30, what="hostPort answer")
    assert body == "served-by-pod\n"
    direct = subprocess.run(["curl", "-sf", "--max-time", "2",
                             f"http://{p['status']['podIP']}:8080/index.html"],
                            capture_output=True, text=True).stdout
    assert direct == "served-by-pod\n"
    config.load_kube_config(config_file=str(node.kubeconfig))
    read = client.CoreV1Api().read_namespaced_pod(name, "default")
    assert read.status.phase == "Running"
    assert read.status.pod_ip == p["status"]["podIP"]
    assert read.status.container_statuses[0].ready is True
    assert read.spec.containers[0].ports[0].host_port == port
    node.delete_pod_and_wait("default", name)
    assert subprocess.run(["curl", "-sf", "--max-time", "2", f"http://127.0.0.1:{port}/"],
                          capture_output=True).returncode != 0


def test_completed_and_failed_pods(node):
    ok = unique("done")
    node.create_pod("default", pod(ok, busybox("main", "echo bye"), restartPolicy="Never"))
    p = node.wait_phase("default", ok, "Succeeded")
    t = container_status(p, "main")["state"]["terminated"]
    assert t["exitCode"] == 0 and t["reason"] == "Completed"
    assert logs(node, "default", ok) == "bye\n"
    bad = unique("fail")
    node.create_pod("default", pod(bad, busybox(
        "main", "echo 'disk full' > /dev/termination-log; exit 3"), restartPolicy="Never"))
    p = node.wait_phase("default", bad, "Failed")
    t = container_status(p, "main")["state"]["terminated"]
    assert t["exitCode"] == 3 and t["reason"] == "Error"
    assert t["message"] == "disk full\n"
    out = node.kubectl_ok("get", "pods", ok, bad).out
    assert "Completed" in out and "Error" in out


def _seconds(stamp):
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").timestamp()


def test_restart_policy_always_restarts_with_growing_backoff(node):
    """The first restart is at once, then 10 s, then 20 s (kubelet's back-off), shown as
    CrashLoopBackOff with BackOff events; describe shows what a crash loop needs."""
    name = unique("crash")
    node.create_pod("default", pod(name, busybox("main", "echo attempt; exit 1")))

    def restarts(n):
        return lambda p: (container_status(p, "main") or {}).get("restartCount", 0) >= n

    def waiting_message(text):
        return lambda p: text in ((container_status(p, "main") or {}).get("state", {})
                                  .get("waiting", {}).get("message", ""))

    node.wait_pod("default", name, restarts(1), timeout=60, what="a restart")
    s = node.wait_pod("default", name, waiting_message("back-off 10s restarting failed "
                                                       f"container=main pod={name}_default("),
                      timeout=60, what="back-off 10s")
    cs = container_status(s, "main")
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert cs["lastState"]["terminated"]["reason"] == "Error"
    assert logs(node, "default", name) == "attempt\n"
    assert logs(node, "default", name, "-p") == "attempt\n"
    out = node.kubectl_ok("get", "pod", name).out
    assert re.search(rf"^{name}\s+0/1\s+CrashLoopBackOff\s+1 \(\d+s ago\)", out, re.M), out

    # Each snapshot's lastState is the attempt whose exit set the back-off it shows: attempt
    # 2 started 10 s after attempt 1 ended, attempt 3 20 s after attempt 2.
    finished_1 = _seconds(cs["lastState"]["terminated"]["finishedAt"])
    s = node.wait_pod("default", name, waiting_message("back-off 20s"), timeout=60,
                      what="back-off 20s")
    cs = container_status(s, "main")
    started_2 = _seconds(cs["lastState"]["terminated"]["startedAt"])
    finished_2 = _seconds(cs["lastState"]["terminated"]["finishedAt"])
    assert started_2 - finished_1 >= 9, (finished_1, started_2)

    described = node.kubectl_ok("describe", "pod", name).out
    for pattern in (r"^    State:\s+Waiting$", r"^      Reason:\s+CrashLoopBackOff$",
                    r"^    Last State:\s+Terminated$", r"^      Reason:\s+Error$",
                    r"^      Exit Code:\s+1$", r"^      Started:\s+\S", r"^      Finished:\s+\S",
                    r"^    Ready:\s+False$", r"^    Restart Count:\s+2$",
                    r"Warning\s+BackOff\s+.*Back-off restarting failed container main in pod "):
        assert re.search(pattern, described, re.M), (pattern, described)

    s = node.wait_pod("default", name, waiting_message("back-off 40s"), timeout=60,
                      what="back-off 40s")
    started_3 = _seconds(container_status(s, "main")["lastState"]["terminated"]["startedAt"])
    assert started_3 - finished_2 >= 19, (finished_2, started_3)
    node.delete_pod_and_wait("default", name)


def test_missing_image_bad_config_and_bad_command(node):
    img = unique("noimg")
    node.create_pod("default", pod(img, {"name": "main", "image": "skiff.local/e2e/missing:v1",
                                         "imagePullPolicy": "Never"}))
    p = node.wait_pod("default", img, lambda p: (container_status(p, "main") or {}).get(
        "state", {}).get("waiting", {}).get("reason") == "ErrImageNeverPull", what="never pull")
    assert p["status"]["phase"] == "Pending"
    cfg = unique("nocm")
    c = busybox("main", "sleep 3600")
    c["env"] = [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "k"}}}]
    node.create_pod("default", pod(cfg, c))
    p = node.wait_pod("default", cfg, lambda p: (container_status(p, "main") or {}).get(
        "state", {}).get("waiting", {}).get("reason") == "CreateContainerConfigError",
        what="config error")
    assert 'configmap "absent" not found' in container_status(p, "main")["state"]["waiting"][
        "message"]
    cmd = unique("nocmd")
    node.create_pod("default", pod(cmd, {"name": "main", "image": IMAGE,
                                         "command": ["/no/such/binary"]},
                                   restartPolicy="Never"))
    p = node.wait_phase("default", cmd, "Failed")
    t = container_status(p, "main")["state"]["terminated"]
    assert t["reason"] == "StartError" and t["exitCode"] == 128
    assert "no such file" in t["message"].lower() or "not found" in t["message"].lower()
    vol = unique("novol")
    node.create_pod("default", pod(vol, busybox("main", "sleep 3600", volumeMounts=[
        {"name": "cfg", "mountPath": "/cfg"}]), volumes=[
        {"name": "cfg", "configMap": {"name": "absent-volume-cm"}}]))
    mounts = wait_for(lambda: [e for e in node.events_for("default", vol)
                               if e["reason"] == "FailedMount"], what="FailedMount event")
    assert 'configmap "absent-volume-cm" not found' in mounts[0]["message"], mounts
    assert mounts[0]["type"] == "Warning"
    p = node.pod("default", vol)
    assert p["status"]["phase"] == "Pending"
    assert container_status(p, "main")["state"]["waiting"]["reason"] == "ContainerCreating"
    # The node keeps serving other pods.
    ok = unique("still")
    node.create_pod("default", pod(ok, busybox("main", "sleep 3600")))
    node.wait_phase("default", ok, "Running")
    for n in (img, cfg, cmd, vol, ok):
        node.delete_pod_and_wait("default", n)


def test_oom_killed_container(node):
    name = unique("oom")
    c = busybox("main", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo $x | wc -c",
                resources={"limits": {"memory": "16Mi"}})
    node.create_pod("default", pod(name, c, restartPolicy="Never"))
    p = node.wait_phase("default", name, "Failed")
    t = container_status(p, "main")["state"]["terminated"]
    assert t["reason"] == "OOMKilled" and t["exitCode"] == 137


def test_local_storage_limits_evict_the_pod(node):
    """kubelet's local storage eviction: an emptyDir past its sizeLimit, and a container whose
    writable layer passes its own ephemeral-storage limit, get the pod evicted."""
    fill = "dd if=/dev/zero of={} bs=1M count=3 && sync && exec sleep 3600"
    ed = unique("evict-ed")
    node.create_pod("default", pod(
        ed, busybox("main", fill.format("/scratch/fill"),
                    volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}]),
        volumes=[{"name": "scratch", "emptyDir": {"sizeLimit": "1Mi"}}]))
    layer = unique("evict-layer")
    node.create_pod("default", pod(
        layer,
        busybox("main", fill.format("/fill"), resources={"limits": {"ephemeral-storage": "1Mi"}}),
        busybox("side", "exec sleep 3600", resources={"limits": {"ephemeral-storage": "100Mi"}})))
    expected = {
        ed: 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ',
        layer: 'Container main exceeded its local ephemeral storage limit "1Mi". ',
    }
    for name, message in expected.items():
        p = node.wait_phase("default", name, "Failed", timeout=60)
        assert p["status"]["reason"] == "Evicted", p["status"]
        assert p["status"]["message"] == message
        main = container_status(p, "main")
        assert main["restartCount"] == 0
        assert main["state"]["terminated"]["exitCode"] == 137, main
        assert any(e["reason"] == "Evicted" and e["message"] == message and e["type"] == "Warning"
                   for e in node.events_for("default", name))
        described = node.kubectl_ok("describe", "pod", name).out
        assert re.search(r"^Status:\s+Failed$", described, re.M), described
        assert re.search(r"^Reason:\s+Evicted$", described, re.M), described
        assert re.search(r"^Message:\s+" + re.escape(message.strip()) + r"\s*$", described, re.M)
    # The evicted pods' sandboxes are torn down; their logs stay until the pods are deleted.
    for name in expected:
        uid = node.pod("default", name)["metadata"]["uid"]
        wait_for(lambda: not [m for m in Path("/proc/self/mountinfo").read_text().splitlines()
                              if uid in m], timeout=30, what=f"{name} unmounted")
        assert Path(f"/var/log/pods/default_{name}_{uid}").exists()
        node.delete_pod_and_wait("default", name)


def test_deletion_stops_containers_and_leaves_nothing_behind(node):
    name = unique("gone")
    c = busybox("main", "trap 'echo term; exit 0' TERM; while true; do sleep 0.2; done",
                ports=[{"containerPort": 8080, "hostPort": free_port()}])
    node.create_pod("default", pod(name, c, terminationGracePeriodSeconds=10))
    p = node.wait_phase("default", name, "Running")
    uid = p["metadata"]["uid"]
    ip = p["status"]["podIP"]
    state = Path(node.data_dir) / "agent"
    sandbox = json.loads((state / "pods" / uid / "record.json").read_text())["sandboxID"]
    # The hostPort's DNAT rule names the sandbox.
    assert sandbox in subprocess.run(["iptables-save", "-t", "nat"], capture_output=True,
                                     text=True).stdout
    started = time.monotonic()
    node.kubectl_ok("delete", "pod", name, timeout=60)
    # The container's TERM handler exits at once: no wait for the 10 s grace period.
    assert time.monotonic() - started < 8
    assert node.get(f"/api/v1/namespaces/default/pods/{name}").status == 404
    assert sandbox not in subprocess.run(["iptables-save", "-t", "nat"], capture_output=True,
                                         text=True).stdout
    assert not Path(f"/run/netns/skiff-{sandbox}").exists()
    assert not (state / "sandboxes" / sandbox).exists()
    assert subprocess.run(["pgrep", "-f", f"containerd-shim-runc-v2 .*-id {sandbox}"]).returncode == 1
    assert not (state / "pods" / uid).exists()
    assert not list((state / "containers").iterdir())
    assert not (state / "cni" / "networks" / "skiff" / ip).exists()
    assert not Path(f"/var/log/pods/default_{name}_{uid}").exists()
    assert not [m for m in Path("/proc/self/mountinfo").read_text().splitlines() if uid in m]
    assert not Path(f"/sys/fs/cgroup/memory/skiff/pod{uid}").exists() or not [
        d for d in Path(f"/sys/fs/cgroup/memory/skiff/pod{uid}").iterdir() if d.is_dir()]


def test_pods_being_stopped_do_not_hold_up_a_new_pod(node):
    """Stopping a container that ignores SIGTERM waits out its grace period; more such pods
    than the agent's standing workers must not delay a new pod's start (kubelet gives every
    pod a worker of its own)."""
    grace = 15
    names = [unique("stubborn") for _ in range(6)]
    for name in names:  # sleep as PID 1 has no handler: SIGTERM does nothing
        node.create_pod("default", pod(name, {"name": "main", "image": IMAGE,
                                              "command": ["sleep", "3600"]},
                                       terminationGracePeriodSeconds=grace))
    for name in names:
        node.wait_phase("default", name, "Running")
    node.kubectl_ok("delete", "pod", "--wait=false", *names)
    wait_for(lambda: all(node.pod("default", n)["metadata"].get("deletionTimestamp")
                         for n in names), timeout=10, what="the pods marked for deletion")
    time.sleep(1)  # the agent has begun stopping them
    fresh = unique("fresh")
    started = time.monotonic()
    node.create_pod("default", pod(fresh, busybox("main", "sleep 3600")))
    node.wait_phase("default", fresh, "Running", timeout=grace - 3)
    assert time.monotonic() - started < grace - 3
    # The stubborn ones are killed once their grace period is over, not before.
    assert all(node.get(f"/api/v1/namespaces/default/pods/{n}").status == 200 for n in names)
    wait_for(lambda: all(node.get(f"/api/v1/namespaces/default/pods/{n}").status == 404
                         for n in names), timeout=grace + 30, what="the stopped pods gone")
    node.kubectl_ok("delete", "pod", fresh, "--grace-period=1", timeout=60)


def test_nothing_left_after_all_pods_are_gone(node):
    """Runs last in this module: every pod above was deleted; no container, shim or mount
    of this agent remains."""
    delete_all_and_expect_nothing_left(node)
