"""Images pulled from a registry: Debian's docker-registry on loopback (plain HTTP, as Docker
and containerd allow for loopback registries), with an image pushed by skopeo."""

import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import IMAGE, free_port, unique, wait_for
from images import build_busybox_layout, push

NETWORK = ("skte2e2", "10.233.0.0/16", "10.234.0.0/16")


@pytest.fixture(scope="module")
def registry(image_archive):
    root = Path(tempfile.mkdtemp(prefix="skiff-e2e-registry-"))
    port = free_port()
    cfg = root / "config.yml"
    cfg.write_text(f"""version: 0.1
storage:
  filesystem:
    rootdirectory: {root}/data
http:
  addr: 127.0.0.1:{port}
""")
    proc = subprocess.Popen(["docker-registry", "serve", str(cfg)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        addr = f"127.0.0.1:{port}"
        wait_for(lambda: subprocess.run(["curl", "-sf", f"http://{addr}/v2/"],
                                        capture_output=True).returncode == 0,
                 timeout=20, what="registry up")
        push(image_archive[1], "v1", addr, "e2e/pulled")
        yield addr
    finally:
        proc.kill()
        proc.wait()
        subprocess.run(["rm", "-rf", str(root)])


def waiting_reason(p):
    for s in p.get("status", {}).get("containerStatuses", []):
        return s.get("state", {}).get("waiting", {}).get("reason")
    return None


def test_pull_from_loopback_registry_with_events(node, registry):
    name = unique("pull")
    image = f"{registry}/e2e/pulled:v1"
    node.create_pod("default", {"metadata": {"name": name}, "spec": {"containers": [
        {"name": "main", "image": image, "command": ["sh", "-c", "echo pulled; sleep 3600"]}]}})
    p = node.wait_phase("default", name, "Running", timeout=90)
    cs = p["status"]["containerStatuses"][0]
    assert cs["imageID"].startswith(f"{registry}/e2e/pulled@sha256:")
    reasons = [e["reason"] for e in node.events_for("default", name)]
    assert "Pulling" in reasons and "Pulled" in reasons
    pulled = [e["message"] for e in node.events_for("default", name) if e["reason"] == "Pulled"]
    assert any(m.startswith(f'Successfully pulled image "{image}" in ') for m in pulled), pulled
    wait_for(lambda: node.kubectl_ok("logs", name).out == "pulled\n", what="log")
    node.delete_pod_and_wait("default", name)
    # IfNotPresent now finds the image on the machine.
    again = unique("again")
    node.create_pod("default", {"metadata": {"name": again}, "spec": {"containers": [
        {"name": "main", "image": image, "imagePullPolicy": "IfNotPresent",
         "command": ["sleep", "3600"]}]}})
    node.wait_phase("default", again, "Running")
    msgs = [e["message"] for e in node.events_for("default", again) if e["reason"] == "Pulled"]
    assert any("already present on machine" in m for m in msgs), msgs
    node.delete_pod_and_wait("default", again)


def test_missing_image_shows_err_image_pull_then_backoff(node, registry):
    name = unique("missing")
    image = f"{registry}/e2e/absent:v1"
    node.create_pod("default", {"metadata": {"name": name}, "spec": {"containers": [
        {"name": "main", "image": image}]}})
    node.wait_pod("default", name, lambda p: waiting_reason(p) in ("ErrImagePull",
                                                                    "ImagePullBackOff"),
                  timeout=60, what="pull failure")
    p = node.wait_pod("default", name, lambda p: waiting_reason(p) == "ImagePullBackOff",
                      timeout=60, what="ImagePullBackOff")
    assert p["status"]["phase"] == "Pending"
    failed = [e["message"] for e in node.events_for("default", name) if e["reason"] == "Failed"]
    assert any(m.startswith(f'Failed to pull image "{image}"') and "not found" in m
               for m in failed), failed
    out = node.kubectl_ok("get", "pod", name).out
    assert "ImagePullBackOff" in out or "ErrImagePull" in out
    node.delete_pod_and_wait("default", name)


def test_unreachable_registry(node):
    name = unique("unreach")
    port = free_port()
    node.create_pod("default", {"metadata": {"name": name}, "spec": {"containers": [
        {"name": "main", "image": f"127.0.0.1:{port}/nothing:v1"}]}})
    p = node.wait_pod("default", name, lambda p: waiting_reason(p) in ("ErrImagePull",
                                                                        "ImagePullBackOff"),
                      timeout=60, what="pull failure")
    failed = [e["message"] for e in node.events_for("default", name) if e["reason"] == "Failed"]
    assert any("connection refused" in m for m in failed), failed
    node.delete_pod_and_wait("default", name)


def test_unused_pulled_images_are_garbage_collected(node, registry, tmp_path):
    """kubelet's image GC with its flags: past --image-gc-high-threshold, pulled images no
    container uses and older than --minimum-image-ttl-duration go; an image a running pod
    uses and the airgap images stay."""
    # Two images of their own (e2e/pulled:v1 is the airgap image's twin, which is pinned).
    unused = f"{registry}/e2e/unused:v2"
    inuse = f"{registry}/e2e/inuse:v3"
    for repo, tag in (("e2e/unused", "v2"), ("e2e/inuse", "v3")):
        layout = build_busybox_layout(tmp_path / tag, tag, cmd=("sh", "-c", f"echo {tag}"))
        push(layout, tag, registry, repo)
    gone = unique("gone")
    node.create_pod("default", {"metadata": {"name": gone}, "spec": {"containers": [
        {"name": "main", "image": unused, "command": ["sleep", "3600"]}]}})
    node.wait_phase("default", gone, "Running", timeout=90)
    node.delete_pod_and_wait("default", gone)
    keeper = unique("keeper")
    node.create_pod("default", {"metadata": {"name": keeper}, "spec": {"containers": [
        {"name": "main", "image": inuse, "command": ["sleep", "3600"]}]}})
    node.wait_phase("default", keeper, "Running", timeout=90)

    flags = ["--image-gc-high-threshold=1", "--image-gc-low-threshold=0",
             "--minimum-image-ttl-duration=0s"]
    node.stop()
    node.extra_args += flags
    mark = len(node.log_path.read_bytes())
    try:
        node.start(port=node.port, timeout=60)
        wait_for(lambda: "removed unused images" in node.log_path.read_bytes()[mark:].decode(
            errors="replace"), timeout=60, what="an image garbage collection")

        def never_pull(name, image):
            node.create_pod("default", {"metadata": {"name": name}, "spec": {"containers": [
                {"name": "main", "image": image, "imagePullPolicy": "Never",
                 "command": ["sleep", "3600"]}]}})

        # The unused pulled image is gone: a pod that may not pull it cannot start.
        absent = unique("absent")
        never_pull(absent, unused)
        node.wait_pod("default", absent, lambda p: waiting_reason(p) == "ErrImageNeverPull",
                      what="ErrImageNeverPull for the collected image")
        # The image in use, and the airgap image, are still there.
        for name, image in ((unique("inuse"), inuse), (unique("airgap"), IMAGE)):
            never_pull(name, image)
            node.wait_phase("default", name, "Running")
            node.delete_pod_and_wait("default", name)
        assert node.pod("default", keeper)["status"]["phase"] == "Running"
        node.delete_pod_and_wait("default", absent)
        node.delete_pod_and_wait("default", keeper)
    finally:
        node.stop()
        node.extra_args = [a for a in node.extra_args if a not in flags]
        node.start(port=node.port, timeout=60)
