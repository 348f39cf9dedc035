"""What the node benchmarks share: a `skiff server` with its agent and a busybox image in its
airgap directory, on a bridge and ranges of the bench's own, in a temporary directory removed
afterwards (the node e2e tests' helpers); running pods; a watch that times objects' phases;
summaries of figures; a process's CPU time and resident memory. Needs root."""

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e" / "lib"))

from images import build_busybox_layout, docker_archive  # noqa: E402
from node_e2e import IMAGE, start_node_server, stop_node_server  # noqa: E402,F401
from skiff_e2e import running_server, wait_for  # noqa: E402,F401

DEFAULT_SKIFF = str(HERE.parents[1] / "build" / "skiff")


class PhaseWatcher:
    """Follows a watch on a collection (`path`, e.g. /api/v1/namespaces/default/pods) and
    records when each object, by name, first showed each status.phase and when it was deleted
    (time.monotonic()). Timing by a watch costs the server nothing while it works, unlike
    polling."""

    def __init__(self, srv, path):
        self.seen = {}  # (name, phase or "DELETED") -> first time seen
        self.cond = threading.Condition()
        rv = srv.get(path).json()["metadata"]["resourceVersion"]
        self.stream = srv.watch(path, {"resourceVersion": rv, "timeoutSeconds": "3600"},
                                timeout=3600)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                ev = self.stream.next_event()
            except Exception:
                return
            if ev is None:
                return
            obj = ev["object"]
            name = obj["metadata"]["name"]
            key = (name, "DELETED" if ev["type"] == "DELETED"
                   else obj.get("status", {}).get("phase"))
            with self.cond:
                self.seen.setdefault(key, time.monotonic())
                self.cond.notify_all()

    def wait(self, names, phase, timeout=120):
        """{name: time first seen in `phase` ("DELETED": gone)} once every one of `names` was."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not all((n, phase) in self.seen for n in names):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = [n for n in names if (n, phase) not in self.seen]
                    raise RuntimeError(f"not {phase} in {timeout}s: {missing}")
                self.cond.wait(left)
            return {n: self.seen[(n, phase)] for n in names}


@contextlib.contextmanager
def node_server(skiff, network, prefix="skiff-bench-node-", extra_args=(), keep_log=None):
    """Yields a running server (skiff binary `skiff`, (bridge, cluster CIDR, service CIDR)
    `network`); every pod and the host state it made are removed at the end, after its log is
    copied to `keep_log` (when given)."""
    if os.geteuid() != 0:
        sys.exit(f"{Path(sys.argv[0]).name}: needs root (pods, a bridge, nftables)")
    os.environ["SKIFF_BINARY"] = os.path.abspath(skiff)
    work = Path(tempfile.mkdtemp(prefix=prefix))
    srv = None
    try:
        layout = build_busybox_layout(work / "image", "v1")
        archive = docker_archive(layout, "v1", str(work / "busybox.tar"), IMAGE)
        srv = start_node_server(work / "server", network, archive, extra_args)
        yield srv
    finally:
        if srv is not None:
            stop_node_server(srv)
            if keep_log:
                shutil.copy(srv.log_path, keep_log)
        shutil.rmtree(work, ignore_errors=True)


def run_pod(srv, ns, pod):
    """Creates `pod` (a dict without apiVersion/kind) on the node; waits until it runs."""
    pod = {"apiVersion": "v1", "kind": "Pod", **pod}
    pod["spec"]["nodeName"] = srv.node_name
    srv.create(f"/api/v1/namespaces/{ns}/pods", pod)
    return srv.wait_phase(ns, pod["metadata"]["name"], "Running")


def percentile(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))]


def latency_summary(values, digits=1):
    """"p50 X ms, max Y ms over N" of millisecond figures."""
    values = sorted(values)
    return (f"p50 {statistics.median(values):.{digits}f} ms, max {values[-1]:.{digits}f} ms "
            f"over {len(values)}")


def cpu_seconds(pid):
    """User and system CPU time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    """Resident memory of process `pid` (VmRSS), KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
