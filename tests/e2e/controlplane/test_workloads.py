"""Deployments and ReplicaSets end to end through kubectl, on hollow nodes whose pods a hollow
kubelet runs (../lib/hollow_kubelet.py): scaling, a rolling update watched to respect
maxSurge and maxUnavailable at every moment, rollout status/history/undo/pause/resume/restart,
a rollout stuck on a missing image reaching ProgressDeadlineExceeded, and cascading and
orphaning deletes through the garbage collector."""

import json
import threading

import pytest

from conftest import unique, wait_for
from hollow_kubelet import HollowKubelet, create_nodes, hollow_node

KUBECTL = "1.32"
CONTROL_PLANE = True

NODES = ["wl-node-a", "wl-node-b"]


@pytest.fixture(scope="module")
def kubelet(server):
    create_nodes(server, *[hollow_node(n, cpu="16", memory="32Gi") for n in NODES])
    with HollowKubelet(server, NODES) as k:
        yield k


@pytest.fixture
def ns(server, kubelet):
    name = unique("wl")
    server.create_namespace(name)
    return name


def deployment(name, replicas=3, image="busybox:1", strategy=None, annotations=None,
               progress_deadline=None, min_ready=None):
    spec = {"replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name},
                                      "annotations": annotations or {}},
                         "spec": {"containers": [{"name": "c", "image": image}]}}}
    if strategy:
        spec["strategy"] = strategy
    if progress_deadline is not None:
        spec["progressDeadlineSeconds"] = progress_deadline
    if min_ready is not None:
        spec["minReadySeconds"] = min_ready
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": spec}


def apply(kubectl, ns, obj):
    kubectl.ok("apply", "-n", ns, "-f", "-", input=json.dumps(obj))


def pods_of(server, ns, app):
    r = server.get(f"/api/v1/namespaces/{ns}/pods?labelSelector=app%3D{app}")
    return r.json()["items"]


def live(pods):
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def ready(pods):
    return [p for p in live(pods)
            if any(c["type"] == "Ready" and c["status"] == "True"
                   for c in p.get("status", {}).get("conditions", []))]


def replicasets(server, ns):
    return server.get(f"/apis/apps/v1/namespaces/{ns}/replicasets").json()["items"]


def test_deployment_scales_up_and_down(server, ns):
    kubectl = server.kubectl(KUBECTL)
    apply(kubectl, ns, deployment("web", replicas=2))
    kubectl.ok("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s")
    assert len(ready(pods_of(server, ns, "web"))) == 2

    kubectl.ok("scale", "-n", ns, "deployment/web", "--replicas=5")
    kubectl.ok("rollout", "status", "-n", ns, "deployment/web", "--timeout=60s")
    wait_for(lambda: len(ready(pods_of(server, ns, "web"))) == 5, timeout=30,
             what="five ready pods")
    out = kubectl.ok("get", "deployment", "-n", ns, "web").out
    assert "5/5" in out, out

    kubectl.ok("scale", "-n", ns, "deployment/web", "--replicas=1")
    wait_for(lambda: len(pods_of(server, ns, "web")) == 1, timeout=30, what="one pod left")
    d = server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web").json()
    wait_for(lambda: server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web").json()
             ["status"].get("availableReplicas") == 1, timeout=30, what="status 1 available")
    rs = replicasets(server, ns)
    assert len(rs) == 1
    assert rs[0]["spec"]["replicas"] == 1
    assert rs[0]["metadata"]["name"].startswith("web-")
    assert rs[0]["metadata"]["labels"]["pod-template-hash"] == \
        rs[0]["metadata"]["name"][len("web-"):]
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"


