"""Watch and list semantics over raw HTTPS: resume from a resourceVersion, pagination."""

import pytest

from conftest import unique


@pytest.fixture
def ns(server):
    name = unique("wl")
    server.create_namespace(name)
    return name


def rv_of(obj):
    return obj["metadata"]["resourceVersion"]


def summary(events, names=None):
    """(type, name, resourceVersion) per event, for the names this test made."""
    out = []
    for ev in events:
        name = ev["object"]["metadata"]["name"]
        if names is None or name in names:
            out.append((ev["type"], name, rv_of(ev["object"])))
    return out


def test_watch_resume_gives_exactly_the_later_events(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    a = server.create_configmap(ns, "a", {"k": "1"})
    a["data"]["k"] = "2"
    r = server.put(base + "/a", a)
    assert r.status == 200, r
    a2 = r.json()
    b = server.create_configmap(ns, "b", {"k": "1"})
    r = server.delete(base + "/b")
    assert r.status == 200, r
    b_gone = server.get(base).json()["metadata"]["resourceVersion"]
    rvs = [rv_of(a), rv_of(a2), rv_of(b)]
    assert [int(x) for x in rvs] == sorted(int(x) for x in rvs) and len(set(rvs)) == 3, rvs

    # three watches at once, each ended by the server after one second
    streams = {start: server.watch(base, {"resourceVersion": start, "timeoutSeconds": "1"})
               for start in (rv_of(a), rv_of(a2), rv_of(b))}
    try:
        got = {start: summary(w.events_until_close(), {"a", "b"}) for start, w in streams.items()}
    finally:
        for w in streams.values():
            w.close()
    for start, w in streams.items():
        assert w.status == 200
        assert w.headers.get("Content-Type", "").startswith("application/json")
    after_a = got[rv_of(a)]
    assert [(t, n) for t, n, _ in after_a] == [("MODIFIED", "a"), ("ADDED", "b"),
                                               ("DELETED", "b")], after_a
    assert after_a[0][2] == rv_of(a2) and after_a[1][2] == rv_of(b), after_a
    # the DELETED event carries the revision of the deletion
    assert int(after_a[2][2]) > int(rv_of(b)) and int(after_a[2][2]) <= int(b_gone), after_a
    assert [(t, n) for t, n, _ in got[rv_of(a2)]] == [("ADDED", "b"), ("DELETED", "b")]
    assert [(t, n) for t, n, _ in got[rv_of(b)]] == [("DELETED", "b")]


def test_watch_without_version_starts_with_current_state(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    server.create_configmap(ns, "x", {"k": "1"})
    server.create_configmap(ns, "y", {"k": "1"})
    w = server.watch(base, {"timeoutSeconds": "10"})
    try:
        first = [w.next_event(), w.next_event()]
        assert sorted((e["type"], e["object"]["metadata"]["name"]) for e in first) == [
            ("ADDED", "x"), ("ADDED", "y")], first
        server.create_configmap(ns, "z", {"k": "1"})
        ev = w.next_event()
        assert (ev["type"], ev["object"]["metadata"]["name"]) == ("ADDED", "z"), ev
        assert ev["object"]["kind"] == "ConfigMap" and ev["object"]["apiVersion"] == "v1", ev
    finally:
        w.close()


def test_watch_with_label_selector(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    start = server.get(base).json()["metadata"]["resourceVersion"]
    server.create_configmap(ns, "in", {"k": "1"}, labels={"app": "x"})
    server.create_configmap(ns, "out", {"k": "1"}, labels={"app": "y"})
    w = server.watch(base, {"resourceVersion": start, "labelSelector": "app=x",
                            "timeoutSeconds": "1"})
    try:
        events = w.events_until_close()
    finally:
        w.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "in")]


def test_watch_of_one_object_by_field_selector(server, ns):
    # what kubectl rollout status and kubectl delete --wait do
    base = f"/api/v1/namespaces/{ns}/configmaps"
    c = server.create_configmap(ns, "one", {"k": "1"})
    server.create_configmap(ns, "two", {"k": "1"})
    assert server.delete(base + "/two").status == 200
    assert server.delete(base + "/one").status == 200
    w = server.watch(base, {"resourceVersion": rv_of(c), "fieldSelector": "metadata.name=one",
                            "allowWatchBookmarks": "true", "timeoutSeconds": "1"})
    try:
        events = [e for e in w.events_until_close() if e["type"] != "BOOKMARK"]
    finally:
        w.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("DELETED", "one")]


