"""The scheduler, end to end through kubectl on hollow nodes: binpacking, the unschedulable
pod explained (condition, event, kubectl describe) and retried when a node comes, node
selectors, taints and tolerations, the Scheduled event, and preemption by priority."""

import json
import socket

from conftest import unique, wait_for
from hollow_kubelet import HollowKubelet, create_nodes, hollow_node

KUBECTL = "1.32"
CONTROL_PLANE = True  # the module's server runs its scheduler and controllers


def pod(name, cpu="100m", node_selector=None, tolerations=None, priority_class=None):
    spec = {"containers": [{"name": "c", "image": "busybox",
                            "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
    if priority_class:
        spec["priorityClassName"] = priority_class
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


def test_a_higher_priority_pod_preempts_a_lower_priority_one(server):
    kubectl = server.kubectl(KUBECTL)
    prefix = unique("pre")
    ns = prefix
    server.create_namespace(ns)
    node = f"{prefix}-n"
    create_nodes(server, hollow_node(node, cpu="1", labels={"skiff.test/group": prefix}))
    low, high = f"{prefix}-low", f"{prefix}-high"
    kubectl.ok("create", "priorityclass", low, "--value=100")
    kubectl.ok("create", "priorityclass", high, "--value=1000")
    sel = {"skiff.test/group": prefix}
    base = f"/api/v1/namespaces/{ns}/pods"
    try:
        with HollowKubelet(server, [node]):
            # Two 400m pods of low priority fill the 1-CPU node; 500m more needs one of them gone.
            apply(kubectl, ns, *[pod(f"low{i}", cpu="400m", node_selector=sel,
                                     priority_class=low) for i in range(2)])

            def running():
                items = server.get(base).json()["items"]
                ok = [p for p in items if p["status"].get("phase") == "Running"]
                return items if len(ok) == 2 else None

            before = {p["metadata"]["name"]: p["metadata"]["uid"]
                      for p in wait_for(running, timeout=20, what="both low pods running")}
            assert all(p["spec"]["priority"] == 100 for p in server.get(base).json()["items"])
            rv = server.get(base).json()["metadata"]["resourceVersion"]
            watch = server.watch(base, params={"resourceVersion": rv}, timeout=20)
            try:
                apply(kubectl, ns, pod("urgent", cpu="500m", node_selector=sel,
                                       priority_class=high))
                wait_for(lambda: node_of(server, ns, "urgent") == node, timeout=30,
                         what="the urgent pod bound after preempting")
                left = {p["metadata"]["name"] for p in server.get(base).json()["items"]}
                assert len(left & set(before)) == 1, left
                victim = (set(before) - left).pop()
                # The victim was marked DisruptionTarget before it was deleted.
                marked = None
                while marked is None:
                    try:
                        ev = watch.next_event()
                    except socket.timeout:
                        break
                    if ev is None:
                        break
                    obj = ev["object"]
                    if obj["metadata"]["name"] == victim:
                        for c in obj.get("status", {}).get("conditions", []):
                            if c["type"] == "DisruptionTarget":
                                marked = c
                assert marked, f"no DisruptionTarget condition seen on {victim}"
                assert marked["status"] == "True" and marked["reason"] == "PreemptionByScheduler"
                assert marked["message"] == ("default-scheduler: preempting to accommodate a "
                                             "higher priority pod")
            finally:
                watch.close()

            urgent = server.get(f"{base}/urgent").json()
            assert urgent["spec"]["priority"] == 1000
            assert urgent["status"].get("nominatedNodeName") == node, urgent["status"]
            events = kubectl.json("get", "events", "-n", ns)["items"]
            preempted = [e for e in events if e["reason"] == "Preempted"]
            assert [e["involvedObject"]["name"] for e in preempted] == [victim], preempted
            assert preempted[0]["message"] == (f"Preempted by pod {urgent['metadata']['uid']} "
                                               f"on node {node}")
            failed = [e for e in events if e["reason"] == "FailedScheduling"
                      and e["involvedObject"]["name"] == "urgent"]
            assert failed and "Insufficient cpu" in failed[0]["message"], failed
            assert "preemption:" not in failed[0]["message"], failed

            # Equal priority never preempts: another low pod stays pending, explained.
            apply(kubectl, ns, pod("late", cpu="400m", node_selector=sel, priority_class=low))

            def explained():
                for e in kubectl.json("get", "events", "-n", ns)["items"]:
                    if e["reason"] == "FailedScheduling" and e["involvedObject"]["name"] == "late":
                        return e["message"]
                return None

            msg = wait_for(explained, timeout=20, what="FailedScheduling for the late pod")
            assert "preemption: " in msg and "No preemption victims found for incoming pod" \
                in msg, msg
            assert node_of(server, ns, "late") is None
            assert len(server.get(base).json()["items"]) == 3
    finally:
        kubectl.run("delete", "priorityclass", low, high)
