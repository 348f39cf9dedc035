"""Health checks on real containers: liveness probes (httpGet, tcpSocket) restart a container,
readiness flips the pod's Ready condition without a restart, a startup probe holds the others
back, gRPC probes ask a real gRPC health server in the pod's network namespace -- as kubectl
and the Python client see it."""

import json
import subprocess
import time
from pathlib import Path

from kubernetes import client, config

from conftest import IMAGE, delete_all_and_expect_nothing_left, unique, wait_for

NETWORK = ("skte2e6", "10.247.0.0/16", "10.248.0.0/16")

# busybox httpd serving /www on 8080; the script then runs `later` (shell) after `after` s.
SERVE = "mkdir -p /www && {setup} httpd -p 8080 -h /www && sleep {after} && {later}; exec sleep 3600"


def pod(name, command, **container):
    c = {"name": "main", "image": IMAGE, "command": ["sh", "-c", command]}
    c.update(container)
    return {"metadata": {"name": name},
            "spec": {"containers": [c], "terminationGracePeriodSeconds": 1}}


def http_probe(path, **extra):
    p = {"httpGet": {"path": path, "port": 8080}, "periodSeconds": 1, "failureThreshold": 1}
    p.update(extra)
    return p


def main_status(p):
    return (p.get("status", {}).get("containerStatuses") or [{}])[0]


def condition(p, kind):
    for c in p.get("status", {}).get("conditions", []):
        if c["type"] == kind:
            return c["status"]
    return None


def events(node, name, reason):
    return [e for e in node.events_for("default", name) if e["reason"] == reason]


def test_liveness_http_and_tcp_failures_restart_the_container(node):
    http, tcp = unique("live-http"), unique("live-tcp")
    node.create_pod("default", pod(
        http, SERVE.format(setup="echo ok > /www/healthz &&", after=3, later="rm /www/healthz"),
        livenessProbe=http_probe("/healthz", initialDelaySeconds=1)))
    node.create_pod("default", pod(
        tcp, "exec sleep 3600",
        livenessProbe={"tcpSocket": {"port": 9999}, "periodSeconds": 1, "failureThreshold": 2,
                       "initialDelaySeconds": 1}))
    for name in (http, tcp):
        p = node.wait_pod("default", name, lambda x: main_status(x).get("restartCount", 0) >= 1,
                          timeout=60, what=f"{name} restarted by its liveness probe")
        last = main_status(p)["lastState"]["terminated"]
        assert last["exitCode"] in (137, 143), last
        assert last["reason"] == "Error", last
    unhealthy = [e for e in events(node, http, "Unhealthy") if e["message"] ==
                 "Liveness probe failed: HTTP probe failed with statuscode: 404"]
    assert unhealthy and unhealthy[0]["type"] == "Warning", events(node, http, "Unhealthy")
    assert unhealthy[0]["involvedObject"]["fieldPath"] == "spec.containers{main}"
    killing = events(node, http, "Killing")
    assert any(e["message"] == "Container main failed liveness probe, will be restarted"
               for e in killing), killing
    ip = node.pod("default", tcp)["status"]["podIP"]
    assert any(e["message"] == f"Liveness probe failed: dial tcp {ip}:9999: connect: connection "
               "refused" for e in events(node, tcp, "Unhealthy"))
    out = node.kubectl_ok("describe", "pod", http).out
    assert "Liveness:" in out and "http-get http://:8080/healthz" in out, out
    node.delete_pod_and_wait("default", http)
    node.delete_pod_and_wait("default", tcp)


