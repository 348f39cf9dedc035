"""kubectl 1.31 and 1.32, unchanged, against one skiff server per module."""

import base64
import ipaddress
import json
import os
import re
import select
import time

import pytest
import yaml

from conftest import KUBECTL_VERSIONS, b64, parse_table, parse_tables, unique

AGE = re.compile(r"^\d+(s|m|h|d|y)(\d+(s|m|h|d))?$")
SERVICE_CIDR = ipaddress.ip_network("10.43.0.0/16")


@pytest.fixture(scope="module", params=KUBECTL_VERSIONS,
                ids=[f"kubectl{v}" for v in KUBECTL_VERSIONS])
def kubectl(request, server):
    return server.kubectl(request.param)


@pytest.fixture
def ns(server, kubectl):
    """A fresh namespace for one test (made with the raw API, not kubectl)."""
    name = unique("k" + kubectl.version.replace(".", ""))
    server.create_namespace(name)
    return name


def deployment(name, image="nginx:1.25", replicas=1, labels=None, containers=None):
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": containers or [
                    {"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    }


def write_yaml(path, *docs):
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return str(path)


@pytest.fixture(scope="module")
def sample(server, kubectl):
    """A namespace with a ConfigMap, a Secret, a Deployment and a Service (raw API)."""
    ns = unique("get" + kubectl.version.replace(".", ""))
    server.create_namespace(ns)
    server.create_configmap(ns, "app-config", {"greeting": "hello", "config.json": '{"a":1}'},
                            labels={"tier": "fe", "app": "web"})
    server.create(f"/api/v1/namespaces/{ns}/secrets",
                  {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
                   "type": "Opaque", "data": {"user": b64("admin"), "password": b64("s3cret")}})
    server.create(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("web"))
    server.create(f"/api/v1/namespaces/{ns}/services",
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                   "spec": {"selector": {"app": "web"},
                            "ports": [{"port": 80, "targetPort": 8080}]}})
    return ns


def get_json(server, path):
    r = server.get(path)
    assert r.status == 200, r
    return r.json()


def assert_gone(kubectl, ns, kind, name):
    r = kubectl.run("get", kind, name, "-n", ns)
    assert r.rc == 1, r
    assert f'Error from server (NotFound): {kind} "{name}" not found' in r.err, r


# -- discovery --------------------------------------------------------------------------------

def test_version(kubectl):
    v = json.loads(kubectl.ok("version", "-o", "json").out)
    assert v["clientVersion"]["gitVersion"].startswith(f"v{kubectl.version}."), v
    sv = v["serverVersion"]
    assert sv["major"] == "1", sv
    assert re.fullmatch(r"\d+", sv["minor"]), sv
    assert sv["gitVersion"].startswith(f"v1.{sv['minor']}."), sv
    assert sv["platform"].startswith("linux/"), sv
    plain = kubectl.ok("version").out
    assert f"Server Version: {sv['gitVersion']}" in plain, plain
    # kubectl warns when it is more than one minor version away from the server: never for the
    # neighbours of the server's version, always beyond them.
    skew = abs(int(kubectl.version.split(".")[1]) - int(sv["minor"]))
    warning = "WARNING: version difference between client" in kubectl.run("version").err
    assert warning == (skew > 1), (skew, kubectl.run("version").err)


def test_api_resources_shows_short_names(kubectl):
    out = kubectl.ok("api-resources").out
    names, rows = parse_table(out)
    assert names == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], out
    by_name = {r["NAME"]: r for r in rows}
    expected = [
        ("configmaps", "cm", "v1", "true", "ConfigMap"),
        ("namespaces", "ns", "v1", "false", "Namespace"),
        ("services", "svc", "v1", "true", "Service"),
        ("pods", "po", "v1", "true", "Pod"),
        ("serviceaccounts", "sa", "v1", "true", "ServiceAccount"),
        ("nodes", "no", "v1", "false", "Node"),
        ("secrets", "", "v1", "true", "Secret"),
        ("deployments", "deploy", "apps/v1", "true", "Deployment"),
        ("replicasets", "rs", "apps/v1", "true", "ReplicaSet"),
        ("jobs", "", "batch/v1", "true", "Job"),
    ]
    for name, short, apiv, namespaced, kind in expected:
        assert name in by_name, out
        assert by_name[name] == {"NAME": name, "SHORTNAMES": short, "APIVERSION": apiv,
                                 "NAMESPACED": namespaced, "KIND": kind}, out


# -- get ----------------------------------------------------------------------------------------

def test_get_namespaces(kubectl):
    out = kubectl.ok("get", "ns").out
    names, rows = parse_table(out)
    assert names == ["NAME", "STATUS", "AGE"], out
    by_name = {r["NAME"]: r for r in rows}
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert by_name[ns]["STATUS"] == "Active", out
        assert AGE.match(by_name[ns]["AGE"]), out


def test_get_all_all_namespaces(server, kubectl, sample):
    out = kubectl.ok("get", "all", "-A").out
    tables = parse_tables(out)
    services = [t for t in tables if t[0][:2] == ["NAMESPACE", "NAME"] and "CLUSTER-IP" in t[0]]
    assert len(services) == 1, out
    names, rows = services[0]
    assert names == ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)",
                     "AGE"], out
    kube = [r for r in rows if r["NAME"] == "service/kubernetes"]
    assert len(kube) == 1, out
    kube_svc = get_json(server, "/api/v1/namespaces/default/services/kubernetes")
    cluster_ip = kube_svc["spec"]["clusterIP"]
    assert kube[0]["NAMESPACE"] == "default", out
    assert kube[0]["TYPE"] == "ClusterIP", out
    assert kube[0]["CLUSTER-IP"] == cluster_ip, out
    assert kube[0]["EXTERNAL-IP"] == "<none>", out
    assert kube[0]["PORT(S)"] == "443/TCP", out
    web = [r for r in rows if r["NAMESPACE"] == sample and r["NAME"] == "service/web"]
    assert len(web) == 1 and web[0]["PORT(S)"] == "80/TCP", out
    deploys = [t for t in tables if "UP-TO-DATE" in t[0]]
    assert len(deploys) == 1, out
    names, rows = deploys[0]
    assert names == ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], out
    web = [r for r in rows if r["NAMESPACE"] == sample and r["NAME"] == "deployment.apps/web"]
    assert len(web) == 1 and web[0]["READY"] == "0/1", out


