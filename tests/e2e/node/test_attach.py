"""kubectl attach (1.31, 1.32), `kubectl run -i --rm`, and the Python client's attach stream
against real containers: output as it comes, stdin (stdinOnce and not), and cleanup."""

import json
import os
import re
import subprocess
import time

import pytest
from kubernetes import client, config
from kubernetes.stream import stream

from conftest import IMAGE, unique
from node_e2e import delete_all_and_expect_nothing_left
from skiff_e2e import wait_for

NETWORK = ("skte2e7", "10.238.0.0/16", "10.239.0.0/16")


@pytest.fixture(scope="module")
def ns(node):
    name = unique("attach")
    node.create_namespace(name)
    return name


@pytest.fixture(scope="module")
def ticker(node, ns):
    """A pod printing a numbered line every 0.3 s."""
    spec = {"containers": [{"name": "main", "image": IMAGE, "command": [
        "sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.3; done"]}]}
    node.create_pod(ns, {"metadata": {"name": "ticker"}, "spec": spec})
    node.wait_phase(ns, "ticker", "Running")
    return "ticker"


@pytest.fixture(scope="module")
def reader(node, ns):
    """A pod whose container has stdin (not stdinOnce) and echoes what it reads."""
    spec = {"containers": [{"name": "main", "image": IMAGE, "stdin": True, "command": [
        "sh", "-c", "while read x; do echo got $x; done; echo stdin ended"]}]}
    node.create_pod(ns, {"metadata": {"name": "reader"}, "spec": spec})
    node.wait_phase(ns, "reader", "Running")
    return "reader"


@pytest.fixture(scope="module")
def core(node):
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(node.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        yield client.CoreV1Api(api_client)


def read_until(proc, pattern, timeout=20):
    """Reads proc's stdout until `pattern` (a regex) matches; returns what was read."""
    out = b""
    deadline = time.time() + timeout
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    while time.time() < deadline and not re.search(pattern, out.decode(errors="replace")):
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")


@pytest.mark.parametrize("version", ["1.31", "1.32"])
def test_attach_shows_new_lines(node, ns, ticker, version):
    k = node.kubectl(version)
    time.sleep(1)  # some lines are in the log already; attach shows only what comes next
    logged = k.ok("logs", "-n", ns, ticker).out.count("\n")
    proc = subprocess.Popen(k.argv("attach", "-n", ns, ticker, "-c", "main"), env=k.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = read_until(proc, r"line \d+\n.*line \d+\n")
    finally:
        proc.kill()
        proc.wait()
    numbers = [int(n) for n in re.findall(r"line (\d+)\n", out)]
    assert len(numbers) >= 2, out
    assert numbers[0] >= logged - 1, (numbers, logged)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), out


def test_run_interactive_rm(node, ns):
    k = node.kubectl("1.32")
    # skiff has no scheduler yet: the pod names the node itself.
    overrides = json.dumps({"apiVersion": "v1", "spec": {"nodeName": node.node_name}})
    r = k.run("run", "-n", ns, "oneshot", "-i", "--rm", "--restart=Never", f"--image={IMAGE}",
              f"--overrides={overrides}", "--", "sh", "-c", "read x; echo got $x",
              input="hello\n", timeout=120)
    assert r.rc == 0, (r, node.log_tail(6000))
    assert "got hello" in r.out, r
    assert 'pod "oneshot" deleted' in r.out, r
    wait_for(lambda: node.pod(ns, "oneshot") is None, timeout=60, interval=0.2,
             what="pod oneshot gone")


@pytest.mark.parametrize("word", ["one", "two"])
def test_attach_stdin_twice(node, ns, reader, word):
    """stdin without stdinOnce stays open across attaches: each session's line arrives, and
    the session ends when kubectl's stdin does (containerd's CRI behaviour)."""
    k = node.kubectl("1.32")
    proc = subprocess.Popen(k.argv("attach", "-i", "-n", ns, reader, "-c", "main"), env=k.env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(1)  # attached (kubectl sends stdin only once the stream is up)
        proc.stdin.write(f"{word}\n".encode())
        proc.stdin.flush()
        out = read_until(proc, f"got {word}\n")
        proc.stdin.close()  # ends the session, not the container's stdin
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert f"got {word}\n" in out, out
    assert rc == 0
    assert node.pod(ns, reader)["status"]["phase"] == "Running"


def test_python_client_attach_stream(node, ns, ticker, core):
    resp = stream(core.connect_get_namespaced_pod_attach, ticker, ns, container="main",
                  stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
    got = ""
    deadline = time.time() + 20
    while resp.is_open() and time.time() < deadline and len(re.findall(r"line \d+\n", got)) < 2:
        resp.update(timeout=1)
        got += resp.read_stdout()
    resp.close()
    assert len(re.findall(r"line \d+\n", got)) >= 2, got


def test_attach_errors(node, ns, ticker):
    k = node.kubectl("1.32")
    r = k.run("attach", "-n", ns, ticker, "-c", "nope")
    assert r.rc == 1, r
    # kubectl checks the container against the pod it read first (the server's own answer,
    # "container db is not valid for pod web", is in test_exec_protocol.py).
    assert f"error: cannot attach to the container: container nope not found in pod {ticker}" \
        in r.err, r


def test_nothing_left(node):
    """Deleting the pods removes their containers' attach sockets and FIFOs too."""
    ids = [cs["containerID"].split("://")[-1]
           for p in node.get("/api/v1/pods").json()["items"]
           for cs in p.get("status", {}).get("containerStatuses", []) if cs.get("containerID")]
    assert ids
    delete_all_and_expect_nothing_left(node)
    attach_dir = "/run/skiff/attach"
    left = [f for f in (os.listdir(attach_dir) if os.path.isdir(attach_dir) else [])
            if f.split(".")[0] in ids]
    assert left == []
