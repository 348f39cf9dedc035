"""A hollow kubelet for control plane tests: it plays the node agent for pods bound to hollow
Node objects (kubemark's idea), through the API only, so controllers see pods start, become
ready, finish and go away without containers.

What a pod does is chosen by its annotation `hollow.skiff.test/outcome`:
  (none)          Running and Ready (after `hollow.skiff.test/ready-after-ms`, default 0)
  never-ready     Running, Ready False
  succeed / fail  Succeeded / Failed (exit code 0 / 1)
  image-missing   Pending, container waiting with ErrImagePull
A pod being deleted is removed at once (grace period 0), as a kubelet does once its containers
have stopped. The nodes' Leases in kube-node-lease are renewed every second, so the node
lifecycle controller sees them alive."""

import threading
import time
import traceback
from datetime import datetime, timezone

OUTCOME = "hollow.skiff.test/outcome"
READY_AFTER = "hollow.skiff.test/ready-after-ms"


def hollow_node(name, cpu="2", memory="4Gi", labels=None, taints=None):
    """A Node object no agent backs (create it with create_nodes)."""
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                                  **(labels or {})}},
            "spec": {},
            "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": "110"},
                       "allocatable": {"cpu": cpu, "memory": memory, "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True", "reason":
                                       "KubeletReady", "message": "hollow",
                                       "lastHeartbeatTime": now(),
                                       "lastTransitionTime": now()}]}}
    if taints:
        node["spec"]["taints"] = taints
    return node


def create_nodes(server, *nodes):
    for n in nodes:
        status = n.pop("status")
        server.create("/api/v1/nodes", n)
        # Capacity is status: set it through the status subresource, as an agent would.
        cur = server.get(f"/api/v1/nodes/{n['metadata']['name']}").json()
        cur["status"] = status
        r = server.put(f"/api/v1/nodes/{n['metadata']['name']}/status", cur)
        assert r.status == 200, r


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class HollowKubelet:
    def __init__(self, server, nodes, interval=0.05):
        self.server = server
        self.nodes = set(nodes)
        self.interval = interval
        self.errors = []
        self._seen = {}  # uid -> first seen (monotonic)
        self._done = set()  # uids whose final status was written
        self._stop = threading.Event()
        self._last_beat = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        assert not self.errors, self.errors

    def _run(self):
        while not self._stop.is_set():
            try:
                self._pass()
            except Exception:  # noqa: BLE001  (reported at exit)
                self.errors.append(traceback.format_exc())
                if len(self.errors) > 5:
                    return
            self._stop.wait(self.interval)

    def _heartbeat(self):
        if time.monotonic() - self._last_beat < 1:
            return
        self._last_beat = time.monotonic()
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        base = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
        for node in self.nodes:
            lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                     "metadata": {"name": node},
                     "spec": {"holderIdentity": node, "leaseDurationSeconds": 40,
                              "renewTime": stamp}}
            r = self.server.patch(f"{base}/{node}", {"spec": lease["spec"]},
                                  "application/merge-patch+json")
            if r.status == 404:
                self.server.post(base, lease)

    def _pass(self):
        self._heartbeat()
        r = self.server.get("/api/v1/pods")
        if r.status != 200:
            return
        for pod in r.json()["items"]:
            if pod["spec"].get("nodeName") not in self.nodes:
                continue
            self._step(pod)

    def _step(self, pod):
        meta = pod["metadata"]
        ns, name, uid = meta["namespace"], meta["name"], meta["uid"]
        base = f"/api/v1/namespaces/{ns}/pods/{name}"
        if meta.get("deletionTimestamp"):
            self.server.request("DELETE", base, body={"gracePeriodSeconds": 0,
                                                      "preconditions": {"uid": uid}})
            return
        if uid in self._done:
            return
        first = self._seen.setdefault(uid, time.monotonic())
        annotations = meta.get("annotations") or {}
        outcome = annotations.get(OUTCOME, "")
        delay = int(annotations.get(READY_AFTER, "0")) / 1000
        if time.monotonic() - first < delay:
            return
        containers = [c["name"] for c in pod["spec"]["containers"]]
        status = {"hostIP": "10.0.0.1", "podIP": "10.1.0.1", "startTime": now()}
        if outcome == "image-missing":
            status["phase"] = "Pending"
            status["containerStatuses"] = [
                {"name": c, "ready": False, "restartCount": 0, "image": "missing",
                 "imageID": "", "state": {"waiting": {"reason": "ErrImagePull",
                                                      "message": "not found"}}}
                for c in containers]
        elif outcome in ("succeed", "fail"):
            code = 0 if outcome == "succeed" else 1
            status["phase"] = "Succeeded" if code == 0 else "Failed"
            status["containerStatuses"] = [
                {"name": c, "ready": False, "restartCount": 0, "image": "hollow",
                 "imageID": "", "state": {"terminated": {"exitCode": code,
                                                         "reason": "Completed" if code == 0
                                                         else "Error"}}}
                for c in containers]
        else:
            ready = "False" if outcome == "never-ready" else "True"
            status["phase"] = "Running"
            status["conditions"] = [
                {"type": t, "status": ready if t in ("Ready", "ContainersReady") else "True",
                 "lastTransitionTime": now()}
                for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")]
            status["containerStatuses"] = [
                {"name": c, "ready": ready == "True", "restartCount": 0, "image": "hollow",
                 "imageID": "", "started": True, "state": {"running": {"startedAt": now()}}}
                for c in containers]
        r = self.server.patch(base + "/status", {"status": status},
                              "application/merge-patch+json")
        if r.status == 200:
            self._done.add(uid)