def test_get_yaml_json_jsonpath_name(kubectl, sample):
    y = yaml.safe_load(kubectl.ok("get", "configmap", "app-config", "-n", sample, "-o", "yaml").out)
    assert y["apiVersion"] == "v1" and y["kind"] == "ConfigMap", y
    assert y["metadata"]["name"] == "app-config" and y["metadata"]["namespace"] == sample, y
    assert y["data"] == {"greeting": "hello", "config.json": '{"a":1}'}, y
    j = json.loads(kubectl.ok("get", "cm", "app-config", "-n", sample, "-o", "json").out)
    assert j["metadata"]["uid"] == y["metadata"]["uid"], j
    assert j["metadata"]["resourceVersion"] == y["metadata"]["resourceVersion"], j
    r = kubectl.ok("get", "cm", "app-config", "-n", sample, "-o", "jsonpath={.data.greeting}")
    assert r.out == "hello", r
    r = kubectl.ok("get", "cm", "app-config", "-n", sample, "-o", "name")
    assert r.out == "configmap/app-config\n", r
    r = kubectl.ok("get", "deploy", "-n", sample, "-o", "name")
    assert r.out == "deployment.apps/web\n", r
    lst = json.loads(kubectl.ok("get", "cm,secret", "-n", sample, "-o", "json").out)
    assert lst["kind"] == "List", lst
    assert sorted((i["kind"], i["metadata"]["name"]) for i in lst["items"]) == [
        ("ConfigMap", "app-config"), ("Secret", "creds")], lst


def test_get_tables(kubectl, sample):
    cases = {
        "configmaps": (["NAME", "DATA", "AGE"], {"NAME": "app-config", "DATA": "2"}),
        "secrets": (["NAME", "TYPE", "DATA", "AGE"],
                    {"NAME": "creds", "TYPE": "Opaque", "DATA": "2"}),
        "deployments": (["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
                        {"NAME": "web", "READY": "0/1"}),
        "services": (["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
                     {"NAME": "web", "TYPE": "ClusterIP", "EXTERNAL-IP": "<none>",
                      "PORT(S)": "80/TCP"}),
    }
    for resource, (header, expect) in cases.items():
        out = kubectl.ok("get", resource, "-n", sample).out
        names, rows = parse_table(out)
        assert names == header, out
        row = [r for r in rows if r["NAME"] == expect["NAME"]]
        assert len(row) == 1, out
        for col, value in expect.items():
            assert row[0][col] == value, (col, out)
        assert AGE.match(row[0]["AGE"]), out


def test_get_show_labels(kubectl, sample):
    out = kubectl.ok("get", "cm", "app-config", "-n", sample, "--show-labels").out
    names, rows = parse_table(out)
    assert names == ["NAME", "DATA", "AGE", "LABELS"], out
    assert rows[0]["LABELS"] == "app=web,tier=fe", out


def test_get_all_namespaces_flag(kubectl, sample):
    out = kubectl.ok("get", "configmaps", "-A").out
    names, rows = parse_table(out)
    assert names == ["NAMESPACE", "NAME", "DATA", "AGE"], out
    assert {"NAMESPACE": sample, "NAME": "app-config", "DATA": "2"}.items() <= \
        next(r for r in rows if r["NAMESPACE"] == sample).items(), out


def test_get_wide(kubectl, sample):
    out = kubectl.ok("get", "deploy", "web", "-n", sample, "-o", "wide").out
    names, rows = parse_table(out)
    assert names == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES",
                     "SELECTOR"], out
    assert rows[0]["CONTAINERS"] == "nginx" and rows[0]["IMAGES"] == "nginx:1.25", out
    assert rows[0]["SELECTOR"] == "app=web", out
    out = kubectl.ok("get", "svc", "web", "-n", sample, "-o", "wide").out
    names, rows = parse_table(out)
    assert names == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"], out
    assert rows[0]["SELECTOR"] == "app=web", out


def test_get_label_and_field_selectors(server, kubectl, ns):
    server.create_configmap(ns, "a", {"k": "1"}, labels={"app": "x"})
    server.create_configmap(ns, "b", {"k": "2"}, labels={"app": "y"})
    server.create_configmap(ns, "c", {"k": "3"})
    r = kubectl.ok("get", "cm", "-n", ns, "-l", "app=x", "-o", "name")
    assert r.out.split() == ["configmap/a"], r
    r = kubectl.ok("get", "cm", "-n", ns, "-l", "app", "-o", "name")
    assert sorted(r.out.split()) == ["configmap/a", "configmap/b"], r
    r = kubectl.ok("get", "cm", "-n", ns, "-l", "app!=x", "-o", "name")
    assert "configmap/a" not in r.out.split() and "configmap/c" in r.out.split(), r
    r = kubectl.ok("get", "cm", "-n", ns, "--field-selector", "metadata.name=b", "-o", "name")
    assert r.out.split() == ["configmap/b"], r


# -- create -----------------------------------------------------------------------------------

def manifests(ns):
    return [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": ns, "labels": {"team": "a"}}},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "app-config", "namespace": ns},
         "data": {"greeting": "hello"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": ns},
         "type": "Opaque", "data": {"user": b64("admin")}, "stringData": {"password": "s3cret"}},
        dict(deployment("web", replicas=2), metadata={"name": "web", "namespace": ns,
                                                      "labels": {"app": "web"}}),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}},
    ]


@pytest.fixture
def created(server, kubectl, tmp_path):
    """`kubectl create -f DIR` of five manifests (one file each, namespace first)."""
    ns = unique("cf" + kubectl.version.replace(".", ""))
    d = tmp_path / "manifests"
    d.mkdir()
    for i, doc in enumerate(manifests(ns)):
        write_yaml(d / f"{i}-{doc['kind'].lower()}.yaml", doc)
    r = kubectl.run("create", "-f", str(d))
    return ns, r, d