def make_five(server, ns):
    for i in range(5):
        server.create_configmap(ns, f"p{i}", {"i": str(i)})


def test_pagination_returns_everything_once(server, ns):
    make_five(server, ns)
    base = f"/api/v1/namespaces/{ns}/configmaps"
    names, pages, token = [], [], None
    for _ in range(10):
        q = "?limit=2" + (f"&continue={token}" if token else "")
        r = server.get(base + q)
        assert r.status == 200, r
        page = r.json()
        assert page["kind"] == "ConfigMapList", page
        pages.append(len(page["items"]))
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert pages == [2, 2, 1], pages
    assert sorted(names) == ["p0", "p1", "p2", "p3", "p4"], names


def test_pagination_counts_remaining_items(server, ns):
    make_five(server, ns)
    base = f"/api/v1/namespaces/{ns}/configmaps"
    first = server.get(base + "?limit=2").json()
    assert first["metadata"].get("remainingItemCount") == 3, first["metadata"]
    second = server.get(base + f"?limit=2&continue={first['metadata']['continue']}").json()
    assert second["metadata"].get("remainingItemCount") == 1, second["metadata"]
    third = server.get(base + f"?limit=2&continue={second['metadata']['continue']}").json()
    assert "remainingItemCount" not in third["metadata"], third["metadata"]
    assert not third["metadata"].get("continue"), third["metadata"]


def test_pagination_is_a_consistent_snapshot(server, ns):
    make_five(server, ns)
    base = f"/api/v1/namespaces/{ns}/configmaps"
    first = server.get(base + "?limit=2").json()
    rv = first["metadata"]["resourceVersion"]
    # changes made between pages are not seen by the rest of this list
    server.create_configmap(ns, "p9", {"i": "9"})
    assert server.delete(base + "/p4").status == 200
    names = [i["metadata"]["name"] for i in first["items"]]
    token = first["metadata"]["continue"]
    while token:
        page = server.get(base + f"?limit=2&continue={token}").json()
        assert page["metadata"]["resourceVersion"] == rv, page["metadata"]
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
    assert sorted(names) == ["p0", "p1", "p2", "p3", "p4"], names


def test_pagination_with_label_selector(server, ns):
    for i in range(6):
        server.create_configmap(ns, f"s{i}", {"i": str(i)},
                                labels={"even": "yes" if i % 2 == 0 else "no"})
    base = f"/api/v1/namespaces/{ns}/configmaps"
    names, token = [], None
    for _ in range(10):
        q = "?limit=1&labelSelector=even%3Dyes" + (f"&continue={token}" if token else "")
        page = server.get(base + q).json()
        assert len(page["items"]) <= 1, page
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert sorted(names) == ["s0", "s2", "s4"], names


def test_list_across_namespaces(server, ns):
    server.create_configmap(ns, "everywhere", {"k": "v"})
    r = server.get("/api/v1/configmaps")
    assert r.status == 200, r
    items = r.json()["items"]
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in items
            if i["metadata"]["name"] == "everywhere"] == [(ns, "everywhere")]


def test_empty_list_has_items_and_version(server, ns):
    r = server.get(f"/api/v1/namespaces/{ns}/secrets")
    assert r.status == 200, r
    body = r.json()
    assert body["items"] == [], body
    assert body["kind"] == "SecretList" and body["apiVersion"] == "v1", body
    assert body["metadata"]["resourceVersion"], body
