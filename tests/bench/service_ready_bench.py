#!/usr/bin/python3
"""Time from a pod turning ready to receiving service traffic, and from turning unready to
receiving none, on `skiff server` with its node agent (real pods, real nftables).

Two busybox httpd pods behind a ClusterIP service with a selector: "steady" is always ready,
"flip" is ready while /tmp/ready exists (an exec readiness probe every second). The bench
flips it N times. The start of each measurement is the moment a watch on the pod shows its
Ready condition change (what the EndpointSlice controller reacts to; the probe period comes
before it and is not counted); the end is the first request from the host to the cluster IP
answered by "flip" (turning ready), or the last one answered by it (turning unready). A host
client polls the cluster IP all the time, a new connection every ~2 ms.

Needs root (pods, a bridge, nftables). Uses its own bridge and ranges (skbench7,
10.224.0.0/16, 10.225.0.0/16) and removes everything it made.

    sudo /usr/bin/python3 tests/bench/service_ready_bench.py [--skiff build/skiff] [--rounds 10]
"""

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from node_bench import (DEFAULT_SKIFF, IMAGE, latency_summary, node_server, run_pod,  # noqa: E402
                        wait_for)

NETWORK = ("skbench7", "10.224.0.0/16", "10.225.0.0/16")
NS = "bench"


def httpd(name, probe=False):
    c = {"name": "main", "image": IMAGE,
         "command": ["sh", "-c", f"mkdir -p /www && echo {name} > /www/index.html && "
                                 "exec httpd -f -p 8080 -h /www"]}
    if probe:
        c["readinessProbe"] = {"exec": {"command": ["test", "-e", "/tmp/ready"]},
                               "periodSeconds": 1, "failureThreshold": 1}
    return {"metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [c], "terminationGracePeriodSeconds": 1}}


def fetch(ip, port=80):
    try:
        with socket.create_connection((ip, port), timeout=1) as c:
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := c.recv(4096):
                data += chunk
        return data.split(b"\r\n\r\n", 1)[1].decode().strip()
    except OSError:
        return None


class Poller(threading.Thread):
    """Fetches the cluster IP over and over; keeps (monotonic time, answer)."""

    def __init__(self, vip):
        super().__init__(daemon=True)
        self.vip, self.answers, self.stopped = vip, [], threading.Event()

    def run(self):
        while not self.stopped.is_set():
            started = time.monotonic()
            answer = fetch(self.vip)
            self.answers.append((started, answer))
            time.sleep(max(0.0, 0.002 - (time.monotonic() - started)))


class ReadyWatch(threading.Thread):
    """Watches pod "flip"; keeps (monotonic time, Ready) at each change of its Ready."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.srv, self.changes, self.stopped = srv, [], threading.Event()

    def run(self):
        last = None
        while not self.stopped.is_set():
            w = self.srv.watch(f"/api/v1/namespaces/{NS}/pods",
                               {"fieldSelector": "metadata.name=flip"}, timeout=300)
            try:
                while (ev := w.next_event()) is not None:
                    conds = ev["object"].get("status", {}).get("conditions", [])
                    ready = any(c["type"] == "Ready" and c["status"] == "True" for c in conds)
                    if ready != last:
                        self.changes.append((time.monotonic(), ready))
                        last = ready
            except OSError:
                pass
            finally:
                w.close()

    def next_change(self, ready, after, timeout=30):
        return wait_for(lambda: next((t for t, r in self.changes if r == ready and t > after),
                                     None), timeout=timeout, interval=0.01,
                        what=f"flip Ready={ready}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK) as srv:
        srv.create_namespace(NS)
        for pod in (httpd("steady"), httpd("flip", probe=True)):
            run_pod(srv, NS, pod)
        svc = srv.create(f"/api/v1/namespaces/{NS}/services",
                         {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                          "spec": {"selector": {"app": "bench"},
                                   "ports": [{"port": 80, "targetPort": 8080}]}})
        vip = svc["spec"]["clusterIP"]
        wait_for(lambda: fetch(vip) == "steady", timeout=60, what="the service answering")
        watch, poller = ReadyWatch(srv), Poller(vip)
        watch.start()
        poller.start()
        kubectl = srv.kubectl("1.32")
        to_ready, to_unready = [], []
        for i in range(args.rounds):
            mark = time.monotonic()
            kubectl.ok("exec", "-n", NS, "flip", "--", "touch", "/tmp/ready")
            t_ready = watch.next_change(True, mark)
            first = wait_for(lambda: next((t for t, a in list(poller.answers)
                                           if a == "flip" and t >= t_ready), None),
                             timeout=10, interval=0.005, what="traffic to flip")
            to_ready.append((first - t_ready) * 1000)
            mark = time.monotonic()
            kubectl.ok("exec", "-n", NS, "flip", "--", "rm", "/tmp/ready")
            t_unready = watch.next_change(False, mark)
            time.sleep(1.0)  # long enough for any late answer to show
            late = [t for t, a in list(poller.answers) if a == "flip" and t >= t_unready]
            to_unready.append(((max(late) - t_unready) * 1000) if late else 0.0)
            print(f"round {i + 1}: ready -> traffic {to_ready[-1]:.1f} ms, "
                  f"unready -> no traffic {to_unready[-1]:.1f} ms", flush=True)
        poller.stopped.set()
        watch.stopped.set()
        failed = sum(1 for _, a in poller.answers if a is None)

        print(f"{'pod ready -> receives traffic':44} {latency_summary(to_ready)}")
        print(f"{'pod unready -> receives none':44} {latency_summary(to_unready)}")
        print(f"{'failed requests meanwhile':44} {failed} of {len(poller.answers)}")


if __name__ == "__main__":
    main()