def test_create_f(server, kubectl, created):
    ns, r, d = created
    assert r.rc == 0, r
    assert r.out.splitlines() == [f"namespace/{ns} created", "configmap/app-config created",
                                  "secret/creds created", "deployment.apps/web created",
                                  "service/web created"], r
    assert kubectl.json("get", "ns", ns)["metadata"]["labels"]["team"] == "a"
    cm = kubectl.json("get", "cm", "app-config", "-n", ns)
    assert cm["data"] == {"greeting": "hello"}, cm
    sec = kubectl.json("get", "secret", "creds", "-n", ns)
    assert sec["type"] == "Opaque", sec
    assert sec["data"] == {"user": b64("admin"), "password": b64("s3cret")}, sec
    assert "stringData" not in sec, sec
    dep = kubectl.json("get", "deploy", "web", "-n", ns)
    assert dep["spec"]["replicas"] == 2, dep
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25", dep
    svc = kubectl.json("get", "svc", "web", "-n", ns)
    assert svc["spec"]["type"] == "ClusterIP", svc
    assert ipaddress.ip_address(svc["spec"]["clusterIP"]) in SERVICE_CIDR, svc
    assert svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]], svc
    assert svc["spec"]["ports"][0]["port"] == 80, svc
    assert svc["spec"]["ports"][0]["targetPort"] == 8080, svc
    # creating again is AlreadyExists, not an overwrite
    again = kubectl.run("create", "-f", str(d / "1-configmap.yaml"))
    assert again.rc == 1, again
    assert 'Error from server (AlreadyExists)' in again.err, again
    assert 'configmaps "app-config" already exists' in again.err, again


def test_create_f_applies_defaults(kubectl, created):
    ns, r, _ = created
    assert r.rc == 0, r
    nsobj = kubectl.json("get", "ns", ns)
    assert nsobj["metadata"]["labels"] == {"team": "a", "kubernetes.io/metadata.name": ns}, nsobj
    assert nsobj["spec"] == {"finalizers": ["kubernetes"]}, nsobj
    assert nsobj["status"] == {"phase": "Active"}, nsobj
    dep = kubectl.json("get", "deploy", "web", "-n", ns)
    assert dep["metadata"]["generation"] == 1, dep
    spec = dep["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}, spec
    assert spec["revisionHistoryLimit"] == 10, spec
    assert spec["progressDeadlineSeconds"] == 600, spec
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Always", pod
    assert pod["dnsPolicy"] == "ClusterFirst", pod
    assert pod["terminationGracePeriodSeconds"] == 30, pod
    assert pod["schedulerName"] == "default-scheduler", pod
    assert pod["securityContext"] == {}, pod
    c = pod["containers"][0]
    assert c["imagePullPolicy"] == "IfNotPresent", c
    assert c["terminationMessagePath"] == "/dev/termination-log", c
    assert c["terminationMessagePolicy"] == "File", c
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}], c
    svc = kubectl.json("get", "svc", "web", "-n", ns)["spec"]
    assert svc["sessionAffinity"] == "None", svc
    assert svc["ports"][0]["protocol"] == "TCP", svc
    assert svc["ipFamilies"] == ["IPv4"], svc
    assert svc["ipFamilyPolicy"] == "SingleStack", svc
    assert svc["internalTrafficPolicy"] == "Cluster", svc


def test_create_namespace_generator(kubectl):
    name = unique("gen" + kubectl.version.replace(".", ""))
    r = kubectl.run("create", "namespace", name)
    assert r.rc == 0 and r.out == f"namespace/{name} created\n", r
    assert kubectl.json("get", "ns", name)["status"]["phase"] == "Active"


def test_create_configmap_generator(kubectl, ns):
    r = kubectl.run("create", "configmap", "gen", "-n", ns, "--from-literal=a=1",
                    "--from-literal=b=two")
    assert r.rc == 0 and r.out == "configmap/gen created\n", r
    cm = kubectl.json("get", "cm", "gen", "-n", ns)
    assert cm["data"] == {"a": "1", "b": "two"}, cm
    assert cm["metadata"]["namespace"] == ns, cm


def test_create_secret_generic_generator(kubectl, ns):
    r = kubectl.run("create", "secret", "generic", "gen", "-n", ns,
                    "--from-literal=password=hunter2", "--from-literal=user=root")
    assert r.rc == 0 and r.out == "secret/gen created\n", r
    sec = kubectl.json("get", "secret", "gen", "-n", ns)
    assert sec["type"] == "Opaque", sec
    assert sec["data"] == {"password": b64("hunter2"), "user": b64("root")}, sec
    r = kubectl.ok("get", "secret", "gen", "-n", ns, "-o", "jsonpath={.data.password}")
    assert base64.b64decode(r.out) == b"hunter2", r


def test_create_deployment_generator(kubectl, ns):
    r = kubectl.run("create", "deployment", "gen", "-n", ns, "--image=nginx:1.25", "--replicas=2",
                    "--port=80")
    assert r.rc == 0 and r.out == "deployment.apps/gen created\n", r
    dep = kubectl.json("get", "deploy", "gen", "-n", ns)
    assert dep["spec"]["replicas"] == 2, dep
    assert dep["spec"]["selector"] == {"matchLabels": {"app": "gen"}}, dep
    assert dep["spec"]["template"]["metadata"]["labels"] == {"app": "gen"}, dep
    c = dep["spec"]["template"]["spec"]["containers"]
    assert len(c) == 1 and c[0]["name"] == "nginx" and c[0]["image"] == "nginx:1.25", c
    assert c[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}], c


def test_create_service_clusterip_generator(kubectl, ns):
    r = kubectl.run("create", "service", "clusterip", "gen", "-n", ns, "--tcp=80:8080")
    assert r.rc == 0 and r.out == "service/gen created\n", r
    svc = kubectl.json("get", "svc", "gen", "-n", ns)
    assert svc["spec"]["type"] == "ClusterIP", svc
    assert svc["spec"]["selector"] == {"app": "gen"}, svc
    assert svc["spec"]["ports"] == [{"name": "80-8080", "port": 80, "protocol": "TCP",
                                     "targetPort": 8080}], svc
    assert ipaddress.ip_address(svc["spec"]["clusterIP"]) in SERVICE_CIDR, svc


def test_create_job_generator(kubectl, ns):
    r = kubectl.run("create", "job", "gen", "-n", ns, "--image=busybox:1.36", "--", "echo", "hi")
    assert r.rc == 0 and r.out == "job.batch/gen created\n", r
    job = kubectl.json("get", "job", "gen", "-n", ns)
    spec = job["spec"]
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never", job
    assert pod["containers"][0]["image"] == "busybox:1.36", job
    assert pod["containers"][0]["command"] == ["echo", "hi"], job
    assert spec["backoffLimit"] == 6, spec
    assert spec["completions"] == 1 and spec["parallelism"] == 1, spec