def test_rolling_update_respects_surge_and_unavailable_then_undo(server, ns):
    kubectl = server.kubectl(KUBECTL)
    strategy = {"type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}
    apply(kubectl, ns, deployment("roll", replicas=4, image="busybox:1", strategy=strategy))
    kubectl.ok("rollout", "status", "-n", ns, "deployment/roll", "--timeout=60s")

    # Watch every ReplicaSet and pod change during the update; check the bounds at each.
    violations = []
    stop = threading.Event()

    def observe():
        while not stop.is_set():
            sets = [r for r in replicasets(server, ns)
                    if r["metadata"]["name"].startswith("roll-")]
            total = sum(r["spec"]["replicas"] for r in sets)
            if total > 4 + 1:
                violations.append(f"{total} replicas wanted (> 4 + maxSurge 1)")
            n_ready = len(ready(pods_of(server, ns, "roll")))
            if n_ready < 4 - 1:
                violations.append(f"only {n_ready} ready pods (< 4 - maxUnavailable 1)")
            stop.wait(0.02)

    watcher = threading.Thread(target=observe)
    watcher.start()
    try:
        kubectl.ok("set", "image", "-n", ns, "deployment/roll", "c=busybox:2")
        kubectl.ok("rollout", "status", "-n", ns, "deployment/roll", "--timeout=90s")
    finally:
        stop.set()
        watcher.join()
    assert not violations, violations[:5]
    images = {p["spec"]["containers"][0]["image"] for p in live(pods_of(server, ns, "roll"))}
    assert images == {"busybox:2"}

    history = kubectl.ok("rollout", "history", "-n", ns, "deployment/roll").out
    assert "1 " in history and "2 " in history, history

    kubectl.ok("rollout", "undo", "-n", ns, "deployment/roll")
    kubectl.ok("rollout", "status", "-n", ns, "deployment/roll", "--timeout=90s")
    wait_for(lambda: {p["spec"]["containers"][0]["image"]
                      for p in live(pods_of(server, ns, "roll"))} == {"busybox:1"},
             timeout=30, what="pods back on busybox:1")
    d = server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/roll").json()
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    # The first ReplicaSet was reused, not a new one made.
    assert len([r for r in replicasets(server, ns) if r["metadata"]["name"].startswith("roll-")]) == 2


def test_rollout_stuck_on_a_missing_image_exceeds_its_deadline(server, ns):
    kubectl = server.kubectl(KUBECTL)
    apply(kubectl, ns, deployment("stuck", replicas=2, progress_deadline=3))
    kubectl.ok("rollout", "status", "-n", ns, "deployment/stuck", "--timeout=60s")
    missing = deployment("stuck", replicas=2, progress_deadline=3,
                         annotations={"hollow.skiff.test/outcome": "image-missing"},
                         image="skiff.local/missing:v1")
    apply(kubectl, ns, missing)
    r = kubectl.run("rollout", "status", "-n", ns, "deployment/stuck", "--timeout=60s")
    assert r.rc != 0, r
    assert 'deployment "stuck" exceeded its progress deadline' in r.err, r
    d = server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/stuck").json()
    progressing = [c for c in d["status"]["conditions"] if c["type"] == "Progressing"][0]
    assert progressing["status"] == "False"
    assert progressing["reason"] == "ProgressDeadlineExceeded"
    # The old pods keep serving: maxUnavailable 25% of 2 rounds down to 0.
    assert len(ready(pods_of(server, ns, "stuck"))) >= 2


def test_pause_resume_and_restart(server, ns):
    kubectl = server.kubectl(KUBECTL)
    apply(kubectl, ns, deployment("pz", replicas=2))
    kubectl.ok("rollout", "status", "-n", ns, "deployment/pz", "--timeout=60s")
    kubectl.ok("rollout", "pause", "-n", ns, "deployment/pz")
    kubectl.ok("set", "image", "-n", ns, "deployment/pz", "c=busybox:2")
    wait_for(lambda: any(c["reason"] == "DeploymentPaused" for c in server.get(
        f"/apis/apps/v1/namespaces/{ns}/deployments/pz").json()["status"].get("conditions", [])),
        timeout=20, what="Progressing DeploymentPaused")
    assert {p["spec"]["containers"][0]["image"] for p in live(pods_of(server, ns, "pz"))} == \
        {"busybox:1"}
    kubectl.ok("rollout", "resume", "-n", ns, "deployment/pz")
    kubectl.ok("rollout", "status", "-n", ns, "deployment/pz", "--timeout=60s")
    before = {p["metadata"]["name"] for p in live(pods_of(server, ns, "pz"))}
    kubectl.ok("rollout", "restart", "-n", ns, "deployment/pz")
    kubectl.ok("rollout", "status", "-n", ns, "deployment/pz", "--timeout=60s")
    wait_for(lambda: not before & {p["metadata"]["name"] for p in pods_of(server, ns, "pz")},
             timeout=30, what="every pod replaced by the restart")


def test_cascading_and_orphaning_deletes(server, ns):
    kubectl = server.kubectl(KUBECTL)
    apply(kubectl, ns, deployment("gone", replicas=2))
    apply(kubectl, ns, deployment("kept", replicas=2))
    for name in ("gone", "kept"):
        kubectl.ok("rollout", "status", "-n", ns, f"deployment/{name}", "--timeout=60s")

    kubectl.ok("delete", "-n", ns, "deployment/gone")
    wait_for(lambda: not pods_of(server, ns, "gone") and not [
        r for r in replicasets(server, ns) if r["metadata"]["name"].startswith("gone-")],
        timeout=30, what="ReplicaSet and pods of the deleted Deployment gone")

    kubectl.ok("delete", "-n", ns, "deployment/kept", "--cascade=orphan")
    wait_for(lambda: server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/kept").status == 404,
             timeout=30, what="the orphaning delete to finish")
    sets = [r for r in replicasets(server, ns) if r["metadata"]["name"].startswith("kept-")]
    assert len(sets) == 1 and not sets[0]["metadata"].get("ownerReferences"), sets
    assert len(live(pods_of(server, ns, "kept"))) == 2

    # Foreground: the ReplicaSet stays (being deleted) until its pods are gone.
    rs = sets[0]["metadata"]["name"]
    kubectl.ok("delete", "-n", ns, f"replicaset/{rs}", "--cascade=foreground")
    wait_for(lambda: server.get(f"/apis/apps/v1/namespaces/{ns}/replicasets/{rs}").status == 404,
             timeout=30, what="the foreground delete to finish")
    assert not pods_of(server, ns, "kept")
