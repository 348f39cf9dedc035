"""Shared helpers of skiff's end-to-end tests: servers, kubectl, raw HTTPS.

Every test module gets its own `skiff server` (module scope): its own temp dir, data dir,
kubeconfig and a free port on 127.0.0.1, so the test files can run in parallel under CTest.
Restart tests make fresh servers with `make_server`. Servers are always stopped and their temp
dirs removed, even when a test fails (set SKIFF_E2E_KEEP=1 to keep the dirs for debugging; the
server log is <dir>/server.log). A server is also killed if the pytest process dies
(PR_SET_PDEATHSIG), so nothing outlives a CTest timeout.

Clients are the real ones: kubectl 1.31 and 1.32 (never the /usr/bin/kubectl dispatcher),
python3-kubernetes (via /usr/bin/python3) and raw HTTPS with the kubeconfig's client cert.
"""

import base64
import contextlib
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import yaml

KUBECTL_DIR = "/usr/lib/google-cloud-sdk/bin"
# The versions every kubectl test runs with. kubectl 1.27 and 1.28 (which read /openapi/v2, in
# gnostic protobuf, for create -f, apply, diff and explain) have focused tests of their own in
# test_kubectl.py, so the whole suite does not run twice more.
KUBECTL_VERSIONS = ["1.29", "1.30", "1.31", "1.32", "1.33"]
REPO = Path(__file__).resolve().parents[3]


def skiff_binary():
    return os.environ.get("SKIFF_BINARY") or str(REPO / "build" / "skiff")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: the server gets SIGKILL if pytest goes away.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)


def unique(prefix):
    """A DNS-1123 label that no other test in this process uses."""
    unique.counter += 1
    return f"{prefix}-{os.getpid() % 10000}-{unique.counter}"


unique.counter = 0


def b64(text):
    return base64.b64encode(text.encode()).decode()


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    def __repr__(self):
        text = self.body[:3000].decode(errors="replace")
        return f"<HTTP {self.status} {dict(self.headers)} {text}>"


class WatchStream:
    """A raw watch response: one JSON event per line."""

    def __init__(self, conn, resp):
        self.conn = conn
        self.resp = resp
        self.status = resp.status
        self.headers = resp.headers

    def next_event(self):
        """The next event, or None when the server ended the stream.

        Raises socket.timeout when nothing arrives within the connection timeout."""
        line = self.resp.readline()
        if not line:
            return None
        return json.loads(line)

    def events_until_close(self):
        events = []
        while True:
            ev = self.next_event()
            if ev is None:
                return events
            events.append(ev)

    def close(self):
        self.conn.close()


class KubectlResult:
    def __init__(self, args, rc, out, err):
        self.args = args
        self.rc = rc
        self.out = out
        self.err = err

    def __repr__(self):
        return (f"<kubectl {' '.join(self.args)} rc={self.rc}\nstdout:\n{self.out}\n"
                f"stderr:\n{self.err}>")


class Kubectl:
    """A kubectl binary of one version pointed at one server."""

    def __init__(self, server, version):
        self.server = server
        self.version = version
        self.binary = f"{KUBECTL_DIR}/kubectl.{version}"
        self.cache_dir = server.root / f"kubectl-cache-{version}"

    def argv(self, *args):
        return [self.binary, "--kubeconfig", str(self.server.kubeconfig), "--cache-dir",
                str(self.cache_dir), *args]

    def env(self):
        env = dict(os.environ)
        env.pop("KUBECONFIG", None)
        env["HOME"] = str(self.server.root)
        return env

    def run(self, *args, input=None, timeout=60):
        p = subprocess.run(self.argv(*args), input=input, capture_output=True, text=True,
                           timeout=timeout, env=self.env())
        return KubectlResult(list(args), p.returncode, p.stdout, p.stderr)

    def ok(self, *args, input=None, timeout=60):
        r = self.run(*args, input=input, timeout=timeout)
        assert r.rc == 0, r
        return r

    def json(self, *args):
        return json.loads(self.ok(*args, "-o", "json").out)

    def popen(self, *args):
        return subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env(), preexec_fn=_die_with_parent)