def test_dry_run_server_creates_nothing(server, kubectl, ns, tmp_path):
    r = kubectl.run("create", "configmap", "dry", "-n", ns, "--from-literal=a=b",
                    "--dry-run=server")
    assert r.rc == 0 and r.out == "configmap/dry created (server dry run)\n", r
    assert_gone(kubectl, ns, "configmaps", "dry")
    f = write_yaml(tmp_path / "d.yaml", dict(deployment("drydep"),
                                             metadata={"name": "drydep", "namespace": ns}))
    r = kubectl.run("apply", "-f", f, "--dry-run=server")
    assert r.rc == 0 and r.out == "deployment.apps/drydep created (server dry run)\n", r
    assert_gone(kubectl, ns, "deployments.apps", "drydep")
    server.create_configmap(ns, "keep", {"a": "b"})
    r = kubectl.run("delete", "cm", "keep", "-n", ns, "--dry-run=server")
    assert r.rc == 0 and r.out == 'configmap "keep" deleted (server dry run)\n', r
    kubectl.ok("get", "cm", "keep", "-n", ns)


# -- apply ------------------------------------------------------------------------------------

def test_apply_create_then_change(kubectl, ns, tmp_path):
    f = tmp_path / "web.yaml"
    v1 = deployment("web", image="nginx:1.24", labels={"app": "web", "tier": "fe"})
    v1["metadata"]["namespace"] = ns
    v1["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    write_yaml(f, v1)
    r = kubectl.run("apply", "-f", str(f))
    assert r.rc == 0 and r.out == "deployment.apps/web created\n", r
    dep = kubectl.json("get", "deploy", "web", "-n", ns)
    last = json.loads(dep["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])
    assert last["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.24", last

    # someone else annotates it; apply must keep what it does not own
    kubectl.ok("annotate", "deploy", "web", "-n", ns, "owner=ops")

    v2 = deployment("web", image="nginx:1.25", replicas=2, labels={"app": "web"})
    v2["metadata"]["namespace"] = ns
    v2["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"},
                                                              {"name": "B", "value": "2"}]
    write_yaml(f, v2)
    r = kubectl.run("apply", "-f", str(f))
    assert r.rc == 0 and r.out == "deployment.apps/web configured\n", r
    dep = kubectl.json("get", "deploy", "web", "-n", ns)
    assert dep["spec"]["replicas"] == 2, dep
    c = dep["spec"]["template"]["spec"]["containers"]
    assert len(c) == 1 and c[0]["image"] == "nginx:1.25", c
    assert c[0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], c
    assert dep["metadata"]["labels"] == {"app": "web"}, dep  # tier removed by the 3-way merge
    assert dep["metadata"]["annotations"]["owner"] == "ops", dep
    assert dep["metadata"]["generation"] == 2, dep

    r = kubectl.run("apply", "-f", str(f))
    assert r.rc == 0 and r.out == "deployment.apps/web unchanged\n", r


def test_apply_configmap_removes_dropped_keys(kubectl, ns, tmp_path):
    f = tmp_path / "cm.yaml"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ap", "namespace": ns},
          "data": {"a": "1", "b": "2"}}
    write_yaml(f, cm)
    kubectl.ok("apply", "-f", str(f))
    cm["data"] = {"a": "10", "c": "3"}
    write_yaml(f, cm)
    r = kubectl.run("apply", "-f", str(f))
    assert r.rc == 0 and r.out == "configmap/ap configured\n", r
    assert kubectl.json("get", "cm", "ap", "-n", ns)["data"] == {"a": "10", "c": "3"}


def test_apply_server_side(kubectl, ns, tmp_path):
    f = tmp_path / "ssa.yaml"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa", "namespace": ns},
          "data": {"a": "1", "b": "2"}}
    write_yaml(f, cm)
    r = kubectl.run("apply", "--server-side", "-f", str(f))
    assert r.rc == 0 and r.out == "configmap/ssa serverside-applied\n", r
    obj = kubectl.json("get", "cm", "ssa", "-n", ns, "--show-managed-fields")
    assert obj["data"] == {"a": "1", "b": "2"}, obj
    managers = [(m["manager"], m["operation"]) for m in obj["metadata"].get("managedFields", [])]
    assert ("kubectl", "Apply") in managers, obj
    cm["data"] = {"a": "2"}
    write_yaml(f, cm)
    r = kubectl.run("apply", "--server-side", "-f", str(f))
    assert r.rc == 0 and r.out == "configmap/ssa serverside-applied\n", r
    # b was owned by this manager and is no longer in its config: it goes
    assert kubectl.json("get", "cm", "ssa", "-n", ns)["data"] == {"a": "2"}


# -- label, annotate, scale, patch ------------------------------------------------------------

def test_label(server, kubectl, ns):
    server.create_configmap(ns, "lab", {"a": "b"})
    r = kubectl.run("label", "cm", "lab", "-n", ns, "env=prod")
    assert r.rc == 0 and r.out == "configmap/lab labeled\n", r
    assert kubectl.json("get", "cm", "lab", "-n", ns)["metadata"]["labels"] == {"env": "prod"}
    r = kubectl.run("label", "cm", "lab", "-n", ns, "env=dev")
    assert r.rc != 0 and "'env' already has a value (prod), and --overwrite is false" in r.err, r
    kubectl.ok("label", "cm", "lab", "-n", ns, "env=dev", "--overwrite")
    assert kubectl.json("get", "cm", "lab", "-n", ns)["metadata"]["labels"] == {"env": "dev"}
    r = kubectl.run("label", "cm", "lab", "-n", ns, "env-")
    assert r.rc == 0 and r.out == "configmap/lab unlabeled\n", r
    assert not kubectl.json("get", "cm", "lab", "-n", ns)["metadata"].get("labels")


def test_annotate(server, kubectl, ns):
    server.create_configmap(ns, "ann", {"a": "b"})
    r = kubectl.run("annotate", "cm", "ann", "-n", ns, "note=hello world")
    assert r.rc == 0 and r.out == "configmap/ann annotated\n", r
    meta = kubectl.json("get", "cm", "ann", "-n", ns)["metadata"]
    assert meta["annotations"] == {"note": "hello world"}, meta
    kubectl.ok("annotate", "cm", "ann", "-n", ns, "note-")
    assert not kubectl.json("get", "cm", "ann", "-n", ns)["metadata"].get("annotations")


def test_scale_deployment(server, kubectl, ns):
    server.create(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("sc"))
    r = kubectl.run("scale", "deployment", "sc", "-n", ns, "--replicas=3")
    assert r.rc == 0 and r.out == "deployment.apps/sc scaled\n", r
    r = kubectl.ok("get", "deploy", "sc", "-n", ns, "-o", "jsonpath={.spec.replicas}")
    assert r.out == "3", r
    dep = get_json(server, f"/apis/apps/v1/namespaces/{ns}/deployments/sc")
    assert dep["spec"]["replicas"] == 3, dep


def test_patch_merge(server, kubectl, ns):
    server.create_configmap(ns, "pm", {"a": "1", "c": "3"})
    r = kubectl.run("patch", "cm", "pm", "-n", ns, "--type=merge",
                    "-p", '{"data":{"b":"2","a":null}}')
    assert r.rc == 0 and r.out == "configmap/pm patched\n", r
    assert kubectl.json("get", "cm", "pm", "-n", ns)["data"] == {"b": "2", "c": "3"}


def test_patch_json(server, kubectl, ns):
    server.create_configmap(ns, "pj", {"a": "1"})
    r = kubectl.run("patch", "cm", "pj", "-n", ns, "--type=json", "-p",
                    '[{"op":"replace","path":"/data/a","value":"9"},'
                    '{"op":"add","path":"/metadata/labels","value":{"x":"y"}}]')
    assert r.rc == 0 and r.out == "configmap/pj patched\n", r
    obj = kubectl.json("get", "cm", "pj", "-n", ns)
    assert obj["data"] == {"a": "9"} and obj["metadata"]["labels"] == {"x": "y"}, obj
    r = kubectl.run("patch", "cm", "pj", "-n", ns, "--type=json", "-p",
                    '[{"op":"test","path":"/data/a","value":"wrong"}]')
    assert r.rc != 0, r


def test_patch_strategic_merges_lists_by_key(server, kubectl, ns):
    containers = [{"name": "app", "image": "nginx:1.24"},
                  {"name": "sidecar", "image": "busybox:1.36"}]
    server.create(f"/apis/apps/v1/namespaces/{ns}/deployments",
                  deployment("sp", containers=containers))
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}'
    r = kubectl.run("patch", "deploy", "sp", "-n", ns, "--type=strategic", "-p", patch)
    assert r.rc == 0 and r.out == "deployment.apps/sp patched\n", r
    c = kubectl.json("get", "deploy", "sp", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [(x["name"], x["image"]) for x in c] == [("app", "nginx:1.26"),
                                                    ("sidecar", "busybox:1.36")], c
    # the default --type is strategic too
    patch = ('{"spec":{"template":{"spec":{"containers":'
             '[{"name":"sidecar","image":"busybox:1.37"}]}}}}')
    r = kubectl.run("patch", "deploy", "sp", "-n", ns, "-p", patch)
    assert r.rc == 0, r
    c = kubectl.json("get", "deploy", "sp", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [(x["name"], x["image"]) for x in c] == [("app", "nginx:1.26"),
                                                    ("sidecar", "busybox:1.37")], c


def test_patch_without_change_keeps_resource_version(server, kubectl, ns):
    rv = server.create_configmap(ns, "nc", {"a": "1"})["metadata"]["resourceVersion"]
    r = kubectl.run("patch", "cm", "nc", "-n", ns, "--type=merge", "-p", '{"data":{"a":"1"}}')
    assert r.rc == 0 and r.out == "configmap/nc patched (no change)\n", r
    assert kubectl.json("get", "cm", "nc", "-n", ns)["metadata"]["resourceVersion"] == rv


# -- delete -----------------------------------------------------------------------------------

def test_delete(server, kubectl, ns):
    server.create_configmap(ns, "del", {"a": "b"})
    r = kubectl.run("delete", "configmap", "del", "-n", ns)
    assert r.rc == 0 and r.out == 'configmap "del" deleted\n', r
    assert_gone(kubectl, ns, "configmaps", "del")
    assert server.get(f"/api/v1/namespaces/{ns}/configmaps/del").status == 404
    r = kubectl.run("delete", "configmap", "del", "-n", ns)
    assert r.rc == 1 and 'Error from server (NotFound): configmaps "del" not found' in r.err, r


def test_delete_namespace_removes_contents(server, kubectl):
    ns = unique("dn" + kubectl.version.replace(".", ""))
    server.create_namespace(ns)
    server.create_configmap(ns, "c1", {"a": "b"})
    server.create(f"/api/v1/namespaces/{ns}/secrets",
                  {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}})
    server.create(f"/apis/apps/v1/namespaces/{ns}/deployments", deployment("d1"))
    r = kubectl.run("delete", "namespace", ns, "--timeout=30s", timeout=45)
    assert r.rc == 0 and r.out == f'namespace "{ns}" deleted\n', r
    # kubectl waits until the namespace is gone
    r = kubectl.run("get", "namespace", ns)
    assert r.rc == 1 and f'Error from server (NotFound): namespaces "{ns}" not found' in r.err, r
    for path in (f"/api/v1/namespaces/{ns}/configmaps", f"/api/v1/namespaces/{ns}/secrets",
                 f"/apis/apps/v1/namespaces/{ns}/deployments"):
        lst = get_json(server, path)
        assert lst["items"] == [], (path, lst)
    assert server.get(f"/api/v1/namespaces/{ns}/serviceaccounts/default").status == 404


# -- watch ------------------------------------------------------------------------------------

def read_json_stream(proc, want, timeout=15):
    """Reads concatenated JSON documents from a kubectl -o json watch until `want(docs)`."""
    dec = json.JSONDecoder()
    buf = ""
    docs = []
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while not want(docs):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"watch output so far: {docs!r} {buf!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"kubectl exited: {proc.wait()} {proc.stderr.read()!r}; "
                                 f"docs {docs!r}")
        buf += chunk.decode()
        while True:
            buf = buf.lstrip()
            if not buf:
                break
            try:
                doc, end = dec.raw_decode(buf)
            except ValueError:
                break
            docs.append(doc)
            buf = buf[end:]
    return docs


