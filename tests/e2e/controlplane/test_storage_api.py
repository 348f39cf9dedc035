"""Storage through the API, end to end with real kubectl and the Python client: the default
StorageClass local-path, a claim given the default class and its protection finalizer, a claim
in use kept (Terminating) until its pod is gone, a volume's finalizer kept while it is Bound,
resize refused for a class without allowVolumeExpansion, kubectl's get and describe of
PersistentVolumes, PersistentVolumeClaims and StorageClasses, and a generic ephemeral volume's
claim made for its pod by the ephemeral volume controller and collected with it.

Pods are bound to a hollow node by spec.nodeName (no scheduler, no provisioner involved); a
hollow kubelet runs them and removes them when deleted."""

import json
import re

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from conftest import unique, wait_for
from hollow_kubelet import HollowKubelet, create_nodes, hollow_node

KUBECTL = "1.32"
CONTROL_PLANE = True  # the protection controllers run in the controller manager
NODE = "storage-node"

PVC_FINALIZER = "kubernetes.io/pvc-protection"
PV_FINALIZER = "kubernetes.io/pv-protection"
RESIZE_REFUSED = ("only dynamically provisioned pvc can be resized and the storageclass that "
                  "provisions the pvc must support resize")


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
def storage(api):
    return client.StorageV1Api(api)


@pytest.fixture(scope="module")
def kubelet(server):
    create_nodes(server, hollow_node(NODE))
    with HollowKubelet(server, [NODE]) as k:
        yield k


@pytest.fixture
def ns(server):
    name = unique("st")
    server.create_namespace(name)
    return name


def columns(header):
    """kubectl's column names: separated by two spaces or more (names may contain one)."""
    return re.split(r"\s{2,}", header.strip())


def table(kubectl, *args):
    """(column names, rows as lists of cells) of a kubectl get."""
    lines = [ln for ln in kubectl.ok("get", *args).out.splitlines() if ln.strip()]
    return columns(lines[0]), [re.split(r"\s{2,}", ln.strip()) for ln in lines[1:]]


def claim_body(name, storage_class=None, size="1Gi", volume_name=None):
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    if volume_name:
        spec["volumeName"] = volume_name
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
            "spec": spec}


def volume_body(name, claim=None, storage_class=""):
    spec = {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": storage_class,
            "hostPath": {"path": f"/tmp/{name}"}}
    if claim:
        meta = claim["metadata"]
        spec["claimRef"] = {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                            "namespace": meta["namespace"], "name": meta["name"],
                            "uid": meta["uid"]}
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": spec}


def pod_using(name, claim):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": NODE,
                     "containers": [{"name": "c", "image": "busybox",
                                     "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                     "volumes": [{"name": "data",
                                  "persistentVolumeClaim": {"claimName": claim}}]}}


def apply(kubectl, ns, *objs):
    doc = {"apiVersion": "v1", "kind": "List", "items": list(objs)}
    args = ["apply", "-f", "-"] + (["-n", ns] if ns else [])
    kubectl.ok(*args, input=json.dumps(doc))


def set_phase(server, path, phase):
    r = server.patch(f"{path}/status", {"status": {"phase": phase}},
                     "application/merge-patch+json")
    assert r.status in (200, 404), r


def bound_pair(server, kubectl, ns, prefix, storage_class):
    """A claim and a volume bound to each other, as the PersistentVolume controller leaves
    them (both Bound; written here so the test does not depend on that controller)."""
    pv, pvc = f"{prefix}-pv", "data"
    apply(kubectl, ns, claim_body(pvc, storage_class, volume_name=pv))
    claim = server.get(f"/api/v1/namespaces/{ns}/persistentvolumeclaims/{pvc}").json()
    apply(kubectl, None, volume_body(pv, claim, storage_class))
    set_phase(server, f"/api/v1/persistentvolumes/{pv}", "Bound")
    set_phase(server, f"/api/v1/namespaces/{ns}/persistentvolumeclaims/{pvc}", "Bound")
    return pv, pvc


def test_local_path_is_the_default_storage_class(server, storage):
    kubectl = server.kubectl(KUBECTL)
    sc = storage.read_storage_class("local-path")
    assert sc.provisioner == "skiff.io/local-path"
    assert sc.reclaim_policy == "Delete"
    assert sc.volume_binding_mode == "WaitForFirstConsumer"
    assert sc.allow_volume_expansion is True
    assert sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"] == "true"

    names, rows = table(kubectl, "sc")
    assert names == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                     "ALLOWVOLUMEEXPANSION", "AGE"]
    row = [r for r in rows if r[0].startswith("local-path")]
    assert row and row[0][:5] == ["local-path (default)", "skiff.io/local-path", "Delete",
                                  "WaitForFirstConsumer", "true"], rows

    described = kubectl.ok("describe", "sc", "local-path").out
    for line in [r"Name:\s+local-path", r"IsDefaultClass:\s+Yes",
                 r"Provisioner:\s+skiff.io/local-path", r"AllowVolumeExpansion:\s+True",
                 r"ReclaimPolicy:\s+Delete", r"VolumeBindingMode:\s+WaitForFirstConsumer"]:
        assert re.search(line, described), (line, described)


