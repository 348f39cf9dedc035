"""A `skiff server` with its node agent for the benchmarks that need real pods: a busybox image
in its airgap directory, a bridge and ranges of the bench's own, everything removed at the
end (the node e2e tests' helpers, shared). Needs root."""

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e" / "lib"))

from images import build_busybox_layout, docker_archive  # noqa: E402
from node_e2e import IMAGE, start_node_server, stop_node_server  # noqa: E402,F401
from skiff_e2e import running_server, wait_for  # noqa: E402,F401

DEFAULT_SKIFF = str(HERE.parents[1] / "build" / "skiff")


@contextlib.contextmanager
def node_server(skiff, network):
    """Yields a started NodeServer on `network` (bridge, cluster CIDR, service CIDR)."""
    if os.geteuid() != 0:
        sys.exit(f"{Path(sys.argv[0]).name}: needs root (pods, a bridge, nftables)")
    os.environ["SKIFF_BINARY"] = str(Path(skiff).resolve())
    work = Path(tempfile.mkdtemp(prefix="skiff-bench-node-"))
    srv = None
    try:
        layout = build_busybox_layout(work, "v1")
        archive = docker_archive(layout, "v1", str(work / "busybox.tar"), IMAGE)
        srv = start_node_server(work / "root", network, archive)
        yield srv
    finally:
        if srv is not None:
            stop_node_server(srv)
        shutil.rmtree(work, ignore_errors=True)


def run_pod(srv, ns, pod):
    """Creates `pod` (a dict without apiVersion/kind) on the node; waits until it runs."""
    pod = {"apiVersion": "v1", "kind": "Pod", **pod}
    pod["spec"]["nodeName"] = srv.node_name
    srv.create(f"/api/v1/namespaces/{ns}/pods", pod)
    name = pod["metadata"]["name"]
    return srv.wait_phase(ns, name, "Running")


def latency_summary(values, digits=1):
    """"p50 X ms, max Y ms over N" of millisecond figures."""
    values = sorted(values)
    return (f"p50 {statistics.median(values):.{digits}f} ms, max {values[-1]:.{digits}f} ms "
            f"over {len(values)}")