def test_readiness_flips_ready_without_a_restart(node):
    name = unique("ready")
    node.create_pod("default", pod(
        name, SERVE.format(setup="", after=3, later="echo ok > /www/ready && sleep 4 && "
                           "rm /www/ready"),
        readinessProbe=http_probe("/ready")))
    p = node.wait_phase("default", name, "Running")
    assert condition(p, "Ready") == "False"
    assert main_status(p)["ready"] is False and main_status(p)["started"] is True
    p = node.wait_pod("default", name, lambda x: condition(x, "Ready") == "True", timeout=30,
                      what="ready")
    assert main_status(p)["ready"] is True
    config.load_kube_config(config_file=str(node.kubeconfig))
    read = client.CoreV1Api().read_namespaced_pod(name, "default")
    assert read.status.container_statuses[0].ready is True
    row = node.kubectl_ok("get", "pod", name, "--no-headers").out.split()
    assert row[1] == "1/1", row
    p = node.wait_pod("default", name, lambda x: condition(x, "Ready") == "False", timeout=30,
                      what="not ready again")
    assert main_status(p)["restartCount"] == 0
    assert node.kubectl_ok("get", "pod", name, "--no-headers").out.split()[1] == "0/1"
    assert any(e["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 404"
               for e in events(node, name, "Unhealthy"))
    node.delete_pod_and_wait("default", name)


def test_startup_probe_holds_liveness_back_until_it_succeeds(node):
    name = unique("startup")
    node.create_pod("default", pod(
        name, SERVE.format(setup="", after=4, later="echo ok > /www/started"),
        # Without the startup probe this liveness probe would kill the container at once.
        livenessProbe=http_probe("/started"),
        startupProbe=http_probe("/started", failureThreshold=30)))
    p = node.wait_phase("default", name, "Running")
    assert main_status(p)["started"] is False and main_status(p)["ready"] is False
    p = node.wait_pod("default", name, lambda x: main_status(x).get("started") is True,
                      timeout=30, what="started")
    assert main_status(p)["ready"] is True
    assert condition(p, "Ready") == "True"
    assert main_status(p)["restartCount"] == 0
    assert any(e["message"].startswith("Startup probe failed: HTTP probe failed with statuscode: 404")
               for e in events(node, name, "Unhealthy"))
    node.delete_pod_and_wait("default", name)


def test_a_startup_probe_that_never_passes_restarts_the_container(node):
    name = unique("nostart")
    node.create_pod("default", pod(
        name, "exec sleep 3600",
        startupProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 1, "failureThreshold": 2}))
    p = node.wait_pod("default", name, lambda x: main_status(x).get("restartCount", 0) >= 1,
                      timeout=60, what="restarted by its startup probe")
    assert any(e["message"] == "Container main failed startup probe, will be restarted"
               for e in events(node, name, "Killing"))
    node.delete_pod_and_wait("default", name)


def test_a_failing_post_start_hook_kills_and_restarts_the_container(node):
    name = unique("poststart")
    node.create_pod("default", pod(
        name, "exec sleep 3600",
        lifecycle={"postStart": {"httpGet": {"path": "/", "port": 9999}}}))
    p = node.wait_pod("default", name, lambda x: main_status(x).get("restartCount", 0) >= 1,
                      timeout=60, what="restarted after its postStart hook failed")
    assert any(e["message"] == "PostStartHook failed" and e["type"] == "Warning"
               for e in events(node, name, "FailedPostStartHook"))
    assert any(e["message"] == "FailedPostStartHook" for e in events(node, name, "Killing"))
    node.delete_pod_and_wait("default", name)


def test_pre_stop_runs_before_the_stop_signal_within_the_grace_period(node):
    name = unique("prestop")
    # The container ignores SIGTERM only in the sense that it logs it: the preStop sleep
    # must come first, then TERM, and the whole stop stays inside the grace period.
    spec = pod(name, "trap 'echo term at $(date +%s); exit 0' TERM; echo up at $(date +%s); "
               "while true; do sleep 0.1; done",
               lifecycle={"preStop": {"sleep": {"seconds": 2}}})
    spec["spec"]["terminationGracePeriodSeconds"] = 10
    node.create_pod("default", spec)
    node.wait_phase("default", name, "Running")
    started = time.monotonic()
    node.delete_pod_and_wait("default", name, grace=None)
    took = time.monotonic() - started
    assert 2 <= took < 9, took


def test_exec_liveness_probe_restarts_the_container(node):
    name = unique("live-exec")
    node.create_pod("default", pod(
        name, "touch /tmp/healthy && sleep 3 && rm /tmp/healthy && exec sleep 3600",
        livenessProbe={"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 1,
                       "periodSeconds": 1, "failureThreshold": 1}))
    node.wait_pod("default", name, lambda x: main_status(x).get("restartCount", 0) >= 1,
                  timeout=60, what="restarted by its exec liveness probe")
    messages = [e["message"] for e in events(node, name, "Unhealthy")]
    assert any(m.startswith("Liveness probe failed: cat: can't open '/tmp/healthy'")
               for m in messages), messages
    node.delete_pod_and_wait("default", name)