def read_lines(proc, want, timeout=15):
    """Reads kubectl's output until `want(complete lines so far)`."""
    buf = b""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()

    def complete():
        return buf.decode().split("\n")[:-1]  # a line is complete once its newline is out
    while not want(complete()):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"watch output so far: {buf.decode()!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"kubectl exited: {proc.wait()} {proc.stderr.read()!r}; "
                                     f"output {buf.decode()!r}")
            buf += chunk
    return complete()


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_get_watch_events(server, kubectl, ns):
    # `-o name` prints no event type even with --output-watch-events (cli-runtime's NamePrinter
    # unwraps the WatchEvent), so the events are read as JSON.
    server.create_configmap(ns, "w0", {"k": "0"})
    proc = kubectl.popen("get", "configmaps", "-n", ns, "-w", "--output-watch-events", "-o", "json")
    try:
        # the initial list is printed as ADDED: once w0 is there, the watch is established
        read_json_stream(proc, lambda d: any(x["object"]["metadata"]["name"] == "w0" for x in d))
        base = f"/api/v1/namespaces/{ns}/configmaps"
        server.create_configmap(ns, "w1", {"k": "1"})
        cur = get_json(server, base + "/w1")
        cur["data"]["k"] = "2"
        assert server.put(base + "/w1", cur).status == 200
        assert server.delete(base + "/w1").status == 200

        def mine(docs):
            return [(d["type"], d["object"]["data"]["k"]) for d in docs
                    if d["object"]["metadata"]["name"] == "w1"]
        docs = read_json_stream(proc, lambda d: len(mine(d)) >= 3)
        assert mine(docs) == [("ADDED", "1"), ("MODIFIED", "2"), ("DELETED", "2")], docs
    finally:
        stop(proc)


