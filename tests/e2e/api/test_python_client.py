"""Debian's python3-kubernetes 22.6, unchanged, against one skiff server."""

import datetime
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


# -- one object, several versions: autoscaling/v1 and v2, core v1 and events.k8s.io/v1 --------
# python3-kubernetes 22.6 has no AutoscalingV2Api (autoscaling/v2 came with client 23), so
# the v2 side goes through the raw API.

HPA_METRICS = "autoscaling.alpha.kubernetes.io/metrics"


@pytest.fixture(scope="module")
def autoscaling(api):
    return client.AutoscalingV1Api(api)


@pytest.fixture(scope="module")
def events_v1(api):
    return client.EventsV1Api(api)


def hpa_v2(name):
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": "web"},
                     "maxReplicas": 5,
                     "metrics": [
                         {"type": "Resource", "resource": {
                             "name": "cpu",
                             "target": {"type": "Utilization", "averageUtilization": 50}}},
                         {"type": "Resource", "resource": {
                             "name": "memory",
                             "target": {"type": "AverageValue", "averageValue": "500Mi"}}}]}}


def hpa_v2_path(ns, name=""):
    return f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers" + \
        (f"/{name}" if name else "")


def test_hpa_v2_read_and_patched_through_v1(autoscaling, server, ns):
    server.create(hpa_v2_path(ns), hpa_v2("web"))
    h = autoscaling.read_namespaced_horizontal_pod_autoscaler("web", ns)
    assert isinstance(h, client.V1HorizontalPodAutoscaler)
    assert h.api_version == "autoscaling/v1"
    assert h.spec.target_cpu_utilization_percentage == 50
    assert (h.spec.min_replicas, h.spec.max_replicas) == (1, 5)
    assert json.loads(h.metadata.annotations[HPA_METRICS]) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "500Mi"}}]
    assert (h.status.current_replicas, h.status.desired_replicas) == (0, 0)

    # a dict patch (strategic merge) through v1, applied in v1 and stored as v2
    patched = autoscaling.patch_namespaced_horizontal_pod_autoscaler(
        "web", ns, {"spec": {"targetCPUUtilizationPercentage": 90}})
    assert patched.api_version == "autoscaling/v1"
    assert patched.spec.target_cpu_utilization_percentage == 90
    v2 = server.get(hpa_v2_path(ns, "web")).json()
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"] == [
        {"type": "Resource", "resource": {
            "name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
        {"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 90}}}]
    assert v2["metadata"]["generation"] == 2
    assert "annotations" not in v2["metadata"], v2


def test_hpa_v1_created_read_as_v2(autoscaling, server, ns):
    body = client.V1HorizontalPodAutoscaler(
        metadata=client.V1ObjectMeta(name="cpu"),
        spec=client.V1HorizontalPodAutoscalerSpec(
            max_replicas=4, target_cpu_utilization_percentage=70,
            scale_target_ref=client.V1CrossVersionObjectReference(
                api_version="apps/v1", kind="Deployment", name="web")))
    created = autoscaling.create_namespaced_horizontal_pod_autoscaler(ns, body)
    assert created.api_version == "autoscaling/v1"
    assert created.spec.target_cpu_utilization_percentage == 70
    assert created.spec.min_replicas == 1
    v2 = server.get(hpa_v2_path(ns, "cpu")).json()
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    assert v2["status"] == {"currentMetrics": None, "desiredReplicas": 0}
    names = [h.metadata.name for h in autoscaling.list_namespaced_horizontal_pod_autoscaler(
        ns).items]
    assert names == ["cpu"]
    autoscaling.delete_namespaced_horizontal_pod_autoscaler("cpu", ns)
    assert server.get(hpa_v2_path(ns, "cpu")).status == 404


def test_hpa_watch_through_v1_sees_v2_writes(autoscaling, server, ns):
    base = autoscaling.list_namespaced_horizontal_pod_autoscaler(ns).metadata.resource_version
    server.create(hpa_v2_path(ns), hpa_v2("watched"))
    r = server.patch(hpa_v2_path(ns, "watched"), {"spec": {"maxReplicas": 9}},
                     "application/merge-patch+json")
    assert r.status == 200, r
    w = watch.Watch()
    seen = []
    for ev in w.stream(autoscaling.list_namespaced_horizontal_pod_autoscaler, ns,
                       resource_version=base, timeout_seconds=5):
        obj = ev["object"]
        seen.append((ev["type"], obj.api_version, obj.spec.target_cpu_utilization_percentage,
                     obj.spec.max_replicas))
        if len(seen) == 2:
            w.stop()
    assert seen == [("ADDED", "autoscaling/v1", 50, 5), ("MODIFIED", "autoscaling/v1", 50, 9)]


def test_events_are_shared_between_core_and_events_v1(core, events_v1, server, ns):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    # python's EventsV1Event needs an eventTime, so the core Event is a new-style one
    core.create_namespaced_event(ns, client.CoreV1Event(
        metadata=client.V1ObjectMeta(name="web.1"),
        involved_object=client.V1ObjectReference(kind="Pod", name="web", namespace=ns),
        reason="Pulled", message="pulled image", type="Normal", action="Pull", count=1,
        event_time=now, reporting_component="kubelet", reporting_instance="edge-1",
        source=client.V1EventSource(component="kubelet", host="edge-1")))
    got = events_v1.read_namespaced_event("web.1", ns)
    assert isinstance(got, client.EventsV1Event)
    assert got.api_version == "events.k8s.io/v1"
    assert (got.regarding.kind, got.regarding.name) == ("Pod", "web")
    assert got.note == "pulled image"
    assert got.reporting_controller == "kubelet"
    assert got.deprecated_count == 1
    assert got.deprecated_source.host == "edge-1"
    listed = events_v1.list_namespaced_event(ns, field_selector="regarding.name=web")
    assert [e.metadata.name for e in listed.items] == ["web.1"]
    assert events_v1.list_namespaced_event(ns, field_selector="regarding.name=nope").items == []

    events_v1.create_namespaced_event(ns, client.EventsV1Event(
        metadata=client.V1ObjectMeta(name="sync.1"), event_time=now,
        regarding=client.V1ObjectReference(kind="Deployment", name="api", namespace=ns),
        reporting_controller="skiff.io/e2e", reporting_instance="e2e", action="Scale",
        reason="Scaled", type="Normal", note="scaled up"))
    c = core.read_namespaced_event("sync.1", ns)
    assert (c.involved_object.kind, c.involved_object.name) == ("Deployment", "api")
    assert c.message == "scaled up"
    assert c.reporting_component == "skiff.io/e2e"
    names = [e.metadata.name for e in core.list_namespaced_event(
        ns, field_selector="involvedObject.name=api").items]
    assert names == ["sync.1"]
    core_names = {e.metadata.name for e in core.list_namespaced_event(ns).items}
    v1_names = {e["metadata"]["name"]
                for e in server.get(f"/apis/events.k8s.io/v1/namespaces/{ns}/events").json()[
                    "items"]}
    assert {"web.1", "sync.1"} <= core_names and core_names == v1_names

    # events.k8s.io/v1 keeps its own rules: the deprecated fields are for core clients
    with pytest.raises(ApiException) as exc:
        events_v1.create_namespaced_event(ns, client.EventsV1Event(
            metadata=client.V1ObjectMeta(name="old"), event_time=now,
            regarding=client.V1ObjectReference(kind="Pod", name="web", namespace=ns),
            reporting_controller="kubelet", reporting_instance="edge-1", action="Pull",
            reason="Pulled", type="Normal", deprecated_count=3))
    assert exc.value.status == 422
    body = json.loads(exc.value.body)
    assert body["message"] == ('Event.events.k8s.io "old" is invalid: count: Invalid value: '
                               '"": needs to be unset'), body

    events_v1.delete_namespaced_event("web.1", ns)
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_event("web.1", ns)
    assert exc.value.status == 404
