#!/usr/bin/python3
"""Pod start latency and memory of `skiff server` with its node agent.

Starts a server (own data dir, bridge sktbench0, pods in 10.236.0.0/16) with a busybox-static
image in its airgap directory, then measures the time from each pod's create request to the
first watch event that shows it Running: one pod at a time, then in waves of 20 at once.
With the pods still running it reports skiff's resident memory apart from the shims' and the
log writers'. Everything is deleted and cleaned up at the end.

    /usr/bin/python3 tests/bench/pod_bench.py [--skiff build/skiff] [--sequential 30]
                                              [--waves 2] [--wave-size 20]
                                              [--server-log FILE]
"""

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

from node_bench import DEFAULT_SKIFF, IMAGE, PhaseWatcher, node_server, percentile, rss_kib

NETWORK = ("sktbench0", "10.236.0.0/16", "10.237.0.0/16")


def pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": None, "terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "main", "image": IMAGE,
                                     "command": ["sleep", "3600"]}]}}


def pss_kib(pid):
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def processes_rss(predicate):
    """(RSS sum, PSS sum, count) in KiB: RSS counts shared pages once per process, PSS
    splits them between the processes sharing them, so its sum is what they really take."""
    total, pss, count = 0, 0, 0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
            if predicate(cmd):
                total += rss_kib(d.name)
                pss += pss_kib(d.name)
                count += 1
        except OSError:
            pass
    return total, pss, count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--sequential", type=int, default=30)
    ap.add_argument("--waves", type=int, default=2)
    ap.add_argument("--wave-size", type=int, default=20)
    ap.add_argument("--server-log", help="copy the server's log (at --log-level debug) here")
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK, "skiff-pod-bench-",
                     ["--log-level", "debug"] if args.server_log else [],
                     keep_log=args.server_log) as srv:
        watcher = PhaseWatcher(srv, "/api/v1/namespaces/default/pods")
        node = srv.node_name

        def create(name):
            body = pod(name)
            body["spec"]["nodeName"] = node
            t0 = time.monotonic()
            r = srv.post("/api/v1/namespaces/default/pods", body)
            assert r.status == 201, r
            return t0

        one = []
        for i in range(args.sequential):
            name = f"seq-{i}"
            t0 = create(name)
            one.append(watcher.wait([name], "Running")[name] - t0)
        many = []
        for w in range(args.waves):
            names = [f"wave{w}-{i}" for i in range(args.wave_size)]
            starts = {}
            threads = []
            for n in names:
                th = threading.Thread(target=lambda n=n: starts.__setitem__(n, create(n)))
                th.start()
                threads.append(th)
            for th in threads:
                th.join()
            seen = watcher.wait(names, "Running")
            many += [seen[n] - starts[n] for n in names]
        time.sleep(2)
        running = len(srv.get("/api/v1/namespaces/default/pods").json()["items"])
        skiff_rss = rss_kib(srv.proc.pid)
        shims = processes_rss(lambda c: c and c[0].endswith(b"containerd-shim-runc-v2"))
        drivers = processes_rss(lambda c: b"skiff-log-driver" in c)
        all_lat = one + many
        ms = lambda v: f"{v * 1000:.0f} ms"
        print(f"pod start latency, create -> Running seen by a watch (image present), "
              f"{os.cpu_count()} cores:")
        print(f"  one at a time ({len(one)} pods): p50 {ms(statistics.median(one))}, "
              f"p99 {ms(percentile(one, 99))}")
        print(f"  {args.wave_size} at once ({len(many)} pods): p50 {ms(statistics.median(many))}, "
              f"p99 {ms(percentile(many, 99))}")
        print(f"  all {len(all_lat)} pods: p50 {ms(statistics.median(all_lat))}, "
              f"p99 {ms(percentile(all_lat, 99))}")
        print(f"memory with {running} running pods:")
        print(f"  skiff server: {skiff_rss / 1024:.1f} MB resident")
        print(f"  skiff server: {pss_kib(srv.proc.pid) / 1024:.1f} MB proportional (PSS)")
        for what, (rss, pss, n) in (("shims", shims), ("log writers", drivers)):
            print(f"  {what}: {n} processes, {pss / 1024:.1f} MB proportional (PSS) in all, "
                  f"{rss / 1024:.1f} MB if shared pages are counted in every process (RSS)")


if __name__ == "__main__":
    main()
