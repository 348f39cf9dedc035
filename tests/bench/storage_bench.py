#!/usr/bin/python3
"""Storage on one box, with the node agent and real mounts:
  - claim created -> Bound, for a local-path class that binds Immediately (the provisioner
    picks the node at once);
  - pod created -> Running, for a pod that brings a new claim of the default local-path class
    (WaitForFirstConsumer: the scheduler selects the node, the volume is provisioned there, the
    agent makes and mounts a 64Mi ext4 image, the container starts). Target: 300 ms;
  - pod created -> Running for a pod with a generic ephemeral volume of the default class (its
    claim made by the ephemeral volume controller, then as above);
  - the mount and unmount overhead per pod: pod created -> Running and pod deleted -> gone, for
    a pod with an existing (already provisioned) claim against the same pod without a volume.
Times are taken from the request to the first watch event that shows the state (polling would
load the machine it measures).

Needs root. Uses its own bridge and ranges (skbench10, 10.208.0.0/16, 10.209.0.0/16).

    sudo /usr/bin/python3 tests/bench/storage_bench.py [--skiff build/skiff] [--rounds 10]
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from node_bench import DEFAULT_SKIFF, IMAGE, PhaseWatcher, latency_summary, node_server  # noqa: E402

NETWORK = ("skbench10", "10.208.0.0/16", "10.209.0.0/16")
NS = "default"


def claim(name, storage_class=None, size="64Mi"):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": spec}


def pod(name, claim_name=None, ephemeral=False):
    """A pod mounting claim `claim_name`, or (ephemeral) a generic ephemeral volume of the
    default class, or no volume."""
    c = {"name": "main", "image": IMAGE, "command": ["sleep", "3600"]}
    spec = {"containers": [c], "terminationGracePeriodSeconds": 0}
    if claim_name or ephemeral:
        c["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        source = {"persistentVolumeClaim": {"claimName": claim_name}} if claim_name else {
            "ephemeral": {"volumeClaimTemplate": {"spec": claim("")["spec"]}}}
        spec["volumes"] = [{"name": "data", **source}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


class Timer:
    """Times creations and deletions by watches on the namespace's pods and claims."""

    def __init__(self, srv):
        self.srv = srv
        self.pods = PhaseWatcher(srv, f"/api/v1/namespaces/{NS}/pods")
        self.claims = PhaseWatcher(srv, f"/api/v1/namespaces/{NS}/persistentvolumeclaims")

    def running(self, obj):
        """Creates pod `obj`: ms from the request to the watch showing it Running."""
        name = obj["metadata"]["name"]
        start = time.monotonic()
        self.srv.create(f"/api/v1/namespaces/{NS}/pods", obj)
        return (self.pods.wait([name], "Running", timeout=60)[name] - start) * 1000

    def bound(self, obj):
        """Creates claim `obj`: ms from the request to the watch showing it Bound."""
        name = obj["metadata"]["name"]
        start = time.monotonic()
        self.srv.create(f"/api/v1/namespaces/{NS}/persistentvolumeclaims", obj)
        return (self.claims.wait([name], "Bound", timeout=60)[name] - start) * 1000

    def delete_pod(self, name):
        """ms from the delete request to the watch showing the pod gone."""
        start = time.monotonic()
        self.srv.delete(f"/api/v1/namespaces/{NS}/pods/{name}?gracePeriodSeconds=0")
        return (self.pods.wait([name], "DELETED", timeout=60)[name] - start) * 1000

    def delete_claim(self, name):
        self.srv.delete(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}")
        self.claims.wait([name], "DELETED", timeout=60)


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
        t = Timer(srv)
        t.running(pod("warm"))  # the image unpacked once
        t.delete_pod("warm")

        bound, new_claim, plain, existing, plain_del, claim_del = [], [], [], [], [], []
        ephemeral = []
        for i in range(args.rounds):
            bound.append(t.bound(claim(f"imm-{i}", "bench-immediate")))
            t.delete_claim(f"imm-{i}")

            c = f"data-{i}"
            srv.create(f"/api/v1/namespaces/{NS}/persistentvolumeclaims", claim(c))
            new_claim.append(t.running(pod(f"new-{i}", c)))
            claim_del.append(t.delete_pod(f"new-{i}"))
            existing.append(t.running(pod(f"again-{i}", c)))
            claim_del.append(t.delete_pod(f"again-{i}"))
            t.delete_claim(c)

            ephemeral.append(t.running(pod(f"eph-{i}", ephemeral=True)))
            t.delete_pod(f"eph-{i}")
            t.claims.wait([f"eph-{i}-data"], "DELETED", timeout=60)  # with its pod

            plain.append(t.running(pod(f"plain-{i}")))
            plain_del.append(t.delete_pod(f"plain-{i}"))

        print(f"storage bench: {args.rounds} rounds, skiff {args.skiff}")
        print(f"  claim created -> Bound (Immediate local-path):      {latency_summary(bound)}")
        print(f"  pod with a new claim created -> Running (WFFC):     {latency_summary(new_claim)}")
        print(f"  pod with an existing claim created -> Running:      {latency_summary(existing)}")
        print(f"  pod with an ephemeral volume created -> Running:    {latency_summary(ephemeral)}")
        print(f"  pod without volumes created -> Running:             {latency_summary(plain)}")
        print(f"  pod with a claim deleted -> gone:                   {latency_summary(claim_del)}")
        print(f"  pod without volumes deleted -> gone:                {latency_summary(plain_del)}")


if __name__ == "__main__":
    main()
