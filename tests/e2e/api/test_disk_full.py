"""A full disk under --data-dir: skiff keeps serving reads, refuses writes with a clear Status
(nothing half-written, nothing acknowledged lost), and takes writes again as soon as space
returns, without a restart. The data directory is a small tmpfs of the test's own."""

import contextlib
import errno
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from skiff_e2e import SkiffServer, _remove_root, unique, wait_for

SIZE = "48m"


@contextlib.contextmanager
def small_disk_server():
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    root = Path(tempfile.mkdtemp(prefix="skiff-e2e-diskfull-"))
    data = root / "data"
    data.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "skiff-e2e-diskfull",
                    str(data)], check=True)
    srv = SkiffServer(root)
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()
        subprocess.run(["umount", "-l", str(data)], check=False)
        _remove_root(root)


def fill(path):
    """Writes zeros to `path` until the file system is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * (1 << 20)
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                break
        # The last bytes a partial chunk may have left.
        while True:
            try:
                written += f.write(b"\0" * 4096)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
                return written


def configmap(name, size):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"blob": "x" * size}}


def test_a_full_disk_refuses_writes_keeps_reads_and_recovers():
    with small_disk_server() as srv:
        ns = unique("full")
        srv.create_namespace(ns)
        base = f"/api/v1/namespaces/{ns}/configmaps"
        acknowledged = []
        for i in range(3):
            r = srv.post(base, configmap(f"before-{i}", 1000))
            assert r.status == 201, r
            acknowledged.append(f"before-{i}")

        filler = srv.data_dir / "filler"
        fill(filler)
        # Writes now fail (SQLite's WAL may still have room for a few small ones): each with a
        # Kubernetes Status naming the cause, and nothing the server refused shows up later.
        refused = []
        for i in range(200):
            name = f"during-{i}"
            r = srv.post(base, configmap(name, 200_000))
            if r.status == 201:
                acknowledged.append(name)
                continue
            assert r.status in (500, 503), r
            status = r.json()
            assert status["kind"] == "Status" and status["status"] == "Failure", status
            assert "disk full" in status["message"] or "No space" in status["message"], status
            refused.append(name)
            if len(refused) >= 3:
                break
        assert refused, "no write failed on a full disk"
        # Reads go on, and the server stays up.
        r = srv.get(base)
        assert r.status == 200, r
        assert sorted(i["metadata"]["name"] for i in r.json()["items"]) == sorted(acknowledged)
        assert srv.get("/api/v1/namespaces/default").status == 200
        assert srv.proc.poll() is None

        # Space returns: writes work again without a restart.
        filler.unlink()
        wait_for(lambda: srv.post(base, configmap("after", 1000)).status == 201, timeout=30,
                 interval=0.5, what="a write to succeed once space returned")
        acknowledged.append("after")

        # Everything acknowledged survives a restart; nothing refused appears.
        srv.restart()
        names = sorted(i["metadata"]["name"] for i in srv.get(base).json()["items"])
        assert names == sorted(acknowledged)
        assert not set(refused) & set(names)
        log = srv.log_tail(200000)
        assert "disk full" in log or "No space" in log, log[-2000:]


def test_a_full_disk_at_start_is_reported_and_start_succeeds_once_space_returns():
    with small_disk_server() as srv:
        ns = unique("full-start")
        srv.create_namespace(ns)
        srv.create_configmap(ns, "kept", {"k": "v"})
        srv.stop()
        filler = srv.data_dir / "filler"
        fill(filler)
        # Starting on a full disk either works or fails saying the disk is full (not that the
        # store is damaged: it is not, and systemd's restarts succeed once space returns).
        try:
            srv.start(timeout=20)
            started = True
        except RuntimeError as e:
            started = False
            assert "disk full" in str(e) and "free space on its disk" in str(e), e
            assert "Move it aside" not in str(e), e
        if started:
            r = srv.get(f"/api/v1/namespaces/{ns}/configmaps/kept")
            assert r.status == 200, r
            srv.stop()
        filler.unlink()
        srv.start()
        r = srv.get(f"/api/v1/namespaces/{ns}/configmaps/kept")
        assert r.status == 200, r
        assert r.json()["data"] == {"k": "v"}
