"""NFS volumes against a real userspace NFS server (nfs-ganesha, VFS export of a temp dir,
NFSv4 on 127.0.0.1:2049 only, no rpcbind needed), with `skiff server` and its agent:

  - a pod whose inline nfs volume names the live server: the pre-mount checks pass (the
    server answers the RPC NULL ping), and on a kernel without an NFS client -- these test
    machines -- the pod gets a FailedMount event naming the missing kernel support; the mount
    step itself is then reported as skipped, never passed. Where the kernel has NFS, the pod
    runs and reads a file written into the export.
  - a pod whose server is down (a 127.0.0.0/8 address nothing listens on) gets FailedMount
    "not answering" events at growing intervals (kubelet's 500 ms doubling back-off) while
    another pod on the node starts and runs; deleting the waiting pod takes no longer than a
    normal deletion.

ganesha.nfsd runs in the foreground with its config, pid, log and recovery files in a temp
dir, and is stopped (and the dir removed) whatever the outcome.
"""

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import IMAGE, delete_all_and_expect_nothing_left, unique, wait_for

NETWORK = ("sktnfs", "10.218.0.0/16", "10.219.0.0/16")
GANESHA = "/usr/bin/ganesha.nfsd"
NFS_ADDR = "127.0.0.1"
NFS_PORT = 2049
# A loopback address of this test's own: nothing listens on it (ganesha binds 127.0.0.1 only).
DEAD_SERVER = "127.88.0.1"
KERNEL_LACKS = "needs NFS support in the kernel, which this node lacks (no nfs in /proc/filesystems"


def rpc_null_v4(host, port, timeout=2.0):
    """True when an NFSv4 NULL call (RFC 5531, record marking) at host:port is accepted."""
    xid = 0x5CF1
    call = struct.pack(">10I", xid, 0, 2, 100003, 4, 0, 0, 0, 0, 0)
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(struct.pack(">I", 0x80000000 | len(call)) + call)
            mark = s.recv(4, socket.MSG_WAITALL)
            body = s.recv(struct.unpack(">I", mark)[0] & 0x7FFFFFFF, socket.MSG_WAITALL)
    except OSError:
        return False
    words = struct.unpack(f">{len(body) // 4}I", body[:len(body) // 4 * 4])
    # xid, REPLY, MSG_ACCEPTED, verifier (AUTH_NONE, 0), SUCCESS
    return len(words) >= 6 and words[0] == xid and words[1] == 1 and words[2] == 0 and words[5] == 0


def kernel_can_mount_nfs():
    """As the agent decides: nfs in /proc/filesystems, or an nfs module it may load."""
    with open("/proc/filesystems") as f:
        if any(line.split()[-1] in ("nfs", "nfs4") for line in f if line.strip()):
            return True
    dep = Path("/lib/modules") / os.uname().release / "modules.dep"
    disabled = Path("/proc/sys/kernel/modules_disabled")
    listed = dep.exists() and "/fs/nfs/nfs.ko" in dep.read_text()
    return listed and disabled.exists() and disabled.read_text().strip() == "0"


def port_taken(host, port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


GANESHA_CONF = """
NFS_CORE_PARAM {{
  Bind_addr = {addr};
  NFS_Port = {port};
  Protocols = 4;
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
}}
NFS_KRB5 {{ Active_krb5 = false; }}
NFSV4 {{
  Graceless = true;
  RecoveryBackend = fs;
  RecoveryRoot = {root}/recovery;
}}
EXPORT {{
  Export_Id = 1;
  Path = {root}/export;
  Pseudo = /export;
  Access_Type = RW;
  Squash = No_Root_Squash;
  Protocols = 4;
  Transports = TCP;
  SecType = sys;
  FSAL {{ Name = VFS; }}
}}
LOG {{ Default_Log_Level = EVENT; }}
"""


@pytest.fixture(scope="module")
def ganesha():
    """A running ganesha.nfsd exporting a temp dir as 127.0.0.1:/export (NFSv4)."""
    if not os.access(GANESHA, os.X_OK):
        pytest.fail(f"{GANESHA} is missing: scripts/install-deps.sh installs nfs-ganesha")
    if port_taken(NFS_ADDR, NFS_PORT):
        pytest.skip(f"{NFS_ADDR}:{NFS_PORT} is taken by another process; the inline nfs "
                    "volume can only name port 2049")
    root = Path(tempfile.mkdtemp(prefix="skiff-e2e-nfs-"))
    (root / "export").mkdir()
    (root / "recovery").mkdir()
    (root / "export" / "hello.txt").write_text("written into the export\n")
    conf = root / "ganesha.conf"
    conf.write_text(GANESHA_CONF.format(addr=NFS_ADDR, port=NFS_PORT, root=root))
    log = root / "ganesha.log"
    proc = subprocess.Popen([GANESHA, "-F", "-f", str(conf), "-L", str(log),
                             "-p", str(root / "ganesha.pid"), "-N", "NIV_EVENT"],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"ganesha.nfsd exited ({proc.returncode}):\n"
                                     + (log.read_text() if log.exists() else ""))
            return rpc_null_v4(NFS_ADDR, NFS_PORT, timeout=1.0)
        try:
            wait_for(ready, timeout=30, interval=0.2, what="ganesha.nfsd answering NFSv4 NULL")
        except AssertionError:
            print(log.read_text() if log.exists() else "(no ganesha log)")
            raise
        yield {"root": root, "export": root / "export", "log": log}
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def nfs_pod(name, server, path="/export", command="cat /data/hello.txt && sleep 3600"):
    return {"metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "main", "image": IMAGE,
                                     "command": ["sh", "-c", command],
                                     "volumeMounts": [{"name": "share", "mountPath": "/data"}]}],
                     "volumes": [{"name": "share", "nfs": {"server": server, "path": path}}]}}