def test_get_watch_table(server, kubectl, ns):
    server.create_configmap(ns, "t0", {"k": "0"})
    proc = kubectl.popen("get", "configmaps", "-n", ns, "-w", "--output-watch-events")
    try:
        lines = read_lines(proc, lambda ls: any(" t0 " in f" {x} " for x in ls))
        assert lines[0].split() == ["EVENT", "NAME", "DATA", "AGE"], lines
        base = f"/api/v1/namespaces/{ns}/configmaps"
        server.create_configmap(ns, "t1", {"k": "1"})
        cur = get_json(server, base + "/t1")
        cur["data"]["j"] = "2"
        assert server.put(base + "/t1", cur).status == 200
        assert server.delete(base + "/t1").status == 200

        def mine(ls):
            return [x.split()[:3] for x in ls if len(x.split()) > 1 and x.split()[1] == "t1"]
        lines = read_lines(proc, lambda ls: len(mine(ls)) >= 3)
        assert mine(lines) == [["ADDED", "t1", "1"], ["MODIFIED", "t1", "2"],
                               ["DELETED", "t1", "2"]], lines
    finally:
        stop(proc)


# -- explain ----------------------------------------------------------------------------------

def test_explain_deployment_spec(kubectl):
    r = kubectl.run("explain", "deployment.spec")
    assert r.rc == 0, r
    out = r.out
    assert re.search(r"^KIND:\s+Deployment$", out, re.M), out
    assert re.search(r"^VERSION:\s+v1$", out, re.M), out
    assert re.search(r"^FIELD:\s+spec <DeploymentSpec>$", out, re.M), out
    assert re.search(r"^\s+replicas\s+<integer>$", out, re.M), out
    assert re.search(r"^\s+selector\s+<LabelSelector> -required-$", out, re.M), out
    assert re.search(r"^\s+template\s+<PodTemplateSpec> -required-$", out, re.M), out
    assert re.search(r"^\s+strategy\s+<DeploymentStrategy>$", out, re.M), out


# -- kubectl 1.27 and 1.28: /openapi/v2 -----------------------------------------------------
# They read /openapi/v2 (gnostic protobuf) for create -f, apply, diff and explain: the
# query-param verifier decides from it that the server validates fields, and apply takes the
# strategic-merge patch metadata from it. Focused tests, so the suite does not run twice over.

OLDER_KUBECTL = ["1.27", "1.28"]


@pytest.mark.parametrize("version", OLDER_KUBECTL)
def test_generators_and_gets_of_older_kubectl(server, version, tmp_path):
    """kubectl 1.27/1.28: generators, reads, label, scale, and create -f (/openapi/v2)."""
    k = server.kubectl(version)
    ns = unique(f"old{version.replace('.', '')}")
    k.ok("create", "namespace", ns)
    k.ok("create", "configmap", "cm", "-n", ns, "--from-literal=a=1")
    k.ok("create", "secret", "generic", "s", "-n", ns, "--from-literal=p=x")
    k.ok("create", "deployment", "web", "-n", ns, "--image=nginx", "--replicas=2")
    k.ok("create", "service", "clusterip", "web", "-n", ns, "--tcp=80:8080")
    k.ok("create", "job", "once", "-n", ns, "--image=busybox")
    assert json.loads(k.ok("get", "cm", "cm", "-n", ns, "-o", "json").out)["data"] == {"a": "1"}
    deploy = json.loads(k.ok("get", "deploy", "web", "-n", ns, "-o", "json").out)
    assert deploy["spec"]["replicas"] == 2
    names, rows = parse_table(k.ok("get", "svc", "-n", ns).out)
    assert names[:4] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP"]
    assert rows[0]["NAME"] == "web" and rows[0]["PORT(S)"] == "80/TCP"
    k.ok("label", "cm", "cm", "-n", ns, "tier=web")
    k.ok("scale", "deploy", "web", "-n", ns, "--replicas=3")
    assert json.loads(k.ok("get", "deploy", "web", "-n", ns, "-o", "json").out)["spec"][
        "replicas"] == 3
    f = write_yaml(tmp_path / "cm.yaml", {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": "fromfile", "namespace": ns},
                                          "data": {"k": "v"}})
    r = k.run("create", "-f", f)
    assert r.rc == 0 and r.out == "configmap/fromfile created\n", r
    assert json.loads(k.ok("get", "cm", "fromfile", "-n", ns, "-o", "json").out)["data"] == {
        "k": "v"}
    k.ok("delete", "namespace", ns, "--wait=false")


def two_container_deployment(ns, image):
    d = deployment("web", image=image, containers=[
        {"name": "nginx", "image": image},
        {"name": "side", "image": "busybox", "command": ["sleep", "1d"]}])
    d["metadata"]["namespace"] = ns
    return d