def test_exec_hooks_run_in_order_around_the_container(node, tmp_path):
    name = unique("hooks")
    tmp_path.chmod(0o777)
    spec = pod(name, "trap 'echo term >> /state/log; exit 0' TERM; echo main >> /state/log; "
               "while true; do sleep 0.1; done",
               volumeMounts=[{"name": "state", "mountPath": "/state"}],
               lifecycle={"postStart": {"exec": {"command": [
                              "sh", "-c", "echo poststart >> /state/log"]}},
                          "preStop": {"exec": {"command": [
                              "sh", "-c", "echo prestop >> /state/log"]}}})
    spec["spec"]["volumes"] = [{"name": "state", "hostPath": {"path": str(tmp_path),
                                                              "type": "Directory"}}]
    node.create_pod("default", spec)
    node.wait_phase("default", name, "Running")
    wait_for(lambda: "poststart" in (tmp_path / "log").read_text(), timeout=10,
             what="postStart ran")
    node.delete_pod_and_wait("default", name)
    lines = (tmp_path / "log").read_text().split()
    # postStart runs beside the main process; preStop comes before the stop signal.
    assert sorted(lines[:2]) == ["main", "poststart"], lines
    assert lines[2:] == ["prestop", "term"], lines


GRPC_SERVER = Path(__file__).resolve().parents[1] / "lib" / "grpc_health_server.py"


def test_grpc_readiness_and_liveness_probes(node, tmp_path):
    """The pod's gRPC server is python3-grpcio run in the pod's network namespace (busybox has
    none): readiness follows what it answers; once the server is gone, liveness restarts the
    container."""
    name = unique("grpc")
    node.create_pod("default", pod(
        name, "exec sleep 3600",
        readinessProbe={"grpc": {"port": 9090}, "periodSeconds": 1, "failureThreshold": 1},
        livenessProbe={"grpc": {"port": 9090, "service": "db"}, "periodSeconds": 1,
                       "failureThreshold": 3, "initialDelaySeconds": 1}))
    p = node.wait_pod("default", name, lambda x: main_status(x).get("state", {}).get("running"),
                      timeout=60, what="running")
    record = Path(node.data_dir) / "agent" / "pods" / p["metadata"]["uid"] / "record.json"
    netns = f"/run/netns/skiff-{json.loads(record.read_text())['sandboxID']}"
    status = tmp_path / "status"
    server = subprocess.Popen(
        ["nsenter", f"--net={netns}", "/usr/bin/python3", str(GRPC_SERVER), "--host", "0.0.0.0",
         "--port", "9090", "--status-file", str(status), "--service", "db"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "listening 9090"
        node.wait_pod("default", name, lambda x: condition(x, "Ready") == "True", timeout=30,
                      what="Ready by the gRPC readiness probe")
        status.write_text("NOT_SERVING")
        node.wait_pod("default", name, lambda x: condition(x, "Ready") == "False", timeout=30,
                      what="not Ready once the server is NOT_SERVING")
        wait_for(lambda: [e for e in events(node, name, "Unhealthy") if e["message"] ==
                          'Readiness probe failed: service unhealthy (responded with '
                          '"NOT_SERVING")'], timeout=10, what="the Unhealthy event")
        assert main_status(node.pod("default", name))["restartCount"] == 0
    finally:
        server.kill()
        server.wait()
    # The server is gone: liveness fails three times, the container is restarted.
    p = node.wait_pod("default", name, lambda x: main_status(x).get("restartCount", 0) >= 1,
                      timeout=60, what="restarted by its gRPC liveness probe")
    ip = p["status"]["podIP"]
    assert [e for e in events(node, name, "Unhealthy") if e["message"] ==
            f'Liveness probe failed: timeout: failed to connect service "{ip}:9090" within 1s: '
            "context deadline exceeded"]
    node.delete_pod_and_wait("default", name)


def test_nothing_left_after_all_pods_are_gone(node):
    delete_all_and_expect_nothing_left(node)
