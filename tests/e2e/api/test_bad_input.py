"""Bad requests over raw HTTPS: the right code, a v1 Status with the right reason, nothing
stored. Also authentication, unknown paths and namespace lifecycle."""

import json
import urllib.parse

import pytest

from conftest import assert_status, unique, wait_for


@pytest.fixture
def ns(server):
    name = unique("bad")
    server.create_namespace(name)
    return name


def cm_body(name, ns=None, **extra):
    meta = {"name": name}
    if ns:
        meta["namespace"] = ns
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}, **extra}


def deploy_body(name, spec_extra=None):
    spec = {"replicas": 1, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}}
    spec.update(spec_extra or {})
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def assert_not_stored(server, path):
    r = server.get(path)
    assert r.status == 404, r


def test_malformed_json(server, ns):
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps",
                    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"mj"},')
    assert_status(r, 400, "BadRequest")
    assert server.get(f"/api/v1/namespaces/{ns}/configmaps").json()["items"] == []


def test_malformed_yaml(server, ns):
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: my\n data: [unclosed\n"
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", body, content_type="application/yaml")
    assert_status(r, 400, "BadRequest")
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/my")


def test_yaml_body_is_accepted(server, ns):
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: goodyaml\ndata:\n  k: v\n"
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", body, content_type="application/yaml")
    assert r.status == 201, r
    assert r.json()["data"] == {"k": "v"}, r


def test_wrong_kind_for_url(server, ns):
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wk"},
            "data": {"k": "dg=="}}
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", body)
    assert_status(r, 400, "BadRequest")
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/wk")
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/secrets/wk")


def test_wrong_api_version(server, ns):
    body = dict(cm_body("wv"), apiVersion="apps/v1")
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", body)
    assert_status(r, 400, "BadRequest")
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/wv")


def test_unknown_field_strict(server, ns):
    r = server.post(f"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict",
                    deploy_body("strict", {"foo": 1}))
    st = assert_status(r, 400, "BadRequest")
    assert 'unknown field "spec.foo"' in st["message"], st
    assert_not_stored(server, f"/apis/apps/v1/namespaces/{ns}/deployments/strict")


def test_unknown_field_warn(server, ns):
    r = server.post(f"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Warn",
                    deploy_body("warn", {"foo": 1}))
    assert r.status == 201, r
    warnings = r.header_all("Warning")
    assert any(w.startswith("299 ") and 'unknown field \\"spec.foo\\"' in w for w in warnings), \
        (warnings, r)
    assert "foo" not in r.json()["spec"], r
    assert server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/warn").status == 200


def test_unknown_field_default_is_warn(server, ns):
    r = server.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deploy_body("dflt", {"foo": 1}))
    assert r.status == 201, r
    assert any('unknown field \\"spec.foo\\"' in w for w in r.header_all("Warning")), r


def test_unknown_field_ignore(server, ns):
    r = server.post(f"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Ignore",
                    deploy_body("ign", {"foo": 1}))
    assert r.status == 201, r
    assert r.header_all("Warning") == [], r


def test_body_over_3_mib(server, ns, tmp_path):
    body = cm_body("big")
    body["data"] = {"k": "x" * (3 * 1024 * 1024 + 512 * 1024)}
    f = tmp_path / "big.json"
    f.write_text(json.dumps(body))
    r = server.curl("POST", f"/api/v1/namespaces/{ns}/configmaps", f)
    st = assert_status(r, 413, "RequestEntityTooLarge")
    assert "3145728" in st["message"], st
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/big")


