#!/usr/bin/python3
"""Control-plane figures of `skiff server` (scheduler and controllers, no node agent) on hollow
Node objects, driven by kubectl as a user would:

1. A 1,000-replica Deployment from `kubectl apply` to every pod bound to a node (observed on a
   watch), with the Deployment controller, ReplicaSet controller and scheduler all involved.
2. Idle with 10,000 objects: more Deployments until there are 10,000 bound pods, then the
   server's CPU over a quiet window (no client at all) and over a window in which the bench
   renews every node's Lease every 10 s as that many kubelets would; the server's resident
   memory (now and peak) and the size of its SQLite store.

The hollow nodes' Leases are renewed throughout, so the node lifecycle controller sees them
alive; no kubelet reports pod status, so pods stay Pending once bound (they count for the
scheduler and the controllers all the same).

    /usr/bin/python3 tests/bench/control_plane_bench.py [--skiff build/skiff] [--nodes 100]
        [--replicas 1000] [--objects 10000] [--quiet 30] [--window 60] [--quick]
"""

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e" / "lib"))

from hollow_kubelet import create_nodes, hollow_node  # noqa: E402
from skiff_e2e import SkiffServer  # noqa: E402

DEFAULT_SKIFF = str(HERE.parents[1] / "build" / "skiff")
LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def memory_kib(pid):
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class LeaseRenewer:
    """Renews every hollow node's Lease every `period` seconds (a kubelet's default is 10 s),
    spread over the period, over one kept-alive connection as kubelets keep theirs; pause()
    stops it for a quiet window."""

    def __init__(self, srv, nodes, period=10.0):
        self.srv, self.nodes, self.period = srv, nodes, period
        self.requests = 0
        self._conn = None
        self._lock = threading.Lock()  # one request at a time on the connection
        self._paused = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _send(self, method, path, body, content_type):
        for attempt in range(2):
            if self._conn is None:
                self._conn = self.srv.connection(timeout=15)
            try:
                self._conn.request(method, path, body=json.dumps(body).encode(),
                                   headers={"Content-Type": content_type,
                                            "Accept": "application/json"})
                resp = self._conn.getresponse()
                resp.read()
                return resp.status
            except (OSError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        return None

    def renew(self, node):
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        spec = {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": stamp}
        with self._lock:
            self._renew(node, spec)
        self.requests += 1

    def _renew(self, node, spec):
        if self._send("PATCH", f"{LEASES}/{node}", {"spec": spec},
                      "application/merge-patch+json") == 404:
            self._send("POST", LEASES, {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                        "metadata": {"name": node}, "spec": spec},
                       "application/json")

    def start(self):
        for n in self.nodes:
            self.renew(n)
        self._thread.start()

    def pause(self, paused):
        if paused:
            self._paused.set()
        else:
            for n in self.nodes:  # fresh leases after the pause
                self.renew(n)
            self._paused.clear()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _run(self):
        gap = self.period / max(1, len(self.nodes))
        while not self._stop.is_set():
            for n in self.nodes:
                if self._stop.wait(gap):
                    return
                if not self._paused.is_set():
                    self.renew(n)


class BoundCounter:
    """Counts pods that have a node, from a watch on every pod."""

    def __init__(self, srv):
        rv = srv.get("/api/v1/pods?limit=1").json()["metadata"]["resourceVersion"]
        self.stream = srv.watch("/api/v1/pods", {"resourceVersion": rv,
                                                 "timeoutSeconds": "3600"}, timeout=3600)
        self.bound = set()
        self.cond = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                ev = self.stream.next_event()
            except Exception:  # noqa: BLE001  (the stream closes at the end)
                return
            if ev is None:
                return
            obj = ev["object"]
            if ev["type"] != "DELETED" and obj.get("spec", {}).get("nodeName"):
                with self.cond:
                    self.bound.add(obj["metadata"]["uid"])
                    self.cond.notify_all()

    def wait_for(self, count, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.bound) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"only {len(self.bound)} of {count} pods bound "
                                       f"in {timeout}s")
                self.cond.wait(min(left, 1.0))
        return time.monotonic()


def deployment(name, replicas):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{
                                      "name": "c", "image": "busybox",
                                      "resources": {"requests": {"cpu": "10m",
                                                                 "memory": "16Mi"}}}]}}}}


def apply(srv, obj):
    srv.kubectl("1.32").ok("apply", "-f", "-", input=json.dumps(obj), timeout=120)


def measure_cpu(pid, seconds):
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start) * 100


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--replicas", type=int, default=1000)
    ap.add_argument("--objects", type=int, default=10000, help="bound pods before idling")
    ap.add_argument("--quiet", type=float, default=30, help="seconds without any client")
    ap.add_argument("--window", type=float, default=60, help="seconds with lease renewals")
    ap.add_argument("--quick", action="store_true", help="10 nodes, 100 replicas, 300 pods")
    args = ap.parse_args()
    if args.quick:
        args.nodes, args.replicas, args.objects, args.quiet, args.window = 10, 100, 300, 2, 2
    os.environ["SKIFF_BINARY"] = os.path.abspath(args.skiff)

    work = Path(tempfile.mkdtemp(prefix="skiff-cpbench-"))
    srv = SkiffServer(work, control_plane=True)
    renewer = None
    try:
        srv.start(timeout=60)
        names = [f"hollow-{i:03d}" for i in range(args.nodes)]
        create_nodes(srv, *[hollow_node(n, cpu="64", memory="256Gi") for n in names])
        renewer = LeaseRenewer(srv, names)
        renewer.start()
        counter = BoundCounter(srv)
        print(f"{args.nodes} hollow nodes (64 cpu, 256Gi, 110 pods each); skiff pid "
              f"{srv.proc.pid}", flush=True)

        started = time.monotonic()
        apply(srv, deployment("bench-0", args.replicas))
        applied = time.monotonic()
        done = counter.wait_for(args.replicas, timeout=600)
        print(f"Deployment of {args.replicas} replicas: kubectl apply {applied - started:.2f} s, "
              f"apply to all pods bound {done - started:.2f} s "
              f"({args.replicas / (done - started):.0f} pods/s)", flush=True)

        i = 1
        while args.replicas * i < args.objects:
            apply(srv, deployment(f"bench-{i}", args.replicas))
            i += 1
        total = args.replicas * i
        counter.wait_for(total, timeout=1200)
        print(f"{i} Deployments, {i} ReplicaSets, {total} pods bound", flush=True)

        time.sleep(min(10, args.window))  # controllers and events settle
        pid = srv.proc.pid
        renewer.pause(True)
        quiet = measure_cpu(pid, args.quiet)
        renewer.pause(False)
        before = renewer.requests
        busy = measure_cpu(pid, args.window)
        rate = (renewer.requests - before) / args.window
        mem = memory_kib(pid)
        db = sum(f.stat().st_size for f in (work / "data" / "server" / "db").glob("*")
                 if f.is_file()) if (work / "data" / "server" / "db").exists() else 0
        print(f"idle, no client for {args.quiet:.0f} s: {quiet:.2f}% of one core", flush=True)
        print(f"idle, {args.nodes} node leases renewed every 10 s ({rate:.1f} requests/s) for "
              f"{args.window:.0f} s: {busy:.2f}% of one core", flush=True)
        print(f"resident memory: {mem['VmRSS'] / 1024:.1f} MiB (peak {mem['VmHWM'] / 1024:.1f} "
              f"MiB); store files {db / 1048576:.1f} MiB", flush=True)
    finally:
        if renewer:
            renewer.stop()
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
