"""`skiff backup` and `skiff restore` with the real binary and kubectl: a backup taken while the
server runs brings a new data directory back with every object, the same CA (the original
kubeconfig still works) and the same admin token; what they refuse exits 1 with the cause."""

import base64
import json
import subprocess

from conftest import skiff_binary, unique

KUBECTL = "1.32"


def skiff(*args):
    return subprocess.run([skiff_binary(), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_backup_and_restore_round_trip(make_server):
    old = make_server()
    old.start()
    kubectl = old.kubectl(KUBECTL)
    ns = unique("backup")
    kubectl.ok("create", "namespace", ns)
    kubectl.ok("create", "configmap", "settings", "-n", ns, "--from-literal=mode=edge")
    kubectl.ok("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=hunter2")
    before = {kind: kubectl.json("get", kind, name, "-n", ns)
              for kind, name in (("configmap", "settings"), ("secret", "creds"))}
    before["namespace"] = kubectl.json("get", "namespace", ns)

    backup = old.root / "box.backup"
    r = skiff("backup", backup, "--data-dir", old.data_dir)  # the server keeps running
    assert r.returncode == 0, r
    assert r.stdout.startswith(f"backup: wrote {backup} ("), r
    assert "objects, and " in r.stdout and r.stderr == "", r
    assert backup.stat().st_mode & 0o777 == 0o600
    kubectl.ok("create", "configmap", "later", "-n", ns)  # after the backup: not in it
    assert old.stop() == 0, old.log_tail()

    new = make_server()
    r = skiff("restore", backup, "--data-dir", new.data_dir)
    assert r.returncode == 0, r
    assert f"restore: start it with: skiff server --data-dir {new.data_dir}" in r.stdout, r
    new.start()

    # The original kubeconfig (old CA, old admin certificate), pointed at the new server.
    again = ["--server", new.server_url]
    for kind, name in (("configmap", "settings"), ("secret", "creds"), ("namespace", ns)):
        got = json.loads(kubectl.ok(*again, "get", kind, name, "-n", ns, "-o", "json").out)
        assert got["metadata"]["uid"] == before[kind]["metadata"]["uid"], got
        assert (got["metadata"]["resourceVersion"] ==
                before[kind]["metadata"]["resourceVersion"]), got
    cm = json.loads(kubectl.ok(*again, "get", "configmap", "settings", "-n", ns, "-o",
                               "json").out)
    assert cm["data"] == {"mode": "edge"}
    secret = json.loads(kubectl.ok(*again, "get", "secret", "creds", "-n", ns, "-o", "json").out)
    assert base64.b64decode(secret["data"]["password"]) == b"hunter2"
    missing = kubectl.run(*again, "get", "configmap", "later", "-n", ns)
    assert missing.rc != 0 and "NotFound" in missing.err, missing

    # The same CA and the same admin token.
    for path in ("server/tls/ca.crt", "server/tls/ca.key", "server/token"):
        assert (new.data_dir / path).read_bytes() == (old.data_dir / path).read_bytes(), path
    token = (old.data_dir / "server/token").read_text().strip()
    r = new.get(f"/api/v1/namespaces/{ns}", auth=False,
                headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r

    # The restored server takes new writes.
    kubectl.ok(*again, "create", "configmap", "after-restore", "-n", ns)


def test_backup_and_restore_refuse_with_the_cause(make_server):
    srv = make_server()
    srv.start()
    backup = srv.root / "box.backup"
    r = skiff("backup", backup, "--data-dir", srv.data_dir)
    assert r.returncode == 0, r

    r = skiff("backup", backup, "--data-dir", srv.data_dir)
    assert r.returncode == 1, r
    assert r.stderr == (f"skiff: backup: {backup} already exists; skiff backup never replaces "
                        "a file: remove it or name another\n"), r

    r = skiff("restore", backup, "--data-dir", srv.data_dir)  # the running server's own
    assert r.returncode == 1, r
    assert r.stderr.startswith(f"skiff: restore: {srv.data_dir} is not empty (it holds "), r

    junk = srv.root / "junk.backup"
    junk.write_text("not a backup\n")
    target = srv.root / "target"
    r = skiff("restore", junk, "--data-dir", target)
    assert r.returncode == 1, r
    assert r.stderr == (f"skiff: restore: {junk} is not a skiff backup (not an SQLite "
                        "database)\n"), r
    assert not target.exists()

    r = skiff("restore", "--data-dir", target)
    assert r.returncode == 2, r
    assert "needs one argument: the backup FILE" in r.stderr, r
