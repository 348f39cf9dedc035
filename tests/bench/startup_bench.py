#!/usr/bin/python3
"""Cold start of `skiff server` (with its node agent) on an existing data directory: from the
process's start to its READY=1 on the systemd notification socket (what `systemctl start`
waits for), with and without pods to adopt. The server is stopped with SIGTERM between starts
(pods keep running and are adopted at the next start, as under systemd).

Needs root. Uses its own bridge and ranges (skbench6, 10.220.0.0/16, 10.221.0.0/16).

    sudo /usr/bin/python3 tests/bench/startup_bench.py [--skiff build/skiff] [--starts 10]
        [--pods 10]
"""

import argparse
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from node_bench import DEFAULT_SKIFF, IMAGE, latency_summary, node_server, run_pod  # noqa: E402

NETWORK = ("skbench6", "10.220.0.0/16", "10.221.0.0/16")


def timed_starts(srv, starts):
    """Restarts srv `starts` times under a NOTIFY_SOCKET; ms from start to READY=1 each (the
    datagram's arrival, timed by a thread that does nothing else)."""
    sock_dir = tempfile.mkdtemp(prefix="skiff-bench-notify-")
    path = os.path.join(sock_dir, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    ready_at, stop = [], threading.Event()

    def receive():
        while not stop.is_set():
            try:
                if "READY=1" in sock.recv(4096).decode().splitlines():
                    ready_at.append(time.monotonic())
            except socket.timeout:
                pass

    receiver = threading.Thread(target=receive, daemon=True)
    receiver.start()
    srv.env = dict(os.environ, NOTIFY_SOCKET=path)
    out = []
    try:
        for _ in range(starts):
            srv.stop(signal.SIGTERM)
            seen = len(ready_at)
            began = time.monotonic()
            srv.start(port=srv.port, timeout=60)
            deadline = time.monotonic() + 30
            while len(ready_at) == seen and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(ready_at) > seen, "no READY=1"
            out.append((ready_at[-1] - began) * 1000)
    finally:
        stop.set()
        receiver.join()
        sock.close()
        os.unlink(path)
        os.rmdir(sock_dir)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--pods", type=int, default=10)
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK) as srv:
        empty = timed_starts(srv, args.starts)
        for i in range(args.pods):
            run_pod(srv, "default", {"metadata": {"name": f"sleeper-{i}"}, "spec": {
                "containers": [{"name": "main", "image": IMAGE, "command": ["sleep", "3600"]}],
                "terminationGracePeriodSeconds": 1}})
        busy = timed_starts(srv, args.starts)

        print(f"{'start -> READY=1, no pods':44} {latency_summary(empty, digits=0)}")
        adopted = f"start -> READY=1, {args.pods} running pods adopted"
        print(f"{adopted:44} {latency_summary(busy, digits=0)}")


if __name__ == "__main__":
    main()
