"""Fixtures for the node agent end-to-end tests: `skiff server` WITH its agent, running real
containers through containerd-shim-runc-v2 and runc, networked by the real CNI plugins.

Each test module sets NETWORK = (bridge, cluster CIDR, service CIDR) of its own so modules can
run in parallel. Its server gets a busybox-static image as an airgap archive in
<data-dir>/agent/images/. At teardown every pod is deleted through the API (the agent tears
down what it made), and then whatever is left -- containers, shims, mounts, network
namespaces, the test bridge -- is removed by force, so a failing test leaves nothing behind.
"""

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from images import build_busybox_layout, docker_archive, oci_archive  # noqa: E402
from skiff_e2e import *  # noqa: E402,F401,F403
from skiff_e2e import _remove_root  # noqa: E402
from node_e2e import *  # noqa: E402,F401,F403
from node_e2e import IMAGE, OCI_IMAGE, start_node_server, stop_node_server  # noqa: E402


@pytest.fixture(scope="session")
def image_archive():
    work = Path(tempfile.mkdtemp(prefix="skiff-e2e-image-"))
    try:
        layout = build_busybox_layout(work, "v1")
        yield ([docker_archive(layout, "v1", str(work / "busybox.tar"), IMAGE),
                oci_archive(layout, "v1", str(work / "busybox-oci.tar"), OCI_IMAGE)], layout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def node(request, image_archive):
    network = getattr(request.module, "NETWORK")
    root = Path(tempfile.mkdtemp(prefix="skiff-e2e-node-"))
    srv = start_node_server(root, network, image_archive[0])
    try:
        yield srv
    finally:
        stop_node_server(srv)
        _remove_root(root)
