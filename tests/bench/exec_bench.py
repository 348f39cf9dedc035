#!/usr/bin/python3
"""Exec figures of `skiff server` with its agent: the round trip of a pods/exec call (the
official Python client's stream(), a new connection each time, running `echo`), and skiff's
own CPU use while 50 pods each run an exec readiness probe every 10 s (the probes' processes
run under the shims and runc; this counts skiff's process alone).

    /usr/bin/python3 tests/bench/exec_bench.py [--skiff build/skiff] [--pods 50]
                                               [--execs 50] [--window 60] [--no-probes]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e" / "lib"))

from images import build_busybox_layout, docker_archive  # noqa: E402
from node_e2e import IMAGE, start_node_server, stop_node_server  # noqa: E402
from skiff_e2e import wait_for  # noqa: E402

NETWORK = ("sktbench2", "10.251.0.0/16", "10.252.0.0/16")


def pod(name, node, probe=True):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "main", "image": IMAGE,
                                     "command": ["sleep", "3600"],
                                     "readinessProbe": {"exec": {"command": ["true"]},
                                                        "periodSeconds": 10}}]}}
    if not probe:
        del p["spec"]["containers"][0]["readinessProbe"]
    return p


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=str(HERE.parents[1] / "build" / "skiff"))
    ap.add_argument("--pods", type=int, default=50)
    ap.add_argument("--execs", type=int, default=50)
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--no-probes", action="store_true", help="the same pods without probes")
    args = ap.parse_args()
    os.environ["SKIFF_BINARY"] = os.path.abspath(args.skiff)
    from kubernetes import client, config
    from kubernetes.stream import stream

    work = Path(tempfile.mkdtemp(prefix="skiff-exec-bench-"))
    srv = None
    try:
        layout = build_busybox_layout(work / "image", "v1")
        archive = docker_archive(layout, "v1", str(work / "busybox.tar"), IMAGE)
        srv = start_node_server(work / "server", NETWORK, archive)
        for i in range(args.pods):
            r = srv.post("/api/v1/namespaces/default/pods", pod(f"probed-{i}", srv.node_name,
                                                                    not args.no_probes))
            assert r.status == 201, r

        def all_ready():
            items = srv.get("/api/v1/namespaces/default/pods").json()["items"]
            return len(items) == args.pods and all(
                any(c["type"] == "Ready" and c["status"] == "True"
                    for c in p.get("status", {}).get("conditions", [])) for p in items)
        wait_for(all_ready, timeout=300, interval=1, what="every pod ready")

        config.load_kube_config(config_file=str(srv.kubeconfig))
        api = client.CoreV1Api()
        times = []
        for i in range(args.execs):
            t0 = time.monotonic()
            out = stream(api.connect_get_namespaced_pod_exec, f"probed-{i % args.pods}",
                         "default", command=["echo", "hi"], stderr=True, stdin=False,
                         stdout=True, tty=False)
            times.append(time.monotonic() - t0)
            assert out == "hi\n", out

        time.sleep(5)  # let the exec connections' work settle
        before = cpu_seconds(srv.proc.pid)
        time.sleep(args.window)
        used = cpu_seconds(srv.proc.pid) - before
        ms = lambda v: f"{v * 1000:.0f} ms"
        print(f"exec, {os.cpu_count()} cores:")
        print(f"  pods/exec round trip, `echo hi`, Python client, new connection each "
              f"({args.execs} calls): p50 {ms(statistics.median(times))}, "
              f"p99 {ms(percentile(times, 99))}")
        what = "no probes" if args.no_probes else "an exec probe every 10 s"
        print(f"  skiff CPU with {args.pods} pods, each with {what}: "
              f"{100 * used / args.window:.2f}% of one core (over {args.window} s)")
    finally:
        if srv is not None:
            stop_node_server(srv)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
