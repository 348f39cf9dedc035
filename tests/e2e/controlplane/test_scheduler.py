"""The scheduler, end to end through kubectl on hollow nodes: binpacking, the unschedulable
pod explained (condition, event, kubectl describe) and retried when a node comes, node
selectors, taints and tolerations, and the Scheduled event."""

import json

from conftest import unique, wait_for
from hollow_kubelet import create_nodes, hollow_node

KUBECTL = "1.32"
CONTROL_PLANE = True  # the module's server runs its scheduler and controllers


def pod(name, cpu="100m", node_selector=None, tolerations=None):
    spec = {"containers": [{"name": "c", "image": "busybox",
                            "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def apply(kubectl, ns, *objs):
    doc = {"apiVersion": "v1", "kind": "List", "items": list(objs)}
    kubectl.ok("apply", "-n", ns, "-f", "-", input=json.dumps(doc))


def node_of(server, ns, name):
    return server.get(f"/api/v1/namespaces/{ns}/pods/{name}").json()["spec"].get("nodeName")


def test_binpacking_fills_one_node_before_the_next(server):
    kubectl = server.kubectl(KUBECTL)
    prefix = unique("bp")
    ns = prefix
    server.create_namespace(ns)
    names = [f"{prefix}-n{i}" for i in range(3)]
    create_nodes(server, *[hollow_node(n, cpu="2", labels={"skiff.test/group": prefix})
                           for n in names])
    # 2 CPUs per node: four pods of 450m fit on one node, the fifth must go elsewhere.
    sel = {"skiff.test/group": prefix}
    apply(kubectl, ns, *[pod(f"p{i}", cpu="450m", node_selector=sel) for i in range(5)])
    placed = wait_for(lambda: [node_of(server, ns, f"p{i}") for i in range(5)]
                      if all(node_of(server, ns, f"p{i}") for i in range(5)) else None,
                      timeout=20, what="all five pods bound")
    counts = sorted(placed.count(n) for n in set(placed))
    assert counts == [1, 4], placed  # most-allocated: one node full, one more used, one free
    out = kubectl.ok("get", "pods", "-n", ns, "-o", "wide").out
    assert placed[0] in out


def test_unschedulable_pod_is_explained_and_retried_when_a_node_comes(server):
    kubectl = server.kubectl(KUBECTL)
    prefix = unique("us")
    ns = prefix
    server.create_namespace(ns)
    small, picky, tainted = f"{prefix}-small", f"{prefix}-picky", f"{prefix}-tainted"
    create_nodes(server,
                 hollow_node(small, cpu="1", labels={"skiff.test/group": prefix}),
                 hollow_node(picky, cpu="8", labels={"skiff.test/group": prefix,
                                                     "disk": "hdd"}),
                 hollow_node(tainted, cpu="8", labels={"skiff.test/group": prefix, "disk": "ssd"},
                             taints=[{"key": "dedicated", "value": "edge",
                                      "effect": "NoSchedule"}]))
    # Needs 2 CPUs and an ssd node without tolerating its taint: nothing fits, for three
    # different reasons.
    apply(kubectl, ns, pod("big", cpu="2", node_selector={"disk": "ssd"}))

    def unschedulable():
        p = server.get(f"/api/v1/namespaces/{ns}/pods/big").json()
        for c in p.get("status", {}).get("conditions", []):
            if c["type"] == "PodScheduled" and c["status"] == "False":
                return c
        return None

    cond = wait_for(unschedulable, timeout=20, what="PodScheduled=False")
    assert cond["reason"] == "Unschedulable"
    # Only this test's nodes are counted on a shared server when they are all there is: the
    # message names every node, so check the reasons for ours.
    msg = cond["message"]
    assert msg.startswith(f"0/") and " nodes are available: " in msg, msg
    assert "1 node(s) had untolerated taint {dedicated: edge}" in msg, msg
    assert "node(s) didn't match Pod's node affinity/selector" in msg, msg
    assert node_of(server, ns, "big") is None

    described = kubectl.ok("describe", "pod", "-n", ns, "big").out
    assert "FailedScheduling" in described, described
    assert "default-scheduler" in described, described
    get = kubectl.ok("get", "pod", "-n", ns, "big").out
    assert "Pending" in get, get

    # A node that fits arrives: the pod is tried again and bound there.
    fits = f"{prefix}-fits"
    create_nodes(server, hollow_node(fits, cpu="4", labels={"disk": "ssd"}))
    wait_for(lambda: node_of(server, ns, "big") == fits, timeout=20, what="big bound to " + fits)
    p = server.get(f"/api/v1/namespaces/{ns}/pods/big").json()
    scheduled = [c for c in p["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert scheduled and scheduled[0]["status"] == "True", p["status"]


def test_taints_are_respected_unless_tolerated(server):
    kubectl = server.kubectl(KUBECTL)
    prefix = unique("tt")
    ns = prefix
    server.create_namespace(ns)
    tainted = f"{prefix}-edge"
    create_nodes(server, hollow_node(tainted, labels={"skiff.test/group": prefix},
                                     taints=[{"key": "dedicated", "value": prefix,
                                              "effect": "NoSchedule"}]))
    sel = {"skiff.test/group": prefix}
    apply(kubectl, ns,
          pod("plain", node_selector=sel),
          pod("tolerant", node_selector=sel,
              tolerations=[{"key": "dedicated", "operator": "Equal", "value": prefix,
                            "effect": "NoSchedule"}]))
    wait_for(lambda: node_of(server, ns, "tolerant") == tainted, timeout=20,
             what="the tolerant pod bound")
    events = kubectl.json("get", "events", "-n", ns)["items"]
    assigned = [e for e in events if e["reason"] == "Scheduled"
                and e["involvedObject"]["name"] == "tolerant"]
    assert assigned, events
    assert assigned[0]["message"] == f"Successfully assigned {ns}/tolerant to {tainted}"
    assert assigned[0]["source"]["component"] == "default-scheduler"
    assert node_of(server, ns, "plain") is None
    failed = wait_for(lambda: [e for e in kubectl.json("get", "events", "-n", ns)["items"]
                               if e["reason"] == "FailedScheduling"
                               and e["involvedObject"]["name"] == "plain"],
                      timeout=20, what="FailedScheduling for the plain pod")
    assert f"1 node(s) had untolerated taint {{dedicated: {prefix}}}" in failed[0]["message"], failed


def test_pods_for_another_scheduler_are_left_alone(server):
    kubectl = server.kubectl(KUBECTL)
    ns = unique("other")
    server.create_namespace(ns)
    p = pod("mine")
    p["spec"]["schedulerName"] = "someone-else"
    apply(kubectl, ns, p)
    create_nodes(server, hollow_node(f"{ns}-n", cpu="64"))
    import time
    time.sleep(2)
    assert node_of(server, ns, "mine") is None
