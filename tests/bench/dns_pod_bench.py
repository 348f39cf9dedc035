#!/usr/bin/python3
"""Cluster DNS figures from a pod: `skiff server` with its node agent holds 1,000 services
(svc-<i> in namespaces ns-<i % 20>, each with a port named http), and dns_bench's closed-loop
UDP clients run inside a pod's network namespace, querying the kube-dns service address the
way the pod's resolv.conf does: through the service proxy's DNAT to the DNS server on the
bridge gateway. The query mix is dns_bench's (80% A, 10% SRV, 10% NXDOMAIN).

Needs root. Uses its own bridge and ranges (skbench9, 10.222.0.0/16, 10.223.0.0/16) and
removes everything it made.

    sudo /usr/bin/python3 tests/bench/dns_pod_bench.py [--skiff build/skiff]
        [--dns-bench build/tests/bench/dns_bench] [--services 1000] [--clients 4] [--seconds 5]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from node_bench import DEFAULT_SKIFF, IMAGE, node_server, run_pod, wait_for  # noqa: E402

NETWORK = ("skbench9", "10.222.0.0/16", "10.223.0.0/16")
CLUSTER_DNS = "10.223.0.10"
NAMESPACES = 20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--dns-bench", default=str(HERE.parents[1] / "build" / "tests" / "bench" /
                                               "dns_bench"))
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK) as srv:
        for n in range(min(NAMESPACES, args.services)):
            srv.create_namespace(f"ns-{n}")
        for i in range(args.services):
            srv.create(f"/api/v1/namespaces/ns-{i % NAMESPACES}/services",
                       {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}"},
                        "spec": {"ports": [{"name": "http", "port": 80}]}})
        pod = run_pod(srv, "default", {"metadata": {"name": "asker"}, "spec": {
            "containers": [{"name": "main", "image": IMAGE, "command": ["sleep", "3600"]}],
            "terminationGracePeriodSeconds": 1}})
        record = Path(srv.data_dir) / "agent" / "pods" / pod["metadata"]["uid"] / "record.json"
        netns = f"skiff-{json.loads(record.read_text())['sandboxID']}"
        in_pod = ["ip", "netns", "exec", netns]
        last = f"svc-{args.services - 1}.ns-{(args.services - 1) % NAMESPACES}.svc.cluster.local"

        def resolves():
            out = subprocess.run(in_pod + ["dig", "+short", "+time=1", "+tries=1",
                                           f"@{CLUSTER_DNS}", last],
                                 capture_output=True, text=True).stdout.strip()
            return out.startswith("10.223.")

        wait_for(resolves, timeout=60, interval=0.2, what=f"{last} resolving in the pod")
        r = subprocess.run(in_pod + [args.dns_bench, "--target", CLUSTER_DNS, "--services",
                                     str(args.services), "--clients", str(args.clients),
                                     "--seconds", str(args.seconds)])
        sys.exit(r.returncode)


if __name__ == "__main__":
    main()