@pytest.mark.parametrize("version", OLDER_KUBECTL)
def test_openapi_v2_create_and_apply_of_older_kubectl(server, version, tmp_path):
    k = server.kubectl(version)
    ns = unique(f"v2ap{version.replace('.', '')}")
    server.create_namespace(ns)
    f = tmp_path / "web.yaml"
    write_yaml(f, two_container_deployment(ns, "nginx:1.25"))
    r = k.run("create", "-f", str(f), "-v=6")
    assert r.rc == 0 and r.out == "deployment.apps/web created\n", r
    assert re.search(r"GET https://\S+/openapi/v2\S* 200 OK", r.err), r

    # Someone else gives the sidecar an env var; apply must merge containers by name (the patch
    # merge key from /openapi/v2), not replace the list.
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "side", "env": [{"name": "MODE", "value": "x"}]}]}}}}
    assert server.patch(path, patch, "application/strategic-merge-patch+json").status == 200

    r = k.run("apply", "-f", str(f))
    assert r.rc == 0 and r.out == "deployment.apps/web configured\n", r  # takes the annotation
    write_yaml(f, two_container_deployment(ns, "nginx:1.26"))
    r = k.run("apply", "-f", str(f), "-v=6")
    assert r.rc == 0 and r.out == "deployment.apps/web configured\n", r
    assert re.search(r"PATCH https://\S+/deployments/web\?fieldManager=kubectl-client-side-apply"
                     r"&fieldValidation=Strict\S* 200 OK", r.err), r
    dep = server.get(path).json()
    containers = dep["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("nginx", "nginx:1.26"),
                                                             ("side", "busybox")], containers
    assert containers[1]["env"] == [{"name": "MODE", "value": "x"}], containers
    assert dep["metadata"]["generation"] == 3, dep
    r = k.run("apply", "-f", str(f))
    assert r.rc == 0 and r.out == "deployment.apps/web unchanged\n", r


@pytest.mark.parametrize("version", OLDER_KUBECTL)
def test_openapi_v2_unknown_field_fails_on_the_server_with_older_kubectl(server, version,
                                                                          tmp_path):
    """kubectl leaves the validation to the server (fieldValidation=Strict), which refuses."""
    k = server.kubectl(version)
    ns = unique(f"v2uf{version.replace('.', '')}")
    server.create_namespace(ns)
    bad = deployment("bad")
    bad["metadata"]["namespace"] = ns
    bad["spec"]["bogus"] = 1
    f = write_yaml(tmp_path / "bad.yaml", bad)
    message = ('Deployment in version "v1" cannot be handled as a Deployment: strict decoding '
               'error: unknown field "spec.bogus"')
    for verb in ("create", "apply"):
        r = k.run(verb, "-f", f)
        assert r.rc == 1, r
        assert "Error from server (BadRequest)" in r.err and message in r.err, r
        assert server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/bad").status == 404
    # The same through the apply patch of an existing object.
    good = dict(bad, spec={k2: v for k2, v in bad["spec"].items() if k2 != "bogus"})
    k.ok("apply", "-f", write_yaml(tmp_path / "good.yaml", good))
    r = k.run("apply", "-f", f)
    assert r.rc == 1 and "error when patching" in r.err and message in r.err, r


@pytest.mark.parametrize("version", OLDER_KUBECTL)
def test_openapi_v2_explain_of_older_kubectl(server, version):
    k = server.kubectl(version)
    out = k.ok("explain", "deployment.spec").out
    assert re.search(r"^KIND:\s+Deployment$", out, re.M), out
    assert re.search(r"^FIELD:\s+spec <DeploymentSpec>$", out, re.M), out
    assert re.search(r"^\s+replicas\s+<integer>$", out, re.M), out
    assert re.search(r"^\s+selector\s+<LabelSelector> -required-$", out, re.M), out
    # The explain that reads /openapi/v2 itself.
    out = k.ok("explain", "deployment.spec", "--output=plaintext-openapiv2").out
    assert re.search(r"^VERSION:\s+apps/v1$", out, re.M), out
    assert re.search(r"^RESOURCE:\s+spec <Object>$", out, re.M), out
    assert re.search(r"^\s+replicas\s+<integer>$", out, re.M), out
    assert re.search(r"^\s+selector\s+<Object> -required-$", out, re.M), out
    assert re.search(r"^\s+template\s+<Object> -required-$", out, re.M), out
    out = k.ok("explain", "pods.spec.containers", "--output=plaintext-openapiv2").out
    assert re.search(r"^RESOURCE:\s+containers <\[\]Object>$", out, re.M), out
    assert re.search(r"^\s+image\s+<string>$", out, re.M), out


@pytest.mark.parametrize("version", OLDER_KUBECTL)
def test_openapi_v2_diff_of_older_kubectl(server, version, tmp_path):
    k = server.kubectl(version)
    ns = unique(f"v2df{version.replace('.', '')}")
    server.create_namespace(ns)
    d = deployment("web")
    d["metadata"]["namespace"] = ns
    f = tmp_path / "web.yaml"
    k.ok("apply", "-f", write_yaml(f, d))
    same = k.run("diff", "-f", str(f))
    assert same.rc == 0 and same.out == "", same
    d["spec"]["replicas"] = 3
    write_yaml(f, d)
    changed = k.run("diff", "-f", str(f))
    assert changed.rc == 1, changed  # 1: differences found
    lines = changed.out.splitlines()
    assert "-  replicas: 1" in lines and "+  replicas: 3" in lines, changed
    dep = server.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web").json()
    assert dep["spec"]["replicas"] == 1, dep  # diff is a dry run


def pb_fields(data):
    """A protobuf message's fields as (number, value): ints for varints, bytes otherwise."""
    out, i = [], 0

    def varint():
        nonlocal i
        value = shift = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while i < len(data):
        tag = varint()
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            out.append((number, varint()))
        elif wire == 2:
            n = varint()
            out.append((number, data[i:i + n]))
            i += n
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        else:
            raise ValueError(f"wire type {wire}")
    return out


def pb_get(data, number):
    return [v for n, v in pb_fields(data) if n == number]


def pb_named(data, number):
    """A `repeated Named<T> {name = 1; value = 2}` field as a dict."""
    return {pb_get(e, 1)[0].decode(): pb_get(e, 2)[0] for e in pb_get(data, number)}


