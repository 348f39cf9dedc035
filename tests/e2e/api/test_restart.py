"""Objects and resourceVersions survive a restart, after SIGTERM and after SIGKILL."""

import signal

import pytest

from conftest import unique


def snapshot(server, ns):
    lst = server.get(f"/api/v1/namespaces/{ns}/configmaps")
    assert lst.status == 200, lst
    body = lst.json()
    return {i["metadata"]["name"]: i for i in body["items"]}, body["metadata"]["resourceVersion"]


def bootstrap_ids(server):
    ids = {}
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        r = server.get(f"/api/v1/namespaces/{ns}")
        assert r.status == 200, r
        ids[f"ns/{ns}"] = r.json()["metadata"]["uid"]
    svc = server.get("/api/v1/namespaces/default/services/kubernetes").json()
    ids["svc/kubernetes"] = (svc["metadata"]["uid"], svc["spec"]["clusterIP"])
    return ids


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_restart_keeps_objects_and_versions(make_server, sig):
    server = make_server()
    server.start()
    ns = unique("rs")
    server.create_namespace(ns)
    base = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(5):
        server.create_configmap(ns, f"c{i}", {"i": str(i)})
    c1 = server.get(base + "/c1").json()
    c1["data"]["i"] = "one"
    assert server.put(base + "/c1", c1).status == 200
    assert server.delete(base + "/c2").status == 200
    deploy = server.create(f"/apis/apps/v1/namespaces/{ns}/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "d"}},
                 "template": {"metadata": {"labels": {"app": "d"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    # the last write is acknowledged right before the signal: it must survive SIGKILL too
    last = server.create_configmap(ns, "last", {"i": "last"})
    before, list_rv = snapshot(server, ns)
    ids = bootstrap_ids(server)
    assert sorted(before) == ["c0", "c1", "c3", "c4", "last"], before

    rc = server.restart(sig)
    if sig == signal.SIGTERM:
        assert rc == 0, server.log_tail()
    else:
        assert rc == -signal.SIGKILL

    after, list_rv_after = snapshot(server, ns)
    assert after == before  # same objects, same uids, same resourceVersions
    assert int(list_rv_after) >= int(list_rv)
    assert server.get(base + "/last").json() == last
    assert server.get(base + "/c2").status == 404
    d = server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/d")
    assert d.status == 200, d
    assert d.json()["metadata"]["uid"] == deploy["metadata"]["uid"], d
    assert d.json()["metadata"]["resourceVersion"] == deploy["metadata"]["resourceVersion"], d
    assert d.json()["spec"]["replicas"] == 2, d
    assert bootstrap_ids(server) == ids  # bootstrap objects are not made again

    # new writes get larger resourceVersions than anything before the restart
    highest = max(int(o["metadata"]["resourceVersion"]) for o in before.values())
    new = server.create_configmap(ns, "new", {"i": "new"})
    assert int(new["metadata"]["resourceVersion"]) > max(highest, int(list_rv))
    c3 = server.get(base + "/c3").json()
    c3["data"]["i"] = "three"
    r = server.put(base + "/c3", c3)
    assert r.status == 200, r
    assert int(r.json()["metadata"]["resourceVersion"]) > int(new["metadata"]["resourceVersion"])

    # a stale resourceVersion from before the restart is still a conflict
    stale = dict(before["c3"], data={"i": "stale"})
    assert server.put(base + "/c3", stale).status == 409

    # a client that watched before the restart resumes from its last version
    w = server.watch(base, {"resourceVersion": list_rv, "timeoutSeconds": "1"})
    try:
        events = [(e["type"], e["object"]["metadata"]["name"]) for e in w.events_until_close()
                  if e["object"]["metadata"]["name"] in {"new", "c3"}]
    finally:
        w.close()
    assert events == [("ADDED", "new"), ("MODIFIED", "c3")], events


def test_restart_twice_and_kubeconfig_still_works(make_server):
    server = make_server()
    server.start()
    ns = unique("r2")
    server.create_namespace(ns)
    server.create_configmap(ns, "keep", {"k": "v"})
    ca = (server.root / "pki" / "ca.crt").read_text()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        server.restart(sig)
        # same CA: clients configured before the restart keep working
        assert (server.root / "pki" / "ca.crt").read_text() == ca
        r = server.get(f"/api/v1/namespaces/{ns}/configmaps/keep")
        assert r.status == 200 and r.json()["data"] == {"k": "v"}, r
    k = server.kubectl("1.32")
    r = k.run("get", "cm", "keep", "-n", ns, "-o", "jsonpath={.data.k}")
    assert r.rc == 0 and r.out == "v", r
