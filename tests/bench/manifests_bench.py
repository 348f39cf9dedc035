#!/usr/bin/python3
"""The manifests directory's latency: from writing a manifest file (renamed into place, as
config tools do) into a running `skiff server`'s --manifests-dir to all of its objects existing
in the API (a Namespace, five ConfigMaps and a Deployment: 7 objects), and from removing the
file to the Deployment being gone. The client polls the API every millisecond.

    /usr/bin/python3 tests/bench/manifests_bench.py [--skiff build/skiff] [--rounds 20]
"""

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from node_bench import latency_summary, running_server, wait_for  # noqa: E402


def manifest(ns):
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"]
    for i in range(5):
        docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"
                    f"  namespace: {ns}\ndata:\n  key: value-{i}\n")
    docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: busybox
""")
    return "---\n".join(docs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skiff", default=str(HERE.parents[1] / "build" / "skiff"))
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    os.environ["SKIFF_BINARY"] = str(Path(args.skiff).resolve())
    with running_server(control_plane=True) as srv:
        applied, deleted = [], []
        for i in range(args.rounds):
            ns = f"bench-{i}"
            path = srv.manifests_dir / f"{ns}.yaml"
            tmp = srv.manifests_dir / f".{ns}.tmp"
            tmp.write_text(manifest(ns))
            start = time.monotonic()
            tmp.rename(path)
            wait_for(lambda: srv.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web").status
                     == 200, timeout=10, interval=0.001, what="the manifest's objects")
            applied.append((time.monotonic() - start) * 1000)
            assert srv.get(f"/api/v1/namespaces/{ns}/configmaps/cm-4").status == 200
            start = time.monotonic()
            path.unlink()
            wait_for(lambda: srv.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web").status
                     == 404, timeout=10, interval=0.001, what="the Deployment deleted")
            deleted.append((time.monotonic() - start) * 1000)

        print(f"{'manifest written -> its 7 objects exist':44} {latency_summary(applied)}")
        print(f"{'manifest removed -> its Deployment gone':44} {latency_summary(deleted)}")


if __name__ == "__main__":
    main()
