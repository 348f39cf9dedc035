#!/usr/bin/python3
"""Storage on one box, with the node agent and real mounts:
  - claim created -> Bound, for a local-path class that binds Immediately (the provisioner
    picks the node at once);
  - pod created -> Running, for a pod that brings a new claim of the default local-path class
    (WaitForFirstConsumer: the scheduler selects the node, the volume is provisioned there, the
    agent makes and mounts a 64Mi ext4 image, the container starts). Target: 300 ms;
  - the mount and unmount overhead per pod: pod created -> Running and pod deleted -> gone, for
    a pod with an existing (already provisioned) claim against the same pod without a volume.

Needs root. Uses its own bridge and ranges (skbench10, 10.208.0.0/16, 10.209.0.0/16).

    sudo /usr/bin/python3 tests/bench/storage_bench.py [--skiff build/skiff] [--rounds 10]
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from node_bench import DEFAULT_SKIFF, IMAGE, latency_summary, node_server, wait_for  # noqa: E402

NETWORK = ("skbench10", "10.208.0.0/16", "10.209.0.0/16")
NS = "default"


def claim(name, storage_class=None, size="64Mi"):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": spec}


def pod(name, claim_name=None):
    c = {"name": "main", "image": IMAGE, "command": ["sleep", "3600"]}
    spec = {"containers": [c], "terminationGracePeriodSeconds": 0}
    if claim_name:
        c["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def phase(srv, name):
    r = srv.get(f"/api/v1/namespaces/{NS}/pods/{name}")
    return r.json().get("status", {}).get("phase") if r.status == 200 else None


def claim_phase(srv, name):
    r = srv.get(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}")
    return r.json().get("status", {}).get("phase") if r.status == 200 else None


def timed_running(srv, obj):
    start = time.monotonic()
    srv.create(f"/api/v1/namespaces/{NS}/pods", obj)
    wait_for(lambda: phase(srv, obj["metadata"]["name"]) == "Running", timeout=60,
             interval=0.002, what="Running")
    return (time.monotonic() - start) * 1000


def timed_delete(srv, name):
    start = time.monotonic()
    srv.delete(f"/api/v1/namespaces/{NS}/pods/{name}?gracePeriodSeconds=0")
    wait_for(lambda: srv.get(f"/api/v1/namespaces/{NS}/pods/{name}").status == 404,
             timeout=60, interval=0.002, what="pod gone")
    return (time.monotonic() - start) * 1000


def delete_claim(srv, name):
    srv.delete(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}")
    wait_for(lambda: claim_phase(srv, name) is None, timeout=60, interval=0.01, what="claim gone")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=DEFAULT_SKIFF)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    with node_server(args.skiff, NETWORK, prefix="skiff-bench-storage-") as srv:
        srv.create("/apis/storage.k8s.io/v1/storageclasses",
                   {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                    "metadata": {"name": "bench-immediate"}, "provisioner": "skiff.io/local-path",
                    "volumeBindingMode": "Immediate", "reclaimPolicy": "Delete"})
        srv.create(f"/api/v1/namespaces/{NS}/pods", pod("warm"))  # the image unpacked once
        wait_for(lambda: phase(srv, "warm") == "Running", timeout=60, what="warm-up pod")
        timed_delete(srv, "warm")

        bound, new_claim, plain, existing, plain_del, claim_del = [], [], [], [], [], []
        for i in range(args.rounds):
            name = f"imm-{i}"
            start = time.monotonic()
            srv.create(f"/api/v1/namespaces/{NS}/persistentvolumeclaims",
                       claim(name, "bench-immediate"))
            wait_for(lambda: claim_phase(srv, name) == "Bound", timeout=60, interval=0.002,
                     what="Bound")
            bound.append((time.monotonic() - start) * 1000)
            delete_claim(srv, name)

            c = f"data-{i}"
            srv.create(f"/api/v1/namespaces/{NS}/persistentvolumeclaims", claim(c))
            new_claim.append(timed_running(srv, pod(f"new-{i}", c)))
            claim_del.append(timed_delete(srv, f"new-{i}"))
            existing.append(timed_running(srv, pod(f"again-{i}", c)))
            claim_del.append(timed_delete(srv, f"again-{i}"))
            delete_claim(srv, c)

            plain.append(timed_running(srv, pod(f"plain-{i}")))
            plain_del.append(timed_delete(srv, f"plain-{i}"))

        print(f"storage bench: {args.rounds} rounds, skiff {args.skiff}")
        print(f"  claim created -> Bound (Immediate local-path):      {latency_summary(bound)}")
        print(f"  pod with a new claim created -> Running (WFFC):     {latency_summary(new_claim)}")
        print(f"  pod with an existing claim created -> Running:      {latency_summary(existing)}")
        print(f"  pod without volumes created -> Running:             {latency_summary(plain)}")
        print(f"  pod with a claim deleted -> gone:                   {latency_summary(claim_del)}")
        print(f"  pod without volumes deleted -> gone:                {latency_summary(plain_del)}")


if __name__ == "__main__":
    main()