def test_invalid_name(server, ns):
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", cm_body("Bad_Name"))
    st = assert_status(r, 422, "Invalid")
    assert st["message"].startswith(
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"), st
    details = st["details"]
    assert details["name"] == "Bad_Name" and details["kind"] == "ConfigMap", details
    causes = [(c.get("reason"), c.get("field")) for c in details["causes"]]
    assert ("FieldValueInvalid", "metadata.name") in causes, details
    assert server.get(f"/api/v1/namespaces/{ns}/configmaps").json()["items"] == []


def test_missing_name(server, ns):
    body = cm_body("x")
    del body["metadata"]["name"]
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", body)
    st = assert_status(r, 422, "Invalid")
    causes = [(c.get("reason"), c.get("field")) for c in st["details"]["causes"]]
    assert ("FieldValueRequired", "metadata.name") in causes, st


def test_namespace_mismatch(server, ns):
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", cm_body("mm", ns="kube-system"))
    st = assert_status(r, 400, "BadRequest")
    assert st["message"] == ("the namespace of the provided object does not match the namespace "
                             "sent on the request"), st
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/mm")
    assert_not_stored(server, "/api/v1/namespaces/kube-system/configmaps/mm")


def test_name_mismatch_on_put(server, ns):
    server.create_configmap(ns, "pn", {"k": "v"})
    cur = server.get(f"/api/v1/namespaces/{ns}/configmaps/pn").json()
    cur["metadata"]["name"] = "other"
    r = server.put(f"/api/v1/namespaces/{ns}/configmaps/pn", cur)
    st = assert_status(r, 400, "BadRequest")
    assert st["message"] == ("the name of the object (other) does not match the name on the URL "
                             "(pn)"), st
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/other")


def test_unsupported_content_type(server, ns):
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps", json.dumps(cm_body("ct")),
                    content_type="text/plain")
    st = assert_status(r, 415, "UnsupportedMediaType")
    assert st["message"].startswith("the body of the request was in an unknown format - "
                                    "accepted media types include: application/json"), st
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/ct")


def test_unsupported_patch_type(server, ns):
    server.create_configmap(ns, "pt", {"k": "v"})
    r = server.patch(f"/api/v1/namespaces/{ns}/configmaps/pt", {"data": {"k": "w"}},
                     "application/json")
    assert_status(r, 415, "UnsupportedMediaType")
    assert server.get(f"/api/v1/namespaces/{ns}/configmaps/pt").json()["data"] == {"k": "v"}


def test_malformed_patch(server, ns):
    server.create_configmap(ns, "mp", {"k": "v"})
    r = server.patch(f"/api/v1/namespaces/{ns}/configmaps/mp", '{"data": ',
                     "application/merge-patch+json")
    assert_status(r, 400, "BadRequest")
    assert server.get(f"/api/v1/namespaces/{ns}/configmaps/mp").json()["data"] == {"k": "v"}


def test_stale_resource_version_on_put(server, ns):
    base = f"/api/v1/namespaces/{ns}/configmaps"
    server.create_configmap(ns, "st", {"k": "1"})
    stale = server.get(base + "/st").json()
    fresh = dict(stale, data={"k": "2"})
    assert server.put(base + "/st", fresh).status == 200
    r = server.put(base + "/st", dict(stale, data={"k": "3"}))
    st = assert_status(r, 409, "Conflict")
    assert st["message"] == ('Operation cannot be fulfilled on configmaps "st": the object has '
                             "been modified; please apply your changes to the latest version "
                             "and try again"), st
    assert st["details"]["name"] == "st" and st["details"]["kind"] == "configmaps", st
    assert server.get(base + "/st").json()["data"] == {"k": "2"}


def test_put_of_missing_object_is_not_found(server, ns):
    r = server.put(f"/api/v1/namespaces/{ns}/configmaps/ghost",
                   dict(cm_body("ghost"), metadata={"name": "ghost", "resourceVersion": "1"}))
    assert_status(r, 404, "NotFound")


