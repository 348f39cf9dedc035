"""The node agent after a power cut: skiff is killed with SIGKILL while pods run, then the files
a disk that lost data would leave are damaged by hand -- the image store's metadata.json and an
image blob, a container log cut mid-line, pod records (one with a whole spare beside it, one
without) -- and skiff starts again. It must start (no crash loop), get both pods Running again
(the one whose record is lost in a new sandbox, the old one torn down), serve their logs, and
import the damaged image again."""

import hashlib
import json
import signal
import subprocess
import time
from pathlib import Path

from conftest import IMAGE, delete_all_and_expect_nothing_left, unique, wait_for

NETWORK = ("skte2e4", "10.243.0.0/16", "10.244.0.0/16")


def pod(name, command):
    return {"metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": IMAGE,
                                     "command": ["sh", "-c", command]}],
                     "terminationGracePeriodSeconds": 2}}


def running(node, name):
    def ok(p):
        statuses = p.get("status", {}).get("containerStatuses", [])
        return (p.get("status", {}).get("phase") == "Running" and statuses
                and statuses[0].get("state", {}).get("running"))
    return node.wait_pod("default", name, ok, what=f"{name} running")


def pod_dir(node, p):
    return Path(node.data_dir) / "agent" / "pods" / p["metadata"]["uid"]


def log_file(p):
    m = p["metadata"]
    return Path("/var/log/pods") / f"{m['namespace']}_{m['name']}_{m['uid']}" / "main" / "0.log"


def shim_running(sandbox):
    return subprocess.run(["pgrep", "-f", f"containerd-shim-runc-v2 .*-id {sandbox}"],
                          capture_output=True).returncode == 0


def test_power_cut_damage_is_repaired_at_start(node):
    lost, kept = unique("lost"), unique("kept")
    node.create_pod("default", pod(lost, "echo before-1; echo before-2; exec sleep 3600"))
    node.create_pod("default", pod(kept, "echo kept-1; exec sleep 3600"))
    p_lost, p_kept = running(node, lost), running(node, kept)
    wait_for(lambda: "before-2" in node.kubectl_ok("logs", lost).out, timeout=20,
             what="the first lines logged")
    lost_dir, kept_dir = pod_dir(node, p_lost), pod_dir(node, p_kept)
    old_sandbox = json.loads((lost_dir / "record.json").read_text())["sandboxID"]
    kept_sandbox = json.loads((kept_dir / "record.json").read_text())["sandboxID"]
    store = Path(node.data_dir) / "agent" / "image-store"
    meta = json.loads((store / "metadata.json").read_text())
    image_id = next(i["id"] for i in meta["images"] if any(t.endswith(IMAGE) for t in i["repo_tags"]))
    config_blob = store / "content" / "blobs" / "sha256" / image_id[len("sha256:"):]

    node.stop(signal.SIGKILL)
    # What a power cut on a disk that lost data leaves.
    (store / "metadata.json").write_bytes(b'{"version": 1, "images": [{"id": "sha2')
    config_blob.chmod(0o644)
    config_blob.write_bytes(config_blob.read_bytes()[:-7] + b"garbage")
    with open(log_file(p_lost), "ab") as f:
        f.write(b"2024-01-02T03:0")
    (lost_dir / "record.json").write_bytes(b'{"uid": "' + p_lost["metadata"]["uid"].encode())
    (lost_dir / "record.json.spare").write_bytes(b"\0" * 100)
    (kept_dir / "record.json").write_bytes(b"")

    node.start(port=node.port, timeout=60)
    time.sleep(1)
    assert node.proc.poll() is None, node.log_tail()
    log = node.log_tail(200000)
    assert "image metadata is damaged" in log and "discarding a damaged blob" in log, log

    # The image is imported again from the airgap directory: name, pin and blob are back.
    meta = json.loads((store / "metadata.json").read_text())
    image = next(i for i in meta["images"] if i["id"] == image_id)
    assert any(t.endswith(IMAGE) for t in image["repo_tags"]) and image["pinned"], image
    assert hashlib.sha256(config_blob.read_bytes()).hexdigest() == image_id[len("sha256:"):]
    assert (store / "metadata.json.damaged").exists()

    # The pod whose record is lost runs again in a new sandbox; the old one is gone.
    def restarted():
        p = running(node, lost)
        record = json.loads((lost_dir / "record.json").read_text())
        return p if record["sandboxID"] != old_sandbox else None
    wait_for(restarted, timeout=60, what="the pod with the lost record in a new sandbox")
    wait_for(lambda: not shim_running(old_sandbox), timeout=20, what="the old shim gone")
    assert not (Path(node.data_dir) / "agent" / "sandboxes" / old_sandbox).exists()
    # Its log: the line cut short does not glue to what the new attempt wrote.
    wait_for(lambda: node.kubectl_ok("logs", lost).out.count("before-2") == 2, timeout=20,
             what="the new attempt's lines")
    assert node.kubectl_ok("logs", lost).out == "before-1\nbefore-2\nbefore-1\nbefore-2\n"
    assert node.kubectl_ok("logs", lost, "--tail", "1").out == "before-2\n"

    # The pod whose record.json alone is damaged is read from the spare: same sandbox.
    running(node, kept)
    assert json.loads((kept_dir / "record.json").read_text())["sandboxID"] == kept_sandbox
    assert "kept-1" in node.kubectl_ok("logs", kept).out

    delete_all_and_expect_nothing_left(node)
