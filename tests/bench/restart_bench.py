#!/usr/bin/python3
"""Self-healing figures of `skiff server` with its agent: how soon a container that exits is
running again (its first restart, outside back-off), and how soon a container whose liveness
endpoint goes away is restarted (probe period 1 s, failureThreshold 1).

Times are taken inside the containers from /proc/uptime (the host's clock, 10 ms steps): the
old attempt prints when it exits (or when it stops its health endpoint), the new attempt
prints when it starts; the bench reads both with `kubectl logs -p` and `kubectl logs`.

    /usr/bin/python3 tests/bench/restart_bench.py [--skiff build/skiff] [--pods 20]
"""

import argparse
import os
import statistics
import time

from node_bench import DEFAULT_SKIFF, IMAGE, node_server
from skiff_e2e import wait_for

NETWORK = ("sktbench1", "10.249.0.0/16", "10.250.0.0/16")
UPTIME = "$(cut -d' ' -f1 /proc/uptime)"

# Prints its start; the first attempt then exits 1 after a moment, later ones stay up.
EXITER = (f"echo start {UPTIME}; if [ ! -e /state/ran ]; then touch /state/ran; sleep 1; "
          f"echo exit {UPTIME}; exit 1; fi; exec sleep 3600")
# Serves /healthz, then removes it after a moment (the first attempt only).
# It leaves at once on SIGTERM, so the figure is the agent's, not a grace period's.
UNHEALTHY = (f"trap 'exit 143' TERM; echo start {UPTIME}; mkdir -p /www && "
             f"echo ok > /www/healthz && httpd -p 8080 -h /www; if [ ! -e /state/ran ]; then "
             f"touch /state/ran; sleep 2; rm /www/healthz; echo gone {UPTIME}; fi; "
             f"sleep 3600 & wait $!")


def pod(name, command, **container):
    c = {"name": "main", "image": IMAGE, "command": ["sh", "-c", command],
         "volumeMounts": [{"name": "state", "mountPath": "/state"}]}
    c.update(container)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [c], "terminationGracePeriodSeconds": 1,
                     "volumes": [{"name": "state", "emptyDir": {}}]}}


def stamp(text, word):
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == word:
            return float(parts[1])
    raise RuntimeError(f"no '{word}' line in {text!r}")


def restarted(srv, name):
    p = srv.get(f"/api/v1/namespaces/default/pods/{name}").json()
    st = (p.get("status", {}).get("containerStatuses") or [{}])[0]
    return st.get("restartCount", 0) >= 1 and "running" in st.get("state", {})


def measure(srv, names, before_word):
    out = []
    for name in names:
        wait_for(lambda: restarted(srv, name), timeout=120, interval=0.2,
                 what=f"{name} restarted")
        old = srv.kubectl_ok("logs", name, "-p").out
        new = srv.kubectl_ok("logs", name).out
        out.append(stamp(new, "start") - stamp(old, before_word))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--pods", type=int, default=20)
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK, "skiff-restart-bench-") as srv:
        node = srv.node_name

        def create(body):
            body["spec"]["nodeName"] = node
            r = srv.post("/api/v1/namespaces/default/pods", body)
            assert r.status == 201, r

        # One at a time, so each restart is measured on an otherwise idle node.
        exits = []
        for i in range(args.pods):
            create(pod(f"exit-{i}", EXITER))
            exits += measure(srv, [f"exit-{i}"], "exit")
        probes = []
        for i in range(args.pods):
            create(pod(f"live-{i}", UNHEALTHY, livenessProbe={
                "httpGet": {"path": "/healthz", "port": 8080}, "initialDelaySeconds": 1,
                "periodSeconds": 1, "failureThreshold": 1}))
            probes += measure(srv, [f"live-{i}"], "gone")
        ms = lambda v: f"{v * 1000:.0f} ms"
        print(f"self-healing, {os.cpu_count()} cores, {args.pods} pods each:")
        print(f"  container exit -> restarted container running (first restart): "
              f"p50 {ms(statistics.median(exits))}, max {ms(max(exits))}")
        print(f"  liveness endpoint gone -> restarted container running (period 1 s, "
              f"threshold 1): p50 {ms(statistics.median(probes))}, max {ms(max(probes))}")


if __name__ == "__main__":
    main()