class SkiffServer:
    def __init__(self, root, extra_args=(), agent=False, control_plane=False):
        self.root = Path(root)
        self.agent = agent
        self.control_plane = control_plane  # the scheduler and the controllers
        self.data_dir = self.root / "data"
        self.kubeconfig = self.root / "kubeconfig"
        self.manifests_dir = self.root / "manifests"
        self.log_path = self.root / "server.log"
        self.extra_args = list(extra_args)
        self.env = None  # the process's environment; None: this one's
        self.proc = None
        self.port = None
        self._log = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, port=None, timeout=30):
        """Starts the server (on `port`, else a free one) and waits for "running"."""
        for attempt in range(5):
            use = port or free_port()
            if self._start_once(use, timeout):
                return
            if port is not None and attempt >= 2:
                break
            time.sleep(0.2)
        raise RuntimeError(f"skiff server did not start:\n{self.log_tail()}")

    def _start_once(self, port, timeout):
        self._log = open(self.log_path, "ab")
        mark = self.log_path.stat().st_size
        # The manifests directory of its own (root's default is the host's /etc/skiff/manifests).
        argv = [skiff_binary(), "server", "--data-dir", str(self.data_dir), "--write-kubeconfig",
                str(self.kubeconfig), "--manifests-dir", str(self.manifests_dir),
                "--https-listen-port", str(port), "--bind-address",
                "127.0.0.1", *([] if self.agent else ["--disable-agent"]),
                *([] if self.control_plane else ["--disable-scheduler",
                                                 "--disable-controller-manager"]),
                *self.extra_args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log, env=self.env,
                                     stderr=self._log, preexec_fn=_die_with_parent)
        self.port = port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self._log_since(mark)
            # The server's own line: "node agent running" comes before the API listens.
            if re.search(r"\bserver: running\b", text):
                self._load_kubeconfig()
                return True
            if self.proc.poll() is not None:
                self._log.close()
                if "Address already in use" in self._log_since(mark):
                    return False
                raise RuntimeError(f"skiff server exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"skiff server did not log 'running' within {timeout}s:\n"
                           f"{self._log_since(mark)}")

    def _log_since(self, mark):
        with open(self.log_path, "rb") as f:
            f.seek(mark)
            return f.read().decode(errors="replace")

    def log_tail(self, n=4000):
        try:
            return self.log_path.read_bytes()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig` and waits; returns the exit code (SIGKILL after `timeout`)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        return rc

    def restart(self, sig=signal.SIGTERM):
        rc = self.stop(sig)
        self.start(port=self.port)
        return rc

    def _load_kubeconfig(self):
        deadline = time.monotonic() + 10
        while not self.kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        cfg = yaml.safe_load(self.kubeconfig.read_text())
        cluster = cfg["clusters"][0]["cluster"]
        user = cfg["users"][0]["user"]
        self.server_url = cluster["server"]
        pki = self.root / "pki"
        pki.mkdir(exist_ok=True)
        ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
        (pki / "ca.crt").write_text(ca)
        (pki / "client.crt").write_bytes(base64.b64decode(user["client-certificate-data"]))
        (pki / "client.key").write_bytes(base64.b64decode(user["client-key-data"]))
        os.chmod(pki / "client.key", 0o600)
        self.ca_file = str(pki / "ca.crt")
        self.ssl_anon = ssl.create_default_context(cadata=ca)
        self.ssl_auth = ssl.create_default_context(cadata=ca)
        self.ssl_auth.load_cert_chain(str(pki / "client.crt"), str(pki / "client.key"))

    # -- raw HTTPS --------------------------------------------------------------------------
    def connection(self, auth=True, timeout=15):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=self.ssl_auth if auth else self.ssl_anon)

    def request(self, method, path, body=None, headers=None, auth=True, content_type=None,
                timeout=15):
        hdrs = {"Accept": "application/json"}
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if body is not None:
            hdrs["Content-Type"] = content_type or "application/json"
        hdrs.update(headers or {})
        conn = self.connection(auth=auth, timeout=timeout)
        try:
            try:
                conn.request(method, path, body=body, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (e.g. 413) before reading the whole body
            resp = conn.getresponse()
            return Response(resp.status, resp.reason, resp.headers, resp.read())
        finally:
            conn.close()

    def curl(self, method, path, data_file, content_type="application/json", timeout=60):
        """curl, for bodies a server may answer before reading them in full (curl reads the
        response while it sends, as Go clients do; python's http.client does not)."""
        pki = self.root / "pki"
        out = subprocess.run(
            ["curl", "-sS", "-X", method, "--cacert", str(pki / "ca.crt"), "--cert",
             str(pki / "client.crt"), "--key", str(pki / "client.key"), "-H",
             f"Content-Type: {content_type}", "-H", "Accept: application/json",
             "--data-binary", f"@{data_file}", "-D", "-", "-o", str(data_file) + ".out",
             f"https://127.0.0.1:{self.port}{path}"],
            capture_output=True, text=True, timeout=timeout)
        assert out.returncode == 0, (out.returncode, out.stderr)
        head = out.stdout.splitlines()
        status = int(head[0].split()[1])
        headers = http.client.HTTPMessage()
        for line in head[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip()] = v.strip()
        body = Path(str(data_file) + ".out").read_bytes()
        return Response(status, head[0], headers, body)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def patch(self, path, body, content_type, **kw):
        return self.request("PATCH", path, body=body, content_type=content_type, **kw)

    def watch(self, path, params=None, timeout=15):
        """Opens a watch on a collection path; the caller closes it."""
        query = {"watch": "true", **(params or {})}
        sep = "&" if "?" in path else "?"
        conn = self.connection(timeout=timeout)
        conn.request("GET", path + sep + urllib.parse.urlencode(query),
                     headers={"Accept": "application/json"})
        return WatchStream(conn, conn.getresponse())

    # -- helpers ----------------------------------------------------------------------------
    def create_namespace(self, name, labels=None):
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        if labels:
            body["metadata"]["labels"] = labels
        r = self.post("/api/v1/namespaces", body)
        assert r.status == 201, r
        return r.json()

    def create(self, path, obj):
        r = self.post(path, obj)
        assert r.status == 201, r
        return r.json()

    def create_configmap(self, ns, name, data=None, labels=None):
        meta = {"name": name}
        if labels:
            meta["labels"] = labels
        return self.create(f"/api/v1/namespaces/{ns}/configmaps",
                           {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
                            "data": data or {}})

    def kubectl(self, version):
        return Kubectl(self, version)


def _new_root():
    return Path(tempfile.mkdtemp(prefix="skiff-e2e-api-"))


def _remove_root(root):
    if os.environ.get("SKIFF_E2E_KEEP"):
        print(f"kept {root}")
        return
    shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def running_server(*extra_args, control_plane=False):
    """A started server in a fresh temp dir (without its agent, and without its scheduler and
    controllers unless asked); stopped and removed on exit."""
    root = _new_root()
    srv = SkiffServer(root, extra_args, control_plane=control_plane)
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()
        _remove_root(root)


def wait_for(predicate, timeout=10, interval=0.05, what="condition"):
    """Polls `predicate` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def assert_status(resp, code, reason):
    """`resp` has HTTP code `code` and its body is a v1 Status failure with `reason`."""
    assert resp.status == code, resp
    assert (resp.header("Content-Type") or "").startswith("application/json"), resp
    st = resp.json()
    assert st.get("kind") == "Status", st
    assert st.get("apiVersion") == "v1", st
    assert st.get("status") == "Failure", st
    assert st.get("code") == code, st
    assert st.get("reason") == reason, st
    assert st.get("message"), st
    return st


def parse_table(text):
    """Parses kubectl's column output (one table) into (header names, rows as dicts)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines, f"no table in {text!r}"
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    rows = []
    for ln in lines[1:]:
        cells = []
        for i, s in enumerate(starts):
            e = starts[i + 1] if i + 1 < len(starts) else None
            cells.append(ln[s:e].strip())
        rows.append(dict(zip(names, cells)))
    return names, rows


def parse_tables(text):
    """kubectl get all prints several tables separated by blank lines."""
    return [parse_table(block) for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
