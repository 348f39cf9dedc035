"""What a power cut can leave behind is repaired or discarded at start, never a crash loop, and
nothing acknowledged is lost: a torn tail on the store's write-ahead log and a garbage
shared-memory index, half-written certificates, an empty token file, a half-written manifests
state file and kubeconfig."""

import os
import signal

from skiff_e2e import unique


def test_a_torn_wal_tail_and_a_garbage_wal_index_lose_nothing_acknowledged(make_server):
    srv = make_server()
    srv.start()
    ns = unique("torn")
    srv.create_namespace(ns)
    for i in range(20):
        srv.create_configmap(ns, f"c{i}", {"i": str(i)})
    before = srv.get(f"/api/v1/namespaces/{ns}/configmaps").json()
    assert srv.stop(signal.SIGKILL) == -signal.SIGKILL
    db = srv.data_dir / "server" / "db" / "state.db"
    wal = db.with_name("state.db-wal")
    shm = db.with_name("state.db-shm")
    assert wal.exists(), "the store keeps a write-ahead log"
    # A transaction the cut interrupted: part of a frame at the log's end.
    with open(wal, "ab") as f:
        f.write(os.urandom(3000))
    if shm.exists():
        shm.write_bytes(os.urandom(shm.stat().st_size))
    srv.start()
    after = srv.get(f"/api/v1/namespaces/{ns}/configmaps").json()
    assert [(i["metadata"]["name"], i["metadata"]["resourceVersion"]) for i in after["items"]] == \
        [(i["metadata"]["name"], i["metadata"]["resourceVersion"]) for i in before["items"]]
    srv.create_configmap(ns, "after", {"k": "v"})
    srv.restart(signal.SIGKILL)
    assert srv.get(f"/api/v1/namespaces/{ns}/configmaps/after").status == 200


def test_half_written_certificates_token_state_and_kubeconfig_are_repaired(make_server):
    srv = make_server()
    srv.start()
    ns = unique("halfw")
    srv.create_namespace(ns)
    ca_before = (srv.data_dir / "server" / "tls" / "ca.crt").read_bytes()
    srv.stop(signal.SIGKILL)
    tls = srv.data_dir / "server" / "tls"
    for name in ("serving.crt", "client-admin.key"):
        text = (tls / name).read_bytes()
        (tls / name).write_bytes(text[: len(text) // 2])
    (srv.data_dir / "server" / "token").write_bytes(b"")
    state = srv.data_dir / "server" / "manifests.json"
    state.write_text('{"files": {"a.yaml": {"objects": [')
    kubeconfig = srv.kubeconfig.read_bytes()
    srv.kubeconfig.write_bytes(kubeconfig[: len(kubeconfig) // 3])

    srv.start()  # reloads the rewritten kubeconfig and its new admin certificate
    assert (tls / "ca.crt").read_bytes() == ca_before, "the CA must never change"
    assert srv.get(f"/api/v1/namespaces/{ns}").status == 200
    token = (srv.data_dir / "server" / "token").read_text().strip()
    assert len(token) == 64
    r = srv.get("/api/v1/namespaces/default", auth=False,
                headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r
    log = srv.log_tail(100000)
    assert "issued a certificate" in log
    assert "the token file is empty" in log
    assert state.with_name("manifests.json.corrupt").exists()
