"""skiff restarting under running pods: kill -9 and a restart leave every container running
(same PIDs, same restart counts), exits that happened meanwhile are recorded and acted on,
a pod deleted while the agent was away is cleaned up, and a shim killed under a pod is
noticed and its pod restarted by policy; killing every process of skiff's own cgroup (what
`systemctl stop` does) leaves the workloads running, their shims living in skiff/shims."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import IMAGE, RUNC_ROOT, delete_all_and_expect_nothing_left, unique, wait_for

NETWORK = ("skte2e3", "10.241.0.0/16", "10.242.0.0/16")


def pod(name, command, **spec):
    s = {"containers": [{"name": "main", "image": IMAGE, "command": ["sh", "-c", command]}],
         "terminationGracePeriodSeconds": 2}
    s.update(spec)
    return {"metadata": {"name": name}, "spec": s}


def main_status(p):
    return next(s for s in p["status"]["containerStatuses"] if s["name"] == "main")


def container_pid(p):
    cid = main_status(p)["containerID"].split("://", 1)[1]
    state = subprocess.run(["runc", "--root", RUNC_ROOT, "state", cid], capture_output=True,
                           text=True)
    assert state.returncode == 0, state.stderr
    return json.loads(state.stdout)["pid"]


def running(node, name):
    return node.wait_pod("default", name, lambda p: p.get("status", {}).get("phase") == "Running"
                         and main_status(p).get("state", {}).get("running"),
                         what=f"{name} running")


def sandbox_of(node, p):
    record = Path(node.data_dir) / "agent" / "pods" / p["metadata"]["uid"] / "record.json"
    return json.loads(record.read_text())["sandboxID"]


def shim_pids(sandbox):
    """The pids of the shim serving `sandbox` (one, unless something is wrong)."""
    return subprocess.run(["pgrep", "-f", f"containerd-shim-runc-v2 .*-id {sandbox}"],
                          capture_output=True, text=True).stdout.split()


def restart_agent(node, sig):
    """Stops skiff with `sig` and starts it again on the same port and data."""
    node.stop(sig)
    node.start(port=node.port, timeout=60)


def test_kill_9_leaves_containers_running_and_they_are_adopted(node):
    steady, quitter = unique("steady"), unique("quitter")
    node.create_pod("default", pod(steady, "echo before; exec sleep 3600"))
    node.create_pod("default", pod(quitter, "echo run; sleep 4; exit 3"))
    p = running(node, steady)
    q = running(node, quitter)
    pid = container_pid(p)
    quitter_id = main_status(q)["containerID"]

    node.stop(signal.SIGKILL)
    # The containers do not notice; the quitter exits while nobody watches.
    assert subprocess.run(["kill", "-0", str(pid)]).returncode == 0
    time.sleep(5)
    node.start(port=node.port, timeout=60)

    p2 = running(node, steady)
    assert container_pid(p2) == pid
    assert main_status(p2)["restartCount"] == 0
    assert main_status(p2)["containerID"] == main_status(p)["containerID"]
    # The exit that happened meanwhile is recorded, and the container restarted by policy.
    q2 = node.wait_pod("default", quitter, lambda x: main_status(x)["restartCount"] >= 1,
                       what="quitter restarted")
    last = main_status(q2)["lastState"]["terminated"]
    assert last["exitCode"] == 3 and last["reason"] == "Error"
    assert last["containerID"] == quitter_id
    # Logs carry on across the restart: the first attempt's output is still there.
    assert node.kubectl_ok("logs", steady).out == "before\n"
    assert node.kubectl_ok("logs", quitter, "-p").out == "run\n"
    node.delete_pod_and_wait("default", steady)
    node.delete_pod_and_wait("default", quitter)


def test_a_container_no_record_names_is_removed_at_start(node):
    # A crash between creating a container and recording its id leaves a running container
    # and a mounted bundle that no pod record names: the agent removes them when it starts
    # (and starts the pod's container anew).
    name = unique("unnamed")
    node.create_pod("default", pod(name, "exec sleep 3600"))
    p = running(node, name)
    old_id = main_status(p)["containerID"].split("://", 1)[1]
    pid = container_pid(p)
    state = Path(node.data_dir) / "agent"
    record_path = state / "pods" / p["metadata"]["uid"] / "record.json"
    node.stop(signal.SIGKILL)
    record = json.loads(record_path.read_text())
    for c in record["containers"]:
        c.update({"id": "", "state": "waiting", "reason": "ContainerCreating"})
    record_path.write_text(json.dumps(record))
    node.start(port=node.port, timeout=60)

    wait_for(lambda: subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode
             != 0, timeout=20, interval=0.1, what="the unnamed container killed")
    assert not (state / "containers" / old_id).exists()
    assert not [m for m in Path("/proc/self/mountinfo").read_text().splitlines() if old_id in m]
    assert subprocess.run(["runc", "--root", RUNC_ROOT, "state", old_id],
                          capture_output=True).returncode != 0
    p2 = node.wait_pod("default", name, lambda x: main_status(x).get("state", {}).get("running")
                       and main_status(x)["containerID"] != main_status(p)["containerID"],
                       what="the pod's container started anew")
    assert [d.name for d in (state / "containers").iterdir()] == [
        main_status(p2)["containerID"].split("://", 1)[1]]
    assert "removed a container no pod record names" in node.log_tail(20000)
    sandbox = sandbox_of(node, p2)
    node.delete_pod_and_wait("default", name)
    # The pod's shim forgot the removed task and went with the pod.
    wait_for(lambda: not shim_pids(sandbox), timeout=20, what="the pod's shim gone")


def test_a_pod_deleted_while_the_agent_was_away_is_cleaned_up(node):
    name = unique("orphan")
    node.create_pod("default", pod(name, "exec sleep 3600"))
    p = running(node, name)
    uid = p["metadata"]["uid"]
    sandbox = sandbox_of(node, p)
    pid = container_pid(p)
    # The control plane alone (no agent) deletes the pod: nobody stops its containers.
    node.stop(signal.SIGKILL)
    node.agent = False
    try:
        node.start(port=node.port, timeout=60)
        node.kubectl_ok("delete", "pod", name, "--grace-period=0", "--force")
        assert node.get(f"/api/v1/namespaces/default/pods/{name}").status == 404
        assert subprocess.run(["kill", "-0", str(pid)]).returncode == 0
        node.stop()
    finally:
        node.agent = True
    node.start(port=node.port, timeout=60)

    state = Path(node.data_dir) / "agent"
    def gone():
        alive = subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0
        return None if alive or (state / "pods" / uid).exists() else True
    wait_for(gone, timeout=30, interval=0.2, what="the orphaned pod torn down")
    assert not Path(f"/run/netns/skiff-{sandbox}").exists()
    assert not (state / "sandboxes" / sandbox).exists()
    assert subprocess.run(["pgrep", "-f", f"containerd-shim-runc-v2 .*-id {sandbox}"]).returncode == 1
    assert not [m for m in Path("/proc/self/mountinfo").read_text().splitlines() if uid in m]
    assert not Path(f"/var/log/pods/default_{name}_{uid}").exists()
    ips = state / "cni" / "networks" / "skiff"
    assert sandbox not in "".join(f.read_text() for f in ips.iterdir() if f.is_file()
                                  and f.name[0].isdigit())


def test_a_killed_shim_is_noticed_and_the_pod_restarted_by_policy(node):
    name = unique("shimless")
    node.create_pod("default", pod(name, "echo up; exec sleep 3600"))
    p = running(node, name)
    pid = container_pid(p)
    sandbox = sandbox_of(node, p)
    shim = shim_pids(sandbox)
    assert len(shim) == 1, shim
    subprocess.run(["kill", "-KILL", shim[0]], check=True)

    p2 = node.wait_pod("default", name, lambda x: main_status(x)["restartCount"] >= 1
                       and main_status(x).get("state", {}).get("running"), timeout=60,
                       what="pod restarted after its shim died")
    last = main_status(p2)["lastState"]["terminated"]
    assert last["reason"] == "ContainerStatusUnknown", last
    # The orphaned container was killed and deleted; the pod runs under a new shim.
    wait_for(lambda: subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0,
             timeout=10, what="the orphaned container gone")
    assert container_pid(p2) != pid
    new_shim = shim_pids(sandbox)
    assert len(new_shim) == 1 and new_shim != shim
    node.delete_pod_and_wait("default", name)


CGROUPS = "/sys/fs/cgroup"


def cgroup_lines(pid):
    """{hierarchy: path} of a process, from /proc/<pid>/cgroup."""
    out = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        out[controllers or "unified"] = path
    return out


class ServiceCgroup:
    """A cgroup of the test's own in every v1 hierarchy (as systemd makes one for a service),
    removed at the end even when the test fails."""

    def __init__(self, name):
        self.dirs = []
        for h in sorted(os.listdir(CGROUPS)):
            top = Path(CGROUPS) / h
            if not (top / "cgroup.procs").exists() or h == "unified":
                continue
            d = top / name
            d.mkdir()
            self.dirs.append(d)
            if h == "cpuset":
                for f in ("cpuset.cpus", "cpuset.mems"):
                    (d / f).write_text((top / f).read_text())

    def add(self, pid):
        for d in self.dirs:
            (d / "cgroup.procs").write_text(str(pid))

    def pids(self):
        return {int(p) for d in self.dirs for p in (d / "cgroup.procs").read_text().split()}

    def kill_all(self):
        """SIGKILLs every process in the cgroup until none is left (KillMode=control-group)."""
        def empty():
            left = self.pids()
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return not left
        wait_for(empty, timeout=10, interval=0.05, what="the service cgroup empty")

    def remove(self):
        self.kill_all()
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


def test_stopping_skiffs_whole_cgroup_leaves_the_workloads_running(node):
    service = ServiceCgroup(f"skte2e3-svc-{os.getpid()}")
    try:
        # skiff runs in its "service" cgroup; what it starts from now on begins there too.
        service.add(node.proc.pid)
        name, talker = unique("survivor"), unique("talker")
        node.create_pod("default", pod(name, "echo up; exec sleep 3600"))
        # A container with stdin (no tty) has a log driver skiff starts itself (FIFO stdio).
        t = pod(talker, "while true; do echo tick; sleep 0.2; done")
        t["spec"]["containers"][0]["stdin"] = True
        node.create_pod("default", t)
        p, q = running(node, name), running(node, talker)
        pid, talker_pid = container_pid(p), container_pid(q)
        sandbox = sandbox_of(node, p)
        shim = shim_pids(sandbox)
        assert len(shim) == 1, shim
        uid, cid = p["metadata"]["uid"], main_status(p)["containerID"].split("://", 1)[1]
        talker_cid = main_status(q)["containerID"].split("://", 1)[1]
        driver = subprocess.run(["pgrep", "-f", f"{talker_cid}.sock"], capture_output=True,
                                text=True).stdout.split()
        assert len(driver) == 1, driver
        for proc in (shim[0], driver[0]):
            for h, path in cgroup_lines(proc).items():
                assert path == "/skiff/shims", (proc, h, path)
        for h, path in cgroup_lines(pid).items():
            assert path == f"/skiff/pod{uid}/{cid}", (h, path)
        assert not {int(shim[0]), int(driver[0]), pid, talker_pid} & service.pids()

        service.kill_all()
        node.proc.wait(timeout=10)
        node.proc = None
        for alive in (pid, shim[0], talker_pid, driver[0]):
            assert subprocess.run(["kill", "-0", str(alive)]).returncode == 0, alive

        node.start(port=node.port, timeout=60)
        p2, q2 = running(node, name), running(node, talker)
        assert container_pid(p2) == pid and container_pid(q2) == talker_pid
        assert main_status(p2)["restartCount"] == 0 and main_status(q2)["restartCount"] == 0
        # The talker's output still reaches its log.
        ticks = node.kubectl_ok("logs", talker).out.count("tick")
        wait_for(lambda: node.kubectl_ok("logs", talker).out.count("tick") > ticks + 2,
                 timeout=10, what="the talker's log growing")
        node.delete_pod_and_wait("default", name)
        node.delete_pod_and_wait("default", talker)
        # The pod's cgroups went with it.
        wait_for(lambda: not list(Path(CGROUPS).glob(f"*/skiff/pod{uid}")), timeout=10,
                 what=f"no cgroup of pod {uid} left")
    finally:
        if node.proc is None:
            node.start(port=node.port, timeout=60)
        service.remove()


def test_nothing_left_after_all_pods_are_gone(node):
    delete_all_and_expect_nothing_left(node)
