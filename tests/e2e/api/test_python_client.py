"""Debian's python3-kubernetes 22.6, unchanged, against one skiff server."""

import json
import threading

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from conftest import unique, wait_for


@pytest.fixture(scope="module")
def api(server):
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=cfg)
    with client.ApiClient(cfg) as api_client:
        yield api_client


@pytest.fixture(scope="module")
def core(api):
    return client.CoreV1Api(api)


@pytest.fixture(scope="module")
def apps(api):
    return client.AppsV1Api(api)


@pytest.fixture
def ns(core):
    name = unique("py")
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


def configmap(name, data, labels=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data)


def deployment(name, replicas=1, image="nginx:1.25"):
    labels = {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="app", image=image)]))))


def test_list_namespaces(core):
    names = {n.metadata.name for n in core.list_namespace().items}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    for n in core.list_namespace().items:
        if n.metadata.name == "default":
            assert n.status.phase == "Active"


def test_configmap_crud(core, ns):
    lst = core.list_namespaced_config_map(ns)
    assert [c.metadata.name for c in lst.items if c.metadata.name.startswith("crud")] == []
    assert lst.metadata.resource_version

    created = core.create_namespaced_config_map(ns, configmap("crud", {"a": "1"}))
    assert created.metadata.name == "crud" and created.metadata.namespace == ns
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.creation_timestamp is not None
    assert created.data == {"a": "1"}

    read = core.read_namespaced_config_map("crud", ns)
    assert read.metadata.uid == created.metadata.uid
    assert read.data == {"a": "1"}

    read.data["b"] = "2"
    replaced = core.replace_namespaced_config_map("crud", ns, read)
    assert replaced.data == {"a": "1", "b": "2"}
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)

    # a dict body is sent as a strategic merge patch
    patched = core.patch_namespaced_config_map(
        "crud", ns, {"metadata": {"labels": {"env": "test"}}, "data": {"c": "3"}})
    assert patched.data == {"a": "1", "b": "2", "c": "3"}
    assert patched.metadata.labels == {"env": "test"}

    # a list body is sent as a JSON patch
    patched = core.patch_namespaced_config_map(
        "crud", ns, [{"op": "remove", "path": "/data/a"}])
    assert patched.data == {"b": "2", "c": "3"}

    names = [c.metadata.name for c in core.list_namespaced_config_map(ns).items]
    assert "crud" in names

    status = core.delete_namespaced_config_map("crud", ns)
    assert status.status == "Success", status
    assert (status.details.name, status.details.kind) == ("crud", "configmaps"), status
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("crud", ns)
    assert exc.value.status == 404
    assert "crud" not in [c.metadata.name for c in core.list_namespaced_config_map(ns).items]


def test_not_found_is_a_status(core, ns):
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("nope", ns)
    assert exc.value.status == 404
    assert exc.value.reason == "Not Found"
    body = json.loads(exc.value.body)
    assert body["kind"] == "Status" and body["apiVersion"] == "v1", body
    assert body["status"] == "Failure" and body["code"] == 404, body
    assert body["reason"] == "NotFound", body
    assert body["message"] == 'configmaps "nope" not found', body
    assert body["details"] == {"name": "nope", "kind": "configmaps"}, body


def test_stale_replace_is_a_conflict(core, ns):
    core.create_namespaced_config_map(ns, configmap("stale", {"a": "1"}))
    first = core.read_namespaced_config_map("stale", ns)
    second = core.read_namespaced_config_map("stale", ns)
    second.data["a"] = "2"
    core.replace_namespaced_config_map("stale", ns, second)
    first.data["a"] = "3"
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_config_map("stale", ns, first)
    assert exc.value.status == 409
    assert exc.value.reason == "Conflict"
    body = json.loads(exc.value.body)
    assert body["reason"] == "Conflict" and body["code"] == 409, body
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "stale": the object '
                               'has been modified; please apply your changes to the latest '
                               'version and try again'), body
    assert core.read_namespaced_config_map("stale", ns).data == {"a": "2"}


def test_create_existing_is_already_exists(core, ns):
    core.create_namespaced_config_map(ns, configmap("dup", {"a": "1"}))
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map(ns, configmap("dup", {"a": "2"}))
    assert exc.value.status == 409
    body = json.loads(exc.value.body)
    assert body["reason"] == "AlreadyExists", body
    assert body["message"] == 'configmaps "dup" already exists', body


