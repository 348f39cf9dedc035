#!/usr/bin/python3
"""The box as an appliance, with its node agent and real pods:
  - from writing a manifest file (renamed into place) into the running server's
    --manifests-dir to its objects existing, and to all of its pods Running (a Namespace, a
    ConfigMap and a Deployment of 2 replicas);
  - an idle box: CPU (% of one core) and resident memory of the skiff process, and of the pods'
    shims, measured over a quiet interval with no pods and again with the pods of N manifests
    running. skiff's defaults need no manifests (DNS and the service proxy are built in), so the
    first figure is the idle box with the default manifests.

Needs root. Uses its own bridge and ranges (skbench8, 10.216.0.0/16, 10.217.0.0/16).

    sudo /usr/bin/python3 tests/bench/appliance_bench.py [--skiff build/skiff] [--rounds 10]
        [--idle-seconds 60]
"""

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from node_bench import (DEFAULT_SKIFF, IMAGE, cpu_seconds, latency_summary, node_server,  # noqa: E402
                        rss_kib, wait_for)

NETWORK = ("skbench8", "10.216.0.0/16", "10.217.0.0/16")


def manifest(ns):
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {ns}
data:
  mode: edge
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: {IMAGE}
        command: ["sleep", "3600"]
"""


def running_pods(srv, ns):
    items = srv.get(f"/api/v1/namespaces/{ns}/pods").json()["items"]
    return sum(1 for p in items if p.get("status", {}).get("phase") == "Running")


def shim_pids(data_dir):
    """The containerd-shim-runc-v2 processes serving this server's pods."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")  # the pod's bundle, under the data directory
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"containerd-shim-runc-v2") and cwd.startswith(str(data_dir)):
            out.append(int(entry.name))
    return out


def idle(srv, seconds):
    """(skiff CPU %, skiff RSS MiB, shims CPU %, shims RSS MiB, number of shims) over
    `seconds` of doing nothing."""
    pid = srv.proc.pid
    shims = shim_pids(srv.data_dir)
    t0 = time.monotonic()
    c0 = cpu_seconds(pid)
    s0 = sum(cpu_seconds(p) for p in shims)
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    cpu = (cpu_seconds(pid) - c0) / elapsed * 100
    shim_cpu = (sum(cpu_seconds(p) for p in shims) - s0) / elapsed * 100
    return (cpu, rss_kib(pid) / 1024, shim_cpu, sum(rss_kib(p) for p in shims) / 1024,
            len(shims))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--idle-seconds", type=float, default=60)
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK, "skiff-bench-appliance-") as srv:
        time.sleep(min(args.idle_seconds, 15))  # start-up work (image import, first GC) ends
        empty = idle(srv, args.idle_seconds)
        objects, running = [], []
        for i in range(args.rounds):
            ns = f"appliance-{i}"
            tmp = srv.manifests_dir / f".{ns}.tmp"
            tmp.write_text(manifest(ns))
            start = time.monotonic()
            tmp.rename(srv.manifests_dir / f"{ns}.yaml")
            wait_for(lambda: srv.get(f"/apis/apps/v1/namespaces/{ns}/deployments/app").status
                     == 200, timeout=10, interval=0.001, what="the manifest's objects")
            objects.append((time.monotonic() - start) * 1000)
            wait_for(lambda: running_pods(srv, ns) == 2, timeout=60, interval=0.005,
                     what="the manifest's 2 pods Running")
            running.append((time.monotonic() - start) * 1000)
        busy = idle(srv, args.idle_seconds)
        pods = 2 * args.rounds

        print(f"{'manifest written -> its objects exist':46} {latency_summary(objects)}")
        print(f"{'manifest written -> its 2 pods Running':46} {latency_summary(running)}")
        for label, (cpu, rss, shim_cpu, shim_rss, n) in (
                ("idle, no pods (default manifests)", empty),
                (f"idle, {pods} pods from {args.rounds} manifests", busy)):
            print(f"{label:46} skiff {cpu:.2f}% CPU, {rss:.0f} MiB RSS; "
                  f"{n} shims {shim_cpu:.2f}% CPU, {shim_rss:.0f} MiB RSS "
                  f"over {args.idle_seconds:.0f}s")


if __name__ == "__main__":
    main()
