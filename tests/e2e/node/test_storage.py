"""Storage with real mounts: claims of the default local-path class provisioned on the node
where their first pod is scheduled (an ext4 image loop-mounted, so the claim's size is
enforced), a StatefulSet and a Deployment keeping their data across pod deletion, scaling and
a skiff restart, claims deleted with the Delete and Retain policies, expansion of a claim in
use, static hostPath PersistentVolumes with subPath and readOnly mounts, fsGroup, the
Pending and FailedScheduling messages of claims nothing can satisfy, and generic ephemeral
volumes (a claim per pod made from the pod's template, gone with the pod)."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import IMAGE, delete_all_and_expect_nothing_left, unique, wait_for

NETWORK = ("skte2e11", "10.210.0.0/16", "10.211.0.0/16")
NS = "default"


def container(command, mounts, **extra):
    c = {"name": "main", "image": IMAGE, "command": ["sh", "-c", command],
         "volumeMounts": mounts}
    c.update(extra)
    return c


def claim(name, size="32Mi", storage_class=None, **spec):
    s = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        s["storageClassName"] = storage_class
    s.update(spec)
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name}, "spec": s}


def claim_pod(name, claim_name, command, **spec):
    """A pod the scheduler places (no nodeName: WaitForFirstConsumer needs the scheduler)."""
    s = {"containers": [container(command, [{"name": "data", "mountPath": "/data"}])],
         "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}],
         "terminationGracePeriodSeconds": 1}
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": s}


def ephemeral_volume(name, size="16Mi", labels=None):
    template = {"spec": {"accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": size}}}}
    if labels:
        template["metadata"] = {"labels": labels}
    return {"name": name, "ephemeral": {"volumeClaimTemplate": template}}


def ephemeral_pod(name, command, volume="scratch", **template):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container(command, [{"name": volume, "mountPath": "/data"}])],
                     "volumes": [ephemeral_volume(volume, **template)],
                     "terminationGracePeriodSeconds": 1}}


def create(node, path, obj):
    r = node.post(path, obj)
    assert r.status == 201, r.body
    return r.json()


def create_claim(node, obj):
    return create(node, f"/api/v1/namespaces/{NS}/persistentvolumeclaims", obj)


def create_pod(node, obj):
    return create(node, f"/api/v1/namespaces/{NS}/pods", obj)


def get_claim(node, name):
    r = node.get(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}")
    return r.json() if r.status == 200 else None


def get_volume(node, name):
    r = node.get(f"/api/v1/persistentvolumes/{name}")
    return r.json() if r.status == 200 else None


def running(node, name, timeout=60):
    return node.wait_phase(NS, name, "Running", timeout)


def bound(node, name, timeout=30):
    return wait_for(lambda: (lambda c: c if c and c["status"].get("phase") == "Bound" else None)(
        get_claim(node, name)), timeout=timeout, interval=0.1, what=f"claim {name} bound")


def sh(node, pod, command):
    return node.kubectl_ok("exec", pod, "--", "sh", "-c", command).out


def logs(node, pod):
    return node.kubectl_ok("logs", pod).out


def events(node, name):
    return [(e.get("reason"), e.get("message", "")) for e in node.events_for(NS, name)]


def wait_event(node, name, reason, contains="", timeout=30):
    return wait_for(lambda: next((m for r, m in events(node, name)
                                  if r == reason and contains in m), None),
                    timeout=timeout, interval=0.2, what=f"{reason} event on {name}")


def delete_claim_and_wait(node, name, timeout=30):
    node.delete(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}")
    wait_for(lambda: get_claim(node, name) is None, timeout=timeout, interval=0.1,
             what=f"claim {name} gone")


def storage_root(node):
    return Path(node.data_dir) / "storage"


def mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == str(path) for line in f)


@pytest.fixture(scope="module", autouse=True)
def module_cleanup(node):
    yield
    delete_all_and_expect_nothing_left(node)
    for c in node.get(f"/api/v1/namespaces/{NS}/persistentvolumeclaims").json()["items"]:
        node.delete(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{c['metadata']['name']}")
    for v in node.get("/api/v1/persistentvolumes").json()["items"]:
        if v["spec"].get("persistentVolumeReclaimPolicy") == "Retain":
            node.delete(f"/api/v1/persistentvolumes/{v['metadata']['name']}")
    wait_for(lambda: not node.get("/api/v1/persistentvolumes").json()["items"], timeout=60,
             interval=0.2, what="every PersistentVolume gone")
    left = [line.split()[4] for line in open("/proc/self/mountinfo")
            if line.split()[4].startswith(str(storage_root(node)))]
    assert not left, f"local-path mounts left: {left}"


def test_default_class_provisions_on_first_consumer_with_enforced_size(node):
    name = unique("c")
    create_claim(node, claim(name, "32Mi"))
    c = get_claim(node, name)
    assert c["spec"]["storageClassName"] == "local-path"
    # WaitForFirstConsumer: nothing happens before a pod uses it.
    wait_event(node, name, "WaitForFirstConsumer", "waiting for first consumer")
    assert get_claim(node, name)["status"]["phase"] == "Pending"

    pod = unique("p")
    create_pod(node, claim_pod(pod, name, "df -k /data | tail -1; sleep 3600"))
    c = bound(node, name)
    assert c["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node.node_name
    pv = get_volume(node, c["spec"]["volumeName"])
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "skiff.io/local-path"
    terms = pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
    # Pinned by the node's hostname label (not its name, which --node-name sets here).
    labels = node.get(f"/api/v1/nodes/{node.node_name}").json()["metadata"]["labels"]
    assert terms[0]["matchExpressions"][0] == {"key": "kubernetes.io/hostname", "operator": "In",
                                               "values": [labels["kubernetes.io/hostname"]]}
    path = Path(pv["spec"]["local"]["path"])
    assert path.parent == storage_root(node)
    assert path.name == f"pvc-{c['metadata']['uid']}_{NS}_{name}"
    assert c["status"]["capacity"]["storage"] == "32Mi"
    running(node, pod)
    assert mounted(path)
    # The filesystem the container sees has the claim's size (ext4 takes a little).
    size_kib = int(logs(node, pod).split()[1])
    assert 24 * 1024 <= size_kib <= 32 * 1024, size_kib
    out = node.kubectl("1.32").run(
        "exec", pod, "--", "sh", "-c", "dd if=/dev/zero of=/data/big bs=1M count=64")
    assert out.rc != 0 and "No space left on device" in out.err + out.out, out
    node.delete_pod_and_wait(NS, pod)


def test_statefulset_pod_comes_back_to_its_data(node):
    name = unique("web")
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": name},
           "spec": {"replicas": 1, "serviceName": name,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                                     container("[ -f /data/id ] || echo $RANDOM-$RANDOM > /data/id;"
                                               " cat /data/id; sleep 3600",
                                               [{"name": "data", "mountPath": "/data"}])]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                              "spec": {"accessModes": ["ReadWriteOnce"],
                                                       "resources": {"requests": {"storage": "16Mi"}}}}]}}
    create(node, f"/apis/apps/v1/namespaces/{NS}/statefulsets", sts)
    pod = f"{name}-0"
    first = running(node, pod)
    identity = wait_for(lambda: logs(node, pod).strip() or None, timeout=20, what="the id written")
    c = bound(node, f"data-{name}-0")

    # Deleted: the StatefulSet makes it again, and it finds its data.
    node.delete(f"/api/v1/namespaces/{NS}/pods/{pod}?gracePeriodSeconds=1")
    second = node.wait_pod(NS, pod, lambda p: p["metadata"]["uid"] != first["metadata"]["uid"]
                           and p.get("status", {}).get("phase") == "Running", what="recreated")
    assert wait_for(lambda: logs(node, pod).strip() or None, timeout=20) == identity

    # Scaled to zero and back: the claim stays and the data with it.
    node.kubectl_ok("scale", "statefulset", name, "--replicas=0")
    wait_for(lambda: node.pod(NS, pod) is None, timeout=60, interval=0.2, what="scaled down")
    assert get_claim(node, f"data-{name}-0")["metadata"]["uid"] == c["metadata"]["uid"]
    node.kubectl_ok("scale", "statefulset", name, "--replicas=1")
    node.wait_pod(NS, pod, lambda p: p["metadata"]["uid"] != second["metadata"]["uid"]
                  and p.get("status", {}).get("phase") == "Running", what="scaled up")
    assert wait_for(lambda: logs(node, pod).strip() or None, timeout=20) == identity
    node.kubectl_ok("delete", "statefulset", name, "--wait=true")
    wait_for(lambda: node.pod(NS, pod) is None, timeout=60, interval=0.2, what="sts pods gone")


def test_deployment_with_a_claim_keeps_it_across_a_rollout(node):
    name = unique("dep")
    create_claim(node, claim(name, "16Mi"))
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": 1, "strategy": {"type": "Recreate"},
                    "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                                     container("echo run >> /data/runs; sleep 3600",
                                               [{"name": "data", "mountPath": "/data"}])],
                                     "volumes": [{"name": "data", "persistentVolumeClaim":
                                                  {"claimName": name}}]}}}}
    create(node, f"/apis/apps/v1/namespaces/{NS}/deployments", dep)
    node.kubectl_ok("rollout", "status", f"deployment/{name}", "--timeout=60s", timeout=90)
    node.kubectl_ok("rollout", "restart", f"deployment/{name}")
    node.kubectl_ok("rollout", "status", f"deployment/{name}", "--timeout=60s", timeout=90)

    def two_runs():
        pods = node.get(f"/api/v1/namespaces/{NS}/pods?labelSelector=app={name}").json()["items"]
        live = [p for p in pods if p["status"].get("phase") == "Running"
                and not p["metadata"].get("deletionTimestamp")]
        if len(live) != 1:
            return None
        out = node.kubectl("1.32").run("exec", live[0]["metadata"]["name"], "--",
                                               "cat", "/data/runs")
        return out.out if out.rc == 0 and out.out.count("run") == 2 else None
    wait_for(two_runs, timeout=30, interval=0.5, what="the second pod saw the first one's data")
    node.kubectl_ok("delete", "deployment", name, "--wait=true")


def test_deleting_claims_with_delete_and_retain(node):
    create(node, "/apis/storage.k8s.io/v1/storageclasses",
           {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "keep"}, "provisioner": "skiff.io/local-path",
            "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer"})
    gone, kept = unique("gone"), unique("kept")
    create_claim(node, claim(gone, "16Mi"))
    create_claim(node, claim(kept, "16Mi", storage_class="keep"))
    for c in (gone, kept):
        pod = unique("w")
        create_pod(node, claim_pod(pod, c, "echo hello > /data/f; sleep 3600"))
        running(node, pod)
        node.delete_pod_and_wait(NS, pod)
    pv_gone = get_volume(node, bound(node, gone)["spec"]["volumeName"])
    pv_kept = get_volume(node, bound(node, kept)["spec"]["volumeName"])
    path_gone = Path(pv_gone["spec"]["local"]["path"])
    path_kept = Path(pv_kept["spec"]["local"]["path"])
    assert (path_gone / "f").read_text() == "hello\n"

    delete_claim_and_wait(node, gone)
    wait_for(lambda: get_volume(node, pv_gone["metadata"]["name"]) is None, timeout=30,
             interval=0.1, what="the Delete volume gone")
    assert not path_gone.exists() and not mounted(path_gone)
    assert not list((storage_root(node) / ".images").glob(f"{path_gone.name}*"))

    delete_claim_and_wait(node, kept)
    wait_for(lambda: get_volume(node, pv_kept["metadata"]["name"])["status"]["phase"] == "Released",
             timeout=30, interval=0.1, what="the Retain volume Released")
    assert (path_kept / "f").read_text() == "hello\n"
    # Deleting a retained volume leaves its data (unmounted) for the administrator.
    node.delete(f"/api/v1/persistentvolumes/{pv_kept['metadata']['name']}")
    wait_for(lambda: get_volume(node, pv_kept["metadata"]["name"]) is None, timeout=30,
             interval=0.1, what="the Retain volume deleted")
    assert not mounted(path_kept)
    image = storage_root(node) / ".images" / f"{path_kept.name}.img"
    assert image.exists()
    node.kubectl_ok("delete", "storageclass", "keep")


def can_resize_online():
    """ext4 grows a mounted filesystem only for a caller with CAP_SYS_RESOURCE (bit 24), which
    root lacks in some VMs and containers (these test machines among them)."""
    with open("/proc/self/status") as f:
        caps = next(int(line.split()[1], 16) for line in f if line.startswith("CapEff:"))
    return bool(caps & (1 << 24))


def test_a_claim_grows(node):
    name = unique("grow")
    create_claim(node, claim(name, "32Mi"))
    pod = unique("g")
    create_pod(node, claim_pod(pod, name, "sleep 3600"))
    running(node, pod)
    before = int(sh(node, pod, "df -k /data | tail -1").split()[1])
    node.patch(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}",
               {"spec": {"resources": {"requests": {"storage": "96Mi"}}}},
               "application/merge-patch+json")
    pv = get_volume(node, get_claim(node, name)["spec"]["volumeName"])
    wait_for(lambda: get_volume(node, pv["metadata"]["name"])["spec"]["capacity"]["storage"]
             == "96Mi", timeout=30, interval=0.1, what="the volume grown by the controller")
    if not can_resize_online():
        # Kubernetes' offline expansion: the claim waits for its pod to go, and the file system
        # grows before the next pod mounts it.
        wait_for(lambda: [c for c in get_claim(node, name)["status"].get("conditions", [])
                          if c["type"] == "FileSystemResizePending"] or None,
                 timeout=30, interval=0.2, what="FileSystemResizePending while in use")
        assert get_claim(node, name)["status"]["capacity"]["storage"] == "32Mi"
        node.delete_pod_and_wait(NS, pod)
        pod = unique("g")
        create_pod(node, claim_pod(pod, name, "sleep 3600"))
        running(node, pod)
    wait_for(lambda: get_claim(node, name)["status"].get("capacity", {}).get("storage") == "96Mi",
             timeout=60, interval=0.2, what="status.capacity 96Mi")
    assert not [c for c in get_claim(node, name)["status"].get("conditions", [])
                if c["type"] == "FileSystemResizePending"]
    wait_event(node, name, "FileSystemResizeSuccessful")
    after = int(sh(node, pod, "df -k /data | tail -1").split()[1])
    assert after > before + 48 * 1024, (before, after)
    sh(node, pod, "dd if=/dev/zero of=/data/big bs=1M count=48")
    node.delete_pod_and_wait(NS, pod)


def test_static_host_path_volume_with_sub_path_and_read_only(node, tmp_path):
    host = tmp_path / "export"
    (host / "sub").mkdir(parents=True)
    (host / "sub" / "greeting").write_text("from the host\n")
    pv = unique("pv")
    create(node, "/api/v1/persistentvolumes",
           {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": pv, "labels": {"disk": pv}},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "",
                     "hostPath": {"path": str(host), "type": "Directory"}}})
    name = unique("static")
    create_claim(node, claim(name, "512Mi", storage_class="",
                             selector={"matchLabels": {"disk": pv}}))
    c = bound(node, name)
    assert c["spec"]["volumeName"] == pv
    assert c["status"]["capacity"]["storage"] == "1Gi"
    pod = unique("s")
    spec = claim_pod(pod, name, "cat /sub-only/greeting; sleep 3600")
    spec["spec"]["containers"][0]["volumeMounts"] = [
        {"name": "data", "mountPath": "/sub-only", "subPath": "sub"},
        {"name": "data", "mountPath": "/ro", "readOnly": True}]
    create_pod(node, spec)
    running(node, pod)
    assert wait_for(lambda: logs(node, pod) or None, timeout=20) == "from the host\n"
    out = node.kubectl("1.32").run("exec", pod, "--", "sh", "-c", "echo x > /ro/new")
    assert out.rc != 0 and "Read-only file system" in out.err, out
    sh(node, pod, "echo written > /sub-only/back")
    assert (host / "sub" / "back").read_text() == "written\n"
    node.delete_pod_and_wait(NS, pod)
    delete_claim_and_wait(node, name)
    wait_for(lambda: get_volume(node, pv)["status"]["phase"] == "Released", timeout=30,
             interval=0.1, what="the static volume Released")
    assert (host / "sub" / "greeting").exists()  # Retain: nothing removed
    node.delete(f"/api/v1/persistentvolumes/{pv}")
    wait_for(lambda: get_volume(node, pv) is None, timeout=30, interval=0.1, what="PV gone")


def test_fs_group_owns_a_local_path_volume(node):
    name = unique("fsg")
    create_claim(node, claim(name, "16Mi"))
    pod = unique("f")
    create_pod(node, claim_pod(pod, name, "stat -c '%g' /data; touch /data/x; stat -c '%g' /data/x;"
                               " sleep 3600",
                               securityContext={"fsGroup": 4321}))
    running(node, pod)
    assert wait_for(lambda: logs(node, pod).split() if len(logs(node, pod).split()) == 2 else None,
                    timeout=20) == ["4321", "4321"]
    node.delete_pod_and_wait(NS, pod)


def test_claims_nothing_can_satisfy_say_why(node):
    name = unique("none")
    create_claim(node, claim(name, "1Gi", storage_class=""))
    wait_event(node, name, "FailedBinding",
               "no persistent volumes available for this claim and no storage class is set")
    assert get_claim(node, name)["status"]["phase"] == "Pending"

    pod = unique("nopvc")
    create_pod(node, claim_pod(pod, "does-not-exist", "sleep 3600"))
    wait_event(node, pod, "FailedScheduling", 'persistentvolumeclaim "does-not-exist" not found')
    pending = unique("pend")
    create_pod(node, claim_pod(pending, name, "sleep 3600"))
    wait_event(node, pending, "FailedScheduling", "pod has unbound immediate PersistentVolumeClaims")
    for p in (pod, pending):
        node.delete_pod_and_wait(NS, p)
    delete_claim_and_wait(node, name)


def test_a_claim_larger_than_the_disk_is_not_mounted_and_says_why(node):
    """The images are sparse; the node refuses one its disk could not hold."""
    name = unique("huge")
    create_claim(node, claim(name, "1Pi"))
    pod = unique("huge")
    create_pod(node, claim_pod(pod, name, "sleep 3600"))
    message = wait_event(node, pod, "FailedMount", "cannot create the 1Pi image for ")
    assert f"of the disk holding {storage_root(node)}/.images is free" in message, message
    p = node.pod(NS, pod)
    assert p["status"]["phase"] == "Pending"
    waiting = p["status"].get("containerStatuses", [{}])[0].get("state", {}).get("waiting", {})
    assert waiting.get("reason") == "ContainerCreating", p["status"]
    images = storage_root(node) / ".images"
    assert not list(images.glob(f"*_{NS}_{name}.img*")), "no image, not even a half-made one"
    assert not [m for m in open("/proc/self/mountinfo") if name in m]
    node.delete_pod_and_wait(NS, pod)
    delete_claim_and_wait(node, name)


def test_a_volume_survives_a_skiff_restart_and_is_cleaned_up_after(node):
    name = unique("rs")
    create_claim(node, claim(name, "16Mi"))
    pod = unique("r")
    create_pod(node, claim_pod(pod, name, "echo before > /data/f; sleep 3600"))
    running(node, pod)
    path = Path(get_volume(node, bound(node, name)["spec"]["volumeName"])["spec"]["local"]["path"])
    node.stop(signal.SIGKILL)
    node.start(port=node.port, timeout=60)
    running(node, pod)
    assert sh(node, pod, "cat /data/f; echo after >> /data/f; cat /data/f") == \
        "before\nbefore\nafter\n"
    node.delete_pod_and_wait(NS, pod)
    delete_claim_and_wait(node, name)
    wait_for(lambda: not path.exists(), timeout=30, interval=0.1, what="data removed")
    assert not mounted(path)


def test_an_ephemeral_volume_is_made_for_its_pod_and_goes_with_it(node):
    pod = unique("eph")
    r = node.post(f"/api/v1/namespaces/{NS}/pods",
                  ephemeral_pod(pod, "echo hello > /data/f; cat /data/f; sleep 3600",
                                labels={"app": pod}))
    assert r.status == 201, r.body
    # Served: no "volume type not supported" warning.
    warnings = r.header_all("Warning")
    assert not [w for w in warnings if "not supported" in w], warnings
    uid = r.json()["metadata"]["uid"]
    name = f"{pod}-scratch"
    c = bound(node, name)
    assert c["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Pod", "name": pod, "uid": uid, "controller": True,
         "blockOwnerDeletion": True}]
    assert c["metadata"]["labels"] == {"app": pod}
    assert c["spec"]["storageClassName"] == "local-path"  # the default class
    assert c["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node.node_name
    running(node, pod)
    assert wait_for(lambda: logs(node, pod) or None, timeout=20) == "hello\n"
    pv = get_volume(node, c["spec"]["volumeName"])
    path = Path(pv["spec"]["local"]["path"])
    assert path.name == f"pvc-{c['metadata']['uid']}_{NS}_{name}"
    assert (path / "f").read_text() == "hello\n"
    assert mounted(path)
    described = node.kubectl_ok("describe", "pvc", name).out
    assert re.search(rf"Used By:\s+{pod}\n", described), described

    # The pod goes: the garbage collector deletes its claim, and the claim's volume and data go
    # with it (reclaim policy Delete).
    node.delete_pod_and_wait(NS, pod)
    wait_for(lambda: get_claim(node, name) is None, timeout=30, interval=0.1,
             what="the ephemeral claim gone with its pod")
    wait_for(lambda: get_volume(node, pv["metadata"]["name"]) is None, timeout=30,
             interval=0.1, what="its volume gone")
    wait_for(lambda: not path.exists(), timeout=30, interval=0.1, what="its data removed")
    assert not mounted(path)


def test_a_deployment_pod_gets_its_own_ephemeral_claim(node):
    name = unique("ephdep")
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"terminationGracePeriodSeconds": 1, "containers": [
                                     container("echo $HOSTNAME > /data/who; sleep 3600",
                                               [{"name": "cache", "mountPath": "/data"}])],
                                     "volumes": [ephemeral_volume("cache")]}}}}
    create(node, f"/apis/apps/v1/namespaces/{NS}/deployments", dep)
    node.kubectl_ok("rollout", "status", f"deployment/{name}", "--timeout=60s", timeout=90)
    pods = node.get(f"/api/v1/namespaces/{NS}/pods?labelSelector=app={name}").json()["items"]
    assert len(pods) == 1
    pod = pods[0]["metadata"]["name"]
    c = bound(node, f"{pod}-cache")
    assert c["metadata"]["ownerReferences"][0]["uid"] == pods[0]["metadata"]["uid"]
    assert wait_for(lambda: sh(node, pod, "cat /data/who").strip() or None, timeout=20) == pod

    node.kubectl_ok("scale", "deployment", name, "--replicas=0")
    wait_for(lambda: get_claim(node, f"{pod}-cache") is None, timeout=60, interval=0.2,
             what="the scaled-down pod's claim gone")
    node.kubectl_ok("delete", "deployment", name, "--wait=true")


def test_an_ephemeral_claim_name_taken_by_another_claim_keeps_the_pod_pending(node):
    pod = unique("taken")
    name = f"{pod}-scratch"
    theirs = create_claim(node, claim(name, "16Mi"))
    create_pod(node, ephemeral_pod(pod, "echo mine > /data/f; sleep 3600"))
    refused = f"PVC {NS}/{name} was not created for pod {NS}/{pod} (pod is not owner)"
    wait_event(node, pod, "FailedScheduling", refused)
    wait_event(node, pod, "FailedBinding", f"ephemeral volume scratch: {refused}")
    p = node.pod(NS, pod)
    assert p["status"]["phase"] == "Pending"
    scheduled = [c for c in p["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert scheduled and scheduled[0]["status"] == "False", p["status"]
    assert scheduled[0]["reason"] == "Unschedulable"
    assert refused in scheduled[0]["message"], scheduled
    c = get_claim(node, name)
    assert c["metadata"]["uid"] == theirs["metadata"]["uid"]
    assert "ownerReferences" not in c["metadata"]

    # Once the other claim is gone, the pod gets its own (the same name, made anew) and starts.
    node.delete(f"/api/v1/namespaces/{NS}/persistentvolumeclaims/{name}")
    wait_for(lambda: (lambda c: c and c["metadata"]["uid"] != theirs["metadata"]["uid"])(
        get_claim(node, name)), timeout=30, interval=0.1, what="the pod's own claim")
    running(node, pod)
    mine = bound(node, name)
    assert mine["metadata"]["ownerReferences"][0]["name"] == pod
    assert sh(node, pod, "cat /data/f") == "mine\n"
    node.delete_pod_and_wait(NS, pod)
    wait_for(lambda: get_claim(node, name) is None, timeout=30, interval=0.1,
             what="the claim gone with its pod")


def test_an_invalid_ephemeral_volume_is_refused(node):
    pod = unique("bad")
    manifest = ephemeral_pod(pod, "sleep 3600")
    del manifest["spec"]["volumes"][0]["ephemeral"]["volumeClaimTemplate"]
    out = node.kubectl("1.32").run("apply", "-f", "-", input=json.dumps(manifest))
    assert out.rc != 0, out
    assert f'The Pod "{pod}" is invalid' in out.err, out
    assert "spec.volumes[0].ephemeral.volumeClaimTemplate: Required value" in out.err, out

    manifest = ephemeral_pod(pod, "sleep 3600")
    manifest["spec"]["volumes"][0]["ephemeral"]["volumeClaimTemplate"]["metadata"] = {
        "name": "mine"}
    manifest["spec"]["volumes"][0]["ephemeral"]["volumeClaimTemplate"]["spec"].pop("accessModes")
    out = node.kubectl("1.32").run("apply", "-f", "-", input=json.dumps(manifest))
    assert out.rc != 0, out
    for message in ["spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name: Forbidden: "
                    "cannot be set",
                    "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required "
                    "value: at least 1 access mode is required"]:
        assert message in out.err, out
    assert node.pod(NS, pod) is None