def test_read_kubernetes_service(core, server):
    svc = core.read_namespaced_service("kubernetes", "default")
    assert svc.spec.type == "ClusterIP"
    assert svc.spec.cluster_ip == "10.43.0.1"
    assert len(svc.spec.ports) == 1
    port = svc.spec.ports[0]
    assert (port.name, port.port, port.protocol) == ("https", 443, "TCP")
    assert port.target_port == server.port
    assert svc.metadata.labels == {"component": "apiserver", "provider": "kubernetes"}


def test_default_service_account_appears(core, ns):
    sa = wait_for(lambda: [s for s in core.list_namespaced_service_account(ns).items
                           if s.metadata.name == "default"], what="default ServiceAccount")
    assert sa[0].metadata.namespace == ns


def test_deployment_create_read_scale(apps, ns):
    created = apps.create_namespaced_deployment(ns, deployment("web"))
    assert created.metadata.name == "web"
    assert created.metadata.generation == 1
    read = apps.read_namespaced_deployment("web", ns)
    assert read.spec.replicas == 1
    assert read.spec.selector.match_labels == {"app": "web"}
    assert read.spec.template.spec.containers[0].image == "nginx:1.25"

    scale = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 3}})
    assert isinstance(scale, client.V1Scale)
    assert scale.spec.replicas == 3
    assert apps.read_namespaced_deployment("web", ns).spec.replicas == 3
    scale = apps.read_namespaced_deployment_scale("web", ns)
    assert scale.kind == "Scale" and scale.api_version == "autoscaling/v1"
    assert scale.spec.replicas == 3
    assert scale.status.selector == "app=web"


def test_deployment_defaults(apps, ns):
    apps.create_namespaced_deployment(ns, deployment("defaults"))
    d = apps.read_namespaced_deployment("defaults", ns)
    assert d.spec.strategy.type == "RollingUpdate"
    assert d.spec.strategy.rolling_update.max_surge == "25%"
    assert d.spec.strategy.rolling_update.max_unavailable == "25%"
    assert d.spec.revision_history_limit == 10
    assert d.spec.progress_deadline_seconds == 600
    pod = d.spec.template.spec
    assert pod.restart_policy == "Always"
    assert pod.dns_policy == "ClusterFirst"
    assert pod.termination_grace_period_seconds == 30
    assert pod.containers[0].image_pull_policy == "IfNotPresent"


def test_watch_sees_changes_in_order(core, ns):
    base_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, configmap("w", {"k": "1"}))
    core.patch_namespaced_config_map("w", ns, {"data": {"k": "2"}})
    core.delete_namespaced_config_map("w", ns)

    # resuming from the list's resourceVersion replays exactly what happened since
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=base_rv,
                       timeout_seconds=5):
        if ev["object"].metadata.name == "w":
            obj = ev["object"]
            seen.append((ev["type"], obj.data["k"], obj.metadata.resource_version))
        if len(seen) == 3:
            w.stop()
    assert [(t, k) for t, k, _ in seen] == [("ADDED", "1"), ("MODIFIED", "2"), ("DELETED", "2")]
    rvs = [int(rv) for _, _, rv in seen]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3, seen

    # resuming from the ADDED event's version gives only what came after it
    w = watch.Watch()
    later = []
    for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=seen[0][2],
                       timeout_seconds=5):
        if ev["object"].metadata.name == "w":
            later.append(ev["type"])
        if len(later) == 2:
            w.stop()
    assert later == ["MODIFIED", "DELETED"]


def test_watch_live(core, ns):
    core.create_namespaced_config_map(ns, configmap("before", {"k": "0"}))
    w = watch.Watch()
    events = []
    lock = threading.Lock()
    errors = []

    def consume():
        try:
            for ev in w.stream(core.list_namespaced_config_map, ns, timeout_seconds=20):
                with lock:
                    events.append((ev["type"], ev["object"].metadata.name))
                if ev["type"] == "DELETED" and ev["object"].metadata.name == "live":
                    w.stop()
        except Exception as e:  # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=consume, daemon=True)
    t.start()
    try:
        # without a resourceVersion the watch starts with ADDED for what exists
        wait_for(lambda: ("ADDED", "before") in events or errors, what="initial ADDED")
        assert not errors, errors
        core.create_namespaced_config_map(ns, configmap("live", {"k": "1"}))
        core.patch_namespaced_config_map("live", ns, {"data": {"k": "2"}})
        core.delete_namespaced_config_map("live", ns)
        t.join(timeout=15)
        assert not t.is_alive(), events
        assert not errors, errors
        with lock:
            mine = [e for e in events if e[1] == "live"]
        assert mine == [("ADDED", "live"), ("MODIFIED", "live"), ("DELETED", "live")], events
    finally:
        w.stop()