def test_a_claim_gets_the_default_class_and_its_finalizer(server, core, ns):
    kubectl = server.kubectl(KUBECTL)
    made = core.create_namespaced_persistent_volume_claim(ns, claim_body("data"))
    assert made.spec.storage_class_name == "local-path"
    assert made.metadata.finalizers == [PVC_FINALIZER]
    # "" asks for no class: it stays.
    none = core.create_namespaced_persistent_volume_claim(ns, claim_body("classless", ""))
    assert none.spec.storage_class_name == ""
    assert none.metadata.finalizers == [PVC_FINALIZER]

    names, rows = table(kubectl, "pvc", "-n", ns)
    assert names == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                     "VOLUMEATTRIBUTESCLASS", "AGE"]
    by_name = {r[0]: r for r in rows}
    # Unbound: no volume, capacity or access modes (empty cells).
    assert by_name["data"][1] == "Pending"
    assert by_name["data"][2:4] == ["local-path", "<unset>"]

    described = kubectl.ok("describe", "pvc", "-n", ns, "data").out
    for line in [r"Name:\s+data", rf"Namespace:\s+{ns}", r"StorageClass:\s+local-path",
                 r"Status:\s+Pending", rf"Finalizers:\s+\[{PVC_FINALIZER}\]",
                 r"Used By:\s+<none>"]:
        assert re.search(line, described), (line, described)


def test_a_claim_in_use_is_kept_until_its_pod_is_gone(server, core, ns, kubelet):
    kubectl = server.kubectl(KUBECTL)
    apply(kubectl, ns, claim_body("data"), pod_using("web", "data"))
    wait_for(lambda: core.read_namespaced_pod("web", ns).status.phase == "Running",
             timeout=20, what="web running")
    described = kubectl.ok("describe", "pvc", "-n", ns, "data").out
    assert re.search(r"Used By:\s+web", described), described

    kubectl.ok("delete", "pvc", "-n", ns, "data", "--wait=false")
    _, rows = table(kubectl, "pvc", "-n", ns)
    assert rows[0][:2] == ["data", "Terminating"], rows
    # The pod still runs: the claim stays, with its finalizer, for as long as it does.
    with pytest.raises(AssertionError):
        wait_for(lambda: not claim_exists(core, ns, "data"), timeout=2, what="claim gone")
    pvc = core.read_namespaced_persistent_volume_claim("data", ns)
    assert pvc.metadata.deletion_timestamp is not None
    assert pvc.metadata.finalizers == [PVC_FINALIZER]
    described = kubectl.ok("describe", "pvc", "-n", ns, "data").out
    assert re.search(r"Status:\s+Terminating \(lasts .*\)", described), described
    assert re.search(r"Used By:\s+web", described), described

    kubectl.ok("delete", "pod", "-n", ns, "web", "--wait=false")
    wait_for(lambda: not claim_exists(core, ns, "data"), timeout=20, what="claim gone")


def claim_exists(core, ns, name):
    try:
        core.read_namespaced_persistent_volume_claim(name, ns)
        return True
    except ApiException as e:
        if e.status == 404:
            return False
        raise


def volume_exists(core, name):
    try:
        core.read_persistent_volume(name)
        return True
    except ApiException as e:
        if e.status == 404:
            return False
        raise


def test_a_volume_is_kept_while_bound(server, core, ns):
    kubectl = server.kubectl(KUBECTL)
    prefix = unique("pv")
    pv, pvc = bound_pair(server, kubectl, ns, prefix, "")
    assert core.read_persistent_volume(pv).metadata.finalizers == [PV_FINALIZER]

    names, rows = table(kubectl, "pv", pv)
    assert names == ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM",
                     "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
    # An empty STORAGECLASS and REASON leave no cell: NAME .. CLAIM, then <unset>, then AGE.
    assert rows[0][:6] == [pv, "1Gi", "RWO", "Retain", "Bound", f"{ns}/{pvc}"], rows
    assert rows[0][6] == "<unset>", rows
    described = kubectl.ok("describe", "pv", pv).out
    for line in [rf"Name:\s+{pv}", rf"Finalizers:\s+\[{PV_FINALIZER}\]", r"Status:\s+Bound",
                 rf"Claim:\s+{ns}/{pvc}", r"Reclaim Policy:\s+Retain", r"Capacity:\s+1Gi",
                 r"Type:\s+HostPath"]:
        assert re.search(line, described), (line, described)

    kubectl.ok("delete", "pv", pv, "--wait=false")
    with pytest.raises(AssertionError):
        wait_for(lambda: not volume_exists(core, pv), timeout=2, what="volume gone")
    assert core.read_persistent_volume(pv).metadata.deletion_timestamp is not None
    _, rows = table(kubectl, "pv", pv)
    assert rows[0][4] == "Terminating", rows

    # Its claim goes (nothing uses it); the volume is Released and nothing holds it any more.
    kubectl.ok("delete", "pvc", "-n", ns, pvc)
    set_phase(server, f"/api/v1/persistentvolumes/{pv}", "Released")
    wait_for(lambda: not volume_exists(core, pv), timeout=20, what="volume gone")


