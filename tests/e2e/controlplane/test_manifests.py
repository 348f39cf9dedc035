"""The manifests directory (--manifests-dir) of a running `skiff server`: files applied at once
and on every change through server-side apply (hand edits to other fields survive), objects
removed from a file and a deleted file's objects deleted, multi-document files, a namespace
made by a later file, broken files reported with file, document and line and leaving what
they applied alone, .skip markers, and a file removed while skiff was down."""

import random
import signal
import time

from conftest import unique, wait_for

CONTROL_PLANE = True  # the namespace controller finishes namespace deletions


def write(server, name, text):
    """Writes a manifest as editors and config tools do: a new file renamed into place."""
    tmp = server.manifests_dir / f".{name}.tmp"
    tmp.write_text(text)
    tmp.rename(server.manifests_dir / name)


def configmap(ns, name, **data):
    lines = "".join(f"  {k}: \"{v}\"\n" for k, v in data.items())
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
            f"data:\n{lines}")


def namespace(name):
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def get(server, path):
    r = server.get(path)
    return r.json() if r.status == 200 else None


def gone(server, path):
    return server.get(path).status == 404


def cm_path(ns, name):
    return f"/api/v1/namespaces/{ns}/configmaps/{name}"


def events(server, reason):
    items = server.get("/api/v1/namespaces/default/events").json()["items"]
    return [e["message"] for e in items if e["reason"] == reason]


def test_a_file_is_applied_followed_and_its_objects_deleted_with_it(server):
    ns = unique("mf")
    name = f"{ns}.yaml"
    started = time.monotonic()
    write(server, name, namespace(ns) + "---\n" + configmap(ns, "settings", color="blue") +
          "---\n" + configmap(ns, "extra", size="1"))
    cm = wait_for(lambda: get(server, cm_path(ns, "settings")), timeout=5, interval=0.01,
                  what="the file's objects")
    applied_after = time.monotonic() - started
    assert cm["data"] == {"color": "blue"}
    managers = {m["manager"] for m in cm["metadata"]["managedFields"]}
    assert f"skiff-manifest:{name}" in managers, managers
    assert applied_after < 5
    # The Event follows the last object of the file.
    wait_for(lambda: any(f"{name}: applied 3 object(s)" in m
                         for m in events(server, "AppliedManifest")), timeout=5,
             what="the AppliedManifest event")

    # A hand edit to a field the file does not set survives the next change of the file.
    server.kubectl("1.32").ok("label", "configmap", "settings", "-n", ns, "edited=by-hand")
    write(server, name, namespace(ns) + "---\n" + configmap(ns, "settings", color="green") +
          "---\n" + configmap(ns, "extra", size="1"))
    cm = wait_for(lambda: (lambda c: c if c and c["data"]["color"] == "green" else None)(
        get(server, cm_path(ns, "settings"))), timeout=5, interval=0.01, what="the change")
    assert cm["metadata"]["labels"] == {"edited": "by-hand"}

    # An object taken out of the file is deleted; the others stay.
    write(server, name, namespace(ns) + "---\n" + configmap(ns, "settings", color="green"))
    wait_for(lambda: gone(server, cm_path(ns, "extra")), timeout=5, interval=0.01,
             what="the removed object deleted")
    assert get(server, cm_path(ns, "settings"))

    # The file deleted: all of its objects go, the namespace last.
    (server.manifests_dir / name).unlink()
    wait_for(lambda: gone(server, f"/api/v1/namespaces/{ns}"), timeout=30,
             what="the file's namespace deleted")
    assert gone(server, cm_path(ns, "settings"))


def test_a_namespace_from_a_later_file_and_a_list(server):
    ns = unique("later")
    # "a-" sorts first: its ConfigMap waits for the namespace "z-" makes, and is retried.
    write(server, f"a-{ns}.yaml",
          f"apiVersion: v1\nkind: List\nitems:\n"
          f"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: one, namespace: {ns}}}\n"
          f"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: two, namespace: {ns}}}\n")
    write(server, f"z-{ns}.json",
          '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s"}}' % ns)
    for cm in ("one", "two"):
        wait_for(lambda: get(server, cm_path(ns, cm)), timeout=10, what=f"{cm} applied")
    for f in (f"a-{ns}.yaml", f"z-{ns}.json"):
        (server.manifests_dir / f).unlink()
    wait_for(lambda: gone(server, f"/api/v1/namespaces/{ns}"), timeout=30, what="cleaned up")