def test_openapi_v2_served_as_json_and_gnostic_protobuf(server):
    r = server.get("/openapi/v2")
    assert r.status == 200 and r.header("Content-Type") == "application/json", r
    doc = r.json()
    assert doc["swagger"] == "2.0"
    etag = r.header("ETag")
    assert re.fullmatch(r'"[0-9A-F]{128}"', etag or ""), r

    pb_type = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    r = server.get("/openapi/v2", headers={
        "Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert r.status == 200 and r.header("Content-Type") == pb_type, r
    assert r.header("ETag") == etag
    body = r.body
    assert pb_get(body, 1) == [b"2.0"]  # Document.swagger
    definitions = pb_named(pb_get(body, 9)[0], 1)
    assert len(definitions) == len(doc["definitions"])
    ext = {n: pb_get(a, 2)[0].decode() for n, a in pb_named(
        definitions["io.k8s.api.apps.v1.Deployment"], 31).items()}
    assert yaml.safe_load(ext["x-kubernetes-group-version-kind"]) == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}], ext
    paths = pb_named(pb_get(body, 8)[0], 2)
    assert len(paths) == len(doc["paths"])
    patch = pb_get(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"], 8)[0]
    ext = {n: pb_get(a, 2)[0].decode() for n, a in pb_named(patch, 13).items()}
    assert yaml.safe_load(ext["x-kubernetes-group-version-kind"]) == {
        "group": "apps", "kind": "Deployment", "version": "v1"}, ext
    query_params = []
    for item in pb_get(patch, 8):  # ParametersItem.parameter.non_body_parameter.query
        for param in pb_get(item, 1):
            for non_body in pb_get(param, 2):
                query_params += [pb_get(q, 4)[0].decode() for q in pb_get(non_body, 3)]
    assert query_params == ["dryRun", "fieldValidation"], query_params

    r = server.get("/openapi/v2", headers={"Accept": pb_type, "If-None-Match": etag})
    assert r.status == 304 and r.body == b"", r
    r = server.get("/openapi/v2", headers={"Accept": "text/html"})
    assert r.status == 406, r


# -- one object, several versions -------------------------------------------------------------

def two_events(server, ns):
    """A core v1 Event about pod/web and an events.k8s.io/v1 Event about deployment/api."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    server.create(f"/api/v1/namespaces/{ns}/events", {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": ns},
        "reason": "Pulled", "message": "pulled image", "type": "Normal",
        "source": {"component": "kubelet", "host": "edge-1"}, "count": 1,
        "firstTimestamp": now, "lastTimestamp": now})
    server.create(f"/apis/events.k8s.io/v1/namespaces/{ns}/events", {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "api.1"},
        "eventTime": now.replace("Z", ".000000Z"),
        "regarding": {"kind": "Deployment", "name": "api", "namespace": ns},
        "reportingController": "skiff.io/e2e", "reportingInstance": "e2e", "action": "Scale",
        "reason": "Scaled", "type": "Warning", "note": "scaled up"})


def test_get_events_lists_both_apis(server, kubectl, ns):
    two_events(server, ns)
    for resource in ("events", "ev", "events.v1.events.k8s.io", "events.events.k8s.io"):
        out = kubectl.ok("get", resource, "-n", ns).out
        lines = out.splitlines()
        assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], out
        rows = {(" ".join(ln.split()[1:4]), " ".join(ln.split()[4:])) for ln in lines[1:]}
        assert rows == {("Normal Pulled pod/web", "pulled image"),
                        ("Warning Scaled deployment/api", "scaled up")}, out
        assert all(AGE.match(ln.split()[0]) for ln in lines[1:]), out

    items = kubectl.json("get", "events.v1.events.k8s.io", "-n", ns)["items"]
    by_name = {i["metadata"]["name"]: i for i in items}
    assert set(by_name) == {"web.1", "api.1"}
    assert by_name["web.1"]["apiVersion"] == "events.k8s.io/v1"
    assert by_name["web.1"]["note"] == "pulled image"
    assert by_name["web.1"]["regarding"]["name"] == "web"
    assert by_name["web.1"]["deprecatedSource"] == {"component": "kubelet", "host": "edge-1"}
    core = {i["metadata"]["name"]: i for i in kubectl.json("get", "events", "-n", ns)["items"]}
    assert core["api.1"]["apiVersion"] == "v1"
    assert core["api.1"]["message"] == "scaled up"
    assert core["api.1"]["involvedObject"]["name"] == "api"
    assert core["api.1"]["reportingComponent"] == "skiff.io/e2e"

    out = kubectl.ok("get", "events.v1.events.k8s.io", "-n", ns,
                     "--field-selector", "regarding.name=api").out
    assert [ln.split()[3] for ln in out.splitlines()[1:]] == ["deployment/api"], out


def test_get_hpa_in_either_version(server, kubectl, ns):
    server.create(f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers", {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "maxReplicas": 5,
                 "metrics": [{"type": "Resource", "resource": {
                     "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
                     {"type": "Pods", "pods": {"metric": {"name": "packets"}, "target": {
                         "type": "AverageValue", "averageValue": "1k"}}}]}})
    v1 = kubectl.json("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-n", ns)
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 50
    assert json.loads(v1["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"]) \
        == [{"type": "Pods", "pods": {"metricName": "packets", "targetAverageValue": "1k"}}]
    v2 = kubectl.json("get", "hpa", "web", "-n", ns)
    assert v2["apiVersion"] == "autoscaling/v2"
    assert len(v2["spec"]["metrics"]) == 2 and "annotations" not in v2["metadata"]

    # (the short name "hpa.v1.autoscaling" resolves to kubectl's preferred version, v2)
    kubectl.ok("patch", "horizontalpodautoscalers.v1.autoscaling", "web", "-n", ns,
               "--type=merge", "-p", '{"spec":{"targetCPUUtilizationPercentage":75}}')
    v2 = kubectl.json("get", "hpa", "web", "-n", ns)
    assert [m["type"] for m in v2["spec"]["metrics"]] == ["Pods", "Resource"]
    assert v2["spec"]["metrics"][1]["resource"]["target"]["averageUtilization"] == 75


def test_delete_namespace_removes_events_of_both_apis_and_hpas(server, kubectl):
    ns = unique("dv" + kubectl.version.replace(".", ""))
    server.create_namespace(ns)
    two_events(server, ns)
    server.create(f"/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers", {
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 2}})
    mark = server.log_path.stat().st_size
    r = kubectl.run("delete", "namespace", ns, "--timeout=30s", timeout=45)
    assert r.rc == 0 and r.out == f'namespace "{ns}" deleted\n', r
    for path in (f"/api/v1/namespaces/{ns}/events",
                 f"/apis/events.k8s.io/v1/namespaces/{ns}/events",
                 f"/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers",
                 f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"):
        assert get_json(server, path)["items"] == [], path
    log = server._log_since(mark)
    assert not [ln for ln in log.splitlines() if ns in ln and "cannot delete" in ln], log