def test_resize_needs_a_class_that_allows_expansion(server, core, storage, ns):
    kubectl = server.kubectl(KUBECTL)
    fixed = unique("fixed")
    storage.create_storage_class(client.V1StorageClass(
        metadata=client.V1ObjectMeta(name=fixed), provisioner="kubernetes.io/no-provisioner",
        volume_binding_mode="Immediate"))
    # Unbound: the spec may not change at all.
    apply(kubectl, ns, claim_body("unbound", fixed))
    r = kubectl.run("patch", "pvc", "-n", ns, "unbound", "--type=merge", "-p",
                    json.dumps({"spec": {"resources": {"requests": {"storage": "2Gi"}}}}))
    assert r.rc != 0
    assert ("spec: Forbidden: spec is immutable after creation except resources.requests and "
            "volumeAttributesClassName for bound claims") in r.err, r

    _, pvc = bound_pair(server, kubectl, ns, unique("rs"), fixed)
    r = kubectl.run("patch", "pvc", "-n", ns, pvc, "--type=merge", "-p",
                    json.dumps({"spec": {"resources": {"requests": {"storage": "2Gi"}}}}))
    assert r.rc != 0
    assert (f'Error from server (Forbidden): persistentvolumeclaims "{pvc}" is forbidden: '
            f"{RESIZE_REFUSED}") in r.err, r

    with pytest.raises(ApiException) as refused:
        core.patch_namespaced_persistent_volume_claim(
            pvc, ns, {"spec": {"resources": {"requests": {"storage": "3Gi"}}}})
    assert refused.value.status == 403
    status = json.loads(refused.value.body)
    assert status["reason"] == "Forbidden"
    assert status["message"] == f'persistentvolumeclaims "{pvc}" is forbidden: {RESIZE_REFUSED}'
    assert (core.read_namespaced_persistent_volume_claim(pvc, ns)
            .spec.resources.requests["storage"] == "1Gi")


def test_an_ephemeral_volume_gets_a_claim_owned_by_its_pod(server, core, ns, kubelet):
    kubectl = server.kubectl(KUBECTL)

    def pod(name, claim_template):
        return client.V1Pod(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1PodSpec(
                node_name=NODE,
                containers=[client.V1Container(name="c", image="busybox", volume_mounts=[
                    client.V1VolumeMount(name="scratch", mount_path="/data")])],
                volumes=[client.V1Volume(name="scratch", ephemeral=client.V1EphemeralVolumeSource(
                    volume_claim_template=claim_template))]))

    template = client.V1PersistentVolumeClaimTemplate(
        metadata=client.V1ObjectMeta(labels={"app": "web"}, annotations={"note": "scratch"}),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=client.V1ResourceRequirements(requests={"storage": "1Gi"})))
    with pytest.raises(ApiException) as refused:
        core.create_namespaced_pod(ns, pod("bad", None))
    assert refused.value.status == 422
    causes = json.loads(refused.value.body)["details"]["causes"]
    assert {"reason": "FieldValueRequired", "message": "Required value",
            "field": "spec.volumes[0].ephemeral.volumeClaimTemplate"} in causes, causes

    made = core.create_namespaced_pod(ns, pod("web", template))
    claim = wait_for(lambda: claim_exists(core, ns, "web-scratch") and
                     core.read_namespaced_persistent_volume_claim("web-scratch", ns),
                     timeout=20, what="the ephemeral claim")
    ref = claim.metadata.owner_references[0]
    assert len(claim.metadata.owner_references) == 1
    assert (ref.api_version, ref.kind, ref.name, ref.uid, ref.controller,
            ref.block_owner_deletion) == ("v1", "Pod", "web", made.metadata.uid, True, True)
    assert claim.metadata.labels == {"app": "web"}
    assert claim.metadata.annotations["note"] == "scratch"
    assert claim.spec.storage_class_name == "local-path"
    assert claim.metadata.finalizers == [PVC_FINALIZER]
    wait_for(lambda: core.read_namespaced_pod("web", ns).status.phase == "Running",
             timeout=20, what="web running")
    described = kubectl.ok("describe", "pvc", "-n", ns, "web-scratch").out
    assert re.search(r"Used By:\s+web", described), described
    # The claim is in use: deleting it leaves it Terminating while the pod runs.
    kubectl.ok("delete", "pvc", "-n", ns, "web-scratch", "--wait=false")
    with pytest.raises(AssertionError):
        wait_for(lambda: not claim_exists(core, ns, "web-scratch"), timeout=2, what="claim gone")

    # The pod goes: its claim goes with it (garbage collector, then PVC protection).
    kubectl.ok("delete", "pod", "-n", ns, "web", "--wait=false")
    wait_for(lambda: not claim_exists(core, ns, "web-scratch"), timeout=20, what="claim gone")
