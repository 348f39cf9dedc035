"""What the node benchmarks share: a `skiff server` with its agent and a busybox-static image
in its airgap directory, in a temporary directory removed afterwards, and percentiles."""

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e" / "lib"))

from images import build_busybox_layout, docker_archive  # noqa: E402
from node_e2e import IMAGE, start_node_server, stop_node_server  # noqa: E402,F401

DEFAULT_SKIFF = str(HERE.parents[1] / "build" / "skiff")


@contextlib.contextmanager
def node_server(skiff, prefix, network, extra_args=(), keep_log=None):
    """Yields a running server (skiff binary `skiff`, bridge and ranges `network`); every pod
    and the host state it made are removed at the end, after its log is copied to `keep_log`
    (when given)."""
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


def percentile(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))]