def test_a_broken_file_is_reported_and_leaves_its_objects_alone(server):
    ns = "default"
    name = unique("broken") + ".yaml"
    good = configmap(ns, "kept-1", a="1") + "---\n" + configmap(ns, "kept-2", b="2")
    write(server, name, good)
    wait_for(lambda: get(server, cm_path(ns, "kept-2")), timeout=5, what="the good file")

    # Bad YAML in the second document: reported with the file, document and line.
    write(server, name, configmap(ns, "kept-1", a="1") + "---\napiVersion: v1\nkind: ConfigMap\n"
          "metadata:\n  name: kept-2\n    namespace: bad-indent\n")
    message = wait_for(lambda: next((m for m in events(server, "FailedManifest")
                                     if name in m and "document 2 (line 8)" in m), None),
                       timeout=5, what="the broken file reported")
    assert "document 2 (line 8): line 13: illegal map value" in message, message
    time.sleep(0.5)
    assert get(server, cm_path(ns, "kept-1")) and get(server, cm_path(ns, "kept-2"))

    # An object the API refuses: the others are applied, nothing is deleted, and the event
    # names the object.
    write(server, name, configmap(ns, "kept-1", a="3") + "---\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\n")
    message = wait_for(lambda: next((m for m in events(server, "FailedManifest")
                                     if name in m and "Not_A_Name" in m), None),
                       timeout=5, what="the refused object reported")
    assert "document 2 (line 8): ConfigMap default/Not_A_Name:" in message, message
    wait_for(lambda: get(server, cm_path(ns, "kept-1"))["data"] == {"a": "3"}, timeout=5,
             what="the good object applied")
    assert get(server, cm_path(ns, "kept-2"))  # not deleted while the file is broken

    # Fixed: applied, and what it no longer has is deleted.
    write(server, name, configmap(ns, "kept-1", a="4"))
    wait_for(lambda: gone(server, cm_path(ns, "kept-2")), timeout=5, what="kept-2 deleted")
    (server.manifests_dir / name).unlink()
    wait_for(lambda: gone(server, cm_path(ns, "kept-1")), timeout=5, what="kept-1 deleted")


def test_a_skip_marker_leaves_the_file_and_its_objects_alone(server):
    name = unique("skipped") + ".yaml"
    write(server, name, configmap("default", "held", v="1"))
    wait_for(lambda: get(server, cm_path("default", "held")), timeout=5, what="applied")
    (server.manifests_dir / f"{name}.skip").write_text("")
    write(server, name, configmap("default", "held", v="2"))
    time.sleep(1)
    assert get(server, cm_path("default", "held"))["data"] == {"v": "1"}
    (server.manifests_dir / name).unlink()
    time.sleep(1)
    assert get(server, cm_path("default", "held"))  # not deleted while skipped
    (server.manifests_dir / f"{name}.skip").unlink()
    wait_for(lambda: gone(server, cm_path("default", "held")), timeout=5,
             what="deleted once the marker is gone")


def test_a_file_removed_while_skiff_was_down(server):
    name = unique("offline") + ".yaml"
    write(server, name, configmap("default", "offline", v="1"))
    wait_for(lambda: get(server, cm_path("default", "offline")), timeout=5, what="applied")
    server.stop()
    try:
        (server.manifests_dir / name).unlink()
    finally:
        server.start(port=server.port)
    wait_for(lambda: gone(server, cm_path("default", "offline")), timeout=10,
             what="deleted after the restart")


def test_kill_9_while_a_file_is_applied_leaves_a_consistent_result(server):
    # skiff killed at random moments while it applies, then prunes, a file of 60 objects:
    # after each restart the API holds exactly what the file says.
    name = unique("crash") + ".yaml"
    rng = random.Random(20261129)  # the same moments on every run
    everything = [f"crash-{i}" for i in range(60)]
    evens = everything[::2]

    def cms():
        items = server.get("/api/v1/namespaces/default/configmaps").json()["items"]
        return {c["metadata"]["name"] for c in items if c["metadata"]["name"].startswith("crash-")}

    for round_ in range(3):
        for wanted in (everything, evens):
            write(server, name, "---\n".join(configmap("default", n, round=str(round_))
                                              for n in wanted))
            time.sleep(rng.uniform(0, 0.08))
            server.stop(signal.SIGKILL)
            server.start(port=server.port)
            wait_for(lambda: cms() == set(wanted), timeout=15,
                     what=f"round {round_}: exactly the file's {len(wanted)} objects")
            data = server.get(f"/api/v1/namespaces/default/configmaps/{wanted[-1]}").json()
            assert data["data"] == {"round": str(round_)}
    (server.manifests_dir / name).unlink()
    wait_for(lambda: not cms(), timeout=10, what="all deleted with the file")
