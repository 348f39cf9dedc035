"""pods/exec and pods/attach on `skiff server --disable-agent`: the API-side checks answer as
Kubernetes does (before any upgrade), and with no node agent the answer is a clean 503 Status,
whichever client and protocol asks (kubectl 1.31 over WebSocket, kubectl 1.29 over SPDY, the
Python client). The full path against real containers is in ../node/test_exec.py."""

import json

import pytest
from kubernetes import client, config
from kubernetes.stream import stream

from conftest import assert_status, unique

WS = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Protocol": "v5.channel.k8s.io, v4.channel.k8s.io"}
NO_AGENT = "pods/exec is served by the node agent, which is not running on this server"


def make_pod(server, ns, name, containers=("app",), node="node1", phase="Running",
             running=True):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
           "spec": {"containers": [{"name": c, "image": "busybox"} for c in containers]}}
    if node:
        pod["spec"]["nodeName"] = node
    created = server.create(f"/api/v1/namespaces/{ns}/pods", pod)
    state = ({"running": {"startedAt": "2024-01-01T00:00:00Z"}} if running
             else {"waiting": {"reason": "ContainerCreating"}})
    created["status"] = {"phase": phase, "containerStatuses": [
        {"name": c, "image": "busybox", "imageID": "", "ready": running, "restartCount": 0,
         "state": state} for c in containers]}
    r = server.put(f"/api/v1/namespaces/{ns}/pods/{name}/status", created)
    assert r.status == 200, r


@pytest.fixture(scope="module")
def ns(server):
    name = unique("exec")
    server.create_namespace(name)
    make_pod(server, name, "web")
    make_pod(server, name, "two", containers=("a", "b"))
    make_pod(server, name, "unscheduled", node="", phase="Pending", running=False)
    make_pod(server, name, "done", phase="Failed", running=False)
    make_pod(server, name, "starting", phase="Pending", running=False)
    return name


@pytest.mark.parametrize("target,code,reason,message", [
    ("nope/exec?command=ls&stdout=true", 404, "NotFound", 'pods "nope" not found'),
    ("two/exec?command=ls&stdout=true", 400, "BadRequest",
     "a container name must be specified for pod two, choose one of: [a b]"),
    ("web/exec?command=ls&stdout=true&container=db", 400, "BadRequest",
     "container db is not valid for pod web"),
    ("web/attach?stdout=true&container=db", 400, "BadRequest",
     "container db is not valid for pod web"),
    ("unscheduled/exec?command=ls&stdout=true", 400, "BadRequest",
     "pod unscheduled does not have a host assigned"),
    ("done/exec?command=ls&stdout=true", 400, "BadRequest",
     "cannot exec into a container in a completed pod; current phase is Failed"),
    ("starting/exec?command=ls&stdout=true", 400, "BadRequest", 'container not found ("app")'),
    ("web/exec?command=ls", 400, "BadRequest",
     "you must specify at least 1 of stdin, stdout, stderr"),
    ("web/exec?stdout=true", 400, "BadRequest",
     "you must specify at least one command for the container"),
    ("web/exec?command=ls&stdout=true", 503, "ServiceUnavailable", NO_AGENT),
    ("web/attach?stdout=true", 503, "ServiceUnavailable",
     "pods/attach is served by the node agent, which is not running on this server"),
])
def test_checks_before_the_upgrade(server, ns, target, code, reason, message):
    for method in ("GET", "POST"):
        headers = WS if method == "GET" else {"Connection": "Upgrade", "Upgrade": "SPDY/3.1"}
        r = server.request(method, f"/api/v1/namespaces/{ns}/pods/{target}", headers=headers)
        st = assert_status(r, code, reason)
        assert st["message"] == message


@pytest.mark.parametrize("version", ["1.31", "1.29"])
def test_kubectl_exec_without_agent(server, ns, version):
    kubectl = server.kubectl(version)
    r = kubectl.run("exec", "-n", ns, "web", "--", "ls", timeout=60)
    assert r.rc == 1, r
    assert f"Error from server (ServiceUnavailable): {NO_AGENT}" in r.err, r


@pytest.mark.parametrize("version", ["1.31", "1.29"])
def test_kubectl_exec_errors(server, ns, version):
    kubectl = server.kubectl(version)
    r = kubectl.run("exec", "-n", ns, "web", "-c", "db", "--", "ls")
    assert r.rc == 1, r
    assert "Error from server (BadRequest): container db is not valid for pod web" in r.err, r
    r = kubectl.run("exec", "-n", ns, "unscheduled", "--", "ls")
    assert r.rc == 1, r
    assert "pod unscheduled does not have a host assigned" in r.err, r
    r = kubectl.run("exec", "-n", ns, "done", "--", "ls")
    assert r.rc == 1, r
    assert "cannot exec into a container in a completed pod; current phase is Failed" in r.err, r


def test_python_client_exec_without_agent(server, ns):
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        core = client.CoreV1Api(api_client)
        with pytest.raises(Exception) as e:
            stream(core.connect_get_namespaced_pod_exec, "web", ns, command=["ls"],
                   stderr=True, stdin=False, stdout=True, tty=False)
        assert "503" in str(e.value), e.value
