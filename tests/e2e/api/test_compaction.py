"""410 Gone once history is compacted (server with --compact-interval 1s)."""

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from conftest import assert_status, running_server, unique, wait_for


@pytest.fixture(scope="module")
def server():
    with running_server("--compact-interval", "1s") as srv:
        yield srv


@pytest.fixture
def ns(server):
    name = unique("gc")
    server.create_namespace(name)
    return name


def bump(server, ns, name, counter=[0]):
    """One more write, so compaction has something newer to keep."""
    counter[0] += 1
    r = server.patch(f"/api/v1/namespaces/{ns}/configmaps/{name}",
                     {"data": {"n": str(counter[0])}}, "application/merge-patch+json")
    if r.status != 200:  # patch support may be missing: fall back to a create
        server.create_configmap(ns, f"{name}-{counter[0]}", {"n": "1"})


def test_watch_from_compacted_version_gives_410_event(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    old = server.create_configmap(ns, "gone", {"n": "0"})["metadata"]["resourceVersion"]

    def first_event():
        bump(server, ns, "gone")
        w = server.watch(base, {"resourceVersion": old, "timeoutSeconds": "1"})
        try:
            assert w.status == 200, w.status
            ev = w.next_event()
        finally:
            w.close()
        return ev if ev and ev["type"] == "ERROR" else None

    ev = wait_for(first_event, timeout=20, interval=0.3, what="an ERROR event")
    st = ev["object"]
    assert st["kind"] == "Status" and st["apiVersion"] == "v1", st
    assert st["status"] == "Failure", st
    assert st["code"] == 410, st
    assert st["reason"] == "Expired", st
    assert st["message"].startswith(f"too old resource version: {old} ("), st


def test_python_watch_from_compacted_version_raises_410(server, ns):
    old = server.create_configmap(ns, "pyold", {"n": "0"})["metadata"]["resourceVersion"]
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api:
        core = client.CoreV1Api(api)

        def expired():
            bump(server, ns, "pyold")
            try:
                for _ in watch.Watch().stream(core.list_namespaced_config_map, ns,
                                              resource_version=old, timeout_seconds=1):
                    return None  # an ordinary event: not compacted yet
            except ApiException as e:
                return e
            return None

        e = wait_for(expired, timeout=20, interval=0.3, what="ApiException 410")
    assert e.status == 410, e
    assert e.reason.startswith("Expired: too old resource version"), e.reason


def test_continue_token_after_compaction_gives_410(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(3):
        server.create_configmap(ns, f"c{i}", {"n": "0"})
    first = server.get(base + "?limit=1").json()
    token = first["metadata"]["continue"]
    assert token, first

    def next_page():
        bump(server, ns, "c0")
        r = server.get(base + f"?limit=1&continue={token}")
        return r if r.status != 200 else None

    r = wait_for(next_page, timeout=20, interval=0.3, what="a 410 for the old continue token")
    st = assert_status(r, 410, "Expired")
    assert st["message"].startswith("The provided continue parameter is too old to display a "
                                    "consistent list result."), st


def test_list_at_compacted_exact_version_gives_410(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    old = server.create_configmap(ns, "exact", {"n": "0"})["metadata"]["resourceVersion"]

    def listed():
        bump(server, ns, "exact")
        r = server.get(base + f"?resourceVersion={old}&resourceVersionMatch=Exact")
        return r if r.status != 200 else None

    r = wait_for(listed, timeout=20, interval=0.3, what="a 410 for an exact old list")
    assert_status(r, 410, "Expired")


def test_watch_from_current_version_still_works(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    server.create_configmap(ns, "fresh", {"n": "0"})
    rv = server.get(base).json()["metadata"]["resourceVersion"]
    w = server.watch(base, {"resourceVersion": rv, "timeoutSeconds": "5"})
    try:
        server.create_configmap(ns, "fresh2", {"n": "0"})
        ev = w.next_event()
    finally:
        w.close()
    assert (ev["type"], ev["object"]["metadata"]["name"]) == ("ADDED", "fresh2"), ev