def test_get_missing_object(server, ns):
    r = server.get(f"/api/v1/namespaces/{ns}/configmaps/nope")
    st = assert_status(r, 404, "NotFound")
    assert st["message"] == 'configmaps "nope" not found', st
    assert st["details"] == {"name": "nope", "kind": "configmaps"}, st
    r = server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/nope")
    st = assert_status(r, 404, "NotFound")
    assert st["message"] == 'deployments.apps "nope" not found', st
    assert st["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}, st


def test_anonymous_request_is_unauthorized(server):
    r = server.get("/api/v1/namespaces", auth=False)
    st = assert_status(r, 401, "Unauthorized")
    assert st["message"] == "Unauthorized", st
    r = server.post("/api/v1/namespaces/default/configmaps", cm_body("anon"), auth=False)
    assert_status(r, 401, "Unauthorized")
    assert_not_stored(server, "/api/v1/namespaces/default/configmaps/anon")


def test_wrong_bearer_token_is_unauthorized(server):
    r = server.get("/api/v1/namespaces", auth=False,
                   headers={"Authorization": "Bearer not-a-real-token"})
    assert_status(r, 401, "Unauthorized")


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/healthz"])
def test_health_endpoints_need_no_credentials(server, path):
    r = server.get(path, auth=False, headers={"Accept": "*/*"})
    assert r.status == 200, r
    assert r.body == b"ok", r


def test_version_needs_no_credentials(server):
    r = server.get("/version", auth=False)
    assert r.status == 200, r
    v = r.json()
    assert v["major"] == "1" and v["minor"].isdigit(), v
    assert v["gitVersion"].startswith(f"v1.{v['minor']}."), v


@pytest.mark.parametrize("path", ["/no/such/path", "/api/v1/nosuchthings",
                                  "/apis/no.such.group/v1/things",
                                  "/api/v1/namespaces/default/nosuchthings"])
def test_unknown_path(server, path):
    r = server.get(path)
    assert_status(r, 404, "NotFound")


def test_unknown_path_is_404_even_for_post(server):
    r = server.post("/api/v1/nosuchthings", {"apiVersion": "v1", "kind": "Thing",
                                             "metadata": {"name": "x"}})
    assert_status(r, 404, "NotFound")


def test_create_in_missing_namespace(server):
    r = server.post("/api/v1/namespaces/no-such-ns/configmaps", cm_body("orphan"))
    st = assert_status(r, 404, "NotFound")
    assert st["message"] == 'namespaces "no-such-ns" not found', st
    assert st["details"] == {"name": "no-such-ns", "kind": "namespaces"}, st
    assert_not_stored(server, "/api/v1/namespaces/no-such-ns/configmaps/orphan")


def test_create_in_terminating_namespace(server):
    name = unique("term")
    r = server.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                           "metadata": {"name": name,
                                                        "finalizers": ["example.com/hold"]}})
    assert r.status == 201, r
    server.create_configmap(name, "before", {"k": "v"})
    r = server.delete(f"/api/v1/namespaces/{name}")
    assert r.status in (200, 202), r

    def terminating():
        got = server.get(f"/api/v1/namespaces/{name}")
        return got.status == 200 and got.json()["status"].get("phase") == "Terminating"
    wait_for(terminating, what="namespace phase Terminating")
    ns_obj = server.get(f"/api/v1/namespaces/{name}").json()
    assert ns_obj["metadata"].get("deletionTimestamp"), ns_obj

    r = server.post(f"/api/v1/namespaces/{name}/configmaps", cm_body("late"))
    st = assert_status(r, 403, "Forbidden")
    assert st["message"] == (f'configmaps "late" is forbidden: unable to create new content in '
                             f"namespace {name} because it is being terminated"), st
    causes = st.get("details", {}).get("causes", [])
    assert any(c.get("reason") == "NamespaceTerminating" for c in causes), st
    assert_not_stored(server, f"/api/v1/namespaces/{name}/configmaps/late")

    # its contents go while the finalizer holds the namespace itself
    wait_for(lambda: server.get(f"/api/v1/namespaces/{name}/configmaps/before").status == 404,
             what="contents of the terminating namespace to go")
    # release it: the namespace goes once its last finalizer is removed
    cur = server.get(f"/api/v1/namespaces/{name}").json()
    cur["metadata"]["finalizers"] = []
    r = server.put(f"/api/v1/namespaces/{name}", cur)
    assert r.status == 200, r
    wait_for(lambda: server.get(f"/api/v1/namespaces/{name}").status == 404,
             what="namespace to go after its finalizer is removed")


def test_dry_run_create_stores_nothing(server, ns):
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps?dryRun=All", cm_body("dry"))
    assert r.status == 201, r
    assert r.json()["metadata"]["name"] == "dry", r
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/dry")


def test_unknown_dry_run_value(server, ns):
    r = server.post(f"/api/v1/namespaces/{ns}/configmaps?dryRun=Maybe", cm_body("dry2"))
    st = assert_status(r, 422, "Invalid")
    assert 'dryRun: Unsupported value' in st["message"], st
    assert_not_stored(server, f"/api/v1/namespaces/{ns}/configmaps/dry2")


def test_invalid_label_selector(server, ns):
    q = urllib.parse.urlencode({"labelSelector": "a b c"})
    r = server.get(f"/api/v1/namespaces/{ns}/configmaps?{q}")
    assert_status(r, 400, "BadRequest")


def test_unsupported_field_selector(server, ns):
    q = urllib.parse.urlencode({"fieldSelector": "data.k=v"})
    r = server.get(f"/api/v1/namespaces/{ns}/configmaps?{q}")
    st = assert_status(r, 400, "BadRequest")
    assert "data.k" in st["message"], st
