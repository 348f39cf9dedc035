"""Jobs, CronJobs, StatefulSets and DaemonSets end to end through kubectl, on hollow nodes
whose pods a hollow kubelet runs (../lib/hollow_kubelet.py): a Job retried up to its
backoffLimit, a Job completing, a CronJob firing, a StatefulSet creating its pods in order,
and a DaemonSet placing one pod on each eligible node."""

import json

import pytest

from conftest import unique, wait_for
from hollow_kubelet import OUTCOME, READY_AFTER, HollowKubelet, create_nodes, hollow_node

KUBECTL = "1.32"
CONTROL_PLANE = True

NODES = ["bs-node-a", "bs-node-b", "bs-node-c"]


@pytest.fixture(scope="module")
def kubelet(server):
    create_nodes(server,
                 hollow_node(NODES[0], cpu="16", memory="32Gi", labels={"skiff.test/edge": "yes"}),
                 hollow_node(NODES[1], cpu="16", memory="32Gi", labels={"skiff.test/edge": "yes"}),
                 hollow_node(NODES[2], cpu="16", memory="32Gi"))
    with HollowKubelet(server, NODES) as k:
        yield k


@pytest.fixture
def ns(server, kubelet):
    name = unique("bs")
    server.create_namespace(name)
    return name


def apply(kubectl, ns, obj):
    kubectl.ok("apply", "-n", ns, "-f", "-", input=json.dumps(obj))


def pods(server, ns, selector):
    return server.get(f"/api/v1/namespaces/{ns}/pods?labelSelector={selector}").json()["items"]


def job(name, outcome, completions=1, parallelism=1, backoff_limit=6):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"completions": completions, "parallelism": parallelism,
                     "backoffLimit": backoff_limit,
                     "template": {"metadata": {"annotations": {OUTCOME: outcome}},
                                  "spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": "busybox"}]}}}}


def test_a_job_completes(server, ns):
    kubectl = server.kubectl(KUBECTL)
    apply(kubectl, ns, job("ok", "succeed", completions=3, parallelism=2))
    kubectl.ok("wait", "-n", ns, "--for=condition=complete", "job/ok", "--timeout=60s")
    status = server.get(f"/apis/batch/v1/namespaces/{ns}/jobs/ok").json()["status"]
    assert status["succeeded"] == 3
    assert len(pods(server, ns, "job-name%3Dok")) == 3
    out = kubectl.ok("get", "job", "-n", ns, "ok").out
    assert "3/3" in out, out


def test_a_failing_job_is_retried_up_to_its_backoff_limit(server, ns):
    kubectl = server.kubectl(KUBECTL)
    # The retry delay doubles from 10 s: a backoffLimit of 1 means one retry, 10 s later.
    apply(kubectl, ns, job("bad", "fail", backoff_limit=1))
    kubectl.ok("wait", "-n", ns, "--for=condition=failed", "job/bad", "--timeout=90s")
    j = server.get(f"/apis/batch/v1/namespaces/{ns}/jobs/bad").json()
    failed = [c for c in j["status"]["conditions"] if c["type"] == "Failed"][0]
    assert failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert j["status"]["failed"] == 2
    assert len(pods(server, ns, "job-name%3Dbad")) == 2


def test_a_cronjob_fires(server, ns):
    kubectl = server.kubectl(KUBECTL)
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
          "spec": {"schedule": "* * * * *",
                   "jobTemplate": {"spec": job("x", "succeed")["spec"]}}}
    apply(kubectl, ns, cj)
    made = wait_for(lambda: server.get(f"/apis/batch/v1/namespaces/{ns}/jobs").json()["items"],
                    timeout=75, interval=0.5, what="the CronJob's first Job")
    assert made[0]["metadata"]["name"].startswith("tick-")
    assert made[0]["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    wait_for(lambda: server.get(f"/apis/batch/v1/namespaces/{ns}/cronjobs/tick").json()
             ["status"].get("lastScheduleTime"), timeout=20, what="lastScheduleTime")


def test_a_statefulset_creates_its_pods_in_order(server, ns):
    kubectl = server.kubectl(KUBECTL)
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"serviceName": "db", "replicas": 3,
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"},
                                              "annotations": {READY_AFTER: "300"}},
                                 "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}
    apply(kubectl, ns, sts)
    seen = []

    def progress():
        names = sorted(p["metadata"]["name"] for p in pods(server, ns, "app%3Ddb"))
        if names and (not seen or seen[-1] != names):
            seen.append(names)
        return len(names) == 3 and names

    wait_for(progress, timeout=60, interval=0.02, what="three StatefulSet pods")
    # Each pod appeared only after the one before it: never two new ones at once.
    assert seen[0] == ["db-0"], seen
    for before, after in zip(seen, seen[1:]):
        assert len(after) - len(before) <= 1, seen
    kubectl.ok("rollout", "status", "-n", ns, "statefulset/db", "--timeout=60s")
    p = server.get(f"/api/v1/namespaces/{ns}/pods/db-1").json()
    assert p["spec"]["hostname"] == "db-1" and p["spec"]["subdomain"] == "db"


def test_a_daemonset_runs_one_pod_on_each_eligible_node(server, ns):
    kubectl = server.kubectl(KUBECTL)
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                   "template": {"metadata": {"labels": {"app": "agent"}},
                                "spec": {"nodeSelector": {"skiff.test/edge": "yes"},
                                         "containers": [{"name": "c", "image": "busybox"}]}}}}
    apply(kubectl, ns, ds)
    kubectl.ok("rollout", "status", "-n", ns, "daemonset/agent", "--timeout=60s")
    placed = sorted(p["spec"].get("nodeName") for p in pods(server, ns, "app%3Dagent"))
    assert placed == NODES[:2], placed
    status = server.get(f"/apis/apps/v1/namespaces/{ns}/daemonsets/agent").json()["status"]
    assert status["desiredNumberScheduled"] == 2
    assert status["numberReady"] == 2