def failed_mounts(node, name):
    return [e for e in node.events_for("default", name) if e["reason"] == "FailedMount"]


def test_inline_nfs_volume_passes_the_pre_mount_checks(node, ganesha):
    name = unique("nfs-live")
    node.create_pod("default", nfs_pod(name, NFS_ADDR))
    if kernel_can_mount_nfs():
        node.wait_phase("default", name, "Running", timeout=60)
    else:
        events = wait_for(lambda: failed_mounts(node, name), timeout=60, interval=0.2,
                          what="FailedMount event")
        message = events[0]["message"]
        assert events[0]["type"] == "Warning"
        # The server answered the ping; what stops the mount is the kernel, named plainly.
        assert message.startswith('MountVolume.SetUp failed for volume "share" : mount of '
                                  "127.0.0.1:/export " + KERNEL_LACKS), message
        assert "not answering" not in message
        # (The status is posted just after the event.)
        p = node.wait_pod("default", name, lambda p: [
            s for s in p["status"].get("containerStatuses", [])
            if s["state"].get("waiting", {}).get("reason") == "ContainerCreating"],
            timeout=10, what="container waiting in ContainerCreating")
        assert p["status"]["phase"] == "Pending"
    node.delete_pod_and_wait("default", name)


def test_inline_nfs_volume_serves_the_export(node, ganesha):
    if not kernel_can_mount_nfs():
        pytest.skip("kernel has no NFS client (no nfs in /proc/filesystems, no loadable nfs "
                    "module): the mount itself cannot happen on this machine")
    name = unique("nfs-read")
    node.create_pod("default", nfs_pod(name, NFS_ADDR))
    node.wait_phase("default", name, "Running", timeout=60)
    logs = wait_for(lambda: node.kubectl_ok("logs", "-n", "default", name).out or None,
                    timeout=30, what="container output")
    assert logs.strip() == "written into the export"
    (ganesha["export"] / "later.txt").write_text("seen through NFS\n")
    out = node.kubectl_ok("exec", "-n", "default", name, "--", "cat", "/data/later.txt").out
    assert out.strip() == "seen through NFS"
    node.delete_pod_and_wait("default", name)
    # The agent unmounted it.
    with open("/proc/self/mountinfo") as f:
        assert not [l for l in f if " nfs" in l and str(node.data_dir) in l]


def test_dead_server_backs_off_while_other_pods_run(node):
    waiting = unique("nfs-dead")
    node.create_pod("default", nfs_pod(waiting, DEAD_SERVER))
    # Each try bumps the one folded FailedMount event's count: note when it changes.
    seen = []  # (monotonic time, count)
    start = time.monotonic()
    other = unique("nfs-other")
    other_created = False
    while time.monotonic() - start < 17:
        events = failed_mounts(node, waiting)
        if events:
            count = sum(e.get("count", 1) for e in events)
            if not seen or count != seen[-1][1]:
                seen.append((time.monotonic(), count))
            if not other_created:
                # The node keeps serving: another pod starts while this one waits.
                node.create_pod("default", {"metadata": {"name": other}, "spec": {
                    "terminationGracePeriodSeconds": 1,
                    "containers": [{"name": "main", "image": IMAGE,
                                    "command": ["sh", "-c", "sleep 3600"]}]}})
                other_created = True
        time.sleep(0.05)
    events = failed_mounts(node, waiting)
    assert events, node.log_tail(4000)
    assert events[0]["type"] == "Warning"
    assert events[0]["message"] == (
        'MountVolume.SetUp failed for volume "share" : NFS server '
        f'{DEAD_SERVER}:2049 is not answering: connection refused')
    # Tries at about 0, 0.5, 1.5, 3.5, 7.5 and 15.5 s: intervals that grow.
    intervals = [b[0] - a[0] for a, b in zip(seen, seen[1:])]
    print("FailedMount tries", [c for _, c in seen], "intervals", [round(i, 2) for i in intervals])
    assert len(seen) >= 4, seen
    assert len(seen) <= 8, f"more tries than a back-off allows: {seen}"
    for shorter, longer in zip(intervals, intervals[1:]):
        assert longer > shorter * 1.3, f"intervals do not grow: {intervals}"
    assert intervals[-1] >= 3.0, intervals

    assert other_created
    node.wait_phase("default", other, "Running", timeout=60)
    p = node.pod("default", waiting)
    assert p["status"]["phase"] == "Pending"
    statuses = p["status"].get("containerStatuses", [])
    assert statuses and statuses[0]["state"]["waiting"]["reason"] == "ContainerCreating"

    began = time.monotonic()
    node.delete_pod_and_wait("default", waiting, timeout=30)
    assert time.monotonic() - began < 10
    node.delete_pod_and_wait("default", other)


def test_nothing_left_behind(node):
    delete_all_and_expect_nothing_left(node)
