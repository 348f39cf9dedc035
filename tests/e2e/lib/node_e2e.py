"""The node agent's end-to-end helpers: a `skiff server` with its agent and a busybox image in
its airgap directory, pod helpers, and the forced cleanup that leaves the host as it was."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from skiff_e2e import SkiffServer, wait_for

IMAGE = "skiff.local/e2e/busybox:v1"          # a docker-save archive in the airgap dir
OCI_IMAGE = "skiff.local/e2e/busybox-oci:v1"  # an OCI layout tarball in the airgap dir
RUNC_ROOT = "/run/containerd/runc/skiff"
# The test machines' disk is shared with builds and other runs and is often more than 85% full:
# kubelet's default thresholds would report DiskPressure, and the node's disk-pressure taint
# would keep the scheduler away from it. The tests ask only for the room they need.
EVICTION_HARD_MIB = 512
EVICTION_HARD = (f"memory.available<100Mi,nodefs.available<{EVICTION_HARD_MIB}Mi,"
                 f"imagefs.available<{EVICTION_HARD_MIB}Mi")


def _mounts_under(path):
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mount_point = line.split()[4]
            if mount_point.startswith(str(path)):
                found.append(mount_point)
    return found


def leftovers(data_dir):
    """What the agent left on the host for this data dir: mounts, shims, containers."""
    state = Path(data_dir) / "agent"
    out = {"mounts": _mounts_under(state), "containers": [], "shims": []}
    ls = subprocess.run(["runc", "--root", RUNC_ROOT, "list", "--format", "json"],
                        capture_output=True, text=True)
    if ls.returncode == 0 and ls.stdout.strip() not in ("", "null"):
        for c in json.loads(ls.stdout):
            if c.get("bundle", "").startswith(str(state)):
                out["containers"].append(c["id"])
    sandboxes = state / "sandboxes"
    if sandboxes.exists():
        out["shims"] = sorted(p.name for p in sandboxes.iterdir())
    return out


def delete_all_and_expect_nothing_left(node):
    """Deletes every pod through the API and waits until no container, shim or container/pod
    mount of this agent remains (each node module ends with it)."""
    uids = []
    for p in node.get("/api/v1/pods").json()["items"]:
        m = p["metadata"]
        uids.append(m["uid"])
        node.delete_pod_and_wait(m["namespace"], m["name"])

    def clean():
        left = leftovers(node.data_dir)
        busy = left["containers"] or left["shims"] or [
            m for m in left["mounts"] if "/containers/" in m or "/pods/" in m] or [
            c for uid in uids for c in _pod_cgroups(uid)]
        return None if busy else left

    wait_for(clean, timeout=30, interval=0.2,
             what="no containers, shims, mounts or pod cgroups left")


def _pod_cgroups(uid):
    """The cgroup directories of a pod (skiff/pod<uid> and its containers') in every
    hierarchy, deepest first."""
    found = list(Path("/sys/fs/cgroup").glob(f"*/skiff/pod{uid}/*/")) + list(
        Path("/sys/fs/cgroup").glob(f"*/skiff/pod{uid}"))
    return [str(p) for p in found if p.is_dir()]


def force_cleanup(data_dir, bridge):
    state = Path(data_dir) / "agent"
    left = leftovers(data_dir)
    for cid in left["containers"]:
        subprocess.run(["runc", "--root", RUNC_ROOT, "delete", "--force", cid],
                       capture_output=True)
    for sandbox in left["shims"]:
        subprocess.run(["pkill", "-KILL", "-f", f"containerd-shim-runc-v2 -namespace skiff -id {sandbox}"],
                       capture_output=True)
        netns = Path("/run/netns") / f"skiff-{sandbox}"
        subprocess.run(["umount", "-l", str(netns)], capture_output=True)
        try:
            netns.unlink()
        except OSError:
            pass
    # Everything under the data dir: the agent's mounts and the local-path volumes' images.
    for m in sorted(_mounts_under(data_dir), key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)
    # The cgroups of the pods this data dir knew (empty once their containers are gone).
    pods = state / "pods"
    for uid in (sorted(p.name for p in pods.iterdir()) if pods.exists() else []):
        for d in _pod_cgroups(uid):
            try:
                os.rmdir(d)
            except OSError:
                pass
    subprocess.run(["ip", "link", "del", bridge], capture_output=True)
    # The node's pod masquerade (family ip: the e2e networks are IPv4).
    subprocess.run(["nft", "delete", "table", "ip", f"skiff-{bridge}"], capture_output=True)
    # The node's service proxy (it leaves its table in place when skiff stops).
    subprocess.run(["nft", "delete", "table", "ip", f"skiff-proxy-{bridge}"], capture_output=True)


class NodeServer(SkiffServer):
    def kubectl_ok(self, *args, version="1.32", **kw):
        return self.kubectl(version).ok(*args, **kw)

    def pod(self, ns, name):
        r = self.get(f"/api/v1/namespaces/{ns}/pods/{name}")
        return r.json() if r.status == 200 else None

    def wait_pod(self, ns, name, predicate, timeout=60, what="pod state"):
        def check():
            p = self.pod(ns, name)
            return p if p and predicate(p) else None
        try:
            return wait_for(check, timeout=timeout, interval=0.1, what=what)
        except AssertionError:
            print(json.dumps(self.pod(ns, name), indent=1))
            print(self.log_tail(6000))
            raise

    def wait_phase(self, ns, name, phase, timeout=60):
        return self.wait_pod(ns, name, lambda p: p.get("status", {}).get("phase") == phase,
                             timeout, f"pod {ns}/{name} phase {phase}")

    def create_pod(self, ns, pod):
        pod.setdefault("apiVersion", "v1")
        pod.setdefault("kind", "Pod")
        pod["spec"].setdefault("nodeName", self.node_name)
        return self.create(f"/api/v1/namespaces/{ns}/pods", pod)

    def delete_pod_and_wait(self, ns, name, timeout=60, grace=1):
        """Deletes with a short grace period: test containers run `sleep`, which as PID 1
        ignores SIGTERM and would otherwise hold every clean-up for the default 30 s.
        grace=None keeps the pod's own terminationGracePeriodSeconds."""
        query = "" if grace is None else f"?gracePeriodSeconds={grace}"
        self.delete(f"/api/v1/namespaces/{ns}/pods/{name}{query}")
        wait_for(lambda: self.get(f"/api/v1/namespaces/{ns}/pods/{name}").status == 404,
                 timeout=timeout, interval=0.1, what=f"pod {ns}/{name} gone")

    def events_for(self, ns, name):
        r = self.get(f"/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name={name}")
        return r.json()["items"]


def start_node_server(root, network, archives, extra_args=()):
    """`archives`: one image archive path or a list of them, copied into the airgap dir;
    `extra_args`: more flags for `skiff server`."""
    bridge, cluster_cidr, service_cidr = network
    images = Path(root) / "data" / "agent" / "images"
    images.mkdir(parents=True)
    for i, archive in enumerate([archives] if isinstance(archives, (str, Path)) else archives):
        shutil.copy(archive, images / f"image-{i}-{Path(archive).name}")
    node_name = f"e2e-{bridge}"
    srv = NodeServer(root, ["--cni-bridge", bridge, "--cluster-cidr", cluster_cidr,
                            "--service-cidr", service_cidr, "--node-name", node_name,
                            "--eviction-hard", EVICTION_HARD, *extra_args],
                     agent=True, control_plane=True)
    srv.node_name = node_name
    srv.network = network
    srv.start(timeout=60)
    return srv


def stop_node_server(srv):
    try:
        if srv.proc is not None and srv.proc.poll() is None:
            items = srv.get("/api/v1/pods").json().get("items", [])
            for p in items:
                m = p["metadata"]
                srv.delete(f"/api/v1/namespaces/{m['namespace']}/pods/{m['name']}"
                           "?gracePeriodSeconds=1")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and srv.get("/api/v1/pods").json()["items"]:
                time.sleep(0.2)
    finally:
        srv.stop()
        force_cleanup(srv.data_dir, srv.network[0])


