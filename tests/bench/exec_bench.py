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
import statistics
import time

from node_bench import DEFAULT_SKIFF, IMAGE, cpu_seconds, node_server, percentile
from skiff_e2e import wait_for

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--pods", type=int, default=50)
    ap.add_argument("--execs", type=int, default=50)
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--no-probes", action="store_true", help="the same pods without probes")
    args = ap.parse_args()
    from kubernetes import client, config
    from kubernetes.stream import stream

    with node_server(args.skiff, NETWORK, "skiff-exec-bench-") as srv:
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
        times, not_served = [], None
        for i in range(args.execs):
            t0 = time.monotonic()
            try:
                out = stream(api.connect_get_namespaced_pod_exec, f"probed-{i % args.pods}",
                             "default", command=["echo", "hi"], stderr=True, stdin=False,
                             stdout=True, tty=False)
            except Exception as e:  # the API answered instead of upgrading (e.g. 503)
                not_served = " ".join(str(e).split())[:200]
                break
            times.append(time.monotonic() - t0)
            assert out == "hi\n", out

        time.sleep(5)  # let the exec connections' work settle
        before = cpu_seconds(srv.proc.pid)
        time.sleep(args.window)
        used = cpu_seconds(srv.proc.pid) - before
        ms = lambda v: f"{v * 1000:.0f} ms"
        print(f"exec, {os.cpu_count()} cores:")
        if not_served:
            print(f"  pods/exec round trip: not measured, pods/exec is not served: {not_served}")
        else:
            print(f"  pods/exec round trip, `echo hi`, Python client, new connection each "
                  f"({args.execs} calls): p50 {ms(statistics.median(times))}, "
                  f"p99 {ms(percentile(times, 99))}")
        what = "no probes" if args.no_probes else "an exec probe every 10 s"
        print(f"  skiff CPU with {args.pods} pods, each with {what}: "
              f"{100 * used / args.window:.2f}% of one core (over {args.window} s)")


if __name__ == "__main__":
    main()
